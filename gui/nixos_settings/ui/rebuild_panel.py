"""A panel that runs ``nixos-rebuild`` (directly or through the privileged helper).

It starts the command with :class:`QProcess` (stdout and stderr merged), feeds every chunk
to :class:`nixos_settings.core.system.rebuild.OutputClassifier` and shows:

* the output, coloured by kind, with error places as links (``locationActivated``);
* the transient ``\\r`` status line Nix redraws, in a label above the log;
* a progress bar fed by the classifier's plan/build/fetch counts, and elapsed time;
* Cancel: through the helper it writes ``cancel`` on the helper's stdin (a root process
  cannot be signalled by us), then terminates, then kills after ``kill_timeout_ms``.

"Dry-build first": :meth:`RebuildPanel.dry_build_first` runs a ``dry-build`` (no root
needed) and only enables the Apply button when evaluation succeeded.

Public API::

    panel = RebuildPanel(parent)
    panel.set_config_path(Path("/etc/nixos/configuration.nix"))   # or set_flake("/etc/nixos#host")
    panel.start(RebuildRequest("switch", use_helper=True))
    panel.finished.connect(lambda outcome: ...)                   # core.rebuild.Outcome
    panel.locationActivated.connect(lambda path, line, col: ...)
    panel.start_helper(["rollback"], "rollback")                  # other helper verbs
    GenerationsWidget(panel)                                      # generations + rollback

:class:`GenerationsWidget` lists system generations and runs the helper's ``rollback`` /
``switch-generation N`` in a panel after asking for confirmation.

Signals (RebuildPanel):
    started(object): a RebuildRequest began.
    finished(object): the run ended; the argument is an :class:`Outcome`.
    locationActivated(str, int, int): an error place was clicked (file-only places give
        line 1, column 1).
    applyAllowedChanged(bool): the Apply button became enabled or disabled.
"""

from __future__ import annotations

import dataclasses
import html
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.system.generations import (
    DEFAULT_PROFILES,
    Generation,
    empty_reason,
    list_generations,
)
from nixos_settings.core.system.rebuild import (
    ACTIONS,
    HM_ACTIONS,
    HOME_MANAGER,
    NIXOS_REBUILD,
    Line,
    Outcome,
    OutputClassifier,
    RebuildRequest,
    RequestError,
    find_helper,
)
from nixos_settings.ui.rebuild_output import RebuildOutput


def _flake_dir(request: RebuildRequest | None) -> str | None:
    if request is None or request.flake is None:
        return None
    return request.flake.partition("#")[0]


def _start_safely(status: QLabel, fn: Callable[[], object]) -> None:
    try:
        fn()
    except RequestError as err:
        status.setText(html.escape(str(err)))


