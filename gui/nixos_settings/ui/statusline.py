"""The status bar's permanent part: option metadata, problem count, pending changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton

from nixos_settings.ui.controller import Controller

if TYPE_CHECKING:
    from nixos_settings.core.options.model import OptionSet


def metadata_release(opts: OptionSet) -> str | None:
    """The NixOS release the option metadata describes (``system.nixos.release``'s
    default), or None (Home Manager, nix-darwin, or not said)."""
    info = opts.get(("system", "nixos", "release"))
    value = info.default.value if info is not None and info.default is not None else None
    return value if isinstance(value, str) and value else None


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
        tip = ""
        if opts is None:
            meta = "Options: loading…" if c.load_error is None else "Options: none"
        else:
            release = metadata_release(opts)
            tip = f"Option metadata: {opts.source.display()}"
            # what the metadata describes, not when its file was copied
            what = f"NixOS {release}" if release else opts.source.display()
            meta = f"Options: {what} — {len(opts):,} options"
        self.meta.setText(meta)
        self.meta.setToolTip(tip)
        self.problems.setText(problems_text)
        # files whose bytes differ from disk: edits that cancel out leave none (the number
        # of undo steps would count history, not what saving changes; the review says that)
        pending = len(c.dirty_paths())
        self.pending.setText(
            f"Unsaved changes in {pending} file{'s' if pending != 1 else ''} — review"
            if pending else "No pending changes")
        return pending
