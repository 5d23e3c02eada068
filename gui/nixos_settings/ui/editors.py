"""Value editors, one per kind of option type.

:func:`editor_spec` turns an option's type description into an :class:`EditorSpec` (which
widget, bounds, enum choices, inner type of ``null or T``); :func:`make_editor` builds the
widget.  Every editor is thin: it shows a value and reports user input through
``controller.set_nix`` / ``list_add`` / ``list_remove`` (one undo step each; typing merges by
the editor's session key).  Values it cannot show as a typed widget go to
:class:`RawEditor`, a Nix expression field checked live with tree-sitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix import syntax
from nixos_settings.core.nix.literals import NOT_LITERAL, decode
from nixos_settings.core.nix.render import to_nix
from nixos_settings.core.options.types import EditorKind, NixType, parse_type

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

# -------------------------------------------------------------------- type → editor spec


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


# -------------------------------------------------------------------- editors


def syntax_message(text: str) -> str | None:
    """Where typed Nix text is broken (line, column, what), or None when it parses."""
    if not text.strip():
        return "empty: type a Nix expression"
    probs = syntax.problems(syntax.parse(text.encode("utf-8")))
    if not probs:
        return None
    return f"line {probs[0].line + 1}, column {probs[0].column + 1}: {probs[0].message}"


class ValueEditor(QWidget):
    """Base class: knows its option and definition and pushes edits through the controller.

    Signals:
        problem(str): a live problem to show under the editor ("" clears it).
    """

    problem = Signal(str)

    def __init__(self, controller: Any, loc: tuple[str, ...], spec: EditorSpec,
                 definition: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.loc = loc
        self.spec = spec
        self.definition = definition
        self._session = controller.new_edit_session()
        self._updating = False

    def new_session(self) -> None:
        """A new merge key: the next edit is a new undo step."""
        self._session = self.controller.new_edit_session()

    @property
    def merge_key(self) -> tuple[Any, ...]:
        return (self.loc, self._session)

    def push(self, nix_text: str, merge: bool = False) -> bool:
        if self._updating:
            return False
        ok = self.controller.set_nix(
            self.loc, nix_text, merge_key=self.merge_key if merge else None,
            definition=self.definition,
        )
        if not merge:
            self.new_session()
        return bool(ok)

    def set_definition(self, definition: Any) -> None:
        """Show a (new) current definition without emitting edits."""
        self.definition = definition
        self._updating = True
        try:
            self.show_value(definition)
        finally:
            self._updating = False

    def show_value(self, definition: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def value_of(self, definition: Any) -> Any:
        if definition is None:
            return NOT_LITERAL
        return decode(definition.value_text)

    def can_show(self, definition: Any) -> bool:
        """True when this typed editor can display ``definition``'s value."""
        return True


class _FocusLineEdit(QLineEdit):
    focused = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()


class _FocusPlainText(QPlainTextEdit):
    focused = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()


class BoolEditor(ValueEditor):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.box = QCheckBox("Enabled")
        self.box.setAccessibleName("Switch")
        self.box.toggled.connect(self._toggled)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        lay.addStretch(1)

    def can_show(self, definition: Any) -> bool:
        return definition is None or isinstance(self.value_of(definition), bool)

    def show_value(self, definition: Any) -> None:
        value = self.value_of(definition)
        if not isinstance(value, bool):
            value = _default_value(self.controller, self.loc) is True
        self.box.setChecked(bool(value))

    def _toggled(self, on: bool) -> None:
        self.box.setText("Enabled" if on else "Disabled")
        self.push("true" if on else "false")


class IntEditor(ValueEditor):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.spin = QSpinBox()
        self.spin.setRange(self.spec.minimum, self.spec.maximum)
        self.spin.setAccessibleName("Number")
        self.spin.setKeyboardTracking(True)
        self.spin.valueChanged.connect(lambda v: self.push(str(v), merge=True))
        self.spin.editingFinished.connect(self.new_session)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.spin)
        hint = QLabel(f"{self.spec.minimum} … {self.spec.maximum}")
        hint.setEnabled(False)
        lay.addWidget(hint)
        lay.addStretch(1)

    def can_show(self, definition: Any) -> bool:
        v = self.value_of(definition) if definition is not None else 0
        return isinstance(v, int) and not isinstance(v, bool)

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        if not isinstance(v, int) or isinstance(v, bool):
            d = _default_value(self.controller, self.loc)
            v = d if isinstance(d, int) and not isinstance(d, bool) else 0
        self.spin.setValue(max(self.spec.minimum, min(self.spec.maximum, v)))