class RebuildPanel(QWidget):
    """Runs one rebuild at a time and shows its progress; see the module docstring.

    The live view (log, labels, progress) is :class:`~nixos_settings.ui.rebuild_output.
    RebuildOutput` (``output``); its widgets are also reachable here by their names."""

    started = Signal(object)
    finished = Signal(object)
    locationActivated = Signal(str, int, int)
    applyAllowedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, kill_timeout_ms: int = 5000) -> None:
        super().__init__(parent)
        self.kill_timeout_ms = kill_timeout_ms
        self.config_file: Path | None = None
        self.flake: str | None = None
        self.use_helper = True
        self.tool = NIXOS_REBUILD
        self.request: RebuildRequest | None = None
        self.classifier = OutputClassifier()
        self.outcome: Outcome | None = None
        self._process: QProcess | None = None
        self._cancelled = False
        self._check_state: bool | None = None  # last dry-build: None unknown, True ok
        self._then_apply: RebuildRequest | None = None
        self._label = ""
        self._via_helper = False
        self._started_at = 0.0
        self.output = RebuildOutput(self, self.classifier)
        self.output.location_activated.connect(self.locationActivated)
        self.progress = self.output.progress
        self.elapsed_label = self.output.elapsed_label
        self.phase_label = self.output.phase_label
        self.transient_label = self.output.transient_label
        self.status_label = self.output.status_label
        self.log = self.output.log
        self._build_ui()

    # ------------------------------------------------------------------ widgets

    def _build_ui(self) -> None:
        self.action_box = QComboBox()
        self.action_box.addItems(list(ACTIONS))
        self.action_box.setToolTip("What nixos-rebuild should do")
        self.check_button = QPushButton("Dry-build")
        self.check_button.setToolTip("Evaluate and show what would be built (no root needed)")
        self.apply_button = QPushButton("Apply")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.check_button.clicked.connect(lambda: self._button_clicked(dry_build_first=True))
        self.apply_button.clicked.connect(lambda: self._button_clicked(dry_build_first=False))
        self.cancel_button.clicked.connect(self.cancel)
        self.action_box.currentTextChanged.connect(lambda _t: self._update_buttons())
        top = QHBoxLayout()
        for w in (self.action_box, self.check_button, self.apply_button, self.cancel_button):
            top.addWidget(w)
        top.addWidget(self.progress, 1)
        top.addWidget(self.elapsed_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.transient_label)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.status_label)
        self._update_buttons()

    # ------------------------------------------------------------------ configuration

    def set_config_path(self, path: Path | str | None) -> None:
        """The channel configuration file that requests from the buttons build."""
        self.config_file = Path(path) if path is not None else None
        self.mark_changed()

    def set_flake(self, ref: str | None) -> None:
        """Build a flake system (``PATH#HOST``) instead of a channel configuration."""
        self.flake = ref
        self.mark_changed()

    def mark_changed(self) -> None:
        """The configuration changed: an earlier dry-build result no longer counts."""
        self._check_state = None
        self._update_buttons()

    def set_tool(self, tool: str) -> None:
        """``nixos-rebuild`` (a NixOS system) or ``home-manager`` (a Home Manager file):
        the actions offered and the command run follow it."""
        if tool == self.tool:
            return
        self.tool = tool
        hm = tool == HOME_MANAGER
        self.action_box.clear()
        self.action_box.addItems(list(HM_ACTIONS if hm else ACTIONS))
        self.check_button.setText("Check (build)" if hm else "Dry-build")
        self.check_button.setToolTip(
            "Build the configuration without activating it" if hm
            else "Evaluate and show what would be built (no root needed)")
        self.mark_changed()

    def request_for(self, action: str) -> RebuildRequest:
        """A request for ``action`` on the configured file or flake."""
        hm = self.tool == HOME_MANAGER
        return RebuildRequest(
            action,
            flake=self.flake,
            config_file=None if self.flake else self.config_file,
            use_helper=not hm and self.use_helper and action not in ("build", "dry-build"),
            tool=self.tool,
        )

    @property
    def location_activated(self) -> object:
        """Alias of :attr:`locationActivated` for callers using snake_case."""
        return self.locationActivated

    # ------------------------------------------------------------------ running

    def is_running(self) -> bool:
        """Whether a rebuild is in progress."""
        return self._process is not None

    def apply_allowed(self) -> bool:
        """Apply is blocked while running and after a failed dry-build."""
        return not self.is_running() and self._check_state is not False

    def start(self, request: RebuildRequest) -> bool:
        """Start ``request``; returns False (and does nothing) if one is already running."""
        if self.is_running():
            return False
        self.request = request
        self._reset(request.action, request.use_helper)
        try:
            argv = request.argv()
        except RequestError as err:
            self._finish(Outcome(request.action, None, error=str(err)))
            return True
        self._launch(argv)
        self.started.emit(request)
        return True

    def start_helper(self, verb: list[str], label: str) -> bool:
        """Run ``pkexec nixos-settings-helper VERB…`` (``["rollback"]``,
        ``["switch-generation", "12"]``) with the same live view; ``label`` names it in
        the status line and the Outcome."""
        if self.is_running():
            return False
        self.request = None
        self._reset(label, True)
        try:
            argv = ["pkexec", find_helper(), *verb]
        except RequestError as err:
            self._finish(Outcome(label, None, error=str(err)))
            return True
        self._launch(argv)
        return True

    def _reset(self, label: str, via_helper: bool) -> None:
        self._label = label
        self._via_helper = via_helper
        self.classifier = OutputClassifier()
        self.outcome = None
        self._cancelled = False
        self.output.reset(label, self.classifier, _flake_dir(self.request))

    def _launch(self, argv: list[str]) -> None:
        proc = QProcess(self)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proc.readyReadStandardOutput.connect(self._read_output)
        proc.finished.connect(self._process_finished)
        proc.errorOccurred.connect(self._process_error)
        self._process = proc
        self._started_at = time.monotonic()
        self.output.start_clock()
        self._update_buttons()
        proc.start(argv[0], argv[1:])
        if not self._via_helper:
            proc.closeWriteChannel()  # the helper keeps stdin open for "cancel"

    def dry_build_first(self, request: RebuildRequest) -> bool:
        """Run a dry-build of ``request``'s configuration; Apply then runs ``request``.

        Apply stays disabled if the dry-build fails (evaluation errors block switching).
        """
        check = dataclasses.replace(request, action=request.check_action, use_helper=False)
        self._then_apply = request
        return self.start(check)

    def cancel(self) -> None:
        """Ask the running rebuild to stop: cancel line, terminate, then kill."""
        proc = self._process
        if proc is None:
            return
        self._cancelled = True
        self.status_label.setText("Cancelling…")
        if self._via_helper:
            proc.write(b"cancel\n")
        proc.terminate()

        def kill_if_running() -> None:
            if self._process is proc and proc.state() != QProcess.ProcessState.NotRunning:
                proc.kill()

        QTimer.singleShot(self.kill_timeout_ms, kill_if_running)

    # ------------------------------------------------------------------ process events

    def _read_output(self) -> None:
        proc = self._process
        if proc is None:
            return
        data = bytes(proc.readAllStandardOutput().data())
        self._show(self.classifier.feed(data))

    def _process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._process is None:
            return
        self._read_output()
        self._show(self.classifier.finish())
        self.flush()
        crashed = status == QProcess.ExitStatus.CrashExit
        first = self.classifier.headline()
        self._finish(
            Outcome(
                self._label,
                None if crashed else code,
                cancelled=self._cancelled,
                duration=time.monotonic() - self._started_at,
                first_error=first,
            )
        )

    def _process_error(self, error: QProcess.ProcessError) -> None:
        proc = self._process
        if proc is None or error != QProcess.ProcessError.FailedToStart:
            return  # other errors are followed by finished()
        self._finish(
            Outcome(
                self._label,
                None,
                duration=time.monotonic() - self._started_at,
                error=proc.errorString(),
            )
        )

    def _finish(self, outcome: Outcome) -> None:
        proc, self._process = self._process, None
        if proc is not None:
            proc.deleteLater()
        self.outcome = outcome
        dry = self.request is not None and self.request.is_check
        if dry:  # the dry-build decides whether Apply may run
            self._check_state = outcome.ok if not outcome.cancelled else None
            if self._then_apply is not None and outcome.ok:
                self.action_box.setCurrentText(self._then_apply.action)
            if not outcome.ok:
                self._then_apply = None
        ready = self._then_apply.action if dry and self._then_apply and outcome.ok else None
        self.output.finish(outcome, full=outcome.ok and not dry, ready_to=ready)
        self._update_buttons()
        self.finished.emit(outcome)

    # ------------------------------------------------------------------ display

    def _show(self, lines: list[Line]) -> None:
        """Queue classified lines for the view (see :meth:`RebuildOutput.show`)."""
        self.output.show(lines)

    def flush(self) -> None:
        """Render queued output now (called by the timer and when a run ends)."""
        self.output.flush()

    def _update_buttons(self) -> None:
        running = self.is_running()
        self.cancel_button.setEnabled(running)
        self.check_button.setEnabled(not running)
        self.action_box.setEnabled(not running)
        was = self.apply_button.isEnabled()
        allowed = self.apply_allowed()
        self.apply_button.setEnabled(allowed)
        self.apply_button.setText(self.action_box.currentText().capitalize())
        self.apply_button.setToolTip(
            "" if allowed or running else "Blocked: the last dry-build failed; fix the error first"
        )
        if was != allowed:
            self.applyAllowedChanged.emit(allowed)

    # ------------------------------------------------------------------ user actions

    def _button_clicked(self, dry_build_first: bool) -> None:
        action = self.action_box.currentText()
        if dry_build_first:
            _start_safely(self.status_label,
                          lambda: self.dry_build_first(self.request_for(action)))
        else:
            _start_safely(self.status_label, lambda: self.apply(action))

    def apply(self, action: str | None = None) -> bool:
        """Run the request the last successful :meth:`dry_build_first` was for, or ``action``.

        Returns False when blocked (running, or the last dry-build failed).
        """
        if not self.apply_allowed():
            return False
        pending, self._then_apply = self._then_apply, None
        if pending is not None and (action is None or pending.action == action):
            return self.start(pending)
        return self.start(self.request_for(action or self.action_box.currentText()))


