"""Parsing the ``type`` description strings of options.json into type objects.

``parse_type(text)`` never raises; anything not understood becomes an
:class:`ExpressionType` (edit as Nix code).  It tolerates the wording of every release seen:
``list of strings`` / ``list of string``, ``attribute set of submodules`` /
``attribute set of (submodule)``, pre-2022 unparenthesised ``either`` inside ``listOf``
(``list of string or signed integers``), ``X convertible to it`` (``coercedTo``), ...
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nixos_settings.core.options.types.base import INT64_MAX, INT64_MIN, NixType
from nixos_settings.core.options.types.composite import (
    AttrsType,
    EitherType,
    FunctionType,
    ListType,
    SubmoduleType,
)
from nixos_settings.core.options.types.scalars import (
    AnyType,
    BoolType,
    EnumType,
    ExpressionType,
    FloatType,
    FormatType,
    IntType,
    LinesType,
    NullType,
    NumberType,
    PackageType,
    PathType,
    StrType,
)

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
    return IntType(m.group(0), minimum=int(m.group(3)), maximum=int(m.group(4)))


@_leaf(
    r"integer or floating point number between ("
    + _NUM
    + ") and ("
    + _NUM
    + r") \(both inclusive\)"
)
def _num_between(m: re.Match[str]) -> NixType:
    return NumberType(m.group(0), minimum=_num(m.group(1)), maximum=_num(m.group(2)))


@_leaf(r"integer between (" + _NUM + ") and (" + _NUM + r") \(both inclusive\)")
def _int_between(m: re.Match[str]) -> NixType:
    return IntType(m.group(0), minimum=int(m.group(1)), maximum=int(m.group(2)))


@_leaf(r"nonnegative integer or floating point number, meaning >=0")
def _nonneg_number(m: re.Match[str]) -> NixType:
    return NumberType(m.group(0), minimum=0)


@_leaf(r"(?:signed |unsigned )?integer, meaning >=0")
def _unsigned(m: re.Match[str]) -> NixType:
    return IntType(m.group(0), minimum=0, maximum=INT64_MAX)


@_leaf(r"positive integer, meaning >0")
def _positive(m: re.Match[str]) -> NixType:
    return IntType(m.group(0), minimum=1, maximum=INT64_MAX)


@_leaf(r"(?:integer of at least 16 bits|signed integer|integer|int)" + _END)
def _int(m: re.Match[str]) -> NixType:
    return IntType(m.group(0), minimum=INT64_MIN, maximum=INT64_MAX)


@_leaf(r"float between (" + _NUM + ") and (" + _NUM + r") \(inclusive\)")
def _float_between(m: re.Match[str]) -> NixType:
    return FloatType(m.group(0), minimum=float(m.group(1)), maximum=float(m.group(2)))


@_leaf(r"a floating point number in range \[(" + _NUM + "), (" + _NUM + r")\]")
def _float_range(m: re.Match[str]) -> NixType:
    return FloatType(m.group(0), minimum=float(m.group(1)), maximum=float(m.group(2)))


@_leaf(r"(?:floating point number|float)" + _END)
def _float(m: re.Match[str]) -> NixType:
    return FloatType(m.group(0))


@_leaf(r"(?:boolean|bool)" + _END)
def _bool(m: re.Match[str]) -> NixType:
    return BoolType(m.group(0))


@_leaf(r'strings concatenated with ("(?:[^"\\]|\\.)*")')
def _sep_string(m: re.Match[str]) -> NixType:
    return LinesType(m.group(0), separator=_unquote(m.group(1)))


@_leaf(r"lines" + _END)
def _lines(m: re.Match[str]) -> NixType:
    return LinesType(m.group(0), separator="\n")


@_leaf(r"\(optionally newline-terminated\) single-line string")
def _single_line(m: re.Match[str]) -> NixType:
    return StrType(m.group(0), single_line=True)


@_leaf(r"non-empty string|string \(with check: non-empty\)")
def _non_empty(m: re.Match[str]) -> NixType:
    return StrType(m.group(0), non_empty=True)


@_leaf(r"string without spaces")
def _no_spaces(m: re.Match[str]) -> NixType:
    return StrType(m.group(0), pattern=r"[^ ]*")


@_leaf(r"string starting with / or ~/")
def _slash_tilde(m: re.Match[str]) -> NixType:
    return StrType(m.group(0), pattern=r"(/|~/).*")


@_leaf(r"string of length (\d+)")
def _str_len(m: re.Match[str]) -> NixType:
    n = int(m.group(1))
    return StrType(m.group(0), pattern=f".{{{n}}}")


@_leaf(r"(?:string|str)" + _END)
def _str(m: re.Match[str]) -> NixType:
    return StrType(m.group(0))


@_leaf(r"absolute path")
def _abs_path(m: re.Match[str]) -> NixType:
    return PathType(m.group(0), absolute=True)


@_leaf(r"(?:path in the Nix store|nix path|path)" + _END)
def _path(m: re.Match[str]) -> NixType:
    return PathType(m.group(0))


@_leaf(r"package" + _END)
def _package(m: re.Match[str]) -> NixType:
    return PackageType(m.group(0))


@_leaf(r"(?:[\w-]+ )?submodule" + _END)
def _submodule(m: re.Match[str]) -> NixType:
    return SubmoduleType(m.group(0))


@_leaf(r"attribute set(?! of)" + _END)
def _attrs_any(m: re.Match[str]) -> NixType:
    return AttrsType(m.group(0), (AnyType("anything"),))


@_leaf(r"(JSON|TOML|YAML(?: 1\.1)?|XML|KDL) value")
def _format(m: re.Match[str]) -> NixType:
    return FormatType(m.group(0), format=m.group(1).split()[0].lower())


@_leaf(r"unspecified value|unspecified|anything|raw value")
def _any(m: re.Match[str]) -> NixType:
    return AnyType(m.group(0))


@_leaf(r"(?:null|<null>)" + _END)
def _null(m: re.Match[str]) -> NixType:
    return NullType(m.group(0))


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


_PREFIXES: list[tuple[str, type[NixType]]] = [
    ("list or attribute set of ", AttrsType),
    ("lazy attribute set of ", AttrsType),
    ("attribute set of ", AttrsType),
    ("list of ", ListType),
    ("open submodule of ", SubmoduleType),
    ("function that evaluates to a(n) ", FunctionType),
    ("pair of ", ListType),
    ("DAG of ", AttrsType),
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
        return EitherType(self.s[start : self.i], tuple(flat))

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
            return inner.replace(non_empty=True, text=s[start : self.i])
        if self.eat("unique "):
            return self.term()
        for lit, cls in _PREFIXES:
            if self.eat(lit):
                elem = self.composite_elem()
                text = s[start : self.i]
                if lit == "pair of ":
                    return ListType(text, (elem,), minimum=2, maximum=2)
                return cls(text, (elem,))
        if self.eat("one of "):
            return self.enum(start)
        if self.eat("value "):
            single = self.enum(start)
            self.eat(" (singular enum)")
            return single.replace(text=s[start : self.i])
        if self.eat("string matching the pattern "):
            end = self._span_end()
            pat = s[self.i : end]
            if pat.endswith("$s"):
                # older releases appended a plural "s"; a pattern ending "$s" can never match
                pat = pat[:-1]
                end -= 1
            self.i = end
            return StrType(s[start:end], pattern=pat)
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
        return ExpressionType(s[start:end])

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
        return EnumType(self.s[start : self.i], values=tuple(values))


def _enum_value(tok: str) -> Any:
    if tok.startswith('"'):
        return _unquote(tok)
    if tok in ("null", "<null>"):
        return None
    if tok in ("true", "false"):
        return tok == "true"
    return _num(tok)


_CACHE: dict[str, NixType] = {}


def parse_type(text: str | None) -> NixType:
    """Structured form of an options.json ``type`` string (never raises)."""
    if not text:
        return AnyType(text or "")
    got = _CACHE.get(text)
    if got is not None:
        return got
    result: NixType = ExpressionType(text)
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


