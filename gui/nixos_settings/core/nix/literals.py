"""Reading Nix literals back into Python values: the one decoder of literal syntax.

Two readers share the string decoding below:

* :func:`decode` for the typed editors: a typed editor can only show a value it understands,
  ``true``, ``42``, ``"text"``, ``''lines''``, ``null`` and lists of those.  Anything else
  (``pkgs.zsh``, ``"${x}"``, ``lib.optional …``) makes it return :data:`NOT_LITERAL`, and the
  page falls back to the raw expression editor.
* :func:`read_literal` for type checks: every expression reads to a :data:`Value`; what cannot
  be judged without evaluation becomes an :class:`Opaque`, strings and paths keep their kind
  (:class:`StringValue`, :class:`PathValue`), attribute sets become dicts.

Parsing goes through :mod:`nixos_settings.core.nix.syntax`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nixos_settings.core.common.errors import ParseError
from nixos_settings.core.common.records import record
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import syntax

NOT_LITERAL: Any = object()


def decode(text: str) -> Any:
    """Python value of the literal ``text``, or :data:`NOT_LITERAL`."""
    source = text.encode("utf-8")
    tree = syntax.parse(source)
    root = tree.root_node
    if root.has_error:
        return NOT_LITERAL
    exprs = [c for c in root.named_children if c.type != g.COMMENT]
    if len(exprs) != 1:
        return NOT_LITERAL
    return _value(source, exprs[0])


def string_value(source: bytes, node: Any) -> str | None:
    """Value of a ``"…"`` or ``''…''`` string node without interpolation, else None."""
    if node.type == g.STRING:
        value = _double(source, node)
    elif node.type == g.INDENTED_STRING:
        value = _indented(source, node)
    else:
        return None
    return value if isinstance(value, str) else None


def _value(source: bytes, node: Any) -> Any:
    kind = node.type
    raw = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if kind == g.PARENTHESIZED:
        inner = [c for c in node.named_children if c.type != g.COMMENT]
        return _value(source, inner[0]) if len(inner) == 1 else NOT_LITERAL
    if kind == g.VARIABLE:
        return {"true": True, "false": False, "null": None}.get(raw, NOT_LITERAL)
    if kind == g.INTEGER:
        return int(raw)
    if kind == g.UNARY and raw.startswith("-"):
        inner = _value(source, node.named_children[-1])
        return -inner if isinstance(inner, int) and not isinstance(inner, bool) else NOT_LITERAL
    if kind == g.FLOAT:
        return float(raw)
    if kind == g.STRING:
        return _double(source, node)
    if kind == g.INDENTED_STRING:
        return _indented(source, node)
    if kind == g.LIST:
        out = []
        for child in node.named_children:
            if child.type == g.COMMENT:
                continue
            v = _value(source, child)
            if v is NOT_LITERAL:
                return NOT_LITERAL
            out.append(v)
        return out
    return NOT_LITERAL


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def _double(source: bytes, node: Any, names: Mapping[str, str] | None = None) -> Any:
    """Value of a ``"..."`` string without interpolation (or whose interpolations are
    ``${name}`` of ``names``).

    tree-sitter-nix gives ``\\${`` as a ``dollar_escape`` node holding only the backslash,
    followed by a fragment starting with ``$``: the escape itself contributes nothing.
    """
    parts: list[str] = []
    for child in node.named_children:
        t = source[child.start_byte : child.end_byte].decode("utf-8", "replace")
        if child.type == g.STRING_FRAGMENT:
            parts.append(t)
        elif child.type == g.ESCAPE_SEQUENCE:
            parts.append(_ESCAPES.get(t[1:], t[1:]))
        elif child.type == g.DOLLAR_ESCAPE:
            continue
        elif child.type == g.INTERPOLATION and names:
            inner = child.child_by_field_name(g.EXPRESSION)
            name = g.text(source, inner) if inner is not None else ""
            if inner is None or inner.type != g.VARIABLE or name not in names:
                return NOT_LITERAL
            parts.append(names[name])
        else:
            return NOT_LITERAL
    return "".join(parts)


def string_with_names(source: bytes, node: Any, names: Mapping[str, str]) -> str | None:
    """Value of a ``"…"`` string whose only interpolations are ``${name}`` of ``names``
    (``"${user}-backup"`` with ``user = "jane"``), else None."""
    if node.type != g.STRING:
        return None
    value = _double(source, node, names)
    return value if isinstance(value, str) else None


def _indented(source: bytes, node: Any) -> Any:
    """Value of an indented string without interpolation (Nix's indentation stripping).

    Escapes are kept out of the indentation computation with a NUL marker and resolved
    afterwards, as Nix does (an escaped newline does not count as indentation).
    """
    parts: list[str] = []
    for child in node.named_children:
        t = source[child.start_byte : child.end_byte].decode("utf-8", "replace")
        if child.type == g.STRING_FRAGMENT:
            parts.append(t)
        elif child.type == g.ESCAPE_SEQUENCE:
            # three quotes stand for two; two quotes + backslash + X stand for X
            body = t[2:]
            parts.append("''" if body == "'" else "\x00" + body[1:])
        elif child.type == g.DOLLAR_ESCAPE:  # the escaped $ follows as a fragment
            continue
        else:
            return NOT_LITERAL
    lines = "".join(parts).split("\n")
    # Nix drops a first line of only spaces, and empties a last line of only spaces.
    if lines and not lines[0].strip(" "):
        lines = lines[1:]
    widths = [len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip(" ")]
    strip = min(widths) if widths else 0
    out = [ln[strip:] for ln in lines]
    if out and not out[-1].strip(" "):
        out[-1] = ""
    value = "\n".join(out)
    pieces = value.split("\x00")
    return pieces[0] + "".join(_ESCAPES.get(p[:1], p[:1]) + p[1:] for p in pieces[1:])


# --------------------------------------------------------------------------- for type checks


@record(frozen=True)
class Opaque:
    """A value that cannot be judged without evaluation (``pkgs.foo``, ``f x``, ``./a + b``);
    ``what`` is its source text."""

    what: str


@record(frozen=True)
class PathValue:
    """A path literal (``./a``, ``/etc/x``, ``<nixpkgs>``, ``~/x``), as written."""

    text: str


@record(frozen=True)
class StringValue:
    """A string literal's value; ``text`` is None when the string is interpolated."""

    text: str | None


Value = (
    None | bool | int | float | StringValue | PathValue | Opaque | list["Value"]
    | dict[str, "Value"]
)


def read_literal(text: str) -> Value:
    """The value of the one Nix expression ``text``, as far as it can be read without
    evaluation.

    Raises :class:`~nixos_settings.core.common.errors.ParseError` when ``text`` is not valid
    Nix or is not exactly one expression.
    """
    src = text.encode("utf-8")
    tree = syntax.parse(src)
    probs = syntax.problems(tree)
    if probs:
        p = probs[0]
        raise ParseError(f"not valid Nix: {p.message} at line {p.line + 1}, column {p.column + 1}")
    exprs = [c for c in tree.root_node.children if c.type != g.COMMENT]
    if len(exprs) != 1:
        raise ParseError("expected one Nix expression" if not exprs else "more than one expression")
    return _read(src, exprs[0])


def _read(src: bytes, node: syntax.Node) -> Value:
    t = node.type
    text = src[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if t == g.INTEGER:
        return int(text)
    if t == g.FLOAT:
        return float(text)
    if t == g.UNARY:
        return _read_negation(src, node, text)
    if t == g.PARENTHESIZED:
        inner = [c for c in node.children if c.type not in ("(", ")")]
        return _read(src, inner[0]) if len(inner) == 1 else Opaque(text)
    if t == g.VARIABLE:
        return _KEYWORDS[text] if text in _KEYWORDS else Opaque(text)
    if t in (g.STRING, g.INDENTED_STRING):
        if any(c.type == g.INTERPOLATION for c in node.children):
            return StringValue(None)
        return StringValue(string_value(src, node))
    if t in (g.PATH, g.SPATH, g.HPATH):
        return PathValue(text)
    if t == g.LIST:
        return [_read(src, c) for c in node.children if c.type not in ("[", "]")]
    if t in (g.ATTRSET, g.REC_ATTRSET):
        return _read_attrset(src, node, text)
    return Opaque(text)


_KEYWORDS: dict[str, Value] = {"true": True, "false": False, "null": None}


def _read_negation(src: bytes, node: syntax.Node, text: str) -> Value:
    kids = [c for c in node.children if c.type != "-"]
    if text.startswith("-") and len(kids) == 1:
        v = _read(src, kids[0])
        if isinstance(v, int | float) and not isinstance(v, bool):
            return -v
    return Opaque(text)


def _read_attrset(src: bytes, node: syntax.Node, text: str) -> Value:
    out: dict[str, Value] = {}
    for bs in node.children:
        if bs.type != g.BINDING_SET:
            continue
        for b in bs.children:
            if b.type != g.BINDING:
                return Opaque(text)
            path = b.child_by_field_name(g.ATTRPATH_FIELD)
            val = b.child_by_field_name(g.EXPRESSION)
            if path is None or val is None:
                return Opaque(text)
            key = src[path.start_byte : path.end_byte].decode("utf-8", "replace")
            out[key] = _read(src, val)
    return out
