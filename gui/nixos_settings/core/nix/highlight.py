"""Syntax highlighting as data: byte spans of a Nix source with a category each.

The faces colour text from these spans and never see a syntax node.  Categories:
``comment``, ``string``, ``number``, ``path``, ``keyword``, ``attribute``, ``constant`` and
``error`` (a span the parser could not read).
"""

from __future__ import annotations

from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import syntax

Span = tuple[int, int, str]  # start byte, end byte, category

_KEYWORDS = frozenset(
    {"let", "in", "with", "rec", g.INHERIT, "if", "then", "else", "assert", "or"}
)
_LITERAL_NODES = {
    g.COMMENT: "comment",
    g.INTEGER: "number",
    g.FLOAT: "number",
    g.PATH: "path",
    g.HPATH: "path",
    g.SPATH: "path",
    g.URI: "string",
}
_STRING_NODES = frozenset({g.STRING, g.INDENTED_STRING})
_STRING_PARTS = frozenset({'"', "''", g.STRING_FRAGMENT, g.ESCAPE_SEQUENCE, g.DOLLAR_ESCAPE})
_CONSTANTS = frozenset({b"true", b"false", b"null"})


def highlight_spans(source: bytes, tree: syntax.Tree | None = None) -> list[Span]:
    """Byte spans to colour in ``source``, in document order.

    ``tree`` is ``source`` already parsed (a document's tree); without it the source is
    parsed here.
    """
    if tree is None:
        tree = syntax.parse(source)
    out: list[Span] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        cat = _LITERAL_NODES.get(kind)
        if cat is not None:
            out.append((node.start_byte, node.end_byte, cat))
            continue
        if node.is_error or kind == g.ERROR:
            out.append((node.start_byte, max(node.end_byte, node.start_byte + 1), "error"))
        if kind in _STRING_NODES:
            _string_parts(node, out, stack)
            continue
        if not node.is_named and kind in _KEYWORDS:
            out.append((node.start_byte, node.end_byte, "keyword"))
            continue
        if kind == g.ATTRPATH:
            for child in node.children:
                if child.type == g.IDENTIFIER:
                    out.append((child.start_byte, child.end_byte, "attribute"))
                else:
                    stack.append(child)
            continue
        if kind == g.VARIABLE:
            if source[node.start_byte : node.end_byte] in _CONSTANTS:
                out.append((node.start_byte, node.end_byte, "constant"))
            continue
        stack.extend(reversed(node.children))
    out.sort(key=lambda s: s[0])
    return out


def _string_parts(node: g.Node, out: list[Span], stack: list[g.Node]) -> None:
    """A string's own text is a string span; what is interpolated is read further."""
    for child in node.children:
        if child.type in _STRING_PARTS:
            out.append((child.start_byte, child.end_byte, "string"))
        else:
            stack.append(child)
