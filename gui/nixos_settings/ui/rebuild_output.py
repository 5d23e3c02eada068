"""The rebuild panel's live view of one run: the log (coloured, with error places as
links), the transient status line, phase, progress, elapsed time and the final status."""

from __future__ import annotations

import html

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QLabel, QProgressBar, QTextBrowser, QWidget

from nixos_settings.core.system.rebuild import (
    ErrorLocation,
    Kind,
    Line,
    Outcome,
    OutputClassifier,
    best_location,
    format_duration,
)
from nixos_settings.ui.pagewidgets import readable, text_backgrounds

_COLOURS = {
    Kind.ERROR: "#c01c28",
    Kind.WARNING: "#a36a00",
    Kind.BUILDING: "#1c71d8",
    Kind.FETCHING: "#26a269",
}


def line_colour(kind: Kind, palette: QPalette) -> str | None:
    """The text colour of a log line of ``kind``, readable on ``palette`` (light or dark)."""
    if kind is Kind.PLAN:
        colour: QColor | str = palette.color(QPalette.ColorRole.PlaceholderText)
    elif kind in _COLOURS:
        colour = _COLOURS[kind]
    else:
        return None
    return readable(colour, *text_backgrounds(palette)).name()


MAX_LOG_BLOCKS = 50_000
FLUSH_MS = 50


class RebuildOutput(QObject):
    """The display widgets of a run (laid out by the panel ``owner``) and their state.

    ``location_activated(path, line, column)``: an error place in the log or the status
    line was clicked."""

    location_activated = Signal(str, int, int)

    def __init__(self, owner: QWidget, classifier: OutputClassifier) -> None:
        super().__init__(owner)
        self._owner = owner
        self.classifier = classifier
        self._flake_dir: str | None = None
        self._links: list[ErrorLocation] = []
        self._pending_html: list[str] = []
        self._pending_transient: str | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._clock = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self._update_elapsed)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")  # counts appear once Nix announces how much work there is
        self.elapsed_label = QLabel("")
        self.phase_label = QLabel("")
        self.transient_label = QLabel("")
        self.transient_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.linkActivated.connect(self._link_activated)
        self.log = QTextBrowser()
        self.log.setOpenLinks(False)
        self.log.setOpenExternalLinks(False)
        self.log.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.log.document().setMaximumBlockCount(MAX_LOG_BLOCKS)
        font = self.log.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.log.setFont(font)
        self.log.anchorClicked.connect(lambda url: self._link_activated(url.toString()))

    def reset(self, label: str, classifier: OutputClassifier, flake_dir: str | None) -> None:
        """A new run named ``label``: clear the view; ``flake_dir`` localises error places."""
        self.classifier = classifier
        self._flake_dir = flake_dir
        self._links = []
        self._pending_html = []
        self._pending_transient = None
        self.log.clear()
        self.transient_label.clear()
        self.phase_label.clear()
        self.status_label.setText(f"Running {html.escape(label)}…")
        self.progress.setRange(0, 0)  # busy until Nix announces work

    def start_clock(self) -> None:
        self._clock.start()
        self._tick.start()
        self._update_elapsed()

    def stop_clock(self) -> None:
        self._tick.stop()
        self._update_elapsed()

    def _update_elapsed(self) -> None:
        if self._clock.isValid():
            self.elapsed_label.setText(format_duration(self._clock.elapsed() / 1000))

    def show(self, lines: list[Line]) -> None:
        """Queue classified lines; the view is updated at most every FLUSH_MS.

        Nix can print thousands of lines a second in tiny chunks; rendering each chunk
        separately would spend most of the time in Qt's text layout.
        """
        for line in lines:
            if line.transient:
                self._pending_transient = line.text
            else:
                self._pending_html.append(self._line_html(line))
        if lines and not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Render queued output now (called by the timer and when a run ends)."""
        self._flush_timer.stop()
        if self._pending_transient is not None:
            self.transient_label.setText(self._pending_transient)
            self._pending_transient = None
        if self._pending_html:
            cursor = self.log.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            if not self.log.document().isEmpty():
                cursor.insertBlock()
            cursor.insertHtml("<br>".join(self._pending_html))
            self._pending_html = []
            self.log.setTextCursor(cursor)
            self.log.ensureCursorVisible()
        self._update_progress()

    def _line_html(self, line: Line) -> str:
        text = html.escape(line.text).replace(" ", "&nbsp;") or "&nbsp;"
        if line.location is not None:
            self._links.append(line.location.local(self._flake_dir))
            shown = html.escape(line.location.path)
            link = f'<a href="loc:{len(self._links) - 1}">{shown}</a>'
            text = text.replace(shown, link, 1)
        colour = line_colour(line.kind, self._owner.palette())
        if colour is not None:
            text = f'<span style="color:{colour}">{text}</span>'
        return text

    def _update_progress(self) -> None:
        p = self.classifier.progress
        if p.total:
            self.progress.setFormat("%v / %m")
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        what = p.current or ""
        self.phase_label.setText(f"{p.phase} — {what}" if p.phase and what else p.phase or what)

    def finish(self, outcome: Outcome, full: bool, ready_to: str | None) -> None:
        """The run ended: settle the progress bar (``full``: fill it) and show ``outcome``,
        with a link to the best error place, and "ready to ``ready_to``" when given."""
        self.stop_clock()
        self.transient_label.clear()
        p = self.classifier.progress
        if not p.total:
            self.progress.setFormat("")  # nothing was counted: no "0 / 1"
        if full:
            total = max(p.total, 1)
            self.progress.setRange(0, total)
            self.progress.setValue(total)
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, max(p.total, 1))
            self.progress.setValue(p.done)
        text = html.escape(str(outcome))
        best = best_location(self.classifier.locations, self._flake_dir)
        if not outcome.ok and best is not None:
            self._links.append(best)
            text += f' — <a href="loc:{len(self._links) - 1}">go to {html.escape(str(best))}</a>'
        if ready_to is not None:
            text += f" — ready to {html.escape(ready_to)}"
        self.status_label.setText(text)

    def _link_activated(self, href: str) -> None:
        if not href.startswith("loc:"):
            return
        try:
            loc = self._links[int(href[4:])]
        except (ValueError, IndexError):
            return
        self.location_activated.emit(loc.path, max(loc.line, 1), max(loc.column, 1))
