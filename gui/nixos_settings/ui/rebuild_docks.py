"""The window's System menu: the rebuild panel and the generations list, each in a dock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox

from nixos_settings.core.system.generations import DEFAULT_PROFILES, home_manager_profiles
from nixos_settings.core.system.kind import HOME_MANAGER, NIXOS, configuration_kind
from nixos_settings.core.system.rebuild import RebuildRequest
from nixos_settings.ui import APP_NAME
from nixos_settings.ui.controller import Controller
from nixos_settings.ui.rebuild_panel import GenerationsWidget, RebuildPanel
from nixos_settings.ui.shortcuts import ShortcutTable
from nixos_settings.ui.sourceview import SourceView


class RebuildDocks:
    """Docks ``panel`` (bottom) and ``generations`` (right) in ``window``, with their
    toggle actions in ``menu``; :meth:`configure` points them at the opened configuration."""

    def __init__(self, window: QMainWindow, controller: Controller, source: SourceView,
                 menu: QMenu, keys: ShortcutTable | None = None) -> None:
        self._window = window
        self._controller = controller
        self._source = source
        self._linked = False
        #: the kind of the opened configuration (``nixos`` or ``home-manager``)
        self.kind = NIXOS
        self.panel = RebuildPanel(window)
        self.dock = QDockWidget("Apply (nixos-rebuild)", window)
        self.dock.setObjectName("rebuildDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        show = self.dock.toggleViewAction()
        show.setText("&Apply changes (nixos-rebuild)…")
        (keys or ShortcutTable()).bind(show, "Ctrl+R")
        menu.addAction(show)
        gens = self.generations = GenerationsWidget(self.panel, parent=window)
        self.generations_dock = QDockWidget("System generations", window)
        self.generations_dock.setObjectName("generationsDock")
        self.generations_dock.setWidget(gens)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.generations_dock)
        self.generations_dock.hide()
        gshow = self.generations_dock.toggleViewAction()
        gshow.setText("System &generations and rollback…")
        self.generations_dock.visibilityChanged.connect(self._generations_visible)
        menu.addAction(gshow)
        self.configure()

    def configure(self) -> None:
        """Point the rebuild panel at the opened configuration (file or flake host)."""
        cfg = self._controller.cfg
        if cfg is None:
            return
        self.kind = configuration_kind(d.loc for d in cfg.definitions)
        hm = self.kind == HOME_MANAGER
        tool = "home-manager" if hm else "nixos-rebuild"
        self.panel.set_tool(tool)
        self.dock.setWindowTitle(f"Apply ({tool})")
        self.dock.toggleViewAction().setText(f"&Apply changes ({tool})…")
        self.generations_dock.setWindowTitle("Home Manager generations" if hm
                                             else "System generations")
        self.generations_dock.toggleViewAction().setText(
            "Home Manager &generations…" if hm else "System &generations and rollback…")
        if hm != (self.generations.profile == "home-manager"):
            self.generations.set_profile(*((home_manager_profiles(), "home-manager") if hm
                                           else (DEFAULT_PROFILES, "system")))
        host = cfg.flake_host
        if host:
            self.panel.set_flake(f"{Path(cfg.root).parent}#{host}")
        else:
            self.panel.set_flake(None)
            self.panel.set_config_path(cfg.root)
        if not self._linked:
            self.panel.locationActivated.connect(self._open_location)
            self.panel.started.connect(self._started)
            self._controller.config_changed.connect(lambda _l: self.panel.mark_changed())
            self._linked = True

    def may_quit(self) -> bool:
        """True when no rebuild runs, or the person accepts that it goes on without the
        app (it runs as root: the app cannot stop it, and its output would be lost)."""
        if not self.panel.is_running():
            return True
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText("The system is being rebuilt. Quit anyway?")
        box.setInformativeText("The rebuild goes on without NixOS Settings and you will not "
                               "see how it ends. Wait for it to finish to see the result.")
        go = box.addButton("&Quit anyway", QMessageBox.ButtonRole.DestructiveRole)
        wait = box.addButton("&Keep the app open", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(wait)
        box.exec()
        return box.clickedButton() is go

    def _generations_visible(self, visible: bool) -> None:
        if visible:  # showing the dock refreshes the list
            self.generations.refresh()

    def _started(self, _request: RebuildRequest) -> None:
        if self._controller.dirty_paths():
            self._window.statusBar().showMessage(
                "Unsaved changes are not part of this rebuild: nixos-rebuild reads the files "
                "on disk. Save first (Ctrl+S) to include them.", 15000)

    def _open_location(self, path: str, line: int = 1, column: int = 1) -> None:
        self._source.show_location(Path(path), int(line), int(column or 1))
