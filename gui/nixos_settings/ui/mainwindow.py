"""The main window: tree + search on the left, option page and source view on the right,
problems (and the rebuild panel) in docks, status in the status bar.

The window composes its parts and routes the controller's signals to them:
:class:`~nixos_settings.ui.treepane.TreePane` (search and tree),
:class:`~nixos_settings.ui.banners.MetadataBanner` and ``DiskBanner``,
:class:`~nixos_settings.ui.problemsdock.ProblemsDock`,
:class:`~nixos_settings.ui.statusline.StatusLine`,
:class:`~nixos_settings.ui.menus.WindowActions`,
:class:`~nixos_settings.ui.rebuild_docks.RebuildDocks`, and the flows for opening
(:mod:`~nixos_settings.ui.opening`) and saving (:mod:`~nixos_settings.ui.saving`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QSplitter,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix.optpath import Loc
from nixos_settings.ui import APP_NAME
from nixos_settings.ui.banners import DiskBanner, MetadataBanner
from nixos_settings.ui.controller import Controller
from nixos_settings.ui.evaluation import TreeEvaluation
from nixos_settings.ui.fleetdock import add_fleet_dock
from nixos_settings.ui.menus import Slots, WindowActions
from nixos_settings.ui.opening import OpeningFlow
from nixos_settings.ui.optionpage import OptionPage
from nixos_settings.ui.optiontree import TreeNode
from nixos_settings.ui.placement import ask_inside_condition
from nixos_settings.ui.problemsdock import ProblemsDock
from nixos_settings.ui.rebuild_docks import RebuildDocks
from nixos_settings.ui.saving import SavingFlow
from nixos_settings.ui.saving import ask_commit as ask_commit_dialog
from nixos_settings.ui.sourceview import SourceView
from nixos_settings.ui.statusline import StatusLine
from nixos_settings.ui.syntaxbanner import SyntaxBanner, syntax_problems
from nixos_settings.ui.taskpage import add_task_dock
from nixos_settings.ui.treepane import TreePane, reveal_first

#: how the status bar starts a refused edit's message
REFUSED = "Not changed: "

__all__ = ["APP_NAME", "MainWindow", "default_size", "dock_limits", "first_focusable",
           "icon_path"]

#: the most of the window a docked panel may take: side docks, top/bottom docks
SIDE_DOCK_SHARE = 1 / 3
BOTTOM_DOCK_SHARE = 0.4
_SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def dock_limits(window: QMainWindow) -> tuple[int, int]:
    """Largest width of a side dock and height of a top or bottom dock in ``window``."""
    return int(window.width() * SIDE_DOCK_SHARE), int(window.height() * BOTTOM_DOCK_SHARE)


def _docked(window: QMainWindow) -> list[tuple[QDockWidget, bool]]:
    """The docks of ``window`` that are docked, each with whether it is on a side."""
    out = []
    for dock in window.findChildren(QDockWidget):
        area = window.dockWidgetArea(dock)
        if not dock.isFloating() and area != Qt.DockWidgetArea.NoDockWidgetArea:
            out.append((dock, area in _SIDES))
    return out


def relax_dock_minimums(window: QMainWindow) -> None:
    """A dock's own minimum size may not exceed its share of ``window`` (a panel asking
    for 340 pixels on a small screen or at ``QT_SCALE_FACTOR=2``)."""
    wide, tall = dock_limits(window)
    for dock, side in _docked(window):
        if side and dock.minimumWidth() > wide:
            dock.setMinimumWidth(wide)
        elif not side and dock.minimumHeight() > tall:
            dock.setMinimumHeight(tall)


def fit_docks(window: QMainWindow) -> None:
    """Shrink docked panels that take more than their share of ``window`` (a remembered
    state from a larger window or screen, or a panel's own size hint on a small screen)."""
    relax_dock_minimums(window)
    wide, tall = dock_limits(window)
    fits: dict[Qt.Orientation, tuple[list[QDockWidget], list[int]]] = {
        Qt.Orientation.Horizontal: ([], []), Qt.Orientation.Vertical: ([], [])}
    for dock, side in _docked(window):
        limit, size = (wide, dock.width()) if side else (tall, dock.height())
        if not dock.isHidden() and size > limit:
            docks, sizes = fits[Qt.Orientation.Horizontal if side else Qt.Orientation.Vertical]
            docks.append(dock)
            sizes.append(limit)
    for orientation, (docks, sizes) in fits.items():
        if docks:
            window.resizeDocks(docks, sizes, orientation)


def share_split(split: QSplitter) -> None:
    """Tree 2/5, page and source 3/5 of what the docks leave (Qt gives all the room a
    shrunk dock frees to the first pane)."""
    total = sum(split.sizes())
    if total > 0:
        split.setSizes([total * 2 // 5, total - total * 2 // 5])


def first_focusable(widget: QWidget | None) -> QWidget | None:
    """The first visible, enabled widget in ``widget`` that takes focus by Tab."""
    if widget is None:
        return None
    for child in widget.findChildren(QWidget):
        if (child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.isVisibleTo(widget)
                and child.isEnabled()):
            return child
    return None


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

    #: whether to offer a git commit after saving (tests turn it off or answer it)
    offer_git_commit = True

    def __init__(self, controller: Controller | None = None) -> None:
        super().__init__()
        self.controller = c = controller or Controller(self)
        self.settings = QSettings("nixos-settings", "nixos-settings")
        self._confirm_quit = True
        self._docks_fitted = False
        self._split_restored = False
        self.setWindowTitle(APP_NAME)
        ip = icon_path()
        if ip is not None:
            self.setWindowIcon(QIcon(str(ip)))
        self.panes = TreePane(c)
        self.search, self.model, self.tree = self.panes.search, self.panes.model, self.panes.tree
        self.page = OptionPage(c)
        self.source = SourceView()
        self.banner = MetadataBanner(lambda: self.opening.choose_options_file())
        self.disk_banner = DiskBanner(lambda: c.cfg, c.changed_on_disk, c.display_name,
                                      lambda: self.reload(),
                                      lambda: self.saving.compare_changed_on_disk())
        self.syntax_banner = SyntaxBanner(c.display_name)
        self._build_layout()
        from nixos_settings.ui import software  # the Software tab beside the option tree

        self.software = software.install(self, c, self.panes)
        self.problems_dock = ProblemsDock(c, self.model, self.source, self)
        self.problems = self.problems_dock.list
        self.setStatusBar(QStatusBar())
        self.status = StatusLine(self.statusBar(), self.problems_dock.toggle, self.review)
        self.saving = SavingFlow(self, c, self.disk_banner,
                                 lambda repo, options: self.ask_commit(repo, options),
                                 lambda: self.offer_git_commit, self._update_status)
        self.opening = OpeningFlow(self, c, self.status.meta, self.saving.maybe_discard,
                                   self._update_status)
        self.menu_actions = WindowActions(self, Slots(
            open=self.opening.choose_configuration, save=self.save, review=self.review,
            reload=self.reload, load_options=self.opening.choose_options_file,
            quit=self.close, focus_tree=lambda: self.tree.setFocus(),
            focus_page=self._focus_page, focus_source=lambda: self.source.code.setFocus(),
        ), c.undo_stack, self.search, self.problems_dock)
        self.rebuild = RebuildDocks(self, c, self.source, self.menu_actions.system,
                                    self.menu_actions.keys)
        self.rebuild_panel, self.rebuild_dock = self.rebuild.panel, self.rebuild.dock
        self.generations = self.rebuild.generations
        self.generations_dock = self.rebuild.generations_dock
        self.tasks_dock = add_task_dock(self, c)
        if self.tasks_dock.widget() is not None and not self.tasks_dock.widget().accessibleName():
            self.tasks_dock.widget().setAccessibleName("Tasks")
        self.fleet_dock = add_fleet_dock(self, c, lambda: dock_limits(self)[1])
        self.evaluation = TreeEvaluation(self, c, self.model, self.problems_dock,
                                         self.menu_actions.system)
        self._wire()
        self._restore_geometry()
        self.page.show_welcome()  # now that the window (and its icon) exist
        self._update_status()

    # -- construction -----------------------------------------------------------------

    def _build_layout(self) -> None:
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.page)
        right.addWidget(self.source)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([480, 320])
        self.right_split = right
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.panes)
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
        cl.addWidget(self.disk_banner)
        cl.addWidget(self.syntax_banner)
        cl.addWidget(split, 1)
        self.setCentralWidget(central)

    def _wire(self) -> None:
        c = self.controller
        self.panes.wire()
        self.panes.node_chosen.connect(self._on_node_chosen)
        self.search.only_set.toggled.connect(
            lambda on: self.panes.rebuild(keep_state=True, only_set=on))
        self.tree.activated.connect(lambda _i: self._focus_page())
        c.config_loaded.connect(self._on_config_loaded)
        c.config_changed.connect(self._on_config_changed)
        c.options_loaded.connect(self._on_options_loaded)
        c.options_failed.connect(self._on_options_failed)
        c.options_progress.connect(lambda msg: self.statusBar().showMessage(msg, 4000))
        c.edit_refused.connect(self._on_refused)
        c.edit_warning.connect(lambda text: self.statusBar().showMessage(
            f"Changed, but: {text}", 15000))
        c.ask_inside_condition = lambda err: ask_inside_condition(self, err)
        c.current_changed.connect(self._on_current)
        c.dirty_changed.connect(self._safe_update_status)
        c.undo_stack.indexChanged.connect(self._safe_update_status)
        self.problems_dock.changed.connect(self._safe_update_status)  # e.g. an evaluation's
        c.show_source.connect(
            lambda p, line, col, span: self.source.show_location(p, line, col, span))

    # -- geometry ----------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geo = self.settings.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(*default_size(self.screen().availableGeometry().size()))
        relax_dock_minimums(self)  # before the state: a remembered size may be below them
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        for key, split in (("window/main_split", self.main_split),
                           ("window/right_split", self.right_split)):
            val = self.settings.value(key)
            if isinstance(val, QByteArray) and not val.isEmpty():
                split.restoreState(val)
                self._split_restored = self._split_restored or split is self.main_split

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._docks_fitted:  # once the layout has its real size
            self._docks_fitted = True
            fit_docks(self)
            if not self._split_restored:  # first run: share the room once it is known
                QTimer.singleShot(0, lambda: share_split(self.main_split))

    def _save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/main_split", self.main_split.saveState())
        self.settings.setValue("window/right_split", self.right_split.saveState())

    # -- opening and saving (the flows do the work) ---------------------------------------

    def open_configuration(self, path: Path | str, flake_host: str | None = None) -> bool:
        """Open a configuration; problems are shown, never raised."""
        return self.opening.open_configuration(path, flake_host)

    def load_options(self, spec: str | None, home_manager: str | None = None) -> None:
        """Start loading option metadata in the background; ``home_manager``: Home Manager
        option metadata to join under ``home-manager.users.<name>`` (without it, the one
        given last, when the configuration uses ``home-manager.users``).  Which one is used,
        or how to give one, is shown in the status bar once loaded."""
        self.controller.home_manager = home_manager
        self.opening.load_options(spec)
        if not getattr(self, "_home_manager_note_shown", False):
            self._home_manager_note_shown = True
            self.controller.options_loaded.connect(lambda: _show_home_manager_note(self))

    def review(self) -> None:
        self.saving.review()

    def save(self, overwrite: list[Path] | None = None) -> bool:
        """Save pending changes; asks what to do when files changed on disk."""
        return self.saving.save(overwrite)

    def ask_commit(self, repo: Path, options: list[str]) -> bool:
        """Ask whether to commit the saved files (tests replace this)."""
        return ask_commit_dialog(self, repo, options)

    def reload(self) -> None:
        self.saving.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._confirm_quit and not (self.saving.maybe_discard("quit")
                                       and self.rebuild.may_quit()):
            event.ignore()
            return
        self._save_geometry()
        self.stop_background_work()
        event.accept()

    def stop_background_work(self) -> None:
        """Ask everything still running for this window to stop: the tree's and the page's
        Nix evaluations (their process groups are ended) and the metadata loader (its
        answer is dropped).  Nothing waits here; quitting does not wait for them either."""
        self.evaluation.stop()
        stop = getattr(getattr(self.page, "effective", None), "stop_button", None)
        try:
            if stop is not None and stop.isEnabled():
                stop.click()
        except RuntimeError:  # the page dropped that section already
            pass
        self.controller.cancel_loading()

    # -- reactions ------------------------------------------------------------------------------

    def _on_config_loaded(self) -> None:
        self.disk_banner.watch()
        self.panes.rebuild(keep_state=False)
        cfg = self.controller.cfg
        assert cfg is not None  # the signal follows a configuration being opened
        self.source.set_documents({p: cfg.documents[p] for p in cfg.files}, self.controller.root)
        if self.controller.current:
            self.page.show_loc(self.controller.current)
        else:
            self.page.show_welcome()
        self.syntax_banner.show_problems(syntax_problems(cfg))
        self.rebuild.configure()
        self.problems_dock.refresh()  # (the status bar follows its changed signal)

    def _on_config_changed(self, locs: Sequence[Loc] | None) -> None:
        self.panes.rebuild(keep_state=True)
        cfg = self.controller.cfg
        assert cfg is not None  # edits need an open configuration
        self.source.refresh({p: cfg.documents[p] for p in cfg.files})
        self.page.refresh()
        self.panes.reveal_current()
        changed = [tuple(x) for x in (locs or ())]
        if changed:  # show where the edit landed
            reveal_first(self.controller, changed[-1])
        if self.statusBar().currentMessage().startswith(REFUSED):
            self.statusBar().clearMessage()  # an earlier refusal no longer holds
        self.problems_dock.refresh()  # (the status bar follows its changed signal)

    def _on_options_loaded(self) -> None:
        opts = self.controller.options
        assert opts is not None  # the signal follows set_options
        self.panes.enable_search()
        self.panes.rebuild(keep_state=True)
        if self.page.loc is not None:
            self.page.show_loc(self.page.loc)
        if opts.problem or not len(opts):
            self.banner.show_message(opts.problem or "The option metadata is empty.",
                                     loaded=bool(len(opts)) and opts.source.kind != "declared")
        else:
            self.banner.hide()
        self.problems_dock.refresh()  # (the status bar follows its changed signal)

    def _on_options_failed(self, message: str) -> None:
        self.banner.show_message(f"Option metadata could not be loaded: {message}")
        self._update_status()

    def _on_refused(self, message: str) -> None:
        self.statusBar().showMessage(f"{REFUSED}{message}", 10000)
        self.page.show_problem(message)

    def _on_current(self, loc: Loc) -> None:
        kind = self.panes.select(loc)
        self.page.show_loc(loc, kind)
        reveal_first(self.controller, loc)

    def _on_node_chosen(self, node: TreeNode) -> None:
        self.controller.current = node.loc
        self.page.show_loc(node.loc, node.kind)
        if node.is_set or node.set_below:
            reveal_first(self.controller, node.loc)

    def _focus_page(self) -> None:
        """Ctrl+2: into the editor's first field (else the page's first control)."""
        for holder in (self.page.editor, self.page.widget()):
            target = first_focusable(holder)
            if target is not None:
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
        self.page.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- status ----------------------------------------------------------------------------------

    def _safe_update_status(self, *_args: object) -> None:
        try:
            self._update_status()
        except RuntimeError:  # signals from the undo stack while the window is destroyed
            pass

    def _update_status(self) -> None:
        pending = self.status.update(self.controller, self.problems_dock.counts_text())
        self.menu_actions.save.setEnabled(bool(pending))
        self.setWindowTitle(("• " if pending else "") + self._title())

    def _title(self) -> str:
        """``NixOS Settings — PATH``; a Home Manager file says so."""
        root = self.controller.root
        if root is None:
            return APP_NAME
        hm = getattr(self, "rebuild", None) is not None and self.rebuild.kind == "home-manager"
        return f"{APP_NAME} — {'Home Manager — ' if hm else ''}{root}"


def _show_home_manager_note(window: MainWindow) -> None:
    """Which Home Manager metadata is in use, or how to give one (see ``load_options``)."""
    opts = window.controller.options
    note = opts.home_manager_note if opts is not None else None
    if note:
        window.statusBar().showMessage(note[:1].upper() + note[1:], 30000)
