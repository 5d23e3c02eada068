"""The option page's "Effective value" section: what Nix evaluates the option to, which
definition wins (with links to it) and which are overridden; and the note on a page whose
option NixOS renamed (with a button moving the definition) or removed.

The evaluation runs in a worker thread (``Session.effective``, a Nix process in its own
process group) with a Stop button; an answer already cached for these very files is shown at
once without running Nix.  A failed evaluation shows Nix's message with a link to the place.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from nixos_settings.core.system.evaluate import Effective
    from nixos_settings.ui.controller import Controller

Loc = tuple[str, ...]
_PRIORITY = {50: "mkForce", 100: "", 1000: "mkDefault", 1500: "option default"}


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str, str)  # message, "file:line" or ""


class _Job(QRunnable):
    def __init__(self, controller: Controller, loc: Loc, stop: threading.Event) -> None:
        super().__init__()
        self.controller, self.loc, self.stop = controller, loc, stop
        self.signals = _Signals()

    def run(self) -> None:
        from nixos_settings.core.system.evaluate import EvaluationCancelled, EvaluationFailed

        session = self.controller.session
        if session is None:
            return
        try:
            result = session.effective(self.loc, cancel=self.stop.is_set)
        except EvaluationCancelled:
            self.signals.failed.emit("The evaluation was stopped.", "")
        except EvaluationFailed as err:
            self.signals.failed.emit(err.message, err.location or "")
        except Exception as err:  # shown on the page, never a crash of the pool thread
            self.signals.failed.emit(str(err) or type(err).__name__, "")
        else:
            self.signals.done.emit(result)


def _prio(p: int) -> str:
    return _PRIORITY.get(p, f"mkOverride {p}")


class EffectiveSection(QWidget):
    """"Effective value: … (from file:line, mkForce)" and "also defined in … (overridden)"."""

    def __init__(self, controller: Controller, loc: Loc, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller, self.loc = controller, loc
        self.setObjectName("effectiveSection")
        self._stop = threading.Event()
        self._job: _Job | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Effective value: not evaluated yet.")
        self.label.setObjectName("effectiveValue")
        self.label.setWordWrap(True)
        self.label.setTextFormat(self.label.textFormat().RichText)
        self.label.linkActivated.connect(self._on_link)
        lay.addWidget(self.label)
        row = QHBoxLayout()
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip("Ask Nix what this option finally evaluates to")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self._stop.set)
        row.addWidget(self.evaluate_button)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        lay.addLayout(row)
        session = controller.session
        cached = session.cached_effective(loc) if session is not None else None
        if cached is not None:
            self.show_result(cached)

    # -- running ---------------------------------------------------------------------------

    def evaluate(self) -> None:
        """Start evaluating in the background (one evaluation at a time)."""
        if self._job is not None:
            return
        self._stop.clear()
        self._job = _Job(self.controller, self.loc, self._stop)
        self._job.signals.done.connect(self.show_result)
        self._job.signals.failed.connect(self.show_failure)
        self.label.setText("Effective value: evaluating with Nix …")
        self.evaluate_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        QThreadPool.globalInstance().start(self._job)

    def _finished(self) -> None:
        self._job = None
        self.evaluate_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    # -- showing ---------------------------------------------------------------------------

    def _place(self, file: str, line: int | None) -> str:
        shown = html.escape(self.controller.display_name(Path(file)) if line else file)
        text = f"{shown}:{line}" if line else shown
        return f"<a href='at:{html.escape(file)}:{line}'>{text}</a>" if line else text

    def show_result(self, effective: Effective) -> None:
        from nixos_settings.core.system.evaluate import describe_value

        self._finished()
        self.result = effective
        value = html.escape(describe_value(effective.value, 200))
        parts = [f"<b>Effective value:</b> <code>{value}</code>"]
        if effective.winner is not None:
            w = effective.definitions[effective.winner]
            how = ", ".join(x for x in (self._place(w.file, w.line), _prio(w.priority)) if x)
            parts[0] += f" (from {how})"
        elif not effective.definitions:
            parts[0] += " (the default)"
        for i, d in enumerate(effective.definitions):
            if i == effective.winner:
                continue
            state = {"overridden": "overridden", "inactive": "not applied: its mkIf "
                     "condition is false", "merged": "merged"}.get(d.status, d.status)
            parts.append(f"also defined in {self._place(d.file, d.line)} ({state})")
        self.label.setText("<br>".join(parts))

    def show_failure(self, message: str, location: str) -> None:
        self._finished()
        where = ""
        if location:
            file, _, line = location.rpartition(":")
            where = f" at {self._place(file, int(line))}" if line.isdigit() else \
                f" in {html.escape(location)}"
        self.label.setText(f"<b>Evaluation failed</b>{where}: {html.escape(message)}")

    def _on_link(self, href: str) -> None:
        if not href.startswith("at:"):
            return
        file, _, line = href[3:].rpartition(":")
        session = self.controller.session
        if session is None or not line.isdigit():
            return
        found: Any = session.definition_at(self.loc, Path(file), int(line))
        if found is not None:
            self.controller.reveal(found)


class RetiredNote(QWidget):
    """"X was renamed to Y in NixOS" with a button moving the definition to Y, or "X was
    removed": for a page whose option NixOS renamed or removed."""

    def __init__(self, controller: Controller, loc: Loc, message: str,
                 new: str | None) -> None:
        super().__init__()
        self.controller, self.loc = controller, loc
        self.setObjectName("retiredOption")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(f"<b>{html.escape(message[:1].upper() + message[1:])}.</b>")
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        self.move_button: QPushButton | None = None
        if new is not None and controller.definitions(loc):
            from nixos_settings.core.nix.optpath import parse

            target = parse(new)
            self.move_button = QPushButton(f"Move the definition to {new}")
            # the controller's one way to plan through the session and push an undo step
            self.move_button.clicked.connect(
                lambda: controller._push(lambda s: s.plan_move(loc, target)))
            lay.addWidget(self.move_button)


def retired_note(controller: Controller, loc: Loc) -> RetiredNote | None:
    """The note for ``loc`` when the metadata says NixOS renamed or removed it, else None."""
    from nixos_settings.core.options.release import renamed_to, retired

    opts = controller.options
    message = retired(opts, loc) if opts is not None else None
    if opts is None or message is None:
        return None
    return RetiredNote(controller, loc, message, renamed_to(opts.retired[loc]))
