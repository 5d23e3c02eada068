"""Value editors, one per :class:`~nixos_settings.core.options.types.EditorKind`.

:func:`editor_spec` turns an option's type description into an :class:`EditorSpec` (the
type's editor kind, bounds, enum choices, whether ``null`` is allowed); :func:`make_editor`
builds the widget.  Every editor is thin: it shows a value and reports user input through
its :class:`EditorHost` (the window's controller: ``set_nix`` / ``list_add`` /
``list_remove``, one undo step each; typing merges by the editor's session key).  Values it
cannot show as a typed widget go to :class:`RawEditor`, a Nix expression field checked live
with tree-sitter.

Modules: :mod:`.base` (spec, host, base class), :mod:`.simple` (one value), :mod:`.lists`
(lists, packages, submodule elements), :mod:`.factory` (kind → class, ``make_editor``).
"""

from __future__ import annotations

from nixos_settings.ui.editors.base import (
    INT_MAX,
    INT_MIN,
    EditorHost,
    EditorSpec,
    ValueEditor,
    default_value,
    editor_spec,
    spec_for,
    syntax_message,
)
from nixos_settings.ui.editors.factory import EDITORS, NullableEditor, make_editor
from nixos_settings.ui.editors.lists import (
    ElementDialog,
    ListEditor,
    PackageListEditor,
    SubmoduleListEditor,
)
from nixos_settings.ui.editors.simple import (
    BoolEditor,
    EnumEditor,
    IntEditor,
    LinesEditor,
    RawEditor,
    StrEditor,
)

__all__ = [
    "EDITORS", "INT_MAX", "INT_MIN", "BoolEditor", "EditorHost", "EditorSpec", "ElementDialog",
    "EnumEditor", "IntEditor", "LinesEditor", "ListEditor", "NullableEditor",
    "PackageListEditor", "RawEditor", "StrEditor", "SubmoduleListEditor", "ValueEditor",
    "default_value", "editor_spec", "make_editor", "spec_for", "syntax_message",
]
