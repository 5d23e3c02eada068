"""The option page: what an option is, where it is set, and its editor.

Shown for whatever is selected in the tree or opened from search: an option (typed editor),
a group (summary), the template of an attribute set of submodules (entries: add, rename,
remove), a concrete entry (``users.users.alice``: rename, remove), or a definition that
matches no known option (with "did you mean" links).

Links inside the page use the ``option:`` scheme (open another option) and ``def:N``
(reveal definition N in the source view); http(s) links open in the browser.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.ui import optiontree as ot
from nixos_settings.ui.controller import Controller
from nixos_settings.ui.effective import EffectiveSection, retired_note
from nixos_settings.ui.pagesections import (
    EntriesSection,
    WhereSection,
    entry_names,
    first_placeholder,
    instances_html,
)
from nixos_settings.ui.pagewidgets import (
    WrapLabel,
    describe_html,
    drop_layout,
    drop_widget,
    links_html,
    reference_form,
    source_place,
    warn_colour,
    wrap_name,
)

if TYPE_CHECKING:
    from nixos_settings.core.config.definitions import Definition
    from nixos_settings.core.options.model import OptionInfo
    from nixos_settings.ui.editors import EditorSpec, ValueEditor

# option metadata and the editors (type parser) are imported on first use: they are not
# needed to show the window, and start-up time matters.

__all__ = ["OptionPage", "WrapLabel", "describe_html", "guess_kind", "set_below"]


def set_below(controller: Controller, loc: Loc) -> list[Loc]:
    """The locs at or below ``loc`` that the configuration defines, in order."""
    cfg = controller.cfg
    if cfg is None:
        return []
    n = len(loc)
    return list(dict.fromkeys(tuple(d.loc) for d in cfg.definitions if tuple(d.loc[:n]) == loc))


def guess_kind(controller: Controller, loc: Loc) -> str:
    """The tree node kind of ``loc`` when no tree node says it."""
    from nixos_settings.core.nix.optpath import is_placeholder

    c = controller
    opts = c.options
    if opts is None:
        return ot.OPTION if c.definitions(loc) else ot.GROUP
    if opts.get(loc) is not None:
        return ot.TEMPLATE if loc and is_placeholder(loc[-1]) else ot.OPTION
    if c.info(loc) is not None:
        return ot.OPTION
    if loc and is_placeholder(loc[-1]):
        return ot.TEMPLATE
    if opts.is_prefix(loc):
        return ot.GROUP
    if opts.template_prefix_exists(loc):
        return ot.ENTRY
    match = opts.match_prefix(loc)
    if match is not None and c.definitions(loc):
        return ot.ENTRY
    return ot.UNKNOWN if c.definitions(loc) or set_below(c, loc) else ot.GROUP


def tasks_html(loc: Loc) -> str | None:
    """Links to the plain-language tasks that change the option at ``loc`` (None: none)."""
    from nixos_settings.core.tasks.model import tasks_for

    tasks = tasks_for(loc)
    if not tasks:
        return None
    links = ", ".join(f'<a href="task:{t.id}">{html.escape(t.title)}</a>' for t in tasks)
    return f"Tasks that change it: {links}"


class OptionPage(QScrollArea):
    """Scrollable page for one loc; rebuilt when the loc changes, refreshed in place on edits
    so an editor keeps focus while the user types."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Option page")
        self.loc: Loc | None = None
        self.kind: str = ""
        self.editor: ValueEditor | None = None
        #: "Set in your configuration" and "Entries", when the page shows them
        self.where: WhereSection | None = None
        self.entries: EntriesSection | None = None
        self._reset: QPushButton | None = None
        self._editor_def_count = -1
        self._defs: list[Definition] = []
        self._chosen_def = 0
        self._body = QWidget()
        self._body.setObjectName("optionPageBody")
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(16, 12, 16, 12)
        self._layout.setSpacing(10)
        self.setWidget(self._body)
        self._show_welcome()

    # -- building blocks ------------------------------------------------------------------

    def _clear(self) -> None:
        self.editor = None
        self._reset = None
        self.where = None
        self.entries = None
        drop_layout(self._layout)

    def _label(self, text: str, rich: bool = True, selectable: bool = True) -> QLabel:
        label = WrapLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        flags = (Qt.TextInteractionFlag.LinksAccessibleByMouse
                 | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        if selectable:
            flags |= Qt.TextInteractionFlag.TextSelectableByMouse
        label.setTextInteractionFlags(flags)
        label.linkActivated.connect(self._on_link)
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return label

    def _title(self, text: str, subtitle: str = "") -> None:
        title = self._label(
            f"<span style='font-size:15pt; font-weight:600'>{wrap_name(text)}</span>")
        title.setAccessibleName("Option name")
        title.setObjectName("optionTitle")
        self._layout.addWidget(title)
        if subtitle:
            self._layout.addWidget(self._label(subtitle))

    def _heading(self, text: str) -> None:
        label = QLabel(text)
        f = label.font()
        f.setBold(True)
        label.setFont(f)
        self._layout.addWidget(label)

    def _show_welcome(self) -> None:
        self._clear()
        icon = self.window().windowIcon() if self.window() is not None else None
        if icon is not None and not icon.isNull():
            pic = QLabel()
            pic.setPixmap(icon.pixmap(64, 64))
            self._layout.addWidget(pic)
        self._title("NixOS Settings")
        if self.controller.cfg is None:
            self._layout.addWidget(self._label(
                "<p><b>No configuration is open.</b> Use <b>File ▸ Open configuration…</b> "
                "(Ctrl+O) to open your <code>configuration.nix</code> or a "
                "<code>flake.nix</code>.</p>"))
        self._layout.addWidget(self._label(
            "<p>Pick an option in the tree on the left, or press <b>Ctrl+F</b> and type what "
            "you are looking for (for example <i>ssh server</i> or <i>time zone</i>).</p>"
            "<p>Options your configuration sets are shown in <b>bold</b>; collapsed groups "
            "say how many are set below. Every change can be undone (Ctrl+Z), reviewed "
            "(Ctrl+D) and is only written to disk when you save (Ctrl+S).</p>"))
        self._layout.addStretch(1)

    # -- public API ---------------------------------------------------------------------

    def show_welcome(self) -> None:
        """The start page (no option selected)."""
        self.loc = None
        self._show_welcome()

    def show_loc(self, loc: Loc, kind: str | None = None) -> None:
        """Rebuild the page for ``loc`` (kind from the tree node when known)."""
        self.loc = tuple(loc)
        self.kind = kind or guess_kind(self.controller, self.loc)
        self._chosen_def = 0
        self._build()

    def refresh(self) -> None:
        """The configuration changed: update in place when possible, else rebuild."""
        if self.loc is None:
            return
        self.show_problem("")  # a problem of an earlier edit no longer stands
        defs = self.controller.definitions(self.loc)
        if (
            self.editor is not None
            and max(len(defs), self._editor_def_count) <= 1
            and self.kind == ot.OPTION
            and self.editor.can_show(defs[0] if defs else None)
        ):
            # in place: an editor being typed into keeps its focus and cursor
            self._defs = defs
            self._editor_def_count = len(defs)
            self.editor.set_definition(defs[0] if defs else None)
            self._update_where(defs)
            return
        if self.kind == ot.ENTRY and self.loc[-1] not in entry_names(self.controller,
                                                                     self.loc[:-1]):
            # the entry was removed (or renamed): its page would offer buttons on nothing;
            # show what holds the entries instead
            self.controller.open_option(self.loc[:-1])
            return
        keep = self._chosen_def
        if self.kind != ot.TEMPLATE:
            self.kind = guess_kind(self.controller, self.loc)
        self._build()
        if keep < len(self._defs) and keep != self._chosen_def:
            self._choose_def(keep)

    # -- page kinds -------------------------------------------------------------------

    def _build(self) -> None:
        self._clear()
        assert self.loc is not None
        loc = self.loc
        self._defs = self.controller.definitions(loc)
        name = optpath.show(loc)
        if self.kind == ot.UNKNOWN:
            self._build_unknown(name)
        elif self.kind == ot.ENTRY and self.controller.info(loc) is None:
            self._build_entry(name)
        elif self.kind == ot.GROUP:
            self._build_group(name)
        else:
            self._build_option(name)
        self._layout.addStretch(1)
        self.verticalScrollBar().setValue(0)

    def _build_group(self, name: str) -> None:
        self._title(name or "All options", "A group of options.")
        below = set_below(self.controller, self.loc or ())
        if below:
            self._heading(f"Set in your configuration ({len(below)})")
            self._layout.addWidget(self._label(links_html(below)))
        else:
            self._layout.addWidget(self._label("<i>Nothing in this group is set by your "
                                               "configuration.</i>"))

    def _build_unknown(self, name: str) -> None:
        assert self.loc is not None
        from nixos_settings.core.options.suggest import unchecked_note

        self._title(name)
        note = unchecked_note(self.loc, self.controller.options)
        warn = self._label(f"<p>{html.escape(note)}</p>" if note else
            f"<p><b style='color:{warn_colour(self)}'>No option named {html.escape(name)} is "
            "known.</b> NixOS will refuse to build this configuration unless a module of "
            "yours declares it.</p>")
        self._layout.addWidget(retired_note(self.controller, self.loc) or warn)
        from nixos_settings.core.options.types import EditorKind
        from nixos_settings.ui.editors import EditorSpec

        sugg = self.controller.suggestions(self.loc)
        if sugg:
            self._heading("Did you mean")
            self._layout.addWidget(self._label(links_html(sugg)))
        self._where_section()
        self._editor_section(EditorSpec(EditorKind.RAW, words="Nix expression"), None)

    def _build_entry(self, name: str) -> None:
        assert self.loc is not None
        loc = self.loc
        parent = optpath.show(loc[:-1])
        self._title(name, f"An entry of <a href='option:{html.escape(parent)}'>"
                          f"{wrap_name(parent)}</a>.")
        row = QHBoxLayout()
        rename = QPushButton("Re&name…")
        rename.clicked.connect(self._rename_entry)
        remove = QPushButton("Re&move entry")
        remove.clicked.connect(lambda: self._remove_entry(loc))
        row.addWidget(rename)
        row.addWidget(remove)
        row.addStretch(1)
        self._layout.addLayout(row)
        below = set_below(self.controller, loc)
        self._heading(f"Set for this entry ({len(below)})")
        self._layout.addWidget(self._label(links_html(below) if below else
                                           "<i>Nothing set yet: pick an option below it in "
                                           "the tree.</i>"))

    def _build_option(self, name: str) -> None:
        """Title, description and type; then what the user acts on (entries, where it is
        set, the editor); then reference facts (default, example, declarations)."""
        from nixos_settings.core.options.types import EditorKind
        from nixos_settings.ui.editors import EditorSpec, editor_spec

        assert self.loc is not None
        info = self.controller.info(self.loc)
        self._title(name)
        if info is None:
            self._layout.addWidget(self._label(
                "<i>Option metadata is not loaded (yet); showing what your configuration "
                "says.</i>"))
            spec = EditorSpec(EditorKind.RAW, words="Nix expression")
        else:
            spec = editor_spec(info.type)
            self._summary(info, spec)
        if self.kind == ot.TEMPLATE or spec.kind == "attrs_submodule":
            self._entries_section()
        # entries are edited on their own pages; a whole-value editor only when the
        # configuration defines this attribute set as one value
        entries_only = spec.kind == "attrs_submodule" and not self._defs
        inside = first_placeholder(self.loc)
        if inside is not None and inside < len(self.loc) - 1:
            # users.users.<name>.description: no value of its own; each entry has one
            heading, text = instances_html(self.controller, self.loc, inside)
            self._heading(heading)
            label = self._label(text)
            label.setObjectName("instances")
            self._layout.addWidget(label)
        elif self.kind != ot.TEMPLATE and not entries_only:
            self._where_section()
            if info is not None and info.read_only:
                self._layout.addWidget(self._label(
                    "<b>This option is read-only</b>: NixOS sets it; it cannot be changed "
                    "here."))
            else:
                self._editor_section(spec, info)
        tasks = tasks_html(self.loc)
        if tasks:
            label = self._label(tasks)
            label.setObjectName("tasks")
            self._layout.addWidget(label)
        if self.kind != ot.TEMPLATE:  # what Nix evaluates it to (ui/effective.py)
            self.effective = EffectiveSection(self.controller, self.loc)
            self._layout.addWidget(self.effective)
        if info is not None:
            self._heading("Reference")
            opts = self.controller.options
            revision = opts.source.revision if opts is not None else None
            self._layout.addLayout(reference_form(info, revision, self._label))

    def _summary(self, info: OptionInfo, spec: EditorSpec) -> None:
        desc = self._label(describe_html(info))
        desc.setObjectName("description")
        self._layout.addWidget(desc)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        words = spec.words or info.type
        type_label = self._label(html.escape(words))
        type_label.setObjectName("typeWords")
        if words != info.type:  # NixOS's own wording, for those who want it, on hover
            type_label.setToolTip(f"As NixOS words it: {info.type}")
        form.addRow("Type:", type_label)
        self._layout.addLayout(form)

    # -- where it is set, and its editor --------------------------------------------------

    def _where_section(self) -> None:
        self._heading("Set in your configuration")
        self.where = WhereSection(self._layout, self._label(""), self._defs,
                                  self.controller.root, self._choose_def)
        self._update_where(self._defs)

    def _update_where(self, defs: list[Definition]) -> None:
        if self._reset is not None:
            try:
                self._reset.setEnabled(bool(defs) and all(x.editable for x in defs))
            except RuntimeError:
                pass
        if self.where is not None:
            self.where.update(defs)

    def _editor_section(self, spec: EditorSpec, info: OptionInfo | None) -> None:
        assert self.loc is not None
        loc = self.loc
        self._heading("Value")
        d = self._defs[self._chosen_def] if self._defs else None
        box = QVBoxLayout()
        self._editor_box = box
        self._problem = QLabel()
        self._problem.setWordWrap(True)
        self._problem.setObjectName("editorProblem")
        self._problem.setStyleSheet(f"color: {warn_colour(self)}")
        self._problem.hide()
        self._spec = spec
        self._make_editor(d)
        self._layout.addLayout(box)
        self._layout.addWidget(self._problem)
        buttons = QHBoxLayout()
        reset = QPushButton("&Reset to default")
        reset.setToolTip("Remove the definition from your configuration")
        self._reset = reset
        reset.clicked.connect(lambda: self.controller.unset(loc))
        buttons.addWidget(reset)
        buttons.addStretch(1)
        self._layout.addLayout(buttons)
        self._update_where(self._defs)

    def _make_editor(self, d: Definition | None) -> None:
        if self.editor is not None:
            drop_widget(self.editor)
        from nixos_settings.ui.editors import make_editor

        assert self.loc is not None
        editor = make_editor(self.controller, self.loc, self._spec, d)
        editor.problem.connect(self.show_problem)
        if d is not None and not d.editable:
            editor.setEnabled(False)
        self._editor_box.addWidget(editor)
        self.editor = editor
        self._editor_def_count = len(self._defs)

    def _choose_def(self, index: int) -> None:
        if 0 <= index < len(self._defs) and self.editor is not None:
            self._chosen_def = index
            if self.where is not None:
                self.where.select(index)
            self._make_editor(self._defs[index])
            self.controller.reveal(self._defs[index])

    def show_problem(self, message: str) -> None:
        """Show (or with "" hide) a problem under the editor."""
        if not hasattr(self, "_problem"):
            return
        try:
            self._problem.setText(message)
            self._problem.setVisible(bool(message))
        except RuntimeError:  # the page was rebuilt meanwhile
            pass

    # -- entries ---------------------------------------------------------------------------

    def _entries_section(self) -> None:
        assert self.loc is not None
        base = self.loc[:-1] if self.kind == ot.TEMPLATE else self.loc
        self._heading("Entries")
        self.entries = EntriesSection(self, self._layout, self.controller, base,
                                      self._rename_entry)

    def _remove_entry(self, loc: Loc) -> None:
        from nixos_settings.ui.lockout import confirm

        if confirm(self, self.controller, loc, "remove"):
            self.controller.remove_entry(loc)

    def _rename_entry(self, loc: Loc | None = None) -> None:
        from nixos_settings.ui.lockout import confirm

        loc = loc or self.loc
        if not loc:
            return
        name, ok = QInputDialog.getText(self, "Rename entry", f"New name for {optpath.show(loc)}:",
                                        text=loc[-1])
        if (ok and name.strip() and name.strip() != loc[-1]
                and confirm(self, self.controller, loc, "rename")):
            if self.controller.rename_entry(loc, name.strip()):
                self.controller.open_option((*loc[:-1], name.strip()))

    # -- links ----------------------------------------------------------------------------

    def _on_link(self, href: str) -> None:
        if href.startswith("task:"):
            self.controller.task_requested.emit(href[len("task:"):])
        elif href.startswith("option:"):
            self.controller.open_option_name(href[len("option:"):])
        elif href.startswith("def:"):
            i = int(href[4:])
            if 0 <= i < len(self._defs):
                self.controller.reveal(self._defs[i])
                if len(self._defs) > 1:
                    self._choose_def(i)
        elif href.startswith("#opt-"):
            self.controller.open_option_name(href[len("#opt-"):])
        elif (place := source_place(href)) is not None:  # a module of the configuration
            self.controller.show_source.emit(Path(place[0]), place[1], 1, None)
        else:
            QDesktopServices.openUrl(QUrl(href))
