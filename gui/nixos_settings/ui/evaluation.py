""""Evaluate with Nix": the effective value of every option the configuration sets, in the
tree's Value column, and an evaluation error in the Problems list with its place.

The evaluation (:meth:`Session.effective_values`) runs on a worker thread with Stop; the
answer comes back to the window's thread through a signal.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.ui.controller import ProblemItem

if TYPE_CHECKING:
    from nixos_settings.ui.controller import Controller
    from nixos_settings.ui.optiontree import OptionTreeModel
    from nixos_settings.ui.problemsdock import ProblemsDock


def problem_of(err: NixSettingsError) -> ProblemItem:
    """An evaluation failure as a Problems line, at the place Nix names (when it does)."""
    location = getattr(err, "location", None)
    message = getattr(err, "message", str(err))
    path: Path | None = None
    line: int | None = None
    if isinstance(location, str) and ":" in location:
        file, _, num = location.rpartition(":")
        if num.isdigit():
            path, line = Path(file), int(num)
    return ProblemItem("error", f"Nix could not evaluate the configuration: {message}",
                       path, line)


class TreeEvaluation(QObject):
    """The "Evaluate with Nix" action and its worker."""

    done = Signal(object)  # {loc: value} or the error

    def __init__(self, window: QMainWindow, controller: Controller, model: OptionTreeModel,
                 problems: ProblemsDock, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self._controller = controller
        self._model = model
        self._problems = problems
        self._stop = threading.Event()
        self._busy = False
        self.action = QAction("&Evaluate with Nix (effective values)", window)
        self.action.triggered.connect(self.start)
        menu.addAction(self.action)
        self.done.connect(self._finished)
        controller.config_loaded.connect(self._forget)
        controller.config_changed.connect(lambda _locs: self._forget())

    def start(self) -> bool:
        """Evaluate every option the configuration sets (False: nothing to do, or busy)."""
        session = self._controller.session
        if session is None or self._busy:
            return False
        locs = sorted({tuple(d.loc) for d in session.cfg.definitions})
        self._busy = True
        self._stop.clear()
        self.action.setEnabled(False)
        self._window.statusBar().showMessage(f"Evaluating {len(locs)} options with Nix…")

        def work() -> None:
            result: Any
            try:
                result = session.effective_values(locs, cancel=self._stop.is_set)
            except NixSettingsError as err:
                result = err
            self.done.emit(result)

        threading.Thread(target=work, name="evaluate-tree", daemon=True).start()
        return True

    def stop(self) -> None:
        self._stop.set()

    def _finished(self, result: object) -> None:
        self._busy = False
        self.action.setEnabled(True)
        if isinstance(result, NixSettingsError):
            self._problems.extra = [problem_of(result)]
            self._problems.refresh()
            self._window.statusBar().showMessage(str(result), 10000)
            return
        assert isinstance(result, dict)
        self._problems.extra = []
        self._problems.refresh()
        self._model.set_effective(result)
        self._window.statusBar().showMessage(
            f"Effective values of {len(result)} options, from Nix", 8000)

    def _forget(self) -> None:
        """The files changed: effective values from before would mislead."""
        self._model.set_effective({})
