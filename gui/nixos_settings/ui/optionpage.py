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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix import optpath
from nixos_settings.ui import optiontree as ot

if TYPE_CHECKING:
    from nixos_settings.ui.editors import EditorSpec, ValueEditor

# core.describe (markdown-it) and the editors (type parser) are imported on first use:
# they are not needed to show the window, and start-up time matters.

Loc = tuple[str, ...]


def describe_html(info: Any) -> str:
    """Description of ``info`` as HTML (rendered by core.describe)."""
    if not getattr(info, "description", None):
        return "<p><i>No description.</i></p>"
    from nixos_settings.core.options import describe

    return describe.render_option(info)


def _declaration_link(decl: Any, revision: str | None) -> str:
    name = decl.name
    url = decl.url
    if url is None and not name.startswith(("<", "/")):
        url = f"https://github.com/NixOS/nixpkgs/blob/{revision or 'master'}/{name}"
    if url:
        return f'<a href="{html.escape(url)}">{html.escape(name)}</a>'
    return html.escape(name)


def _wrap_name(name: str) -> str:
    """Let long dotted names wrap after dots (zero-width spaces)."""
    return html.escape(name).replace(".", ".\u200b")


class WrapLabel(QLabel):
    """A word-wrapped label whose size hint is its height at its current width.

    QLabel's own hint assumes an arbitrary narrower width, so layouts grow wrapped labels to
    two or three times the height they need whenever there is spare room.
    """

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.wordWrap() and self.width() > 40:
            h = self.heightForWidth(self.width())
            if h > 0:
                return QSize(hint.width(), h)
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.wordWrap() and self.width() > 40:
            h = self.heightForWidth(self.width())
            if h > 0:
                return QSize(hint.width(), h)
        return hint

    def resizeEvent(self, event: Any) -> None:
        old = event.oldSize().width()
        super().resizeEvent(event)
        if old != event.size().width():
            self.updateGeometry()


