"""List edits: add, remove and replace elements in the style of the existing ones.

Lists are read through parentheses, ``with``, ``let`` and ``++``; an element that is not one
term is parenthesized; an element already present (also as ``pkgs.x`` for ``x``) is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.edit.layout import (
    first_on_line,
    indent_at,
    indent_unit,
    line_start,
    reindent,
    removal_span,
    skip_trailing_comment,
    with_newlines,
)
from nixos_settings.core.edit.place import plan_add
from nixos_settings.core.edit.plan import Plan, check_expression, choose, editable_doc, needs_parens
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.grammar import Node, list_literals
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration
    from nixos_settings.core.config.document import Document


def _norm(text: str) -> str:
    return " ".join(text.split())


def _same_element(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return a == b or a == f"pkgs.{b}" or b == f"pkgs.{a}"


def _list_def(cfg: Configuration, loc: Loc, at: Definition | None) -> Definition | None:
    found = cfg.find(loc)
    if not found:
        return None
    d = choose(cfg, loc, found, at)
    if not d.editable:
        raise EditError(f"{d.option} cannot be edited here: {d.reason}", d.file, d.line, d.column)
    return d


def _multiline_list(element: str, indent: str, unit: str, nl: str) -> str:
    """``[`` / the element on its own lines / ``]``, for elements that span lines."""
    inner = indent + unit
    return f"[{nl}{inner}{reindent(element, inner.encode())}{nl}{indent}]"


def plan_list_add(cfg: Configuration, loc: Loc, element: str,
                  at: Definition | None = None, inside_condition: bool = False) -> ChangeSet:
    """Append ``element`` (Nix text) to a list; elements that span lines (an attribute set
    of a list of submodules) are indented like the list's other elements."""
    check_expression(element)
    multiline = "\n" in element
    d = _list_def(cfg, loc, at)
    if d is None:
        if multiline:
            return plan_add(cfg, loc, lambda i, u, n: _multiline_list(
                element, i.decode(), u.decode(), n.decode()), None, inside_condition)
        return plan_add(cfg, loc, lambda i, u, n: f"[ {element} ]", None, inside_condition)
    lists = list_literals(d.value)
    if not lists:
        raise EditError(f"the value of {d.option} is not a list literal; edit it as an expression",
                        d.file, d.line, d.column)
    for lst in lists:
        for el in g.elements(lst):
            if _same_element(cfg.documents[d.file].text(el.start_byte, el.end_byte), element):
                raise EditError(f"{element} is already in {d.option}", d.file, d.line, d.column)
    doc = editable_doc(cfg, d.file)
    if needs_parens(element):
        element = f"({element})"
    plan = Plan(cfg, f"add {element} to {d.option}", [loc])
    start, end, text = _appended(doc.source, doc.newline, lists[-1], element, multiline,
                                 d.binding_span[0])
    plan.add(doc.path, start, end, text)
    return plan.build()


def _appended(src: bytes, nl: bytes, lst: Node, element: str, multiline: bool,
              binding_start: int) -> tuple[int, int, bytes]:
    """The splice appending ``element`` to the list literal ``lst``: after the last element
    (on a line of its own when that one has its own line); into an empty list, on a line of
    its own when the list spans lines, else as ``[ element ]`` (or ``[`` / element / ``]``
    for an element that spans lines)."""

    def text_at(indent: bytes) -> bytes:
        return with_newlines(reindent(element, indent), nl)

    elements = g.elements(lst)
    if elements:
        last = elements[-1]
        indent = indent_at(src, last.start_byte)
        if first_on_line(src, last.start_byte) and src.count(b"\n", lst.start_byte,
                                                              last.start_byte):
            pos = skip_trailing_comment(src, last.end_byte)
            return pos, pos, nl + indent + text_at(indent)
        return last.end_byte, last.end_byte, b" " + text_at(indent)
    close = lst.end_byte - 1
    inner = src[lst.start_byte + 1 : close]
    if b"\n" in inner and first_on_line(src, close):
        ls = line_start(src, close)
        indent = indent_at(src, close) + indent_unit(src)
        return ls, ls, indent + text_at(indent) + nl
    if multiline:
        base = indent_at(src, binding_start)
        text = _multiline_list(element, base.decode(), indent_unit(src).decode(), "\n")
        return lst.start_byte, lst.end_byte, with_newlines(text, nl)
    return lst.start_byte, lst.end_byte, b"[ " + text_at(b"") + b" ]"


def _list_element_nodes(cfg: Configuration, loc: Loc, at: Definition | None
                        ) -> tuple[Definition, list[Node]]:
    d = _list_def(cfg, loc, at)
    if d is None:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it "
                        "imports")
    lists = list_literals(d.value)
    if not lists:
        raise EditError(f"the value of {d.option} is not a list literal; edit it as an expression",
                        d.file, d.line, d.column)
    return d, [el for lst in lists for el in g.elements(lst)]


def _element_at(cfg: Configuration, loc: Loc, index: int, at: Definition | None
                ) -> tuple[Definition, Document, Node]:
    """The list definition, its editable document and its ``index``-th element."""
    d, elements = _list_element_nodes(cfg, loc, at)
    if not 0 <= index < len(elements):
        raise EditError(f"{d.option} has no element number {index + 1}", d.file, d.line,
                        d.column)
    return d, editable_doc(cfg, d.file), elements[index]


def plan_list_remove_at(cfg: Configuration, loc: Loc, index: int,
                        at: Definition | None = None) -> ChangeSet:
    """Remove the ``index``-th element (0-based) of a list, with its own line(s)."""
    d, doc, el = _element_at(cfg, loc, index, at)
    s, e = removal_span(doc.source, el.start_byte, el.end_byte)
    plan = Plan(cfg, f"remove element {index + 1} of {d.option}", [loc])
    plan.add(doc.path, s, e, b"")
    return plan.build()


def plan_list_set_at(cfg: Configuration, loc: Loc, index: int, element: str,
                     at: Definition | None = None) -> ChangeSet:
    """Replace the ``index``-th element (0-based) of a list with ``element`` (Nix text)."""
    check_expression(element)
    d, doc, el = _element_at(cfg, loc, index, at)
    if needs_parens(element):
        element = f"({element})"
    text = with_newlines(reindent(element, indent_at(doc.source, el.start_byte)), doc.newline)
    plan = Plan(cfg, f"change element {index + 1} of {d.option}", [loc])
    if doc.source[el.start_byte : el.end_byte] != text:
        plan.add(doc.path, el.start_byte, el.end_byte, text)
    return plan.build()


def plan_list_remove(cfg: Configuration, loc: Loc, element: str,
                     at: Definition | None = None) -> ChangeSet:
    d = _list_def(cfg, loc, at)
    if d is None:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it imports")
    doc = editable_doc(cfg, d.file)
    src = doc.source
    plan = Plan(cfg, f"remove {element} from {d.option}", [loc])
    for lst in list_literals(d.value):
        for el in g.elements(lst):
            if _same_element(doc.text(el.start_byte, el.end_byte), element):
                s, e = removal_span(src, el.start_byte, el.end_byte)
                plan.add(doc.path, s, e, b"")
                return plan.build()
    raise EditError(f"{element} is not an element of {d.option}", d.file, d.line, d.column)