class StrEditor(ValueEditor):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.edit = _FocusLineEdit()
        self.edit.setAccessibleName("Text")
        self.edit.textEdited.connect(lambda s: self.push(to_nix(s), merge=True))
        self.edit.focused.connect(self.new_session)
        self.edit.editingFinished.connect(self.new_session)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit)

    def can_show(self, definition: Any) -> bool:
        return definition is None or isinstance(self.value_of(definition), str)

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        text = v if isinstance(v, str) else ""
        if self.edit.text() != text:
            self.edit.setText(text)


class LinesEditor(ValueEditor):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.edit = _FocusPlainText()
        self.edit.setAccessibleName("Text")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(120)
        self.edit.textChanged.connect(self._changed)
        self.edit.focused.connect(self.new_session)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit)

    def can_show(self, definition: Any) -> bool:
        return definition is None or isinstance(self.value_of(definition), str)

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        text = v if isinstance(v, str) else ""
        if self.edit.toPlainText() != text:
            self.edit.setPlainText(text)

    def _changed(self) -> None:
        if not self._updating:
            self.push(to_nix(self.edit.toPlainText()), merge=True)


class EnumEditor(ValueEditor):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Choice")
        for choice in self.spec.choices:
            self.combo.addItem(str(choice) if choice is not None else "null", choice)
        self.combo.activated.connect(self._chosen)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo)
        lay.addStretch(1)

    def can_show(self, definition: Any) -> bool:
        return definition is None or self.value_of(definition) in self.spec.choices

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        if v is NOT_LITERAL:
            v = _default_value(self.controller, self.loc)
        idx = self.combo.findData(v) if v in self.spec.choices else -1
        self.combo.setCurrentIndex(idx)

    def _chosen(self, index: int) -> None:
        self.push(to_nix(self.combo.itemData(index)))


