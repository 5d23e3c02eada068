"""The main window: tree + search on the left, option page and source view on the right,
problems (and the rebuild panel, when present) in docks, status in the status bar."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QFileSystemWatcher,
    QModelIndex,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStatusBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.nix import optpath
from nixos_settings.ui.controller import Controller, ProblemItem, default_options_loader
from nixos_settings.ui.optionpage import OptionPage
from nixos_settings.ui.optiontree import OptionTreeModel
from nixos_settings.ui.reviewdialog import ChangedOnDiskDialog, ReviewDialog
from nixos_settings.ui.searchbar import LIMIT, SearchBar
from nixos_settings.ui.sourceview import SourceView

APP_NAME = "NixOS Settings"


def icon_path() -> Path | None:
    """The app's SVG icon (repository ``resources/`` or installed package data)."""
    here = Path(__file__).resolve()
    candidates = [
        here.parents[1] / "resources",
        here.parents[3] / "resources",
        Path("/usr/share/icons/hicolor/scalable/apps"),
    ]
    for base in candidates:
        if base.is_dir():
            found = sorted(base.rglob("*.svg"))
            if found:
                return found[0]
    return None


def default_size(available: QSize) -> tuple[int, int]:
    """1280×820, or 90 % of the screen when that is smaller (high DPI, small laptops)."""
    return (min(1280, int(available.width() * 0.9)), min(820, int(available.height() * 0.9)))


