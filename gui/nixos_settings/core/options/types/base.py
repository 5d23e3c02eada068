"""The base of every option type: its fields, and the pieces each type class fills in.

A type class overrides :meth:`NixType.words` (the type in plain words), :meth:`mismatch`
(why a decoded literal does not fit, or None) and :attr:`editor` (the :class:`EditorKind`
the settings window uses).  Adding a type touches one class (and, for a new wording, the
parser's table in :mod:`.parse`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from nixos_settings.core.nix.literals import Opaque, PathValue, StringValue

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class EditorKind(StrEnum):
    """Which typed editor a value of a type gets (a string enum: compares equal to its
    value, so ``kind == "raw"`` keeps working)."""

    BOOL = "bool"
    INT = "int"
    STR = "str"
    LINES = "lines"
    ENUM = "enum"
    LIST_STR = "list_str"
    LIST_INT = "list_int"
    PACKAGE_LIST = "package_list"
    LIST_SUBMODULE = "list_submodule"
    ATTRS_SUBMODULE = "attrs_submodule"
    RAW = "raw"


@dataclass(frozen=True, slots=True)
class NixType:
    """A parsed option type.  Subclasses (one per kind) carry no fields of their own.

    ``text`` is the original description; ``args`` the element type of
    ``list``/``attrs``/``function`` or the alternatives of ``either``; ``minimum``/``maximum``
    bounds (numbers; list lengths); ``values`` enum members as Python values; ``pattern`` a
    regex a string must fully match; ``non_empty``, ``single_line``, ``absolute`` (paths),
    ``separator`` (``lines``), ``format`` (``"json"``, ``"toml"``, ...).
    """

    kind: ClassVar[str] = "any"

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

    def __post_init__(self) -> None:
        if type(self) is NixType:  # the old NixType(kind, text) would land here silently
            raise TypeError("NixType is the base class: use parse_type() or make_type(kind)")

    @property
    def nullable(self) -> bool:
        """True for ``null or T`` (or any union with null)."""
        return False

    def without_null(self) -> NixType:
        """``T`` for ``null or T``; the type itself otherwise."""
        return self

    @property
    def element(self) -> NixType | None:
        """Element type of ``list``/``attrs``/``function``."""
        return self.args[0] if self.args else None

    def words(self) -> str:
        """The type in plain words: "port (0–65535)", "list of string", "one of a, b"."""
        return self.kind

    def label(self) -> str:
        """Short human label (the same as :meth:`words`)."""
        return self.words()

    @property
    def editor(self) -> EditorKind:
        """The typed editor for a value of this type (raw Nix text unless a class says)."""
        return EditorKind.RAW

    def empty_text(self) -> str:
        """Nix text of an empty value to start editing from (``""``, ``false``, ``0``);
        ``null`` when the type has none."""
        return "null"

    def check(self, value: object) -> str | None:
        """None when a decoded literal fits (or cannot be judged); else a precise message."""
        if isinstance(value, Opaque):
            return None
        return self.mismatch(value)

    def mismatch(self, value: object) -> str | None:
        """Why ``value`` (never :class:`Opaque`) does not fit; None when it does."""
        return None

    def replace(self, **changes: Any) -> NixType:
        """A copy of the same class with some fields changed."""
        return dataclasses.replace(self, **changes)


def show_value(v: object) -> str:
    """A Python value of an enum as Nix shows it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def describe_value(v: object) -> str:
    """A decoded literal in words, for messages ("the integer 3", "a list")."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return f"the integer {v}"
    if isinstance(v, float):
        return f"the number {v}"
    if isinstance(v, StringValue):
        return "a string" if v.text is None else f"the string {show_value(v.text)}"
    if isinstance(v, PathValue):
        return f"the path {v.text}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an attribute set"
    return "an expression"
