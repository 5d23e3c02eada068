"""Scalar option types: booleans, numbers, strings, enums, paths, packages, null, and the
kinds that are edited as Nix text (anything, structured formats, unknown expressions)."""

from __future__ import annotations

import re
from typing import ClassVar

from nixos_settings.core.nix.literals import PathValue, StringValue
from nixos_settings.core.options.types.base import (
    INT64_MAX,
    INT64_MIN,
    EditorKind,
    NixType,
    describe_value,
    show_value,
)
from nixos_settings.core.options.types.posix import posix_to_python


class BoolType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "bool"

    def words(self) -> str:
        return "boolean"

    @property
    def editor(self) -> EditorKind:
        return EditorKind.BOOL

    def empty_text(self) -> str:
        return "false"

    def mismatch(self, value: object) -> str | None:
        if isinstance(value, bool):
            return None
        return f"expected true or false, got {describe_value(value)}"


class _Numeric(NixType):
    """Shared check of ``int``, ``float`` and ``number``: the Python type, then the bounds."""

    __slots__ = ()

    def expected(self) -> str:
        return self.words()

    def wrong_number(self, value: int | float) -> str | None:
        return None

    def mismatch(self, value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected {self.expected()}, got {describe_value(value)}"
        wrong = self.wrong_number(value)
        if wrong is not None:
            return wrong
        lo, hi = self.minimum, self.maximum
        if lo is not None and value < lo:
            return f"{value} is below the minimum {lo}" + self.range_note()
        if hi is not None and value > hi:
            return f"{value} is above the maximum {hi}" + self.range_note()
        return None

    def range_note(self) -> str:
        if self.minimum is not None and self.maximum is not None and self.maximum < INT64_MAX:
            return f" (allowed {self.minimum}–{self.maximum})"
        return ""


class IntType(_Numeric):
    __slots__ = ()
    kind: ClassVar[str] = "int"

    @property
    def is_port(self) -> bool:
        return self.minimum == 0 and self.maximum == 65535

    def words(self) -> str:
        if self.is_port:
            return "port (0–65535)"
        bounded_lo = self.minimum is not None and self.minimum > INT64_MIN
        if bounded_lo and self.maximum is not None and self.maximum < INT64_MAX:
            return f"integer {self.minimum}–{self.maximum}"
        if bounded_lo:
            return f"integer ≥ {self.minimum}"
        return "integer"

    @property
    def editor(self) -> EditorKind:
        return EditorKind.INT

    def empty_text(self) -> str:
        return "0"

    def expected(self) -> str:
        return "an integer"

    def wrong_number(self, value: int | float) -> str | None:
        if isinstance(value, float):
            return f"expected an integer, got {describe_value(value)}"
        return None

    def range_note(self) -> str:
        return " for a port (0–65535)" if self.is_port else super().range_note()


class FloatType(_Numeric):
    __slots__ = ()
    kind: ClassVar[str] = "float"

    def words(self) -> str:
        return "floating point number"

    def wrong_number(self, value: int | float) -> str | None:
        if isinstance(value, int):
            got = describe_value(value)
            return f"expected a floating point number (write {value}.0), got {got}"
        return None


class NumberType(_Numeric):
    __slots__ = ()
    kind: ClassVar[str] = "number"

    def words(self) -> str:
        return "number"


class StrType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "str"

    def words(self) -> str:
        return "string"

    @property
    def editor(self) -> EditorKind:
        return EditorKind.STR

    def empty_text(self) -> str:
        return '""'

    def what(self) -> str:
        return "a string"

    def mismatch(self, value: object) -> str | None:
        if not isinstance(value, StringValue):
            return f"expected {self.what()} (in quotes), got {describe_value(value)}"
        s = value.text
        if s is None:
            return None
        if self.non_empty and not s:
            return "expected a non-empty string"
        if self.single_line and "\n" in s.rstrip("\n"):
            return "expected a single line of text"
        if self.pattern is not None:
            try:
                ok = re.fullmatch(posix_to_python(self.pattern), s, re.DOTALL) is not None
            except re.error:
                return None
            if not ok:
                return f"{show_value(s)} does not match the pattern {self.pattern}"
        return None


class LinesType(StrType):
    """``lines`` and ``strings concatenated with SEP``."""

    __slots__ = ()
    kind: ClassVar[str] = "lines"

    def words(self) -> str:
        return "lines"

    @property
    def editor(self) -> EditorKind:
        return EditorKind.LINES

    def what(self) -> str:
        return "lines of text"


class EnumType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "enum"

    def words(self) -> str:
        return "one of " + ", ".join(show_value(v) for v in self.values)

    @property
    def editor(self) -> EditorKind:
        return EditorKind.ENUM

    def mismatch(self, value: object) -> str | None:
        if self.has(value):
            return None
        shown = ", ".join(show_value(x) for x in self.values)
        return f"{describe_value(value)} is not one of {shown}"

    def has(self, v: object) -> bool:
        if isinstance(v, StringValue):
            return v.text is None or v.text in [x for x in self.values if isinstance(x, str)]
        for x in self.values:
            if x is None or v is None:
                if x is None and v is None:
                    return True
            elif isinstance(x, bool) or isinstance(v, bool):
                if isinstance(x, bool) and isinstance(v, bool) and x == v:
                    return True
            elif isinstance(x, int | float) and isinstance(v, int | float) and x == v:
                return True
        return False


class PathType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "path"

    def words(self) -> str:
        return "absolute path" if self.absolute else "path"

    @property
    def editor(self) -> EditorKind:
        return EditorKind.STR

    def empty_text(self) -> str:
        return '""'

    def mismatch(self, value: object) -> str | None:
        if isinstance(value, PathValue):
            return None
        if isinstance(value, StringValue):
            if self.absolute and value.text is not None and not value.text.startswith("/"):
                return (f"expected an absolute path (starting with /), "
                        f"got {describe_value(value)}")
            return None
        return f"expected a path, got {describe_value(value)}"


class PackageType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "package"

    def mismatch(self, value: object) -> str | None:
        if isinstance(value, StringValue | PathValue | dict):
            return None
        return f"expected a package (e.g. pkgs.hello), got {describe_value(value)}"


class NullType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "null"

    @property
    def nullable(self) -> bool:
        return True

    def words(self) -> str:
        return "null"

    def mismatch(self, value: object) -> str | None:
        return None if value is None else f"expected null, got {describe_value(value)}"


class AnyType(NixType):
    """Anything: not checked locally."""

    __slots__ = ()
    kind: ClassVar[str] = "any"

    def words(self) -> str:
        return "anything"


class FormatType(NixType):
    """A structured value of a file format (``JSON value``, ``TOML value``, ...)."""

    __slots__ = ()
    kind: ClassVar[str] = "format"

    def words(self) -> str:
        return f"{(self.format or 'structured').upper()} value"


class ExpressionType(NixType):
    """A type description this parser does not understand: edited as Nix code."""

    __slots__ = ()
    kind: ClassVar[str] = "expression"

    def words(self) -> str:
        return "Nix expression"
