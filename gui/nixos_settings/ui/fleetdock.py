"""The hosts of a flake in the desktop app: which hosts there are, which of them the pending
edits reach, switching host, and deploying several hosts with a live table.

Everything is decided in the core (:mod:`nixos_settings.core.system.fleet` and
:mod:`~nixos_settings.core.system.deploy`); deployments run on a worker thread and the table
is refreshed from their state by a timer, so streaming output never blocks the window.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.common.errors import NixSettingsError

if TYPE_CHECKING:
    from nixos_settings.core.system import deploy, fleet
    from nixos_settings.ui.controller import Controller

HOST_COLUMNS = ("Host", "System", "Target", "Engines", "Deployment")


class FleetPanel(QWidget):
    """A table of the flake's hosts; Deploy runs the chosen action on the selected ones."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.hosts: list[fleet.Host] = []
        self.jobs: dict[str, deploy.Deployment] = {}
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        lay = QVBoxLayout(self)
        self.reach = QLabel()
        self.reach.setWordWrap(True)
        self.reach.setAccessibleName("Hosts the pending changes reach")
        lay.addWidget(self.reach)
        self.table = QTableWidget(0, len(HOST_COLUMNS))
        self.table.setHorizontalHeaderLabels(HOST_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Hosts of the flake")
        self.table.cellDoubleClicked.connect(lambda row, _col: self.switch_to(row))
        self.table.currentCellChanged.connect(lambda row, *_: self._show_log(row))
        lay.addWidget(self.table, 2)
        row = QHBoxLayout()
        self.action = QComboBox()
        self.action.addItems(("switch", "boot", "test", "build", "dry-build"))
        self.action.setCurrentText("dry-build")
        self.action.setAccessibleName("Deployment action")
        self.deploy_button = QPushButton("&Deploy selected")
        self.deploy_button.clicked.connect(self.deploy_selected)
        self.cancel_button = QPushButton("Cancel all")
        self.cancel_button.clicked.connect(self._cancel.set)
        self.cancel_button.setEnabled(False)
        self.cancel_one = QPushButton("Cancel selected")
        self.cancel_one.clicked.connect(self.cancel_selected)
        for w in (self.action, self.deploy_button, self.cancel_one, self.cancel_button):
            row.addWidget(w)
        lay.addLayout(row)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setAccessibleName("Output of the selected host")
        lay.addWidget(self.log, 1)
        self.summary = QLabel()
        lay.addWidget(self.summary)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._refresh_jobs)
        controller.config_loaded.connect(self.reload)
        controller.config_changed.connect(lambda _locs: self.show_reach())

    # -- hosts ----------------------------------------------------------------------------

    def flake(self) -> Path | None:
        cfg = self._controller.cfg
        return cfg.root if cfg is not None and cfg.flake_host else None

    def reload(self) -> None:
        flake = self.flake()
        self.hosts = []
        if flake is not None:
            from nixos_settings.core.system import fleet  # only when a flake is open

            try:
                self.hosts = fleet.list_hosts(flake)
            except NixSettingsError as err:
                self.summary.setText(str(err))
        self.table.setRowCount(len(self.hosts))
        current = self._controller.cfg.flake_host if self._controller.cfg else None
        for r, h in enumerate(self.hosts):
            name = h.name + ("  (open)" if h.name == current else "")
            cells = (name, h.system or "?", h.target or "not set", ", ".join(h.engines), "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if h.problem and c == 0:
                    item.setToolTip(h.problem)
                self.table.setItem(r, c, item)
        self._fit_rows()
        self.show_reach()

    def _fit_rows(self) -> None:
        """The table keeps room for every host row (up to eight), the output for three
        lines: the dock can then be small without hiding a host."""
        table, log = self.table, self.log
        rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), 8)))
        # room for a horizontal scroll bar too: a narrow window shows one
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + rows
                               + table.horizontalScrollBar().sizeHint().height()
                               + 2 * table.frameWidth() + 2)
        log.setMinimumHeight(log.fontMetrics().lineSpacing() * 3 + 2 * log.frameWidth() + 8)

    def show_reach(self) -> None:
        """Which hosts the files with pending changes reach ("changes laptop, server")."""
        if not self.hosts:
            self.reach.setText("")
            return
        from nixos_settings.core.system import fleet

        self.reach.setText(fleet.reach_words(self.hosts, self._controller.dirty_paths()))

    def switch_to(self, row: int) -> None:
        """Open another host of the same flake; pending edits come along (one undo step)
        when the other host uses the files they are in."""
        from nixos_settings.core.nix.text import ChangeSet

        flake, c = self.flake(), self._controller
        if flake is None or c.session is None or not 0 <= row < len(self.hosts):
            return
        host, was = self.hosts[row], c.cfg.flake_host if c.cfg else None
        docs = c.session.cfg.documents
        pending = {p: (c.session.original(p), docs[p].source) for p in c.dirty_paths()}
        elsewhere = [c.display_name(p) for p in pending if p not in host.files]
        if elsewhere:
            QMessageBox.information(
                self, "Switch host", f"{host.name} does not use {', '.join(elsewhere)}, "
                "which has pending changes: save or undo them first.")
            return
        c.open_flake(flake, host.name)
        if pending:
            c.record(ChangeSet(files=pending,
                               description=f"Pending changes carried over from {was}"))

    # -- deploying ---------------------------------------------------------------------------

    def deploy_selected(self) -> None:
        from nixos_settings.core.system import deploy, fleet

        flake = self.flake()
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if flake is None or not rows or self._worker is not None:
            return
        action = self.action.currentText()
        jobs: list[deploy.Deployment] = []
        for r in rows:
            host = self.hosts[r]
            try:
                engine = fleet.pick_engine(host)
                if host.target is None and engine == fleet.NIXOS_REBUILD and \
                        action in fleet.ACTIVATING:
                    self._ask_target(flake, host)
                jobs.append(deploy.Deployment(host.name, engine,
                                              fleet.command(flake, host, engine, action)))
            except NixSettingsError as err:
                self._cell(r, 4, f"not started: {err}")
        if not jobs:
            return
        self.jobs = {j.host: j for j in jobs}
        pending = len(self._controller.dirty_paths())
        self.summary.setText(
            f"Deploying what is saved on disk: {pending} file(s) with pending changes are "
            "not included until you save." if pending else "Deploying…")
        self._cancel.clear()
        self._worker = threading.Thread(target=deploy.run_all, args=(jobs, 4),
                                        kwargs={"cancel_all": self._cancel}, daemon=True)
        self._worker.start()
        self.cancel_button.setEnabled(True)
        self.deploy_button.setEnabled(False)
        self._timer.start()

    def _ask_target(self, flake: Path, host: fleet.Host) -> None:
        """Ask once where ``host`` is deployed; remembered for this flake in the app's
        settings (never written into the user's files)."""
        from nixos_settings.core.system import fleet

        text, ok = QInputDialog.getText(
            self, "Deployment target", f"Where is {host.name} deployed? (USER@ADDRESS; "
            "remembered for this flake, not written into your files)")
        if ok and text.strip():
            fleet.Targets().remember(flake, host.name, text.strip())
            host.target, host.target_from = text.strip(), "remembered"
            row = self.hosts.index(host)
            self._cell(row, 2, host.target)

    def cancel_selected(self) -> None:
        """Stop the selected hosts' deployments (the others go on)."""
        for r in sorted({i.row() for i in self.table.selectedIndexes()}):
            job = self.jobs.get(self.hosts[r].name) if r < len(self.hosts) else None
            if job is not None:
                job.cancel()

    def _cell(self, row: int, col: int, text: str) -> None:
        item = self.table.item(row, col)
        if item is not None and item.text() != text:
            item.setText(text)

    def _refresh_jobs(self) -> None:
        from nixos_settings.core.system import deploy

        for r, h in enumerate(self.hosts):
            job = self.jobs.get(h.name)
            if job is not None:
                self._cell(r, 4, job.phase if job.status == deploy.RUNNING else job.status)
        self._show_log(self.table.currentRow())
        if self._worker is not None and not self._worker.is_alive():
            self._worker = None
            self._timer.stop()
            self.cancel_button.setEnabled(False)
            self.deploy_button.setEnabled(True)
            self.summary.setText(deploy.summary(list(self.jobs.values())))

    def _show_log(self, row: int) -> None:
        if not 0 <= row < len(self.hosts):
            return
        job = self.jobs.get(self.hosts[row].name)
        if job is None:
            return
        text = "$ " + shlex.join(job.command) + "\n" + "\n".join(job.log_tail(400))
        if self.log.toPlainText() != text:
            self.log.setPlainText(text)
            self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())


