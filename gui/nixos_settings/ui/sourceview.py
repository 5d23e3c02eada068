"""Read-only view of the configuration's files, highlighted.

The highlighting comes from :func:`nixos_settings.core.nix.highlight.highlight_spans` as byte
spans with a category (this module never sees a syntax node); the spans are split per line
and converted from UTF-8 byte columns to the UTF-16 positions Qt uses, and a
:class:`QSyntaxHighlighter` paints each block from that table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.config.document import Document
from nixos_settings.core.nix.highlight import Span, highlight_spans
from nixos_settings.ui.pagewidgets import readable


def _utf16_len(data: bytes) -> int:
    if data.isascii():
        return len(data)
    return len(data.decode("utf-8", "replace").encode("utf-16-le")) // 2


class LineTable:
    """Byte offsets of line starts, and byte → (line, UTF-16 column) conversion."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        starts = [0]
        find = source.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        self.starts = starts

    def line_of(self, offset: int) -> int:
        """0-based line containing byte ``offset``."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def column16(self, line: int, offset: int) -> int:
        """UTF-16 column of byte ``offset`` on ``line``."""
        return _utf16_len(self.source[self.starts[line] : offset])

    def position16(self, offset: int) -> int:
        """Absolute UTF-16 position of byte ``offset`` (what QTextCursor wants).

        Line breaks count as one position in a QTextDocument; ``\\r\\n`` files are shown with
        their ``\\r`` stripped, so a CRLF counts as one as well.
        """
        line = self.line_of(offset)
        pos = 0
        for i in range(line):
            seg = self.source[self.starts[i] : self.starts[i + 1] - 1]
            pos += _utf16_len(seg.rstrip(b"\r")) + 1
        return pos + self.column16(line, offset)


def spans_by_line(source: bytes, spans: Iterable[Span]) -> dict[int, list[tuple[int, int, str]]]:
    """Split byte spans into per-line ``(utf16_start, utf16_length, category)`` triples."""
    table = LineTable(source)
    out: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, cat in spans:
        line = table.line_of(start)
        while True:
            line_end = (
                table.starts[line + 1] - 1 if line + 1 < len(table.starts) else len(source)
            )
            seg_end = min(end, line_end)
            c0 = table.column16(line, start)
            c1 = table.column16(line, seg_end)
            if c1 > c0:
                out.setdefault(line, []).append((c0, c1 - c0, cat))
            if end <= line_end or line + 1 >= len(table.starts):
                break
            line += 1
            start = table.starts[line]
    return out


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _formats(palette: QPalette) -> dict[str, QTextCharFormat]:
    """Token formats readable on the palette's base colour (light or dark)."""
    dark = _is_dark(palette)
    colours = {
        "comment": "#8b949e" if dark else "#6a737d",
        "string": "#a5d6ff" if dark else "#0a3069",
        "number": "#79c0ff" if dark else "#0550ae",
        "path": "#7ee787" if dark else "#116329",
        "keyword": "#ff7b72" if dark else "#cf222e",
        "attribute": "#d2a8ff" if dark else "#8250df",
        "constant": "#79c0ff" if dark else "#0550ae",
    }
    # readable on the plain text, the current line and a marked definition alike
    grounds = (palette.color(QPalette.ColorRole.Base), _line_colour(palette),
               _mark_colour(palette))
    out: dict[str, QTextCharFormat] = {}
    for cat, colour in colours.items():
        fmt = QTextCharFormat()
        fmt.setForeground(readable(colour, *grounds))
        if cat == "keyword":
            fmt.setFontWeight(QFont.Weight.Bold)
        if cat == "comment":
            fmt.setFontItalic(True)
        out[cat] = fmt
    err = QTextCharFormat()
    err.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    err.setUnderlineColor(QColor("#f85149" if dark else "#d1242f"))
    out["error"] = err
    return out


class NixHighlighter(QSyntaxHighlighter):
    """Paints a QTextDocument from a precomputed per-line span table."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._table: dict[int, list[tuple[int, int, str]]] = {}
        self._formats = _formats(palette)

    def set_table(self, table: dict[int, list[tuple[int, int, str]]]) -> None:
        self._table = table
        self.rehighlight()

    def set_palette(self, palette: QPalette) -> None:
        self._formats = _formats(palette)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for start, length, cat in self._table.get(self.currentBlock().blockNumber(), ()):
            fmt = self._formats.get(cat)
            if fmt is not None:
                self.setFormat(start, length, fmt)


class _LineNumbers(QWidget):
    """The gutter beside the editor."""

    def __init__(self, editor: CodeView) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_gutter(event)


class CodeView(QPlainTextEdit):
    """A read-only plain text view with line numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._gutter = _LineNumbers(self)
        self.blockCountChanged.connect(self._update_margins)
        self.updateRequest.connect(self._update_gutter)
        self._update_margins()

    def gutter_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(
                    0, top, self._gutter.width() - 6, height,
                    int(Qt.AlignmentFlag.AlignRight), str(block.blockNumber() + 1),
                )
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()


