"""Review changes before saving, and compare with a file that changed on disk.

The review lists what saving would change, option by option and file by file, net of edits
that cancel out (:mod:`nixos_settings.core.config.changes`); the diff wraps long lines and
marks the words that changed within a changed line (:mod:`nixos_settings.core.common.
worddiff`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.common.worddiff import Span, diff_word_spans, row_kinds, row_of
from nixos_settings.core.config.changes import REMOVED, NetChanges, OptionChange
from nixos_settings.core.nix.text import unified_diff
from nixos_settings.ui.controller import Controller


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def diff_formats(palette: QPalette) -> dict[str, QTextCharFormat]:
    """The formats of a diff, from ``palette``: ``+``/``-`` lines on a green/red tint of the
    base colour, their changed words (``+w``/``-w``) on a stronger tint, both in the text
    colour (readable on light and dark palettes alike); ``@`` hunk headers, ``h`` file
    headers."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = base.lightness() < 128
    line_t, word_t = (0.22, 0.5) if dark else (0.16, 0.42)
    out: dict[str, QTextCharFormat] = {}
    for key, tint in (("+", QColor(46, 160, 67)), ("-", QColor(218, 54, 51))):
        for suffix, t in (("", line_t), ("w", word_t)):
            f = QTextCharFormat()
            f.setForeground(text)
            f.setBackground(_mix(base, tint, t))
            out[key + suffix] = f
    hunk = QTextCharFormat()
    hunk.setForeground(_mix(text, palette.color(QPalette.ColorRole.Link), 0.6))
    out["@"] = hunk
    head = QTextCharFormat()
    head.setForeground(text)
    head.setFontWeight(QFont.Weight.Bold)
    out["h"] = head
    return out


class DiffHighlighter(QSyntaxHighlighter):
    """Colours a unified diff: additions, deletions (their changed words stronger), hunk and
    file headers; colours from the palette, light or dark."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._fmt = diff_formats(palette)
        #: row → character ranges of the changed words (see ``worddiff.diff_word_spans``)
        self.words: dict[int, list[Span]] = {}
        #: the kind of each row (see ``worddiff.row_kinds``)
        self.kinds: list[str] = []

    def set_palette(self, palette: QPalette) -> None:
        self._fmt = diff_formats(palette)
        self.rehighlight()

    @property
    def formats(self) -> dict[str, QTextCharFormat]:
        return self._fmt

    def highlightBlock(self, text: str) -> None:
        row = self.currentBlock().blockNumber()
        key = self.kinds[row] if row < len(self.kinds) else ""
        fmt = self._fmt.get(key)
        if fmt is None:
            return
        self.setFormat(0, len(text), fmt)
        strong = self._fmt.get(key + "w")
        if strong is not None:
            for s, e in self.words.get(row, ()):
                self.setFormat(s, e - s, strong)


class DiffView(QPlainTextEdit):
    """A read-only, coloured unified diff; long lines wrap; changed words stand out."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = DiffHighlighter(self.document(), self.palette())
        self.setPlainText(text)
        self.setAccessibleName("Differences")

    def setPlainText(self, text: str) -> None:
        self.highlighter.words = diff_word_spans(text)
        self.highlighter.kinds = row_kinds(text)
        super().setPlainText(text)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())

    def show_row(self, row: int) -> None:
        """Put row ``row`` of the diff in view (its cursor there)."""
        block = self.document().findBlockByNumber(row)
        if block.isValid():
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()


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


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_text(net: NetChanges, edits: int) -> str:
    """The review's first sentence: what saving would change (net), the number of edits
    only in passing."""
    if not net:
        if edits:
            return "Your edits cancel out: nothing would change."
        return "No pending changes: your files are as they are on disk."
    options = net.options
    with_options = [f for f in net.files if f.options]
    other = net.text_only
    parts = []
    if options:
        parts.append(f"{_n(len(options), 'option')} changed in {_n(len(with_options), 'file')}")
    else:
        parts.append("No option changed")
    if other:
        more = "more " if options else ""
        parts.append(f"{_n(len(other), more + 'file')} changed only in text that sets no "
                     "option (comments, layout)")
    text = "; ".join(parts)
    if edits and edits != len(options):
        text += f" (from {_n(edits, 'edit')})"
    return text + ". Nothing is written until you save."


#: item data: the file a row of the change list belongs to, and the change itself
PATH_ROLE = Qt.ItemDataRole.UserRole
CHANGE_ROLE = Qt.ItemDataRole.UserRole + 1


