"""Review changes before saving, and compare with a file that changed on disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix.text import unified_diff
from nixos_settings.ui.controller import Controller


class DiffHighlighter(QSyntaxHighlighter):
    """Colours a unified diff: additions, deletions, hunk headers; light or dark."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        self._fmt: dict[str, QTextCharFormat] = {}
        for key, fg, bg in (
            ("+", "#aff5b4" if dark else "#116329", "#033a16" if dark else "#dafbe1"),
            ("-", "#ffdcd7" if dark else "#82071e", "#67060c" if dark else "#ffebe9"),
            ("@", "#79c0ff" if dark else "#0550ae", None),
            ("h", "#d2a8ff" if dark else "#8250df", None),
        ):
            f = QTextCharFormat()
            f.setForeground(QColor(fg))
            if bg:
                f.setBackground(QColor(bg))
            self._fmt[key] = f

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            self.setFormat(0, len(text), self._fmt["h"])
        elif text.startswith("@@"):
            self.setFormat(0, len(text), self._fmt["@"])
        elif text.startswith("+"):
            self.setFormat(0, len(text), self._fmt["+"])
        elif text.startswith("-"):
            self.setFormat(0, len(text), self._fmt["-"])


class DiffView(QPlainTextEdit):
    """A read-only, coloured unified diff."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = DiffHighlighter(self.document(), self.palette())
        self.setPlainText(text)
        self.setAccessibleName("Differences")


def diff_view(text: str, parent: QWidget | None = None) -> DiffView:
    return DiffView(text, parent)


def hosts_reached(controller: Controller, paths: list[Path]) -> dict[Path, list[str]]:
    """For a flake with several hosts, which hosts each of ``paths`` reaches (else {})."""
    cfg = controller.cfg
    if cfg is None or not cfg.flake_host or not paths:
        return {}
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.system import fleet

    try:
        hosts = fleet.list_hosts(cfg.root)
    except NixSettingsError:
        return {}
    if len(hosts) < 2:
        return {}
    reach = fleet.reach(hosts)
    return {p: reach.get(p, []) for p in paths}


def by_host(reach: dict[Path, list[str]], controller: Controller) -> dict[str, list[str]]:
    """The changed files each host gets, host by host."""
    out: dict[str, list[str]] = {}
    for path, hosts in reach.items():
        for h in hosts:
            out.setdefault(h, []).append(controller.display_name(path))
    return out


class ReviewDialog(QDialog):
    """Pending changes (undo steps) and a unified diff per changed file."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review changes")
        self.controller = controller
        self.resize(980, 640)
        self.paths: list[Path] = controller.dirty_paths()
        steps = controller.pending_changes()
        summary = QLabel(
            f"{len(steps)} change{'s' if len(steps) != 1 else ''} in "
            f"{len(self.paths)} file{'s' if len(self.paths) != 1 else ''}. "
            "Nothing is written until you save."
            if self.paths else "No pending changes: your files are as they are on disk."
        )
        summary.setWordWrap(True)
        self.changes = QListWidget()
        self.changes.setAccessibleName("Pending changes")
        self.changes.addItems(steps)
        self.files = QListWidget()
        self.files.setAccessibleName("Changed files")
        reach = hosts_reached(controller, self.paths)
        for p in self.paths:
            hosts = reach.get(p)
            self.files.addItem(controller.display_name(p)
                               + (f"  → {', '.join(hosts)}" if hosts else ""))
        self.by_host = QListWidget()
        self.by_host.setAccessibleName("Changes by host")
        for host, names in by_host(reach, controller).items():
            self.by_host.addItem(f"{host}: {', '.join(names)}")
        self.diff = diff_view(controller.diff() if self.paths else "")
        self.files.currentRowChanged.connect(self._show_file)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Pending changes:"))
        ll.addWidget(self.changes, 1)
        ll.addWidget(QLabel("Files:"))
        ll.addWidget(self.files, 1)
        if self.by_host.count():  # a flake with several hosts: what each host gets
            ll.addWidget(QLabel("By host:"))
            ll.addWidget(self.by_host, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.diff)
        split.setStretchFactor(1, 3)
        split.setSizes([280, 700])
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setEnabled(bool(self.paths))
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(summary)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)

    def _show_file(self, row: int) -> None:
        if 0 <= row < len(self.paths):
            self.diff.setPlainText(self.controller.diff(self.paths[row]))


class ChangedOnDiskDialog(QDialog):
    """A file changed on disk since it was read: reload it, compare, or (explicitly)
    overwrite.  ``choice`` is "reload", "overwrite" or "cancel"."""

    def __init__(self, controller: Controller, paths: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("File changed on disk")
        self.choice = "cancel"
        self.resize(900, 560)
        names = ", ".join(str(p) for p in paths)
        msg = QLabel(
            f"<p><b>{names}</b> changed on disk after NixOS Settings read it "
            "(another program or person edited it). Nothing was written.</p>"
            "<p>Below: the file on disk (−) against your version (+). "
            "<b>Reload</b> reads the files again and drops your pending changes; "
            "<b>Overwrite</b> replaces the file on disk with your version.</p>"
        )
        msg.setWordWrap(True)
        cfg = controller.cfg
        assert cfg is not None  # files change on disk only while a configuration is open
        text = unified_diff(((controller.display_name(p), controller.disk_bytes(p) or b"",
                              cfg.documents[p].source) for p in paths), labels=("a/", "b/"))
        self.diff = diff_view(text or "(no difference in content)\n")
        box = QDialogButtonBox()
        reload_b = box.addButton("&Reload from disk", QDialogButtonBox.ButtonRole.DestructiveRole)
        over = box.addButton("&Overwrite with my version", QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        reload_b.clicked.connect(lambda: self._done("reload"))
        over.clicked.connect(lambda: self._done("overwrite"))
        box.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(msg)
        lay.addWidget(self.diff, 1)
        lay.addWidget(box)

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()