def compact_height(panel: FleetPanel) -> int:
    """The height that shows the summary, every host row, the buttons and a few lines of
    output: what the dock needs before anything is deployed."""
    lay = panel.layout()
    assert lay is not None
    table_h, log_h = panel.table.minimumHeight(), panel.log.minimumHeight()
    others = (panel.reach.sizeHint().height() + panel.deploy_button.sizeHint().height()
              + panel.summary.sizeHint().height())
    m = lay.contentsMargins()
    return table_h + log_h + others + 4 * lay.spacing() + m.top() + m.bottom()


def _show_dock(window: QMainWindow, dock: QDockWidget, panel: FleetPanel,
               limit: Callable[[], int]) -> None:
    """Show the dock for a flake with several hosts, compact (the option page keeps most of
    the window); hide it otherwise."""
    wanted = panel.flake() is not None and len(panel.hosts) > 1
    appearing = wanted and dock.isHidden()
    dock.setVisible(wanted)
    if appearing and not dock.isFloating():
        window.resizeDocks([dock], [min(compact_height(panel), limit())],
                           Qt.Orientation.Vertical)


def add_fleet_dock(window: QMainWindow, controller: Controller,
                   limit: Callable[[], int]) -> QDockWidget:
    """The hosts dock (bottom), shown when a flake host is opened, at most ``limit()``
    pixels high when it appears."""
    dock = QDockWidget("Hosts of this flake", window)
    dock.setObjectName("fleetDock")
    panel = FleetPanel(controller, dock)
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    controller.config_loaded.connect(lambda: _show_dock(window, dock, panel, limit))
    return dock