class ListEditor(ValueEditor):
    """Strings or ints: one element per row, add / remove (each one undo step)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items = QListWidget()
        self.items.setAccessibleName("Elements")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(180)
        self.entry = _FocusLineEdit()
        self.entry.setPlaceholderText(self._placeholder())
        self.entry.returnPressed.connect(self._add)
        add = QPushButton("&Add")
        add.clicked.connect(self._add)
        self.remove = QPushButton("&Remove")
        self.remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        row.addWidget(self.remove)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.items)
        lay.addLayout(row)
        self._values: list[Any] = []

    def _placeholder(self) -> str:
        return "New number" if self.spec.kind == "list_int" else "New element"

    def can_show(self, definition: Any) -> bool:
        if definition is None:
            return True
        v = self.value_of(definition)
        return isinstance(v, list) and all(self._ok(x) for x in v)

    def _ok(self, x: Any) -> bool:
        if self.spec.kind == "list_int":
            return isinstance(x, int) and not isinstance(x, bool)
        return isinstance(x, str)

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        self._values = list(v) if isinstance(v, list) else []
        self.items.clear()
        for x in self._values:
            self.items.addItem(str(x))

    def _element_text(self, raw: str) -> str | None:
        if self.spec.kind == "list_int":
            try:
                return str(int(raw.strip()))
            except ValueError:
                self.problem.emit(f"{raw!r} is not a whole number")
                return None
        return to_nix(raw)

    def _add(self) -> None:
        raw = self.entry.text()
        if not raw.strip():
            return
        text = self._element_text(raw)
        if text is None:
            return
        if self.definition is None:
            ok = self.push(f"[ {text} ]")
        else:
            ok = self.controller.list_add(self.loc, text)
        if ok:
            self.entry.clear()
            self.problem.emit("")

    def _remove(self) -> None:
        row = self.items.currentRow()
        if row < 0 or row >= len(self._values):
            return
        self.controller.list_remove(self.loc, to_nix(self._values[row]))


class PackageListEditor(ValueEditor):
    """``list of package``: element texts (``git``, ``pkgs.vim``) with name completion."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items = QListWidget()
        self.items.setAccessibleName("Packages")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(200)
        self.entry = _FocusLineEdit()
        self.entry.setPlaceholderText("Package name, e.g. firefox")
        self.entry.returnPressed.connect(self._add)
        names = sorted(self.controller.package_names()) if hasattr(
            self.controller, "package_names") else []
        self.completer = QCompleter(QStringListModel(names, self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(self.completer)
        add = QPushButton("&Add")
        add.clicked.connect(self._add)
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        row.addWidget(remove)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.items)
        lay.addLayout(row)
        self._elements: list[str] = []

    def can_show(self, definition: Any) -> bool:
        return definition is None or self.controller.list_elements(definition) is not None

    def show_value(self, definition: Any) -> None:
        self._elements = (self.controller.list_elements(definition) or []) if definition else []
        self.items.clear()
        for e in self._elements:
            self.items.addItem(e)

    def _add(self) -> None:
        name = self.entry.text().strip()
        if not name:
            return
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_'\-.]*", name):
            self.problem.emit(f"{name!r} is not a package attribute name")
            return
        if self.definition is None:
            ok = self.push(f"with pkgs; [ {name} ]")
        else:
            element = name
            if any(e.startswith("pkgs.") for e in self._elements) and not name.startswith("pkgs."):
                element = f"pkgs.{name}"
            ok = self.controller.list_add(self.loc, element)
        if ok:
            self.entry.clear()
            self.problem.emit("")

    def _remove(self) -> None:
        row = self.items.currentRow()
        if 0 <= row < len(self._elements):
            self.controller.list_remove(self.loc, self._elements[row])


class RawEditor(ValueEditor):
    """Nix expression text; checked by tree-sitter on every change, applied on Apply/Ctrl+Enter."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.edit = _FocusPlainText()
        self.edit.setAccessibleName("Nix expression")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(70)
        self.edit.textChanged.connect(self._check_later)
        self.apply = QPushButton("A&pply")
        self.apply.setToolTip("Write this expression into the configuration (Ctrl+Return)")
        self.apply.setShortcut("Ctrl+Return")
        self.apply.clicked.connect(self._apply)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.apply)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit)
        lay.addLayout(row)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.check)

    def show_value(self, definition: Any) -> None:
        text = definition.value_text if definition is not None else ""
        if self.edit.toPlainText() != text:
            self.edit.setPlainText(text)
        self.check()

    def _check_later(self) -> None:
        self._timer.start()

    def check(self) -> str | None:
        """Syntax problems of the current text (shown under the field), or None."""
        msg = syntax_message(self.edit.toPlainText())
        self.apply.setEnabled(msg is None)
        self.status.setText(msg or "Nix syntax OK")
        self.problem.emit(msg or "")
        return msg

    def _apply(self) -> None:
        if self.check() is None:
            self.push(self.edit.toPlainText().strip())


class NullableEditor(ValueEditor):
    """``null or T``: a "not set (null)" toggle in front of T's editor."""

    def __init__(self, controller: Any, loc: tuple[str, ...], spec: EditorSpec,
                 definition: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(controller, loc, spec, definition, parent)
        inner_spec = EditorSpec(spec.kind, spec.minimum, spec.maximum, spec.choices, False)
        self.null = QCheckBox("null (no value)")
        self.null.toggled.connect(self._toggled)
        self.inner = _build(controller, loc, inner_spec, definition)
        self.inner.problem.connect(self.problem)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.null)
        lay.addWidget(self.inner)

    def can_show(self, definition: Any) -> bool:
        return definition is None or self.value_of(definition) is None or self.inner.can_show(
            definition)

    def show_value(self, definition: Any) -> None:
        v = self.value_of(definition)
        if definition is None:
            v = _default_value(self.controller, self.loc)
        is_null = v is None
        self.null.setChecked(is_null)
        self.inner.setEnabled(not is_null)
        self.inner.set_definition(definition if not is_null else None)

    def set_definition(self, definition: Any) -> None:
        self.definition = definition
        self._updating = True
        try:
            self.show_value(definition)
        finally:
            self._updating = False

    def _toggled(self, on: bool) -> None:
        self.inner.setEnabled(not on)
        if self._updating:
            return
        if on:
            self.push("null")
        else:
            self.problem.emit("Enter a value below")


def _default_value(controller: Any, loc: tuple[str, ...]) -> Any:
    info = controller.info(loc)
    default = getattr(info, "default", None)
    if default is None:
        return NOT_LITERAL
    if getattr(default, "kind", "") == "json":
        return default.value
    return decode(default.text) if getattr(default, "text", None) else NOT_LITERAL


class ElementDialog(QDialog):
    """Edit one element of a list of submodules as Nix text, checked live by tree-sitter,
    with the submodule's fields listed as a hint."""

    def __init__(self, title: str, text: str, fields: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.edit = QPlainTextEdit()
        self.edit.setAccessibleName("Element")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setPlainText(text)
        self.status = QLabel()
        self.status.setWordWrap(True)
        hint = QLabel("Fields: " + ", ".join(fields) if fields else "")
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(hint)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.resize(520, 320)
        self.edit.textChanged.connect(self.check)
        self.check()

    def check(self) -> str | None:
        msg = syntax_message(self.edit.toPlainText())
        self.status.setText(msg or "Nix syntax OK")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(msg is None)
        return msg

    def text(self) -> str:
        return self.edit.toPlainText().strip()


class SubmoduleListEditor(ValueEditor):
    """``list of submodule``: one row per element (an attribute set), Add / Edit / Remove;
    each change is one undo step and touches only that element's text."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.items = QListWidget()
        self.items.setAccessibleName("Elements")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(220)
        self.items.itemActivated.connect(lambda _it: self._edit())
        add = QPushButton("&Add…")
        add.clicked.connect(self._add)
        edit = QPushButton("&Edit…")
        edit.clicked.connect(self._edit)
        remove = QPushButton("&Remove")
        remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        for b in (add, edit, remove):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.items)
        lay.addLayout(row)
        self._elements: list[str] = []

    def can_show(self, definition: Any) -> bool:
        return definition is None or self.controller.list_elements(definition) is not None

    def show_value(self, definition: Any) -> None:
        self._elements = (self.controller.list_elements(definition) or []) if definition else []
        self.items.clear()
        for text in self._elements:
            self.items.addItem(" ".join(text.split()))

    def fields(self) -> list[str]:
        """Names of the submodule's options (``loc.*.NAME``), from the metadata."""
        options = getattr(self.controller, "options", None)
        if options is None or not hasattr(options, "children"):
            return []
        return [k for k in options.children((*self.loc, "*")) if k not in ("*", "<name>")]

    def ask(self, title: str, text: str) -> str | None:
        """The element text the user typed, or None (tests replace this)."""
        dlg = ElementDialog(title, text, self.fields(), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            return dlg.text()
        return None

    def _template(self) -> str:
        """A valid starting point: the submodule's first field with an empty value."""
        names = self.fields()[:1]
        if not names:
            return "{ }"
        info = self.controller.info((*self.loc, "*", names[0]))
        kind = spec_for(parse_type(info.type)).kind if info is not None else "raw"
        empty = {"str": '""', "lines": '""', "bool": "false", "int": "0"}.get(kind, "null")
        return f"{{\n  {names[0]} = {empty};\n}}"

    def _add(self) -> None:
        text = self.ask("Add an element", self._template())
        if text:
            self.controller.list_add(self.loc, text)

    def _edit(self) -> None:
        row = self.items.currentRow()
        if not 0 <= row < len(self._elements):
            return
        text = self.ask(f"Element {row + 1}", self._elements[row])
        if text and text != self._elements[row]:
            self.controller.list_set_at(self.loc, row, text)

    def _remove(self) -> None:
        row = self.items.currentRow()
        if 0 <= row < len(self._elements):
            self.controller.list_remove_at(self.loc, row)


_KINDS: dict[str, type[ValueEditor]] = {
    "bool": BoolEditor,
    "int": IntEditor,
    "str": StrEditor,
    "lines": LinesEditor,
    "enum": EnumEditor,
    "list_str": ListEditor,
    "list_int": ListEditor,
    "package_list": PackageListEditor,
    "list_submodule": SubmoduleListEditor,
    "raw": RawEditor,
}


def _build(controller: Any, loc: tuple[str, ...], spec: EditorSpec, definition: Any) -> ValueEditor:
    cls = _KINDS.get(spec.kind, RawEditor)
    editor = cls(controller, loc, spec, definition)
    return editor


def make_editor(controller: Any, loc: tuple[str, ...], spec: EditorSpec,
                definition: Any = None) -> ValueEditor:
    """The typed editor for ``spec`` showing ``definition``; raw when the value is not a
    literal the typed editor understands."""
    if spec.nullable:
        editor: ValueEditor = NullableEditor(controller, loc, spec, definition)
    else:
        editor = _build(controller, loc, spec, definition)
    if not editor.can_show(definition):
        editor.deleteLater()
        editor = RawEditor(controller, loc, EditorSpec("raw", words=spec.words), definition)
    editor.set_definition(definition)
    return editor
