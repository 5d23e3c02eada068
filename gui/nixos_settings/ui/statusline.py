"""The status bar's permanent part: option metadata, problem count, pending changes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton

from nixos_settings.ui.controller import Controller


class StatusLine:
    """Three permanent widgets of ``bar``; :meth:`update` sets their texts."""

    def __init__(self, bar: QStatusBar, toggle_problems: Callable[[], None],
                 review: Callable[[], None]) -> None:
        self.meta = QLabel()
        self.problems = QToolButton()
        self.problems.setAutoRaise(True)
        self.problems.clicked.connect(toggle_problems)
        self.pending = QToolButton()
        self.pending.setAutoRaise(True)
        self.pending.clicked.connect(review)
        bar.addPermanentWidget(self.meta)
        bar.addPermanentWidget(self.problems)
        bar.addPermanentWidget(self.pending)

    def update(self, c: Controller, problems_text: str) -> int:
        """Show the state of ``c``; the number of files with pending changes."""
        opts = c.options
        if opts is None:
            meta = "Options: loading…" if c.load_error is None else "Options: none"
        else:
            meta = f"Options: {opts.source.display()} — {len(opts):,} options"
        self.meta.setText(meta)
        self.problems.setText(problems_text)
        pending = len(c.dirty_paths())
        steps = len(c.pending_changes())
        self.pending.setText(
            f"{steps} pending change{'s' if steps != 1 else ''} in {pending} file"
            f"{'s' if pending != 1 else ''} — review" if pending else "No pending changes")
        return pending
