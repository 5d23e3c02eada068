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
from nixos_settings.ui.editors.base import (
    FocusLineEdit,
    ValueEditor,
    default_value,
    syntax_message,
)
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
        self.entry.setAccessibleName(self._placeholder())
        self.entry.returnPressed.connect(self._add)
        add = QPushButton("&Add")
        add.clicked.connect(self._add)
        self.remove = QPushButton("&Remove")
        self.remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        row.addWidget(self.remove)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("defaultNote")
        self.note.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.note)
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

    def _default(self) -> list[object]:
        """The option's default when it is a list this editor can show, else []."""
        d = default_value(self.controller, self.loc)
        return list(d) if isinstance(d, list) and all(self._ok(x) for x in d) else []

    def show_value(self, definition: Definition | None) -> None:
        """The file's list; for an unset option its default, said so: a change writes
        the whole list starting from the default (adding 2222 to ``[ 22 ]`` keeps 22)."""
        v = self.value_of(definition) if definition is not None else self._default()
        self._values = list(v) if isinstance(v, list) else []
        self.items.clear()
        for x in self._values:
            self.items.addItem(str(x))
        from_default = definition is None and bool(self._values)
        if from_default:
            self.note.setText(
                f"Not set in your files: the default, {to_nix(self._values)}, applies. "
                "Adding or removing an element writes the list into your configuration, "
                "starting from the default.")
        self.note.setVisible(from_default)

    def _element_text(self, raw: str) -> str | None:
        """The Nix text of one element as it stands in a list (``(-5)``: a bare ``-5``
        after another element would be a subtraction)."""
        value: object = raw
        if self.spec.kind == EditorKind.LIST_INT:
            try:
                value = int(raw.strip())
            except ValueError:
                self.problem.emit(f"{raw.strip()!r} is not a whole number")
                return None
        return to_nix([value])[2:-2]

    def _add(self) -> None:
        raw = self.entry.text()
        if not raw.strip():
            return
        text = self._element_text(raw)
        if text is None:
            return
        if self.definition is None:
            start = " ".join(to_nix([x])[2:-2] for x in self._values)
            ok = self.push(f"[ {start} {text} ]" if start else f"[ {text} ]")
        else:
            ok = self.controller.list_add(self.loc, text)
        if ok:
            self.entry.clear()
            self.problem.emit("")

    def _remove(self) -> None:
        """Remove the selected element by its position (its text in the file may differ
        from how it is shown: ``(-5)``, ``"a"`` written as ``''a''``)."""
        row = self.items.currentRow()
        if not 0 <= row < len(self._values):
            return
        if self.definition is None:  # the default's elements: write the rest
            self.push(to_nix(self._values[:row] + self._values[row + 1:]))
        else:
            self.controller.list_remove_at(self.loc, row)


class PackageListEditor(ValueEditor):
    """``list of package``: element texts (``git``, ``pkgs.vim``) with name completion."""

    def build(self) -> None:
        self.items = QListWidget()
        self.items.setAccessibleName("Packages")
        self.items.setMinimumHeight(90)
        self.items.setMaximumHeight(200)
        self.entry = FocusLineEdit()
        self.entry.setPlaceholderText("Package name, e.g. firefox")
        self.entry.setAccessibleName("New package")
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