class MainWindow(QMainWindow):
    """The application window.  ``controller`` holds all state; the window wires views."""

    def __init__(self, controller: Controller | None = None) -> None:
        super().__init__()
        self.controller = controller or Controller(self)
        self.settings = QSettings("nixos-settings", "nixos-settings")
        self._problems: list[ProblemItem] = []
        self._confirm_quit = True
        self.setWindowTitle(APP_NAME)
        ip = icon_path()
        if ip is not None:
            self.setWindowIcon(QIcon(str(ip)))
        self._build_widgets()
        self._build_actions()
        self._wire()
        self._restore_geometry()
        self.page.show_welcome()  # now that the window (and its icon) exist
        self._update_status()

    # -- construction -----------------------------------------------------------------

    def _build_widgets(self) -> None:
        c = self.controller
        self.search = SearchBar()
        self.model = OptionTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName("Options")
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 260)
        self.banner = QWidget()
        self.banner.setObjectName("metadataBanner")
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(6, 4, 6, 4)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton("Load options file…")
        self.banner_button.clicked.connect(self.choose_options_file)
        bl.addWidget(self.banner_text, 1)
        bl.addWidget(self.banner_button)
        self.banner.hide()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(6, 6, 0, 6)
        ll.addWidget(self.search)
        ll.addWidget(self.tree, 1)
        self.page = OptionPage(c)
        self.source = SourceView()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.page)
        right.addWidget(self.source)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([480, 320])
        self.right_split = right
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([430, 770])
        self.main_split = split
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.banner)
        cl.addWidget(self._build_disk_banner())
        cl.addWidget(split, 1)
        self.setCentralWidget(central)
        self.problems = QListWidget()
        self.problems.setAccessibleName("Problems")
        self.problems.itemActivated.connect(self._problem_activated)
        self.problems.itemClicked.connect(self._problem_activated)
        self.problems_dock = QDockWidget("Problems", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.hide()
        self.rebuild_dock: QDockWidget | None = None
        sb = QStatusBar()
        self.setStatusBar(sb)
        self.status_meta = QLabel()
        self.status_problems = QToolButton()
        self.status_problems.setAutoRaise(True)
        self.status_problems.clicked.connect(self._toggle_problems)
        self.status_pending = QToolButton()
        self.status_pending.setAutoRaise(True)
        self.status_pending.clicked.connect(self.review)
        sb.addPermanentWidget(self.status_meta)
        sb.addPermanentWidget(self.status_problems)
        sb.addPermanentWidget(self.status_pending)

    def _build_disk_banner(self) -> QWidget:
        """"A file changed on disk" bar with Reload / Compare (fed by a file watcher)."""
        self.disk_banner = QWidget()
        self.disk_banner.setObjectName("diskBanner")
        self.disk_banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self.disk_banner)
        lay.setContentsMargins(6, 4, 6, 4)
        self.disk_text = QLabel()
        self.disk_text.setWordWrap(True)
        reload_b = QPushButton("Reload")
        reload_b.clicked.connect(self._disk_reload)
        compare = QPushButton("Compare…")
        compare.clicked.connect(self._disk_compare)
        lay.addWidget(self.disk_text, 1)
        lay.addWidget(compare)
        lay.addWidget(reload_b)
        self.disk_banner.hide()
        self._changed_on_disk: list[Path] = []
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)
        return self.disk_banner

    def _watch_files(self) -> None:
        old = self.watcher.files()
        if old:
            self.watcher.removePaths(old)
        cfg = self.controller.cfg
        if cfg is not None:
            self.watcher.addPaths([str(p) for p in cfg.documents])
        self._changed_on_disk = []
        self.disk_banner.hide()

    def _file_changed(self, name: str) -> None:
        path = Path(name)
        if path.exists() and name not in self.watcher.files():
            self.watcher.addPath(name)  # an atomic replace drops the watch
        cfg = self.controller.cfg
        if cfg is None or path not in cfg.documents:
            return
        doc = cfg.documents[path]
        from nixos_settings.core.config.document import sha256

        disk = self.controller.disk_bytes(path)
        if disk is not None and sha256(disk) == doc.disk_sha256:
            return  # our own save, or a touch without changes
        if path not in self._changed_on_disk:
            self._changed_on_disk.append(path)
        names = ", ".join(self.controller.display_name(p) for p in self._changed_on_disk)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        bg, fg = ("#5a1d1d", "#ffe1e1") if dark else ("#ffe3e3", "#5a0000")
        self.disk_banner.setStyleSheet(f"#diskBanner {{ background: {bg}; }} "
                                       f"#diskBanner QLabel {{ color: {fg}; }}")
        self.disk_text.setText(
            f"<b>{html.escape(names)} changed on disk</b> since it was opened. Reload to see "
            "the new content (pending changes are dropped), or compare first. Saving will not "
            "overwrite it without asking.")
        self.disk_banner.show()

    def _disk_reload(self) -> None:
        if self._maybe_discard("reload from disk"):
            self.controller.reload()

    def _disk_compare(self) -> None:
        paths = [p for p in self._changed_on_disk if self.controller.cfg is not None
                 and p in self.controller.cfg.documents]
        if not paths:
            return
        dlg = ChangedOnDiskDialog(self.controller, paths, self)
        dlg.exec()
        if dlg.choice == "reload":
            self.controller.reload()
        elif dlg.choice == "overwrite":
            self.save(paths)

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        if tip:
            act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        c = self.controller
        K = QKeySequence.StandardKey
        self.act_open = self._action("&Open configuration…", self.choose_configuration, K.Open)
        self.act_save = self._action("&Save", self.save, K.Save, "Write pending changes")
        self.act_review = self._action("&Review changes…", self.review, QKeySequence("Ctrl+D"))
        self.act_reload = self._action("Re&load from disk", self.reload, K.Refresh)
        self.act_options = self._action("Load &options file…", self.choose_options_file)
        self.act_quit = self._action("&Quit", self.close, K.Quit)
        self.act_undo = c.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(K.Undo)
        self.act_redo = c.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(K.Redo)])
        self.act_find = self._action("&Find option", self.search.focus_field)
        self.act_find.setShortcuts([QKeySequence(K.Find), QKeySequence("Ctrl+K")])
        self.act_only_set = QAction("Only what my configuration &sets", self)
        self.act_only_set.setCheckable(True)
        self.act_only_set.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.act_only_set.toggled.connect(self.search.only_set.setChecked)
        self.search.only_set.toggled.connect(self.act_only_set.setChecked)
        self.search.only_set.toggled.connect(self._only_set_toggled)
        self.act_tree = self._action("Go to &tree", lambda: self.tree.setFocus(),
                                     QKeySequence("Ctrl+1"))
        self.act_page = self._action("Go to option &page", self._focus_page, QKeySequence("Ctrl+2"))
        self.act_source = self._action("Go to s&ource view", lambda: self.source.code.setFocus(),
                                       QKeySequence("Ctrl+3"))
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.act_open, self.act_options, None, self.act_review, self.act_save,
                  self.act_reload, None, self.act_quit):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&Edit")
        for a in (self.act_undo, self.act_redo, None, self.act_find):
            m.addSeparator() if a is None else m.addAction(a)
        m = mb.addMenu("&View")
        for a in (self.act_only_set, None, self.act_tree, self.act_page, self.act_source):
            m.addSeparator() if a is None else m.addAction(a)
        m.addAction(self.problems_dock.toggleViewAction())
        self.tools_menu = mb.addMenu("&System")
        self._add_rebuild_panel()

    def _add_rebuild_panel(self) -> None:
        """Dock helper-2's rebuild panel when it is installed (never required)."""
        try:
            from nixos_settings.ui import rebuild_panel
        except Exception:
            act = QAction("Apply with nixos-rebuild… (not available in this build)", self)
            act.setEnabled(False)
            self.tools_menu.addAction(act)
            return
        cls = getattr(rebuild_panel, "RebuildPanel", None)
        if cls is None:
            return
        try:
            panel = cls(self)
        except TypeError:
            panel = cls()
        self.rebuild_panel = panel
        dock = QDockWidget("Apply (nixos-rebuild)", self)
        dock.setObjectName("rebuildDock")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        self.rebuild_dock = dock
        show = dock.toggleViewAction()
        show.setText("&Apply changes (nixos-rebuild)…")
        show.setShortcut(QKeySequence("Ctrl+R"))
        self.tools_menu.addAction(show)
        gens_cls = getattr(rebuild_panel, "GenerationsWidget", None)
        if gens_cls is not None:
            gens = gens_cls(panel, parent=self)
            gdock = QDockWidget("System generations", self)
            gdock.setObjectName("generationsDock")
            gdock.setWidget(gens)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, gdock)
            gdock.hide()
            self.generations = gens
            self.generations_dock = gdock
            gshow = gdock.toggleViewAction()
            gshow.setText("System &generations and rollback…")
            gdock.visibilityChanged.connect(lambda visible: visible and gens.refresh())
            self.tools_menu.addAction(gshow)
        self._configure_rebuild_panel()

    def _configure_rebuild_panel(self) -> None:
        """Point the rebuild panel at the opened configuration (file or flake host)."""
        panel = getattr(self, "rebuild_panel", None)
        cfg = self.controller.cfg
        if panel is None or cfg is None:
            return
        host = getattr(cfg, "flake_host", None)
        if host:
            panel.set_flake(f"{Path(cfg.root).parent}#{host}")
        else:
            panel.set_flake(None)
            panel.set_config_path(cfg.root)
        if not getattr(self, "_linked", False):
            panel.locationActivated.connect(self._open_location)
            panel.started.connect(self._rebuild_started)
            self.controller.config_changed.connect(lambda _l: panel.mark_changed())
            self._linked = True

    def _rebuild_started(self, _request: object) -> None:
        if self.controller.dirty_paths():
            self.statusBar().showMessage(
                "Unsaved changes are not part of this rebuild: nixos-rebuild reads the files "
                "on disk. Save first (Ctrl+S) to include them.", 15000)

    def _open_location(self, path: Any, line: int = 1, column: int = 1) -> None:
        self.source.show_location(Path(path), int(line), int(column or 1))

    def _wire(self) -> None:
        c = self.controller
        self.search.install_shortcuts(self)
        self.search.set_search(None)
        self.search.active_changed.connect(lambda on: self.tree.setVisible(not on))
        self.search.option_chosen.connect(c.open_option)
        self.tree.selectionModel().currentChanged.connect(self._tree_current)
        self.tree.expanded.connect(lambda i: self.model.set_expanded(i, True))
        self.tree.collapsed.connect(lambda i: self.model.set_expanded(i, False))
        self.tree.activated.connect(lambda _i: self._focus_page())
        c.config_loaded.connect(self._on_config_loaded)
        c.config_changed.connect(self._on_config_changed)
        c.options_loaded.connect(self._on_options_loaded)
        c.options_failed.connect(self._on_options_failed)
        c.options_progress.connect(lambda msg: self.statusBar().showMessage(msg, 4000))
        c.edit_refused.connect(self._on_refused)
        c.current_changed.connect(self._on_current)
        c.dirty_changed.connect(self._safe_update_status)
        c.undo_stack.indexChanged.connect(self._safe_update_status)
        c.show_source.connect(
            lambda p, line, col, span: self.source.show_location(p, line, col, span))

    # -- geometry ----------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geo = self.settings.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(*default_size(self.screen().availableGeometry().size()))
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        for key, split in (("window/main_split", self.main_split),
                           ("window/right_split", self.right_split)):
            val = self.settings.value(key)
            if isinstance(val, QByteArray) and not val.isEmpty():
                split.restoreState(val)

    def _save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/main_split", self.main_split.saveState())
        self.settings.setValue("window/right_split", self.right_split.saveState())

    # -- opening ----------------------------------------------------------------------------

    def open_configuration(self, path: Path | str, flake_host: str | None = None) -> bool:
        """Open a configuration; problems are shown, never raised."""
        try:
            if flake_host is not None or str(path).endswith("flake.nix"):
                from nixos_settings.core.config.configuration import Configuration

                if flake_host is None:
                    flake_host = self.choose_flake_host(Path(path))
                    if flake_host is None:
                        return False
                self.controller._set_config(Configuration.load_flake(path, flake_host))
            else:
                self.controller.open(path)
        except (NixSettingsError, OSError) as err:
            QMessageBox.warning(self, APP_NAME, f"Cannot open the configuration:\n{err}")
            self._update_status()
            return False
        return True

    def choose_flake_host(self, path: Path) -> str | None:
        """Which ``nixosConfigurations`` host to open; asks when the flake has several.
        Hosts that cannot be read without evaluating Nix are named but not offered."""
        from nixos_settings.core.config.configuration import flake_hosts
        from nixos_settings.core.config.document import Document

        hosts = flake_hosts(Document.read(path))
        readable = [h.name for h in hosts if h.problem is None]
        if not hosts:
            raise NixSettingsError(f"{path}: no nixosConfigurations found in this flake")
        if not readable:
            raise NixSettingsError(f"{path}: {hosts[0].name}: {hosts[0].problem}")
        if len(readable) == 1:
            return readable[0]
        skipped = [h.name for h in hosts if h.problem is not None]
        note = (f"\n(not readable without evaluating Nix: {', '.join(skipped)})"
                if skipped else "")
        name, ok = QInputDialog.getItem(self, APP_NAME,
                                        f"This flake defines several systems.{note}\n"
                                        "Which one do you want to configure?",
                                        readable, 0, False)
        return name if ok else None

    def load_options(self, spec: str | None) -> None:
        """Start loading option metadata in the background."""
        self.status_meta.setText("Loading option metadata…")
        self.controller.load_options(default_options_loader(spec, self.controller.root))

    def choose_configuration(self) -> None:
        if not self._maybe_discard("open another configuration"):
            return
        start = str(self.controller.root.parent) if self.controller.root else "/etc/nixos"
        path, _ = QFileDialog.getOpenFileName(self, "Open configuration", start,
                                              "Nix files (*.nix)")
        if path:
            self.open_configuration(path)

    def choose_options_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load option metadata", str(Path.home()),
            "Options JSON (*.json *.json.gz *.json.br);;All files (*)")
        if path:
            self.load_options(path)

    # -- reactions ------------------------------------------------------------------------------

    def _on_config_loaded(self) -> None:
        self._watch_files()
        root = self.controller.root
        self.setWindowTitle(f"{APP_NAME} — {root}" if root else APP_NAME)
        self._rebuild_tree(keep_state=False)
        cfg = self.controller.cfg
        self.source.set_documents({p: cfg.documents[p] for p in cfg.files}
                                  if hasattr(cfg, "files") else cfg.documents, root)
        if self.controller.current:
            self.page.show_loc(self.controller.current)
        else:
            self.page.show_welcome()
        self._refresh_problems()
        self._configure_rebuild_panel()
        self._update_status()

    def _on_config_changed(self, locs: Any) -> None:
        self._rebuild_tree(keep_state=True)
        cfg = self.controller.cfg
        self.source.refresh({p: cfg.documents[p] for p in cfg.files})
        self.page.refresh()
        self._reveal_current()
        changed = [tuple(x) for x in (locs or ())]
        if changed:  # show where the edit landed
            self._reveal_first(changed[-1])
        self._refresh_problems()
        self._update_status()

    def _on_options_loaded(self) -> None:
        opts = self.controller.options
        self.search.set_search(self._search)
        self._rebuild_tree(keep_state=True)
        if self.page.loc is not None:
            self.page.show_loc(self.page.loc)
        self._refresh_problems()
        problem = getattr(opts, "problem", None)
        if problem or not len(opts):
            self._show_banner(problem or "The option metadata is empty.")
        else:
            self.banner.hide()
        self._update_status()

    def _on_options_failed(self, message: str) -> None:
        self._show_banner(f"Option metadata could not be loaded: {message}")
        self._update_status()

    def _show_banner(self, text: str) -> None:
        text = text.strip()
        if text and text[-1] not in ".!?":
            text += "."
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        bg, fg = ("#4d3b00", "#fff3c4") if dark else ("#fff4ce", "#3b2f00")
        self.banner.setStyleSheet(f"#metadataBanner {{ background: {bg}; }} "
                                  f"#metadataBanner QLabel {{ color: {fg}; }}")
        self.banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.banner_text.setText(
            f"<b>No option metadata.</b> {html.escape(text)} Your configuration is still shown "
            "and can be "
            "edited as Nix expressions; load an options file to get descriptions, types and "
            "search.")
        self.banner.show()

    def _on_refused(self, message: str) -> None:
        self.statusBar().showMessage(f"Not changed: {message}", 10000)
        self.page.show_problem(message)

    def _on_current(self, loc: tuple[str, ...]) -> None:
        index = self.model.index_for(loc)
        kind = None
        if index.isValid():
            node = self.model.node(index)
            kind = node.kind if node is not None else None
            sel = self.tree.selectionModel()
            sel.blockSignals(True)
            self.tree.setCurrentIndex(index)
            sel.blockSignals(False)
            self.tree.scrollTo(index)
        self.page.show_loc(loc, kind)
        self._reveal_first(loc)

    def _reveal_first(self, loc: tuple[str, ...]) -> None:
        """Show the first definition of ``loc`` (or below it) in the source view."""
        cfg = self.controller.cfg
        if cfg is None:
            return
        defs = cfg.find_any(tuple(loc)) if hasattr(cfg, "find_any") else cfg.find(tuple(loc))
        if not defs:
            n = len(loc)
            defs = [d for d in cfg.definitions if tuple(d.loc[:n]) == tuple(loc)][:1]
        if defs:
            self.controller.reveal(defs[0])

    def _tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.model.node(current)
        if node is None:
            return
        self.controller.current = node.loc
        self.page.show_loc(node.loc, node.kind)
        if node.is_set or node.set_below:
            self._reveal_first(node.loc)

    def _reveal_current(self) -> None:
        loc = self.controller.current
        if loc is None:
            return
        index = self.model.index_for(loc)
        if index.isValid():
            sel = self.tree.selectionModel()
            sel.blockSignals(True)
            self.tree.setCurrentIndex(index)
            sel.blockSignals(False)

    def _focus_page(self) -> None:
        if self.page.editor is not None:
            self.page.editor.setFocus()
            self.page.editor.focusNextChild() if not self.page.editor.hasFocus() else None
        else:
            self.page.setFocus()

    def _only_set_toggled(self, on: bool) -> None:
        self._rebuild_tree(keep_state=True, only_set=on)

    def _search(self, query: str) -> list[Any]:
        index = self.controller.index
        if index is None:
            return []
        only = None
        if self.search.only_set.isChecked() and self.controller.cfg is not None:
            only = [tuple(d.loc) for d in self.controller.cfg.definitions]
        return list(index.search(query, LIMIT, only=only))

    # -- tree ------------------------------------------------------------------------------------

    def _expanded_locs(self) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = []
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(self.model.rowCount(parent) if (not parent.isValid() or
                             self.tree.isExpanded(parent)) else 0):
                idx = self.model.index(row, 0, parent)
                if self.tree.isExpanded(idx):
                    node = self.model.node(idx)
                    if node is not None:
                        out.append(node.loc)
                    stack.append(idx)
        return out

    def _rebuild_tree(self, keep_state: bool, only_set: bool | None = None) -> None:
        cfg = self.controller.cfg
        if (keep_state and only_set is None and cfg is not None
                and self.model.tree.options is self.controller.options
                and self.model.update_definitions(cfg.definitions,
                                                  getattr(cfg, "containers", []))):
            return
        expanded = self._expanded_locs() if keep_state else []
        scroll = self.tree.verticalScrollBar().value()
        defs = cfg.definitions if cfg is not None else []
        containers = getattr(cfg, "containers", []) if cfg is not None else []
        self.model.reset(self.controller.options, defs, only_set, containers)
        for loc in expanded:
            idx = self.model.index_for(loc)
            if idx.isValid():
                self.tree.setExpanded(idx, True)
        self._reveal_current()
        if keep_state:
            QTimer.singleShot(0, lambda: self.tree.verticalScrollBar().setValue(scroll))

    # -- problems ------------------------------------------------------------------------------

    def _refresh_problems(self) -> None:
        items: list[ProblemItem] = []
        cfg = self.controller.cfg
        if cfg is not None:
            for n in cfg.notes:
                items.append(ProblemItem(n.severity, n.message, Path(n.path), n.line, n.column))
            if self.controller.options is not None and len(self.controller.options):
                for n, (loc, d) in enumerate(self.model.tree.unknown_definitions()):
                    # suggestions cost a fuzzy match each: eager for the first ones only,
                    # the option page computes them for any unknown option it shows
                    sugg = self.controller.suggestions(loc) if n < 20 else []
                    hint = (f" — did you mean {', '.join(optpath.show(s) for s in sugg)}?"
                            if sugg else "")
                    items.append(ProblemItem(
                        "warning", f"unknown option {optpath.show(loc)}{hint}",
                        Path(d.file), d.line, d.column, loc))
        self._problems = items
        self.problems.clear()
        for it in items:
            where = it.where()
            root = self.controller.root
            if where and root is not None:
                where = where.replace(str(root.parent) + os.sep, "")
            text = f"{it.severity}: {where + ': ' if where else ''}{it.message}"
            li = QListWidgetItem(text)
            li.setToolTip(text)
            self.problems.addItem(li)
        if any(i.severity == "error" for i in items) and not self.problems_dock.isVisible():
            self.problems_dock.show()
            self.resizeDocks([self.problems_dock], [150], Qt.Orientation.Vertical)

    def _problem_activated(self, item: QListWidgetItem) -> None:
        row = self.problems.row(item)
        if not 0 <= row < len(self._problems):
            return
        p = self._problems[row]
        if p.loc is not None:
            self.controller.open_option(p.loc)
        if p.path is not None and p.line:
            self.source.show_location(p.path, p.line, p.column or 1)

    def _toggle_problems(self) -> None:
        self.problems_dock.setVisible(not self.problems_dock.isVisible())

    # -- status ----------------------------------------------------------------------------------

    def _safe_update_status(self, *_args: object) -> None:
        try:
            self._update_status()
        except RuntimeError:  # signals from the undo stack while the window is destroyed
            pass

    def _update_status(self) -> None:
        c = self.controller
        opts = c.options
        if opts is None:
            meta = "Options: loading…" if c.load_error is None else "Options: none"
        else:
            src = getattr(opts, "source", None)
            shown = src.display() if src is not None and hasattr(src, "display") else "loaded"
            meta = f"Options: {shown} — {len(opts):,} options"
        self.status_meta.setText(meta)
        n_err = sum(1 for p in self._problems if p.severity == "error")
        n_warn = len(self._problems) - n_err
        self.status_problems.setText(
            f"{n_err} error{'s' if n_err != 1 else ''}, "
            f"{n_warn} warning{'s' if n_warn != 1 else ''}"
            if self._problems else "No problems")
        pending = len(c.dirty_paths())
        steps = len(c.pending_changes())
        self.status_pending.setText(
            f"{steps} pending change{'s' if steps != 1 else ''} in {pending} file"
            f"{'s' if pending != 1 else ''} — review" if pending else "No pending changes")
        self.act_save.setEnabled(bool(pending))
        root = c.root
        title = f"{APP_NAME} — {root}" if root else APP_NAME
        self.setWindowTitle(("• " if pending else "") + title)

    # -- edit lifecycle ----------------------------------------------------------------------------

    def review(self) -> None:
        dlg = ReviewDialog(self.controller, self)
        if dlg.exec() and dlg.paths:
            self.save()

    #: whether to offer a git commit after saving (tests turn it off or answer it)
    offer_git_commit = True

    def save(self, overwrite: list[Path] | None = None) -> bool:
        """Save pending changes; asks what to do when files changed on disk."""
        options = self.controller.pending_options()
        out = self.controller.save(overwrite or [])
        if out.changed_on_disk:
            dlg = ChangedOnDiskDialog(self.controller, out.changed_on_disk, self)
            dlg.exec()
            if dlg.choice == "reload":
                self.controller.reload()
                self.statusBar().showMessage("Reloaded from disk; your changes were dropped.", 8000)
                return False
            if dlg.choice == "overwrite":
                return self.save(out.changed_on_disk)
            return False
        if out.errors:
            QMessageBox.warning(self, APP_NAME, "Some files were not saved:\n\n" +
                                "\n".join(out.errors))
        for p in (*out.written, *out.privileged):
            if p in self._changed_on_disk:
                self._changed_on_disk.remove(p)
        if not self._changed_on_disk:
            self.disk_banner.hide()
        saved = len(out.written) + len(out.privileged)
        if saved and self.offer_git_commit:
            self._maybe_commit([*out.written, *out.privileged], options)
        if saved:
            via = " (with administrator rights)" if out.privileged else ""
            plural = "s" if saved != 1 else ""
            self.statusBar().showMessage(f"Saved {saved} file{plural}{via}.", 8000)
        self._update_status()
        return not out.errors

    def ask_commit(self, repo: Path, options: list[str]) -> bool:
        """Ask whether to commit the saved files (tests replace this)."""
        shown = "\n".join(f"  • {o}" for o in options[:12])
        more = f"\n  … and {len(options) - 12} more" if len(options) > 12 else ""
        answer = QMessageBox.question(
            self, APP_NAME,
            f"Your configuration is in a git repository ({repo}).\n\n"
            f"Commit the saved files with a message listing the changed options?\n\n"
            f"{shown}{more}",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _maybe_commit(self, files: list[Path], options: list[str]) -> None:
        repo = self.controller.git_repo()
        if repo is None or not self.ask_commit(repo, options):
            return
        from nixos_settings.core.edit.vcs import VcsError

        try:
            self.controller.commit_to_git(files, options)
        except VcsError as err:
            QMessageBox.warning(self, APP_NAME, f"The files were saved, but not committed:\n{err}")
            return
        self.statusBar().showMessage("Saved and committed to git.", 8000)

    def reload(self) -> None:
        if self._maybe_discard("reload from disk"):
            self.controller.reload()

    def _maybe_discard(self, what: str) -> bool:
        """True when there is nothing unsaved, or the user chose to save or discard."""
        if not self.controller.dirty_paths():
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(APP_NAME)
        box.setText(f"You have unsaved changes. Save them before you {what}?")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._confirm_quit and not self._maybe_discard("quit"):
            event.ignore()
            return
        self._save_geometry()
        event.accept()
