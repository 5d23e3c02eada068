"""The one module that talks to tree-sitter.

Everything else in the project works with the :class:`tree_sitter.Node` objects this module
returns through duck typing (``.type``, ``.start_byte``, ``.children`` …) and never imports
tree-sitter itself; the import-linter contract and ``tests/unit/test_layering.py`` keep it so.

Grammar: PyPI ``tree-sitter-nix`` 0.1.0.  Its one known defect, a trailing comma in function
formals (``{ config, pkgs, }:``) parsed as a zero-width ``MISSING identifier``, is treated as
benign here: no diagnostic, editing allowed.
"""

from __future__ import annotations

from typing import Any

import tree_sitter
import tree_sitter_nix

from nixos_settings.core.common.records import record
from nixos_settings.core.nix import grammar as g

Node = g.Node  # a tree_sitter.Node; kept opaque for the rest of the core
Tree = Any  # a tree_sitter.Tree

_LANGUAGE = tree_sitter.Language(tree_sitter_nix.language())
_PARSER = tree_sitter.Parser(_LANGUAGE)


def parse(source: bytes, old_tree: Tree | None = None) -> Tree:
    """Parse ``source``; with ``old_tree`` (already ``edit``-ed) reparse incrementally."""
    if old_tree is None:
        return _PARSER.parse(source)
    return _PARSER.parse(source, old_tree)


def _point(source: bytes, offset: int) -> tuple[int, int]:
    line = source.count(b"\n", 0, offset)
    col = offset - (source.rfind(b"\n", 0, offset) + 1)
    return line, col


def reparse_after_splices(
    tree: Tree, old: bytes, new: bytes, splices: list[tuple[int, int, bytes]]
) -> Tree:
    """Incrementally reparse ``new``, which is ``old`` with ``splices`` applied.

    ``splices`` are ``(start, end, replacement)`` in ``old``'s coordinates and must not
    overlap.  They are told to the tree from last to first so that every offset stays valid.
    """
    t = tree.copy()
    for start, end, text in sorted(splices, key=lambda s: s[0], reverse=True):
        start_point = _point(old, start)
        old_end_point = _point(old, end)
        nl = text.count(b"\n")
        if nl:
            new_end_point = (start_point[0] + nl, len(text) - text.rfind(b"\n") - 1)
        else:
            new_end_point = (start_point[0], start_point[1] + len(text))
        t.edit(
            start_byte=start,
            old_end_byte=end,
            new_end_byte=start + len(text),
            start_point=start_point,
            old_end_point=old_end_point,
            new_end_point=new_end_point,
        )
    return _PARSER.parse(new, t)


@record(frozen=True)
class SyntaxProblem:
    """One ERROR or MISSING node: byte span, 0-based point and a short description."""

    start_byte: int
    end_byte: int
    line: int
    column: int
    message: str
    known: bool = False  # a spot where this grammar is known to disagree with Nix


def _empty_inherit(node: Node) -> bool:
    """``inherit (pkgs) ;``: valid Nix that the grammar reads with a MISSING name."""
    parent = node.parent
    return (node.type == g.IDENTIFIER and node.start_byte == node.end_byte
            and parent is not None and parent.type == g.INHERITED_ATTRS
            and parent.named_child_count == 1)


def _benign_missing(node: Node) -> bool:
    """Trailing comma in formals: a MISSING identifier that is a formal's name."""
    parent = node.parent
    return (
        node.type == g.IDENTIFIER
        and parent is not None
        and parent.type == g.FORMAL
        and parent.parent is not None
        and parent.parent.type == g.FORMALS
        and node.start_byte == node.end_byte
    )


def problems(tree: Tree) -> list[SyntaxProblem]:
    """Every syntax problem in ``tree`` (benign trailing-comma formals excluded)."""
    out: list[SyntaxProblem] = []
    root = tree.root_node
    if not root.has_error:
        return out
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            if not _benign_missing(node):
                row, col = node.start_point
                known = _empty_inherit(node)
                message = "an empty inherit" if known else f"missing {node.type!s}"
                out.append(
                    SyntaxProblem(node.start_byte, node.end_byte, row, col, message, known)
                )
            continue
        if node.is_error:
            row, col = node.start_point
            out.append(
                SyntaxProblem(node.start_byte, node.end_byte, row, col, "unexpected text")
            )
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    out.sort(key=lambda p: p.start_byte)
    return out


def node_at(tree: Tree, start: int, end: int, type_: str) -> Node | None:
    """The node of type ``type_`` spanning exactly ``start:end`` in ``tree``, if any."""
    node = tree.root_node.descendant_for_byte_range(start, end)
    while node is not None and node.start_byte == start and node.end_byte == end:
        if node.type == type_:
            return node
        node = node.parent
    if node is not None:  # a same-span child below the smallest node found
        for child in node.children:
            if child.start_byte == start and child.end_byte == end and child.type == type_:
                return child
    return None


def walk(node: Node) -> list[Node]:
    """All descendants of ``node`` in document order (including ``node``)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.children))
    return out


def _tokens(node: Node, source: bytes) -> list[tuple[str, bytes]]:
    """The leaf tokens below ``node`` (kind and bytes), comments left out."""
    out: list[tuple[str, bytes]] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == g.COMMENT:
            continue
        if n.child_count == 0:
            out.append((n.type, source[n.start_byte : n.end_byte]))
        else:
            stack.extend(reversed(n.children))
    return out


def same_expression(a: bytes, b: bytes) -> bool:
    """Whether two Nix texts are the same expression, token for token (layout and comments
    aside); False when either does not parse cleanly."""
    ta, tb = parse(a), parse(b)
    if ta.root_node.has_error or tb.root_node.has_error:
        return False
    return _tokens(ta.root_node, a) == _tokens(tb.root_node, b)