class OptionPage(QScrollArea):
    """Scrollable page for one loc; rebuilt when the loc changes, refreshed in place on edits
    so an editor keeps focus while the user types."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.loc: Loc | None = None
        self.kind: str = ""
        self.editor: ValueEditor | None = None
        self._editor_def_count = -1
        self._defs: list[Any] = []
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
        self.__dict__.pop("_where", None)
        while self._layout.count():
            item = self._layout.takeAt(0)
            w = item.widget()
            if w is not None:
                _drop_widget(w)
            elif item.layout() is not None:
                _drop_layout(item.layout())

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
            f"<span style='font-size:15pt; font-weight:600'>{_wrap_name(text)}</span>")
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
        self.kind = kind or self._guess_kind(self.loc)
        self._chosen_def = 0
        self._build()

    def refresh(self) -> None:
        """The configuration changed: update in place when possible, else rebuild."""
        if self.loc is None:
            return
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
        keep = self._chosen_def
        self.kind = self._guess_kind(self.loc) if self.kind != ot.TEMPLATE else self.kind
        self._build()
        if keep < len(self._defs) and keep != self._chosen_def:
            self._choose_def(keep)

    def _guess_kind(self, loc: Loc) -> str:
        opts = self.controller.options
        if opts is None:
            return ot.OPTION if self.controller.definitions(loc) else ot.GROUP
        if opts.get(loc) is not None:
            return ot.TEMPLATE if loc and ot._is_placeholder(loc[-1]) else ot.OPTION
        if self.controller.info(loc) is not None:
            return ot.OPTION
        if loc and ot._is_placeholder(loc[-1]):
            return ot.TEMPLATE
        if opts.is_prefix(loc):
            return ot.GROUP
        if opts.template_prefix_exists(loc):
            return ot.ENTRY
        match = opts.match_prefix(loc)
        if match is not None and self.controller.definitions(loc):
            return ot.ENTRY
        return ot.UNKNOWN if self.controller.definitions(loc) or self._defined_below(loc) \
            else ot.GROUP

    def _defined_below(self, loc: Loc) -> bool:
        cfg = self.controller.cfg
        n = len(loc)
        return cfg is not None and any(tuple(d.loc[:n]) == loc for d in cfg.definitions)

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
        below = self._set_below(self.loc or ())
        if below:
            self._heading(f"Set in your configuration ({len(below)})")
            self._layout.addWidget(self._label(self._links(below)))
        else:
            self._layout.addWidget(self._label("<i>Nothing in this group is set by your "
                                               "configuration.</i>"))

    def _set_below(self, loc: Loc) -> list[Loc]:
        cfg = self.controller.cfg
        if cfg is None:
            return []
        n = len(loc)
        return list(dict.fromkeys(tuple(d.loc) for d in cfg.definitions if tuple(d.loc[:n]) == loc))

    def _links(self, locs: list[Loc], limit: int = 60) -> str:
        items = [f'<a href="option:{html.escape(optpath.show(x))}">'
                 f"{_wrap_name(optpath.show(x))}</a>"
                 for x in locs[:limit]]
        more = f"<br>… and {len(locs) - limit} more" if len(locs) > limit else ""
        return "<br>".join(items) + more

    def _build_unknown(self, name: str) -> None:
        self._title(name)
        warn = self._label(
            f"<p><b style='color:{_warn_colour(self)}'>No option named {html.escape(name)} is "
            "known.</b> NixOS will refuse to build this configuration unless a module of "
            "yours declares it.</p>")
        self._layout.addWidget(warn)
        from nixos_settings.ui.editors import EditorSpec

        sugg = self.controller.suggestions(self.loc)
        if sugg:
            self._heading("Did you mean")
            self._layout.addWidget(self._label(self._links(sugg)))
        self._where_section()
        self._editor_section(EditorSpec("raw", words="Nix expression"), None)

    def _build_entry(self, name: str) -> None:
        assert self.loc is not None
        parent = optpath.show(self.loc[:-1])
        self._title(name, f"An entry of <a href='option:{html.escape(parent)}'>"
                          f"{_wrap_name(parent)}</a>.")
        row = QHBoxLayout()
        rename = QPushButton("Re&name…")
        rename.clicked.connect(self._rename_entry)
        remove = QPushButton("Re&move entry")
        remove.clicked.connect(lambda: self.controller.remove_entry(self.loc))
        row.addWidget(rename)
        row.addWidget(remove)
        row.addStretch(1)
        self._layout.addLayout(row)
        below = self._set_below(self.loc)
        self._heading(f"Set for this entry ({len(below)})")
        self._layout.addWidget(self._label(self._links(below) if below else
                                           "<i>Nothing set yet: pick an option below it in "
                                           "the tree.</i>"))

    def _build_option(self, name: str) -> None:
        """Title, description and type; then what the user acts on (entries, where it is
        set, the editor); then reference facts (default, example, declarations)."""
        from nixos_settings.ui.editors import EditorSpec, editor_spec

        assert self.loc is not None
        info = self.controller.info(self.loc)
        self._title(name)
        if info is None:
            self._layout.addWidget(self._label(
                "<i>Option metadata is not loaded (yet); showing what your configuration "
                "says.</i>"))
            spec = EditorSpec("raw", words="Nix expression")
        else:
            spec = editor_spec(info.type)
            self._summary(info, spec)
        if self.kind == ot.TEMPLATE or spec.kind == "attrs_submodule":
            self._entries_section()
        # entries are edited on their own pages; a whole-value editor only when the
        # configuration defines this attribute set as one value
        entries_only = spec.kind == "attrs_submodule" and not self._defs
        if self.kind != ot.TEMPLATE and not entries_only:
            self._where_section()
            if info is not None and info.read_only:
                self._layout.addWidget(self._label(
                    "<b>This option is read-only</b>: NixOS sets it; it cannot be changed "
                    "here."))
            else:
                self._editor_section(spec, info)
        if info is not None:
            self._reference(info)

    def _summary(self, info: Any, spec: EditorSpec) -> None:
        desc = self._label(describe_html(info))
        desc.setObjectName("description")
        self._layout.addWidget(desc)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        words = spec.words or info.type
        raw = (f" <span style='color:{_dim(self)}'>({html.escape(info.type)})</span>"
               if words != info.type else "")
        form.addRow("Type:", self._label(html.escape(words) + raw))
        self._layout.addLayout(form)

    def _reference(self, info: Any) -> None:
        self._heading("Reference")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for title, lit in (("Default:", info.default), ("Example:", info.example)):
            if lit is None:
                if title == "Default:":
                    form.addRow(title, self._label("<i>none given in the metadata</i>"))
                continue
            text = lit.text if lit.text is not None else ""
            if lit.is_code():
                lab = self._label(text, rich=False)
                lab.setFont(mono)
            else:
                from nixos_settings.core.options import describe

                lab = self._label(describe.render_literal(lit))
            form.addRow(title, lab)
        if info.declarations:
            rev = getattr(getattr(self.controller.options, "source", None), "revision", None)
            links = "<br>".join(_declaration_link(d, rev) for d in info.declarations)
            form.addRow("Declared in:", self._label(links))
        self._layout.addLayout(form)

    def _where_section(self) -> None:
        self._heading("Set in your configuration")
        self._where = self._label("")
        self._where.setObjectName("whereSet")
        self._layout.addWidget(self._where)
        self._def_choice: QComboBox | None = None
        if len(self._defs) > 1:
            row = QHBoxLayout()
            lab = QLabel("&Edit the definition in:")
            combo = QComboBox()
            lab.setBuddy(combo)
            for d in self._defs:
                combo.addItem(self._where_text(d))
            combo.currentIndexChanged.connect(self._choose_def)
            row.addWidget(lab)
            row.addWidget(combo, 1)
            self._layout.addLayout(row)
            self._def_choice = combo
        self._update_where(self._defs)

    def _where_text(self, d: Any) -> str:
        root = self.controller.root
        path = Path(d.file)
        try:
            shown = str(path.relative_to(root.parent)) if root is not None else str(path)
        except ValueError:
            shown = str(path)
        return f"{shown}:{d.line}:{d.column}"

    def _update_where(self, defs: list[Any]) -> None:
        reset = getattr(self, "_reset", None)
        if reset is not None:
            try:
                reset.setEnabled(bool(defs) and all(x.editable for x in defs))
            except RuntimeError:
                pass
        if not hasattr(self, "_where"):
            return
        if not defs:
            self._where.setText("<i>Not set: the default applies.</i>")
            return
        parts = []
        if len(defs) > 1:
            parts.append(f"<b>Defined in {len(defs)} places</b>; NixOS merges them "
                         "(or refuses if they conflict).")
        for i, d in enumerate(defs):
            line = f'<a href="def:{i}">{html.escape(self._where_text(d))}</a>'
            if d.wrappers:
                wr = ", ".join(html.escape(str(w)) for w in d.wrappers)
                line += f" — wrapped in <code>{wr}</code> (edits keep the wrapper)"
            if not d.editable:
                line += f" — <b>not editable here</b>: {html.escape(d.reason or 'unsupported')}"
            parts.append(line)
        self._where.setText("<br>".join(parts))

    def _editor_section(self, spec: EditorSpec, info: Any) -> None:
        assert self.loc is not None
        self._heading("Value")
        d = self._defs[self._chosen_def] if self._defs else None
        box = QVBoxLayout()
        self._editor_box = box
        self._problem = QLabel()
        self._problem.setWordWrap(True)
        self._problem.setObjectName("editorProblem")
        self._problem.setStyleSheet(f"color: {_warn_colour(self)}")
        self._problem.hide()
        self._spec = spec
        self._make_editor(d)
        self._layout.addLayout(box)
        self._layout.addWidget(self._problem)
        buttons = QHBoxLayout()
        reset = QPushButton("&Reset to default")
        reset.setToolTip("Remove the definition from your configuration")
        self._reset = reset
        reset.clicked.connect(lambda: self.controller.unset(self.loc))
        buttons.addWidget(reset)
        buttons.addStretch(1)
        self._layout.addLayout(buttons)
        self._update_where(self._defs)

    def _make_editor(self, d: Any) -> None:
        if self.editor is not None:
            _drop_widget(self.editor)
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
            if self._def_choice is not None and self._def_choice.currentIndex() != index:
                self._def_choice.setCurrentIndex(index)
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

    def _entries_section(self) -> None:
        assert self.loc is not None
        base = self.loc[:-1] if self.kind == ot.TEMPLATE else self.loc
        self._entries_base = base
        self._heading("Entries")
        names = self._entry_names(base)
        lst = QListWidget()
        lst.setAccessibleName("Entries")
        rows = max(2, min(len(names), 8))
        lst.setFixedHeight(rows * lst.fontMetrics().height() + 14)
        for n in names:
            item = QListWidgetItem(n)
            lst.addItem(item)
        lst.itemActivated.connect(lambda it: self.controller.open_option((*base, it.text())))
        self._entries = lst
        self._layout.addWidget(lst)
        row = QHBoxLayout()
        add = QPushButton("&Add…")
        add.clicked.connect(self._add_entry)
        rename = QPushButton("Re&name…")
        rename.clicked.connect(lambda: self._rename_entry(self._selected_entry()))
        remove = QPushButton("Re&move")
        remove.clicked.connect(lambda: self._remove_selected())
        for b in (add, rename, remove):
            row.addWidget(b)
        row.addStretch(1)
        self._layout.addLayout(row)

    def _entry_names(self, base: Loc) -> list[str]:
        cfg = self.controller.cfg
        if cfg is None:
            return []
        n = len(base)
        found = [d.loc[n] for d in (*cfg.definitions, *getattr(cfg, "containers", ()))
                 if len(d.loc) > n and tuple(d.loc[:n]) == base]
        return list(dict.fromkeys(found))

    def _selected_entry(self) -> Loc | None:
        item = self._entries.currentItem()
        return (*self._entries_base, item.text()) if item is not None else None

    def _remove_selected(self) -> None:
        loc = self._selected_entry()
        if loc is not None:
            self.controller.remove_entry(loc)

    def _add_entry(self) -> None:
        where = optpath.show(self._entries_base)
        name, ok = QInputDialog.getText(self, "Add entry", f"Name of the new entry in {where}:")
        if ok and name.strip():
            if self.controller.add_entry(self._entries_base, name.strip()):
                self.controller.open_option((*self._entries_base, name.strip()))

    def _rename_entry(self, loc: Loc | None = None) -> None:
        loc = loc or self.loc
        if not loc:
            return
        name, ok = QInputDialog.getText(self, "Rename entry", f"New name for {optpath.show(loc)}:",
                                        text=loc[-1])
        if ok and name.strip() and name.strip() != loc[-1]:
            if self.controller.rename_entry(loc, name.strip()):
                self.controller.open_option((*loc[:-1], name.strip()))

    # -- links ----------------------------------------------------------------------------

    def _on_link(self, href: str) -> None:
        if href.startswith("option:"):
            self.controller.open_option_name(href[len("option:"):])
        elif href.startswith("def:"):
            i = int(href[4:])
            if 0 <= i < len(self._defs):
                self.controller.reveal(self._defs[i])
                if len(self._defs) > 1:
                    self._choose_def(i)
        elif href.startswith("#opt-"):
            self.controller.open_option_name(href[len("#opt-"):])
        else:
            QDesktopServices.openUrl(QUrl(href))


def _drop_widget(w: QWidget) -> None:
    # hide and unparent now: deleteLater alone leaves it painted until the loop runs again
    w.hide()
    w.setParent(None)
    w.deleteLater()


def _drop_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            _drop_widget(item.widget())
        elif item.layout() is not None:
            _drop_layout(item.layout())


def _warn_colour(w: QWidget) -> str:
    return "#ff7b72" if w.palette().color(QPalette.ColorRole.Base).lightness() < 128 else "#b31d28"


def _dim(w: QWidget) -> str:
    """A muted text colour: halfway between text and background (readable on both)."""
    pal = w.palette()
    t, b = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
    return QColor((t.red() + b.red()) // 2, (t.green() + b.green()) // 2,
                  (t.blue() + b.blue()) // 2).name()