class ReviewDialog(QDialog):
    """What saving would change, option by option and file by file (net of edits that
    cancel out), with a unified diff per file."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review changes")
        self.controller = controller
        self.resize(1040, 660)
        self.paths: list[Path] = controller.dirty_paths()
        self.net = controller.net_changes()
        steps = controller.pending_changes()
        self.summary = QLabel(summary_text(self.net, len(steps)))
        self.summary.setWordWrap(True)
        self.net_list = self._net_list()
        self.changes = QListWidget()
        self.changes.setAccessibleName("Edits since the last save")
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
        self.net_list.currentItemChanged.connect(self._show_change)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._left())
        split.addWidget(self.diff)
        split.setStretchFactor(1, 3)
        split.setSizes([360, 680])
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setEnabled(bool(self.paths) and bool(self.net))
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        lay.addWidget(self.buttons)

    def _net_list(self) -> QTreeWidget:
        """The net changes, grouped by file: a row per file, under it a row per option."""
        tree = QTreeWidget()
        tree.setAccessibleName("Changes")
        tree.setHeaderHidden(True)
        tree.setColumnCount(1)
        tree.setWordWrap(True)
        for f in self.net.files:
            name = self.controller.display_name(f.path)
            if f.text_only:
                name += " — no option changed (comments, layout)"
            elif not f.text_changed:
                name += " — its text is unchanged (what imports it changed)"
            top = QTreeWidgetItem([name])
            top.setData(0, PATH_ROLE, str(f.path))
            for c in f.options:
                row = QTreeWidgetItem([f"{c.option}: {c.describe()}"])
                row.setToolTip(0, f"{c.option}: {c.describe(limit=2000)}")
                row.setData(0, PATH_ROLE, str(f.path))
                row.setData(0, CHANGE_ROLE, c)
                top.addChild(row)
            tree.addTopLevelItem(top)
            top.setExpanded(True)
        return tree

    def _left(self) -> QWidget:
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("What would change:"))
        ll.addWidget(self.net_list, 3)
        ll.addWidget(QLabel("Files:"))
        ll.addWidget(self.files, 1)
        if self.by_host.count():  # a flake with several hosts: what each host gets
            ll.addWidget(QLabel("By host:"))
            ll.addWidget(self.by_host, 1)
        ll.addWidget(QLabel("Edits since the last save:"))
        ll.addWidget(self.changes, 1)
        return left

    def _show_file(self, row: int) -> None:
        if 0 <= row < len(self.paths):
            self.diff.setPlainText(self.controller.diff(self.paths[row]))

    def _show_change(self, item: QTreeWidgetItem | None) -> None:
        """The diff of the file the chosen row belongs to, at the option's line."""
        if item is None:
            return
        path = Path(str(item.data(0, PATH_ROLE)))
        text = self.controller.diff(path) if path in self.paths else ""
        if not text:
            text = (f"{self.controller.display_name(path)}: the text of this file does not "
                    "change; what it sets counts differently because the files that import "
                    "it changed.\n")
        self.diff.setPlainText(text)
        change = item.data(0, CHANGE_ROLE)
        if isinstance(change, OptionChange) and change.line:
            row = row_of(text, change.line, old=change.kind == REMOVED)
            if row is not None:
                self.diff.show_row(row)


class ChangedOnDiskDialog(QDialog):
    """A file changed on disk since it was read: reload it (keeping the pending changes
    when they touch other lines), compare, or (explicitly) overwrite.  ``choice`` is
    "keep", "reload", "overwrite" or "cancel"."""

    def __init__(self, controller: Controller, paths: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("File changed on disk")
        self.choice = "cancel"
        keepable = controller.carried_over() is not None
        self.resize(900, 560)
        names = ", ".join(str(p) for p in paths)
        msg = QLabel(
            f"<p><b>{names}</b> changed on disk after NixOS Settings read it "
            "(another program or person edited it). Nothing was written.</p>"
            "<p>Below: the file on disk (−) against your version (+). "
            + ("<b>Reload and keep my changes</b> reads the files again and puts your "
               "pending changes back on top (they touch other lines), for you to review "
               "and save; " if keepable else "")
            + "<b>Reload</b> reads the files again and drops your pending changes; "
            "<b>Overwrite</b> replaces the file on disk with your version.</p>"
        )
        msg.setWordWrap(True)
        cfg = controller.cfg
        assert cfg is not None  # files change on disk only while a configuration is open
        text = unified_diff(((controller.display_name(p), controller.disk_bytes(p) or b"",
                              cfg.documents[p].source) for p in paths), labels=("a/", "b/"))
        self.diff = diff_view(text or "(no difference in content)\n")
        box = QDialogButtonBox()
        if keepable:
            keep = box.addButton("Reload and &keep my changes",
                                 QDialogButtonBox.ButtonRole.ActionRole)
            keep.clicked.connect(lambda: self._done("keep"))
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
