"""Option types: the ``type`` description strings of options.json as structured values.

Public API
==========

* ``parse_type(text: str) -> NixType`` – never raises; anything not understood becomes
  ``NixType("expression", text)`` (edit as Nix code).  Tolerates the wording of every
  release seen: ``list of strings`` / ``list of string``, ``attribute set of submodules`` /
  ``attribute set of (submodule)``, pre-2022 unparenthesised ``either`` inside ``listOf``
  (``list of string or signed integers``), ``X convertible to it`` (``coercedTo``), ...
* ``NixType`` fields: ``kind`` (one of :data:`KINDS`), ``text`` (the original description),
  ``args`` (element type of ``list``/``attrs``/``function``; alternatives of ``either``),
  ``minimum``/``maximum`` (numbers), ``values`` (enum members as Python values: str, int,
  float, bool, None), ``pattern`` (regex a string must fully match), ``non_empty``,
  ``single_line``, ``absolute`` (paths), ``separator`` (``lines``/``strings concatenated``),
  ``format`` (``"json"``, ``"toml"``, ``"yaml"``, ...).  Helpers: ``nullable``,
  ``without_null()``, ``label()``.
* ``kinds(text) -> frozenset[str]`` – kinds of a type string, looking through ``null or`` and
  ``either`` (used by search filters).
* ``validate_literal(nixtype, nix_text) -> str | None`` – local check of a Nix literal; a
  precise message or None when it fits (or cannot be judged locally, e.g. ``pkgs.foo``).
* ``check_with_nix(loc, nix_text, ...) -> bool | None`` – best effort confirmation with the
  option's own ``type.check`` through ``nix-instantiate --eval`` (None when Nix or nixpkgs is
  not available, or the option has placeholders in its loc).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nixos_settings.core.common.errors import ParseError
from nixos_settings.core.nix.literals import Opaque, PathValue, StringValue, read_literal

KINDS = (
    "bool",
    "int",
    "float",
    "number",
    "str",
    "enum",
    "path",
    "package",
    "list",
    "attrs",
    "submodule",
    "null",
    "either",
    "lines",
    "format",
    "any",
    "function",
    "expression",
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True)
class NixType:
    """A parsed option type (see module docstring)."""

    kind: str
    text: str = ""
    args: tuple[NixType, ...] = ()
    minimum: int | float | None = None
    maximum: int | float | None = None
    values: tuple[Any, ...] = ()
    pattern: str | None = None
    non_empty: bool = False
    single_line: bool = False
    absolute: bool = False
    separator: str | None = None
    format: str | None = None

    @property
    def nullable(self) -> bool:
        """True for ``null or T`` (or any union with null)."""
        return self.kind == "null" or (self.kind == "either" and any(a.nullable for a in self.args))

    def without_null(self) -> NixType:
        """``T`` for ``null or T``; the type itself otherwise."""
        if self.kind != "either":
            return self
        rest = tuple(a for a in self.args if a.kind != "null")
        if len(rest) == 1:
            return rest[0]
        if len(rest) == len(self.args):
            return self
        return NixType("either", self.text, rest)

    @property
    def element(self) -> NixType | None:
        """Element type of ``list``/``attrs``/``function``."""
        return self.args[0] if self.args else None

    def label(self) -> str:
        """Short human label: "port (0–65535)", "list of string", "one of a, b"."""
        k = self.kind
        if k == "int":
            if self.minimum == 0 and self.maximum == 65535:
                return "port (0–65535)"
            bounded_hi = self.maximum is not None and self.maximum < INT64_MAX
            if self.minimum is not None and self.minimum > INT64_MIN and bounded_hi:
                return f"integer {self.minimum}–{self.maximum}"
            if self.minimum is not None and self.minimum > INT64_MIN:
                return f"integer ≥ {self.minimum}"
            return "integer"
        if k == "enum":
            return "one of " + ", ".join(_show_value(v) for v in self.values)
        if k in ("list", "attrs") and self.args:
            word = "list" if k == "list" else "attribute set"
            return f"{word} of {self.args[0].label()}"
        if k == "either":
            return " or ".join(a.label() for a in self.args)
        return {
            "bool": "boolean",
            "float": "floating point number",
            "number": "number",
            "str": "string",
            "path": "absolute path" if self.absolute else "path",
            "lines": "lines",
            "null": "null",
            "format": f"{(self.format or 'structured').upper()} value",
            "any": "anything",
            "expression": "Nix expression",
        }.get(k, k)


def _show_value(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


# --------------------------------------------------------------------------- parser


class _Fail(Exception):
    pass


_NUM = r"-?[0-9]+(?:\.[0-9]+)?"
# End of a word, allowing the plural "s" older releases appended (consumed by the caller).
_END = r"(?=s*(?:$|[ ),;]))"

# (regex, builder) tried in order at the current position; longest/most specific first.
_Builder = Callable[[re.Match[str]], "NixType"]
_LEAVES: list[tuple[re.Pattern[str], _Builder]] = []


def _leaf(pattern: str) -> Callable[[_Builder], _Builder]:
    def deco(fn: _Builder) -> _Builder:
        _LEAVES.append((re.compile(pattern), fn))
        return fn

    return deco


def _num(s: str) -> int | float:
    return float(s) if "." in s else int(s)


@_leaf(
    r"(\d+) bit (signed|unsigned) integer; between ("
    + _NUM
    + r") and ("
    + _NUM
    + r") \(both inclusive\)"
)
def _bits(m: re.Match[str]) -> NixType:
    return NixType("int", m.group(0), minimum=int(m.group(3)), maximum=int(m.group(4)))


@_leaf(
    r"integer or floating point number between ("
    + _NUM
    + ") and ("
    + _NUM
    + r") \(both inclusive\)"
)
def _num_between(m: re.Match[str]) -> NixType:
    return NixType("number", m.group(0), minimum=_num(m.group(1)), maximum=_num(m.group(2)))


@_leaf(r"integer between (" + _NUM + ") and (" + _NUM + r") \(both inclusive\)")
def _int_between(m: re.Match[str]) -> NixType:
    return NixType("int", m.group(0), minimum=int(m.group(1)), maximum=int(m.group(2)))


@_leaf(r"nonnegative integer or floating point number, meaning >=0")
def _nonneg_number(m: re.Match[str]) -> NixType:
    return NixType("number", m.group(0), minimum=0)


@_leaf(r"(?:signed |unsigned )?integer, meaning >=0")
def _unsigned(m: re.Match[str]) -> NixType:
    return NixType("int", m.group(0), minimum=0, maximum=INT64_MAX)


@_leaf(r"positive integer, meaning >0")
def _positive(m: re.Match[str]) -> NixType:
    return NixType("int", m.group(0), minimum=1, maximum=INT64_MAX)


@_leaf(r"(?:integer of at least 16 bits|signed integer|integer|int)" + _END)
def _int(m: re.Match[str]) -> NixType:
    return NixType("int", m.group(0), minimum=INT64_MIN, maximum=INT64_MAX)


@_leaf(r"float between (" + _NUM + ") and (" + _NUM + r") \(inclusive\)")
def _float_between(m: re.Match[str]) -> NixType:
    return NixType("float", m.group(0), minimum=float(m.group(1)), maximum=float(m.group(2)))


@_leaf(r"a floating point number in range \[(" + _NUM + "), (" + _NUM + r")\]")
def _float_range(m: re.Match[str]) -> NixType:
    return NixType("float", m.group(0), minimum=float(m.group(1)), maximum=float(m.group(2)))


@_leaf(r"(?:floating point number|float)" + _END)
def _float(m: re.Match[str]) -> NixType:
    return NixType("float", m.group(0))


@_leaf(r"(?:boolean|bool)" + _END)
def _bool(m: re.Match[str]) -> NixType:
    return NixType("bool", m.group(0))


@_leaf(r'strings concatenated with ("(?:[^"\\]|\\.)*")')
def _sep_string(m: re.Match[str]) -> NixType:
    return NixType("lines", m.group(0), separator=_unquote(m.group(1)))


@_leaf(r"lines" + _END)
def _lines(m: re.Match[str]) -> NixType:
    return NixType("lines", m.group(0), separator="\n")


@_leaf(r"\(optionally newline-terminated\) single-line string")
def _single_line(m: re.Match[str]) -> NixType:
    return NixType("str", m.group(0), single_line=True)


@_leaf(r"non-empty string|string \(with check: non-empty\)")
def _non_empty(m: re.Match[str]) -> NixType:
    return NixType("str", m.group(0), non_empty=True)


@_leaf(r"string without spaces")
def _no_spaces(m: re.Match[str]) -> NixType:
    return NixType("str", m.group(0), pattern=r"[^ ]*")


@_leaf(r"string starting with / or ~/")
def _slash_tilde(m: re.Match[str]) -> NixType:
    return NixType("str", m.group(0), pattern=r"(/|~/).*")


@_leaf(r"string of length (\d+)")
def _str_len(m: re.Match[str]) -> NixType:
    n = int(m.group(1))
    return NixType("str", m.group(0), pattern=f".{{{n}}}")


@_leaf(r"(?:string|str)" + _END)
def _str(m: re.Match[str]) -> NixType:
    return NixType("str", m.group(0))


@_leaf(r"absolute path")
def _abs_path(m: re.Match[str]) -> NixType:
    return NixType("path", m.group(0), absolute=True)


@_leaf(r"(?:path in the Nix store|nix path|path)" + _END)
def _path(m: re.Match[str]) -> NixType:
    return NixType("path", m.group(0))


@_leaf(r"package" + _END)
def _package(m: re.Match[str]) -> NixType:
    return NixType("package", m.group(0))


@_leaf(r"(?:[\w-]+ )?submodule" + _END)
def _submodule(m: re.Match[str]) -> NixType:
    return NixType("submodule", m.group(0))


@_leaf(r"attribute set(?! of)" + _END)
def _attrs_any(m: re.Match[str]) -> NixType:
    return NixType("attrs", m.group(0), (NixType("any", "anything"),))


@_leaf(r"(JSON|TOML|YAML(?: 1\.1)?|XML|KDL) value")
def _format(m: re.Match[str]) -> NixType:
    return NixType("format", m.group(0), format=m.group(1).split()[0].lower())


@_leaf(r"unspecified value|unspecified|anything|raw value")
def _any(m: re.Match[str]) -> NixType:
    return NixType("any", m.group(0))


@_leaf(r"(?:null|<null>)" + _END)
def _null(m: re.Match[str]) -> NixType:
    return NixType("null", m.group(0))


def _unquote(s: str) -> str:
    body = s[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_PREFIXES: list[tuple[str, str]] = [
    ("list or attribute set of ", "attrs"),
    ("lazy attribute set of ", "attrs"),
    ("attribute set of ", "attrs"),
    ("list of ", "list"),
    ("open submodule of ", "submodule"),
    ("function that evaluates to a(n) ", "function"),
    ("pair of ", "list"),
    ("DAG of ", "attrs"),
]

_ENUM_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|' + _NUM + r"|true\b|false\b|<null>|null\b")


class _Parser:
    def __init__(self, text: str, legacy: bool) -> None:
        self.s = text
        self.i = 0
        self.legacy = legacy

    def peek(self, lit: str) -> bool:
        return self.s.startswith(lit, self.i)

    def eat(self, lit: str) -> bool:
        if self.s.startswith(lit, self.i):
            self.i += len(lit)
            return True
        return False

    def at_end(self) -> bool:
        return self.i >= len(self.s)

    def union(self) -> NixType:
        start = self.i
        parts = [self.term()]
        while True:
            if self.eat(" convertible to it"):
                continue
            if self.eat(", or ") or self.eat(" or "):
                parts.append(self.term())
                continue
            break
        if len(parts) == 1:
            return parts[0]
        flat: list[NixType] = []
        for p in parts:
            flat.extend(p.args if p.kind == "either" and not p.text.startswith("(") else (p,))
        return NixType("either", self.s[start : self.i], tuple(flat))

    def boundary(self) -> bool:
        return self.at_end() or self.s[self.i] in " ),"

    def composite_elem(self) -> NixType:
        elem = self.union() if self.legacy else self.term()
        if self.peek("s") and (self.i + 1 == len(self.s) or self.s[self.i + 1] in " ),s"):
            self.i += 1  # the plural "s" older nixpkgs appended to element descriptions
        return elem

    def term(self) -> NixType:
        s = self.s
        start = self.i
        if self.s.startswith("(optionally", self.i):
            pass  # a leaf, matched below
        elif self.eat("("):
            inner = self.union()
            if not self.eat(")"):
                raise _Fail(f"missing ')' at {self.i}")
            return inner
        if self.eat("non-empty "):
            inner = self.term()
            return _replace(inner, non_empty=True, text=s[start : self.i])
        if self.eat("unique "):
            return self.term()
        for lit, kind in _PREFIXES:
            if self.eat(lit):
                elem = self.composite_elem()
                text = s[start : self.i]
                if kind == "submodule":
                    return NixType("submodule", text, (elem,))
                if lit == "pair of ":
                    return NixType("list", text, (elem,), minimum=2, maximum=2)
                return NixType(kind, text, (elem,))
        if self.eat("one of "):
            return self.enum(start)
        if self.eat("value "):
            single = self.enum(start)
            self.eat(" (singular enum)")
            return _replace(single, text=s[start : self.i])
        if self.eat("string matching the pattern "):
            end = self._span_end()
            pat = s[self.i : end]
            if pat.endswith("$s"):
                # older releases appended a plural "s"; a pattern ending "$s" can never match
                pat = pat[:-1]
                end -= 1
            self.i = end
            return NixType("str", s[start:end], pattern=pat)
        for rx, build in _LEAVES:
            m = rx.match(s, self.i)
            if m:
                self.i = m.end()
                leaf = build(m)
                if leaf.kind == "str" and s.startswith(" (with check: ", self.i):
                    self.i = self._skip_paren(self.i + 1)
                return leaf
        # Unknown phrase: take the rest of this parenthesis level as opaque Nix.
        end = self._span_end()
        if end == self.i:
            raise _Fail(f"empty type at {self.i}")
        self.i = end
        return NixType("expression", s[start:end])

    def _skip_paren(self, i: int) -> int:
        depth = 0
        while i < len(self.s):
            c = self.s[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i

    def _span_end(self) -> int:
        depth = 0
        i = self.i
        while i < len(self.s):
            c = self.s[i]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    return i
                depth -= 1
            i += 1
        return i

    def enum(self, start: int) -> NixType:
        values: list[Any] = []
        while True:
            m = _ENUM_VALUE.match(self.s, self.i)
            if not m:
                raise _Fail(f"bad enum value at {self.i}")
            values.append(_enum_value(m.group(0)))
            self.i = m.end()
            if self.peek(", ") and _ENUM_VALUE.match(self.s, self.i + 2):
                self.i += 2
                continue
            break
        return NixType("enum", self.s[start : self.i], values=tuple(values))


def _enum_value(tok: str) -> Any:
    if tok.startswith('"'):
        return _unquote(tok)
    if tok in ("null", "<null>"):
        return None
    if tok in ("true", "false"):
        return tok == "true"
    return _num(tok)


def _replace(t: NixType, **kw: Any) -> NixType:
    fields = {f: getattr(t, f) for f in NixType.__slots__}
    fields.update(kw)
    return NixType(**fields)


_CACHE: dict[str, NixType] = {}


def parse_type(text: str | None) -> NixType:
    """Structured form of an options.json ``type`` string (never raises)."""
    if not text:
        return NixType("any", text or "")
    got = _CACHE.get(text)
    if got is not None:
        return got
    result = NixType("expression", text)
    for legacy in (False, True):
        p = _Parser(text, legacy)
        try:
            t = p.union()
        except _Fail:
            continue
        if p.at_end():
            result = t
            break
    _CACHE[text] = result
    return result


def kinds(text: str | None) -> frozenset[str]:
    """Kinds of a type looking through ``null or`` / ``either`` (for search filters)."""
    t = parse_type(text)
    if t.kind != "either":
        return frozenset({t.kind})
    out = {a.kind for a in t.args if a.kind != "null"}
    return frozenset(out or {"null"})


# --------------------------------------------------------------------------- literal values


def _what(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return f"the integer {v}"
    if isinstance(v, float):
        return f"the number {v}"
    if isinstance(v, StringValue):
        return "a string" if v.text is None else f"the string {_show_value(v.text)}"
    if isinstance(v, PathValue):
        return f"the path {v.text}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an attribute set"
    return "an expression"


def _check(t: NixType, v: Any) -> str | None:
    """None when ``v`` fits ``t`` (or cannot be judged); else a precise message."""
    if isinstance(v, Opaque):
        return None
    k = t.kind
    if k in ("any", "expression", "format", "function"):
        return None
    if k == "null":
        return None if v is None else f"expected null, got {_what(v)}"
    if k == "either":
        msgs = []
        for alt in t.args:
            m = _check(alt, v)
            if m is None:
                return None
            msgs.append(m)
        # A single non-null alternative of the matching shape gives the precise reason.
        same = [
            m
            for alt, m in zip(t.args, msgs, strict=True)
            if alt.kind != "null" and not m.startswith("expected")
        ]
        if len(same) == 1:
            return same[0]
        return f"expected {t.label()}, got {_what(v)}"
    if k == "bool":
        return None if isinstance(v, bool) else f"expected true or false, got {_what(v)}"
    if k in ("int", "float", "number"):
        return _check_number(t, v)
    if k in ("str", "lines"):
        return _check_string(t, v)
    if k == "enum":
        if _enum_has(t.values, v):
            return None
        shown = ", ".join(_show_value(x) for x in t.values)
        return f"{_what(v)} is not one of {shown}"
    if k == "path":
        if isinstance(v, PathValue):
            return None
        if isinstance(v, StringValue):
            if t.absolute and v.text is not None and not v.text.startswith("/"):
                return f"expected an absolute path (starting with /), got {_what(v)}"
            return None
        return f"expected a path, got {_what(v)}"
    if k == "package":
        if isinstance(v, StringValue | PathValue | dict):
            return None
        return f"expected a package (e.g. pkgs.hello), got {_what(v)}"
    if k == "list":
        if not isinstance(v, list):
            return f"expected a list, got {_what(v)}"
        if (t.minimum is not None and len(v) < t.minimum) or (
            t.maximum is not None and len(v) > t.maximum
        ):
            return f"expected a list of {t.minimum} elements, got {len(v)}"
        if t.non_empty and not v:
            return "expected a non-empty list"
        for n, item in enumerate(v, 1):
            m = _check(t.args[0], item) if t.args else None
            if m:
                return f"element {n}: {m}"
        return None
    if k == "attrs":
        if not isinstance(v, dict):
            return f"expected an attribute set, got {_what(v)}"
        for key, item in v.items():
            m = _check(t.args[0], item) if t.args else None
            if m:
                return f"attribute {key}: {m}"
        return None
    if k == "submodule":
        if isinstance(v, dict | PathValue):
            return None
        return f"expected an attribute set, got {_what(v)}"
    return None


def _enum_has(values: tuple[Any, ...], v: Any) -> bool:
    if isinstance(v, StringValue):
        return v.text is None or v.text in [x for x in values if isinstance(x, str)]
    for x in values:
        if x is None or v is None:
            if x is None and v is None:
                return True
        elif isinstance(x, bool) or isinstance(v, bool):
            if isinstance(x, bool) and isinstance(v, bool) and x == v:
                return True
        elif isinstance(x, int | float) and isinstance(v, int | float) and x == v:
            return True
    return False


def _check_number(t: NixType, v: Any) -> str | None:
    k = t.kind
    if isinstance(v, bool) or not isinstance(v, int | float):
        return f"expected {t.label() if k != 'int' else 'an integer'}, got {_what(v)}"
    if k == "int" and isinstance(v, float):
        return f"expected an integer, got {_what(v)}"
    if k == "float" and isinstance(v, int):
        return f"expected a floating point number (write {v}.0), got {_what(v)}"
    lo, hi = t.minimum, t.maximum
    if lo is not None and v < lo:
        return f"{v} is below the minimum {lo}" + _range_note(t)
    if hi is not None and v > hi:
        return f"{v} is above the maximum {hi}" + _range_note(t)
    return None


def _range_note(t: NixType) -> str:
    if t.kind == "int" and t.minimum == 0 and t.maximum == 65535:
        return " for a port (0–65535)"
    if t.minimum is not None and t.maximum is not None and t.maximum < INT64_MAX:
        return f" (allowed {t.minimum}–{t.maximum})"
    return ""


def _check_string(t: NixType, v: Any) -> str | None:
    if not isinstance(v, StringValue):
        what = "lines of text" if t.kind == "lines" else "a string"
        return f"expected {what} (in quotes), got {_what(v)}"
    s = v.text
    if s is None:
        return None
    if t.non_empty and not s:
        return "expected a non-empty string"
    if t.single_line and "\n" in s.rstrip("\n"):
        return "expected a single line of text"
    if t.pattern is not None:
        try:
            ok = re.fullmatch(posix_to_python(t.pattern), s, re.DOTALL) is not None
        except re.error:
            return None
        if not ok:
            return f"{_show_value(s)} does not match the pattern {t.pattern}"
    return None


_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "xdigit": "0-9A-Fa-f",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~",
    "print": " -~",
    "graph": "!-~",
    "cntrl": "\\x00-\\x1f\\x7f",
}


def posix_to_python(pattern: str) -> str:
    """Translate a POSIX extended regex (what Nix's ``builtins.match`` and so
    ``types.strMatching`` use) to Python's ``re`` syntax.

    Differences handled: character classes such as ``[[:alnum:]]``, a backslash inside a
    bracket expression (literal in POSIX), and a ``]`` first in a bracket expression.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        j = i + 1
        buf = ["["]
        if j < n and pattern[j] == "^":
            buf.append("^")
            j += 1
        if j < n and pattern[j] == "]":
            buf.append("\\]")
            j += 1
        while j < n and pattern[j] != "]":
            if pattern.startswith("[:", j):
                end = pattern.find(":]", j + 2)
                name = pattern[j + 2 : end] if end != -1 else ""
                if name in _POSIX_CLASSES:
                    buf.append(_POSIX_CLASSES[name])
                    j = end + 2
                    continue
            ch = pattern[j]
            buf.append("\\" + ch if ch in "\\[" else ch)
            j += 1
        if j >= n:  # unterminated: leave it for re to report
            out.append(pattern[i:])
            break
        buf.append("]")
        out.append("".join(buf))
        i = j + 1
    return "".join(out)