class GenerationsWidget(QWidget):
    """System generations with Roll back / Switch to selected, run through a RebuildPanel.

    Both actions ask for confirmation (``confirm`` is injectable for tests; by default a
    question box) and then run the helper's ``rollback`` / ``switch-generation N`` verbs in
    ``panel``, whose log shows the output.  The list refreshes when the run ends.
    """

    def __init__(
        self,
        panel: RebuildPanel,
        profiles: Path = DEFAULT_PROFILES,
        confirm: Callable[[str], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.profiles = profiles
        #: ``system`` (NixOS) or ``home-manager`` (a Home Manager file)
        self.profile = "system"
        self.confirm = confirm or self._ask
        self.generations: list[Generation] = []
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Generation", "Date", "NixOS version", ""])
        self.table.setRootIsDecorated(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh_button = QPushButton("Refresh")
        self.rollback_button = QPushButton("Roll back")
        self.rollback_button.setToolTip("Switch to the generation before the current one")
        self.switch_button = QPushButton("Switch to selected")
        self.refresh_button.clicked.connect(self.refresh)
        self.rollback_button.clicked.connect(self.rollback)
        self.switch_button.clicked.connect(self.switch_to_selected)
        buttons = QHBoxLayout()
        for b in (self.refresh_button, self.rollback_button, self.switch_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        #: why the list is empty, when it is (never an empty list without a word)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("generationsEmpty")
        self.empty_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        panel.finished.connect(lambda _outcome: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Re-read the profile links."""
        self.generations = list_generations(self.profiles, self.profile)
        self.table.clear()
        for gen in reversed(self.generations):  # newest first, as users expect
            item = QTreeWidgetItem(
                [
                    str(gen.number),
                    f"{gen.date:%Y-%m-%d %H:%M}",
                    gen.nixos_version or "",
                    "current" if gen.current else "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, gen.number)
            self.table.addTopLevelItem(item)
        for col in range(4):
            self.table.resizeColumnToContents(col)
        self.empty_label.setText(
            "" if self.generations else empty_reason(self.profiles, self.profile))
        self.empty_label.setVisible(not self.generations)
        self._update_buttons()

    def selected(self) -> Generation | None:
        """The selected generation, if any."""
        items = self.table.selectedItems()
        if not items:
            return None
        number = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((g for g in self.generations if g.number == number), None)

    def rollback(self) -> bool:
        """Confirm, then roll back; returns whether it started."""
        if not self.confirm("Switch the system back to the previous generation?"):
            return False
        return self.panel.start_helper(["rollback"], "rollback")

    def switch_to_selected(self) -> bool:
        """Confirm, then make the selected generation current; returns whether it started."""
        gen = self.selected()
        if gen is None or gen.current:
            return False
        if not self.confirm(f"Switch the system to generation {gen.describe()}?"):
            return False
        return self.panel.start_helper(
            ["switch-generation", str(gen.number)], f"switch to generation {gen.number}"
        )

    def set_profile(self, profiles: Path, profile: str) -> None:
        """List ``profile`` generations in ``profiles`` (``system`` through the root
        helper, or a user's ``home-manager``, listed only: Home Manager activates a
        generation with its own ``activate`` script, as that user)."""
        self.profiles, self.profile = profiles, profile
        system = profile == "system"
        self.rollback_button.setVisible(system)
        self.switch_button.setVisible(system)
        self.refresh()

    def _update_buttons(self) -> None:
        gen = self.selected()
        busy = self.panel.is_running()
        has_previous = any(g.current for g in self.generations[1:])
        self.rollback_button.setEnabled(not busy and has_previous)
        self.switch_button.setEnabled(not busy and gen is not None and not gen.current)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "NixOS Settings", question)
        return answer == QMessageBox.StandardButton.Yes