class SourceView(QWidget):
    """File chooser + highlighted read-only code, with the current definition marked.

    Signals:
        file_shown(Path): the file now displayed.
    """

    file_shown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._docs: dict[Path, Document] = {}
        self._current: Path | None = None
        self._shown_source: bytes | None = None
        self._lines: LineTable | None = None
        self._files = QComboBox()
        self._files.setAccessibleName("File shown")
        self._files.setToolTip("File of the configuration to show")
        self._files.currentIndexChanged.connect(self._on_file_chosen)
        self._where = QLabel()
        self._where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code = CodeView()
        self.code.setAccessibleName("Source of the file")
        self._highlighter = NixHighlighter(self.code.document(), self.code.palette())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&File:")
        label.setBuddy(self._files)
        top.addWidget(label)
        top.addWidget(self._files, 1)
        top.addWidget(self._where)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.code, 1)

    # -- public API --------------------------------------------------------------------

    def set_documents(self, documents: Mapping[Path, Document], root: Path | None = None) -> None:
        """Show the files of a configuration."""
        self._docs = dict(documents)
        keep = self._current if self._current in self._docs else None
        if root is not None:
            self._root = root
        root = getattr(self, "_root", None)
        self._files.blockSignals(True)
        self._files.clear()
        base = root.parent if root is not None else None
        for path in self._docs:
            self._files.addItem(_display_name(path, base), str(path))
        self._files.blockSignals(False)
        target = keep or (root if root in self._docs else next(iter(self._docs), None))
        if target is not None:
            self.show_file(target, force=True)

    def current_path(self) -> Path | None:
        return self._current

    def show_file(self, path: Path, force: bool = False) -> None:
        """Display ``path`` (one of the documents)."""
        path = Path(path)
        if path not in self._docs:
            return
        idx = self._files.findData(str(path))
        if idx >= 0 and self._files.currentIndex() != idx:
            self._files.blockSignals(True)
            self._files.setCurrentIndex(idx)
            self._files.blockSignals(False)
        if path == self._current and not force:
            return
        self._current = path
        doc = self._docs[path]
        source: bytes = doc.source
        self._shown_source = source
        self._lines = LineTable(source)
        text = source.decode("utf-8", "replace").replace("\r\n", "\n")
        self._highlighter.set_table({})
        self.code.setPlainText(text)
        self._highlighter.set_table(
            spans_by_line(source, highlight_spans(source, doc.tree))
        )
        self.code.setExtraSelections([])
        self._where.setText("")
        self.file_shown.emit(path)

    def refresh(self, documents: Mapping[Path, Document]) -> None:
        """Documents changed (edit, undo, reload): redisplay keeping the scroll position;
        the text is only re-rendered when the shown file's bytes changed."""
        docs = dict(documents)
        if list(docs) != list(self._docs):
            self._docs = {}
            self.set_documents(docs)
        self._docs = docs
        current = self._current
        if current is None or current not in docs:
            return
        if docs[current].source == self._shown_source:
            return
        bar = self.code.verticalScrollBar().value()
        self.show_file(current, force=True)
        self.code.verticalScrollBar().setValue(bar)

    def show_location(
        self, path: Path, line: int, column: int = 1, span: tuple[int, int] | None = None
    ) -> None:
        """Open ``path`` at 1-based ``line``/``column``; mark ``span`` (bytes) if given."""
        self.show_file(Path(path))
        if self._current != Path(path) or self._lines is None:
            return
        doc = self.code.document()
        block = doc.findBlockByNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        if column > 1:
            cursor.movePosition(
                QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, column - 1
            )
        selections = []
        if span is not None:
            sel = QTextEdit.ExtraSelection()
            mark = QTextCursor(doc)
            mark.setPosition(self._lines.position16(span[0]))
            mark.setPosition(self._lines.position16(span[1]), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = mark
            fmt = QTextCharFormat()
            fmt.setBackground(_mark_colour(self.code.palette()))
            sel.format = fmt
            selections.append(sel)
        line_sel = QTextEdit.ExtraSelection()
        lc = QTextCursor(block)
        line_sel.cursor = lc
        lfmt = QTextCharFormat()
        lfmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        lfmt.setBackground(_line_colour(self.code.palette()))
        line_sel.format = lfmt
        self.code.setExtraSelections([line_sel, *selections])
        self.code.setTextCursor(cursor)
        self.code.centerCursor()
        self._where.setText(f"line {line}, column {column}")

    def marked_text(self) -> str:
        """Text of the marked definition (tests and accessibility)."""
        sels = self.code.extraSelections()
        return sels[-1].cursor.selectedText() if len(sels) > 1 else ""

    def _on_file_chosen(self, index: int) -> None:
        data = self._files.itemData(index)
        if data:
            self.show_file(Path(data))


def _mark_colour(palette: QPalette) -> QColor:
    return QColor("#5a4a00") if _is_dark(palette) else QColor("#fff3b0")


def _line_colour(palette: QPalette) -> QColor:
    return QColor("#2d333b") if _is_dark(palette) else QColor("#eef4ff")


def _display_name(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)
