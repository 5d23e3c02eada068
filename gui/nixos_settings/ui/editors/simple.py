"""Editors of one value: switch, number, text, lines, choice, and raw Nix text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix.literals import NOT_LITERAL
from nixos_settings.core.nix.render import to_nix
from nixos_settings.ui.editors.base import (
    FocusLineEdit,
    FocusPlainText,
    ValueEditor,
    default_value,
    syntax_message,
)


class BoolEditor(ValueEditor):
    def build(self) -> None:
        self.box = QCheckBox("Enabled")
        self.box.setAccessibleName("Switch")
        self.box.toggled.connect(self._toggled)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        lay.addStretch(1)

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or isinstance(self.value_of(definition), bool)

    def show_value(self, definition: Definition | None) -> None:
        value = self.value_of(definition)
        if not isinstance(value, bool):
            value = default_value(self.controller, self.loc) is True
        self.box.setChecked(bool(value))

    def _toggled(self, on: bool) -> None:
        self.box.setText("Enabled" if on else "Disabled")
        self.push("true" if on else "false")


class IntEditor(ValueEditor):
    def build(self) -> None:
        self.spin = QSpinBox()
        self.spin.setRange(self.spec.minimum, self.spec.maximum)
        self.spin.setAccessibleName("Number")
        self.spin.lineEdit().setAccessibleName("Number")
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

    def can_show(self, definition: Definition | None) -> bool:
        v = self.value_of(definition) if definition is not None else 0
        return isinstance(v, int) and not isinstance(v, bool)

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        if not isinstance(v, int) or isinstance(v, bool):
            d = default_value(self.controller, self.loc)
            v = d if isinstance(d, int) and not isinstance(d, bool) else 0
        self.spin.setValue(max(self.spec.minimum, min(self.spec.maximum, v)))


class StrEditor(ValueEditor):
    def build(self) -> None:
        self.edit = FocusLineEdit()
        self.edit.setAccessibleName("Text")
        self.edit.textEdited.connect(lambda s: self.push(to_nix(s), merge=True))
        self.edit.focused.connect(self.new_session)
        self.edit.editingFinished.connect(self.new_session)
        self.edit.editingFinished.connect(self.edit.commit)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit)

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or isinstance(self.value_of(definition), str)

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        text = v if isinstance(v, str) else ""
        if self.edit.text() != text:
            self.edit.setText(text)


class LinesEditor(ValueEditor):
    def build(self) -> None:
        self.edit = FocusPlainText()
        self.edit.setAccessibleName("Text")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(120)
        self.edit.textChanged.connect(self._changed)
        self.edit.focused.connect(self.new_session)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit)

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or isinstance(self.value_of(definition), str)

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        text = v if isinstance(v, str) else ""
        if self.edit.toPlainText() != text:
            self.edit.setPlainText(text)

    def _changed(self) -> None:
        if not self._updating:
            self.push(to_nix(self.edit.toPlainText()), merge=True)


class EnumEditor(ValueEditor):
    def build(self) -> None:
        self.combo = QComboBox()
        self.combo.setAccessibleName("Choice")
        for choice in self.spec.choices:
            self.combo.addItem(str(choice) if choice is not None else "null", choice)
        self.combo.activated.connect(self._chosen)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo)
        lay.addStretch(1)

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or self.value_of(definition) in self.spec.choices

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        if v is NOT_LITERAL:
            v = default_value(self.controller, self.loc)
        idx = self.combo.findData(v) if v in self.spec.choices else -1
        self.combo.setCurrentIndex(idx)

    def _chosen(self, index: int) -> None:
        self.push(to_nix(self.combo.itemData(index)))


class RawEditor(ValueEditor):
    """Nix expression text; checked by tree-sitter on every change, applied on Apply/Ctrl+Enter."""

    def build(self) -> None:
        self.edit = FocusPlainText()
        self.edit.setAccessibleName("Nix expression")
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(70)
        # checked on every change (a small expression parses in well under a millisecond),
        # so Apply and its Ctrl+Return are enabled the moment the text is valid
        self.edit.textChanged.connect(self.check)
        self.apply = QPushButton("A&pply")
        self.apply.setToolTip("Write this expression into the configuration (Ctrl+Return)")
        # only while the focus is in this editor (another page's editor may have one too)
        key = QShortcut(QKeySequence("Ctrl+Return"), self)
        key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key.setObjectName("Apply the Nix expression")
        key.activated.connect(self._apply)
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

    def show_value(self, definition: Definition | None) -> None:
        text = definition.value_text if definition is not None else ""
        if self.edit.toPlainText() != text:
            self.edit.setPlainText(text)
        self.check()

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
