"""Editors of lists: strings or numbers, packages (with name completion), and submodule
elements (each edited as Nix text in a dialog)."""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix.render import to_nix
from nixos_settings.core.options.types import EditorKind, parse_type
from nixos_settings.ui.editors.base import FocusLineEdit, ValueEditor, syntax_message
from nixos_settings.ui.packagecompleter import PackageCompleter, flag_unknown, unknown_packages


class ListEditor(ValueEditor):
    """Strings or ints: one element per row, add / remove (each one undo step)."""

    def build(self) -> None:
        self.items = QListWidget()
        self.items.setAccessibleName("Elements")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(180)
        self.entry = FocusLineEdit()
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
        self._values: list[object] = []

    def _placeholder(self) -> str:
        return "New number" if self.spec.kind == EditorKind.LIST_INT else "New element"

    def can_show(self, definition: Definition | None) -> bool:
        if definition is None:
            return True
        v = self.value_of(definition)
        return isinstance(v, list) and all(self._ok(x) for x in v)

    def _ok(self, x: object) -> bool:
        if self.spec.kind == EditorKind.LIST_INT:
            return isinstance(x, int) and not isinstance(x, bool)
        return isinstance(x, str)

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        self._values = list(v) if isinstance(v, list) else []
        self.items.clear()
        for x in self._values:
            self.items.addItem(str(x))

    def _element_text(self, raw: str) -> str | None:
        if self.spec.kind == EditorKind.LIST_INT:
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

    def build(self) -> None:
        self.items = QListWidget()
        self.items.setAccessibleName("Packages")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(200)
        self.entry = FocusLineEdit()
        self.entry.setPlaceholderText("Package name, e.g. firefox")
        self.entry.returnPressed.connect(self._add)
        names = sorted(self.controller.package_names())
        self.completer = QCompleter(QStringListModel(names, self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(self.completer)
        self.completer = PackageCompleter(self.entry, self.controller, names)  # ranked, catalogue
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

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or self.controller.list_elements(definition) is not None

    def show_value(self, definition: Definition | None) -> None:
        self._elements = (self.controller.list_elements(definition) or []) if definition else []
        self.items.clear()
        unknown = unknown_packages(self.controller, self._elements)
        for e in self._elements:
            self.items.addItem(e)
            if e in unknown:
                flag_unknown(self.items.item(self.items.count() - 1))

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

    def build(self) -> None:
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

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or self.controller.list_elements(definition) is not None

    def show_value(self, definition: Definition | None) -> None:
        self._elements = (self.controller.list_elements(definition) or []) if definition else []
        self.items.clear()
        for text in self._elements:
            self.items.addItem(" ".join(text.split()))

    def fields(self) -> list[str]:
        """Names of the submodule's options (``loc.*.NAME``), from the metadata."""
        options = self.controller.options
        if options is None:
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
        empty = parse_type(info.type).empty_text() if info is not None else "null"
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
