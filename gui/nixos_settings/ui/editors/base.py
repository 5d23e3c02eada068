"""What every value editor shares: the spec of which editor a type gets, the host the
editors push edits through, and the :class:`ValueEditor` base class."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix import syntax
from nixos_settings.core.nix.literals import NOT_LITERAL, decode
from nixos_settings.core.options.model import OptionInfo, OptionSet
from nixos_settings.core.options.types import EditorKind, NixType, parse_type

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

@dataclass
class EditorSpec:
    """What editor an option gets: ``kind`` (an :class:`EditorKind`; plain strings such as
    ``"raw"`` are accepted), bounds, enum choices, whether ``null`` is allowed, the type's
    words."""

    kind: EditorKind
    minimum: int = INT_MIN
    maximum: int = INT_MAX
    choices: list[Any] = field(default_factory=list)
    nullable: bool = False
    words: str = ""

    def __post_init__(self) -> None:
        self.kind = EditorKind(self.kind)


def _clamp(v: int | float | None, default: int) -> int:
    if v is None:
        return default
    return int(max(INT_MIN, min(INT_MAX, v)))


def spec_for(t: NixType) -> EditorSpec:
    """The editor for a parsed option type: the kind the type names, with its bounds or
    choices (those of ``T`` for ``null or T``)."""
    kind = t.editor
    inner = t.without_null() if t.nullable and t.kind != "null" else t
    spec = EditorSpec(kind, words=t.label(), nullable=inner is not t and kind != EditorKind.RAW)
    if kind == EditorKind.INT:
        spec.minimum = _clamp(inner.minimum, INT_MIN)
        spec.maximum = _clamp(inner.maximum, INT_MAX)
    elif kind == EditorKind.ENUM:
        spec.choices = list(inner.values)
    return spec


def editor_spec(type_text: str | None) -> EditorSpec:
    """Pick the editor for an option type description (``None``/unknown → raw)."""
    if not type_text:
        return EditorSpec(EditorKind.RAW, words="unknown type (edit as a Nix expression)")
    return spec_for(parse_type(type_text))


def syntax_message(text: str) -> str | None:
    """Where typed Nix text is broken (line, column, what), or None when it parses."""
    if not text.strip():
        return "empty: type a Nix expression"
    probs = syntax.problems(syntax.parse(text.encode("utf-8")))
    if not probs:
        return None
    return f"line {probs[0].line + 1}, column {probs[0].column + 1}: {probs[0].message}"


class EditorHost(Protocol):
    """What editors call on the window's controller (one undo step per call)."""

    @property
    def options(self) -> OptionSet | None: ...

    def info(self, loc: Sequence[str]) -> OptionInfo | None: ...

    def new_edit_session(self) -> int: ...

    def set_nix(self, loc: Sequence[str], nix_text: str, *, merge_key: Hashable | None = None,
                definition: Definition | None = None) -> bool: ...

    def list_add(self, loc: Sequence[str], element: str) -> bool: ...

    def list_remove(self, loc: Sequence[str], element: str) -> bool: ...

    def list_remove_at(self, loc: Sequence[str], index: int) -> bool: ...

    def list_set_at(self, loc: Sequence[str], index: int, element: str) -> bool: ...

    def list_elements(self, definition: Definition) -> list[str] | None: ...

    def package_names(self) -> set[str]: ...


class ValueEditor(QWidget):
    """Base class: knows its option and definition and pushes edits through the controller.

    Signals:
        problem(str): a live problem to show under the editor ("" clears it).
    """

    problem = Signal(str)

    def __init__(self, controller: EditorHost, loc: tuple[str, ...], spec: EditorSpec,
                 definition: Definition | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.loc = loc
        self.spec = spec
        self.definition = definition
        self._session = controller.new_edit_session()
        self._updating = False
        self._refused = False
        self.build()

    def build(self) -> None:
        """Make the widgets (each editor class); the base has none."""

    @property
    def merge_key(self) -> tuple[tuple[str, ...], int]:
        return (self.loc, self._session)

    def push(self, nix_text: str, merge: bool = False) -> bool:
        """Ask the host to set the value; when it refuses, the widget goes back to what the
        file says (at once, or for typing when the typing session ends)."""
        if self._updating:
            return False
        ok = bool(self.controller.set_nix(
            self.loc, nix_text, merge_key=self.merge_key if merge else None,
            definition=self.definition,
        ))
        self._refused = not ok
        if not merge:
            self.new_session()
        return ok

    def new_session(self) -> None:
        """A new merge key: the next edit is a new undo step.  A refused edit of the ending
        session is undone in the widget: it shows the file's value again."""
        self._session = self.controller.new_edit_session()
        if self._refused:
            self.revert()

    def revert(self) -> None:
        """Show the file's value again (after a refused edit)."""
        self._refused = False
        self.set_definition(self.definition)

    def set_definition(self, definition: Definition | None) -> None:
        """Show a (new) current definition without emitting edits."""
        self.definition = definition
        self._updating = True
        try:
            self.show_value(definition)
        finally:
            self._updating = False

    def show_value(self, definition: Definition | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def value_of(self, definition: Definition | None) -> Any:
        if definition is None:
            return NOT_LITERAL
        return decode(definition.value_text)

    def can_show(self, definition: Definition | None) -> bool:
        """True when this typed editor can display ``definition``'s value."""
        return True


class FocusLineEdit(QLineEdit):
    """A line edit that reports focus-in, and leaves Ctrl+Z / Ctrl+Shift+Z to the app's
    undo once its own edit is committed (nothing of its own left to undo or redo)."""

    focused = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def commit(self) -> None:
        """The edit is done (Enter, focus out): forget the field's own undo history, so the
        next Ctrl+Z is the app's."""
        self.setText(self.text())  # setText clears a line edit's undo/redo history

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if ((event.matches(QKeySequence.StandardKey.Undo) and not self.isUndoAvailable())
                    or (event.matches(QKeySequence.StandardKey.Redo)
                        and not self.isRedoAvailable())):
                event.ignore()  # not ours: the window's Undo/Redo action takes it
                return True
        return super().event(event)


class FocusPlainText(QPlainTextEdit):
    focused = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()


def default_value(controller: EditorHost, loc: tuple[str, ...]) -> Any:
    """The option's default as a Python value, or :data:`NOT_LITERAL`."""
    info = controller.info(loc)
    default = info.default if info is not None else None
    if default is None:
        return NOT_LITERAL
    if default.kind == "json":
        return default.value
    return decode(default.text) if default.text else NOT_LITERAL
