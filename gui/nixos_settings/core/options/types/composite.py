"""Option types built from other types: lists, attribute sets, submodules, functions and
unions (``either``, ``null or T``)."""

from __future__ import annotations

from typing import ClassVar

from nixos_settings.core.nix.literals import PathValue
from nixos_settings.core.options.types.base import EditorKind, NixType, describe_value

_LIST_EDITORS = {
    "package": EditorKind.PACKAGE_LIST,
    "str": EditorKind.LIST_STR,
    "path": EditorKind.LIST_STR,
    "int": EditorKind.LIST_INT,
    "submodule": EditorKind.LIST_SUBMODULE,
}


class _Container(NixType):
    """``list of T`` / ``attribute set of T``: ``args[0]`` is the element type."""

    __slots__ = ()
    noun: ClassVar[str] = ""

    def words(self) -> str:
        if self.args:
            return f"{self.noun} of {self.args[0].words()}"
        return self.kind

    def element_kind(self) -> str | None:
        """The element's kind, reading plural wordings older releases use ("list of
        packages", "attribute set of submodules") that the parser leaves as expressions."""
        el = self.element
        if el is None:
            return None
        if el.kind == "expression":
            if self.text.endswith(("of packages", "of package")):
                return "package"
            if "submodule" in self.text:
                return "submodule"
        return el.kind

    def element_problem(self, value: object) -> str | None:
        return self.args[0].check(value) if self.args else None


class ListType(_Container):
    __slots__ = ()
    kind: ClassVar[str] = "list"
    noun: ClassVar[str] = "list"

    @property
    def editor(self) -> EditorKind:
        return _LIST_EDITORS.get(self.element_kind() or "", EditorKind.RAW)

    def mismatch(self, value: object) -> str | None:
        if not isinstance(value, list):
            return f"expected a list, got {describe_value(value)}"
        if (self.minimum is not None and len(value) < self.minimum) or (
            self.maximum is not None and len(value) > self.maximum
        ):
            return f"expected a list of {self.minimum} elements, got {len(value)}"
        if self.non_empty and not value:
            return "expected a non-empty list"
        for n, item in enumerate(value, 1):
            m = self.element_problem(item)
            if m:
                return f"element {n}: {m}"
        return None


class AttrsType(_Container):
    __slots__ = ()
    kind: ClassVar[str] = "attrs"
    noun: ClassVar[str] = "attribute set"

    @property
    def editor(self) -> EditorKind:
        if self.element_kind() == "submodule":
            return EditorKind.ATTRS_SUBMODULE
        return EditorKind.RAW

    def mismatch(self, value: object) -> str | None:
        if not isinstance(value, dict):
            return f"expected an attribute set, got {describe_value(value)}"
        for key, item in value.items():
            m = self.element_problem(item)
            if m:
                return f"attribute {key}: {m}"
        return None


class SubmoduleType(NixType):
    __slots__ = ()
    kind: ClassVar[str] = "submodule"

    def mismatch(self, value: object) -> str | None:
        if isinstance(value, dict | PathValue):
            return None
        return f"expected an attribute set, got {describe_value(value)}"


class FunctionType(NixType):
    """``function that evaluates to a(n) T``: not checked locally."""

    __slots__ = ()
    kind: ClassVar[str] = "function"


class EitherType(NixType):
    """A union: ``args`` are the alternatives (``null or T`` is one)."""

    __slots__ = ()
    kind: ClassVar[str] = "either"

    @property
    def nullable(self) -> bool:
        return any(a.nullable for a in self.args)

    def without_null(self) -> NixType:
        rest = tuple(a for a in self.args if a.kind != "null")
        if len(rest) == 1:
            return rest[0]
        if len(rest) == len(self.args):
            return self
        return EitherType(self.text, rest)

    def words(self) -> str:
        return " or ".join(a.words() for a in self.args)

    @property
    def editor(self) -> EditorKind:
        """``null or T`` gets T's editor (with a null toggle in front); other unions, and
        ``null or`` an attribute set of submodules, are edited as Nix text."""
        if not self.nullable:
            return EditorKind.RAW
        inner = self.without_null().editor
        if inner in (EditorKind.RAW, EditorKind.ATTRS_SUBMODULE):
            return EditorKind.RAW
        return inner

    def empty_text(self) -> str:
        """T's empty value for ``null or T`` edited with T's editor; else ``null``."""
        if self.editor == EditorKind.RAW:
            return "null"
        return self.without_null().empty_text()

    def mismatch(self, value: object) -> str | None:
        msgs = []
        for alt in self.args:
            m = alt.check(value)
            if m is None:
                return None
            msgs.append(m)
        # A single non-null alternative of the matching shape gives the precise reason.
        same = [
            m
            for alt, m in zip(self.args, msgs, strict=True)
            if alt.kind != "null" and not m.startswith("expected")
        ]
        if len(same) == 1:
            return same[0]
        return f"expected {self.words()}, got {describe_value(value)}"