def validate_literal(nixtype: NixType | str, nix_text: str) -> str | None:
    """Check Nix text against a type without evaluation; None when it fits.

    Returns a precise one-line message for a mismatch ("70000 is above the maximum 65535 for a
    port (0–65535)", "expected true or false, got the string \\"yes\\"", ...), or a syntax
    message when the text does not parse.  Values that need evaluation (``pkgs.foo``,
    ``lib.mkDefault x``, interpolated strings) are accepted.
    """
    t = parse_type(nixtype) if isinstance(nixtype, str) else nixtype
    try:
        value = read_literal(nix_text)
    except ParseError as err:
        return str(err)
    return _check(t, value)


# --------------------------------------------------------------------------- with Nix


def check_with_nix(
    loc: Sequence[str],
    nix_text: str,
    *,
    options_expr: str = "(import <nixpkgs/nixos> { configuration = {}; }).options",
    nix_instantiate: str = "nix-instantiate",
    timeout: float = 60.0,
) -> bool | None:
    """Ask Nix whether ``nix_text`` passes the option's own ``type.check``.

    Best effort: returns None when ``nix-instantiate`` is missing, the evaluation fails (no
    ``<nixpkgs>``, the value needs ``pkgs``/``config``, ...), or ``loc`` has placeholders.
    ``options_expr`` is any Nix expression whose value is an options tree (e.g. a flake's
    ``nixosConfigurations.host.options``).
    """
    if any(s == "*" or (s.startswith("<") and s.endswith(">")) for s in loc):
        return None
    exe = shutil.which(nix_instantiate)
    if exe is None:
        return None
    from nixos_settings.core.nix.optpath import show_segment

    path = ".".join(show_segment(s) for s in loc)
    expr = f"let o = {options_expr}; in o.{path}.type.check ({nix_text})"
    try:
        res = subprocess.run(
            [exe, "--eval", "--strict", "--json", "-E", expr],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = res.stdout.strip()
    if res.returncode != 0 or out not in ("true", "false"):
        return None
    return out == "true"
