"""Which editor class a spec gets, and :func:`make_editor`, the one entry point."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.options.types import EditorKind
from nixos_settings.ui.editors.base import (
    EditorHost,
    EditorSpec,
    ValueEditor,
    default_value,
)
from nixos_settings.ui.editors.lists import ListEditor, PackageListEditor, SubmoduleListEditor
from nixos_settings.ui.editors.simple import (
    BoolEditor,
    EnumEditor,
    IntEditor,
    LinesEditor,
    RawEditor,
    StrEditor,
)


class NullableEditor(ValueEditor):
    """``null or T``: a "not set (null)" toggle in front of T's editor."""

    def __init__(self, controller: EditorHost, loc: tuple[str, ...], spec: EditorSpec,
                 definition: Definition | None = None, parent: QWidget | None = None) -> None:
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

    def can_show(self, definition: Definition | None) -> bool:
        return definition is None or self.value_of(definition) is None or self.inner.can_show(
            definition)

    def show_value(self, definition: Definition | None) -> None:
        v = self.value_of(definition)
        if definition is None:
            v = default_value(self.controller, self.loc)
        is_null = v is None
        self.null.setChecked(is_null)
        self.inner.setEnabled(not is_null)
        self.inner.set_definition(definition if not is_null else None)

    def set_definition(self, definition: Definition | None) -> None:
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


#: the editor class of each kind (``attrs_submodule`` has none: the page lists entries)
EDITORS: dict[EditorKind, type[ValueEditor]] = {
    EditorKind.BOOL: BoolEditor,
    EditorKind.INT: IntEditor,
    EditorKind.STR: StrEditor,
    EditorKind.LINES: LinesEditor,
    EditorKind.ENUM: EnumEditor,
    EditorKind.LIST_STR: ListEditor,
    EditorKind.LIST_INT: ListEditor,
    EditorKind.PACKAGE_LIST: PackageListEditor,
    EditorKind.LIST_SUBMODULE: SubmoduleListEditor,
    EditorKind.RAW: RawEditor,
}


def _build(controller: EditorHost, loc: tuple[str, ...], spec: EditorSpec,
           definition: Definition | None) -> ValueEditor:
    cls = EDITORS.get(spec.kind, RawEditor)
    editor = cls(controller, loc, spec, definition)
    return editor


def make_editor(controller: EditorHost, loc: tuple[str, ...], spec: EditorSpec,
                definition: Definition | None = None) -> ValueEditor:
    """The typed editor for ``spec`` showing ``definition``; raw when the value is not a
    literal the typed editor understands."""
    if spec.nullable:
        editor: ValueEditor = NullableEditor(controller, loc, spec, definition)
    else:
        editor = _build(controller, loc, spec, definition)
    if not editor.can_show(definition):
        editor.deleteLater()
        raw = EditorSpec(EditorKind.RAW, words=spec.words)
        editor = RawEditor(controller, loc, raw, definition)
    editor.set_definition(definition)
    return editor
