"""Search field and ranked results list.

Every keystroke runs ``SearchIndex.search`` synchronously (it is built for ≤ 10 ms per query)
and resets a small list model with the top hits; Enter opens the first (or selected) hit,
Up/Down move through the list while the focus stays in the field.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix import optpath
from nixos_settings.ui.optiontree import type_words

if TYPE_CHECKING:
    from nixos_settings.core.options.model import OptionInfo
    from nixos_settings.core.options.search import SearchHit

Loc = tuple[str, ...]
_NO_PARENT = QModelIndex()  # default "parent" argument (Qt convention: invalid = root)
LIMIT = 200


def summary(opt: OptionInfo, limit: int = 140) -> str:
    """The first sentence of an option's description, as plain text (core.describe's rule:
    never past the first paragraph)."""
    from nixos_settings.core.options import describe

    try:
        return describe.summary(opt, limit)
    except Exception:  # a malformed description must not break the results list
        return ""


class Row:
    """One line of the results: the loc it opens, the option that describes it (a template
    for an entry's option) and why it matched."""

    __slots__ = ("loc", "option", "why")

    def __init__(self, loc: Loc, option: OptionInfo, why: str) -> None:
        self.loc = loc
        self.option = option
        self.why = why

    @classmethod
    def of(cls, hit: SearchHit | Row) -> Row:
        return hit if isinstance(hit, Row) else cls(tuple(hit.option.loc), hit.option, hit.why)


#: how long typing must pause before "did you mean" is worked out
HINT_DELAY_MS = 250


class SearchResultsModel(QAbstractListModel):
    """Ranked hits: display is the option name, tooltip its type and why it matched;
    ``SummaryRole`` the first sentence of its description (drawn under the name)."""

    LocRole = Qt.ItemDataRole.UserRole + 1
    SummaryRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[Row] = []
        self._summaries: dict[str, str] = {}
        self.query = ""

    def set_hits(self, query: str, hits: Sequence[SearchHit | Row]) -> None:
        self.beginResetModel()
        self.query = query
        self._hits = [Row.of(h) for h in hits]
        self.endResetModel()

    def hit(self, row: int) -> Row | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        opt = hit.option
        if role == Qt.ItemDataRole.DisplayRole:
            return optpath.show(hit.loc)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{optpath.show(hit.loc)}\n{type_words(opt.type)}\nmatched: {hit.why}"
        if role == self.LocRole:
            return hit.loc
        if role == self.SummaryRole:
            cached = self._summaries.get(opt.name)
            if cached is None:
                cached = self._summaries[opt.name] = summary(opt)
            return cached
        return None


class ResultDelegate(QStyledItemDelegate):
    """Two lines per hit: the option name, and its summary in the muted text colour."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        size = super().sizeHint(option, index)
        size.setHeight(option.fontMetrics.height() * 2 + 6)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        rect = opt.rect.adjusted(4, 2, -4, -2)
        fm = opt.fontMetrics
        line = fm.height()
        painter.save()
        painter.setPen(pal.color(QPalette.ColorRole.HighlightedText if selected
                                 else QPalette.ColorRole.Text))
        painter.drawText(rect.x(), rect.y() + fm.ascent(),
                         fm.elidedText(name, Qt.TextElideMode.ElideMiddle, rect.width()))
        text = index.data(SearchResultsModel.SummaryRole) or ""
        muted = pal.color(QPalette.ColorRole.HighlightedText if selected
                          else QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        painter.drawText(rect.x(), rect.y() + line + fm.ascent(),
                         fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()


class SearchBar(QWidget):
    """The search field with its results list.

    Signals:
        option_chosen(tuple): the user opened a hit (Enter, click).
        active_changed(bool): results are shown (query not empty) or hidden.
    """

    option_chosen = Signal(object)
    active_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search: Callable[[str], Sequence[SearchHit | Row]] | None = None
        #: corrected queries for a query whose results are weak ("did you mean")
        self._hints: Callable[[str], list[str]] | None = None
        self.field = QLineEdit()
        self.field.setPlaceholderText("Search options (Ctrl+F)…")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search options")
        self.field.textChanged.connect(self._on_text)
        self.field.returnPressed.connect(self._open_current)
        self.field.installEventFilter(self)
        self.only_set = QToolButton()
        self.only_set.setText("Only set")
        self.only_set.setCheckable(True)
        self.only_set.setToolTip("Show only what my configuration sets")
        self.only_set.toggled.connect(lambda _on: self._on_text(self.field.text()))
        self.model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setUniformItemSizes(True)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(self._open_index)
        self.results.clicked.connect(self._open_index)
        self.results.hide()
        #: shown instead of an empty list: "no results", and with "Only set" on, a way out
        self.empty = self._link_label("noResults", "No results")
        #: "Did you mean …?" above weak results (typos), each suggestion a link
        self.hint = self._link_label("didYouMean", "Did you mean")
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(HINT_DELAY_MS)
        self._hint_timer.timeout.connect(self._show_hint)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.only_set)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.empty)
        lay.addWidget(self.hint)
        lay.addWidget(self.results, 1)

    def _link_label(self, name: str, accessible: str) -> QLabel:
        """A hidden, wrapping rich-text line whose links (mouse or keyboard) go to
        :meth:`_link`."""
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        label.linkActivated.connect(self._link)
        label.setAccessibleName(accessible)
        label.hide()
        return label

    def set_search(self, search: Callable[[str], Sequence[SearchHit | Row]] | None,
                   hints: Callable[[str], list[str]] | None = None) -> None:
        """Install the search function (``query -> hits``) and the "did you mean" one
        (``query -> corrected queries``); re-run the current query."""
        self._search = search
        self._hints = hints
        if self.field.text():
            self._on_text(self.field.text())

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def _on_text(self, text: str) -> None:
        query = text.strip()
        active = bool(query)
        was = self.results.isVisible()
        if not active or self._search is None:
            self.model.set_hits(query, [])
        else:
            self.model.set_hits(query, self._search(query))
            if self.model.rowCount():
                self.results.setCurrentIndex(self.model.index(0, 0))
        if active != was:
            self.results.setVisible(active)
            self.active_changed.emit(active)
        self._show_empty(query if active and self._search is not None
                         and not self.model.rowCount() else "")
        # the corrections cost a fuzzy match per word: asked once typing pauses, never per
        # keystroke (the results themselves stay immediate)
        self.hint.hide()
        self._hint_timer.start()

    def _show_hint(self) -> None:
        """Offer corrected queries when the results are weak (none, or only partial,
        description or typo matches): "Did you mean firewall?"."""
        query = self.field.text().strip() if self._search is not None else ""
        from nixos_settings.core.options.search import WEAK_MATCHES  # once typing

        hits = [self.model.hit(r) for r in range(min(1, self.model.rowCount()))]
        weak = not hits or hits[0] is None or hits[0].why in WEAK_MATCHES
        fixes = self._hints(query) if query and weak and self._hints is not None else []
        if not fixes:
            self.hint.hide()
            return
        links = ", ".join(f"<a href='q:{html.escape(f, quote=True)}'>{html.escape(f)}</a>"
                          for f in fixes)
        self.hint.setText(f"Did you mean {links}?")
        self.hint.show()

    def _link(self, href: str) -> None:
        """A link of the hint or the "no results" line: a corrected query, or "search all
        options" (Only set off)."""
        if href.startswith("q:"):
            self.field.setText(href[2:])
            self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.only_set.setChecked(False)

    def _show_empty(self, query: str) -> None:
        """Say "no results" (never just an empty list); with "Only set" on, offer to
        search every option."""
        if not query:
            self.empty.hide()
            return
        text = f"<b>No results</b> for “{html.escape(query)}”"
        if self.only_set.isChecked():
            text += (" among the options your configuration sets. <b>Only set</b> is on — "
                     "<a href='all'>search all options</a>?")
        else:
            text += ". Try fewer or other words (for example <i>ssh</i> or <i>time zone</i>)."
        self.empty.setText(text)
        self.empty.show()

    def _open_current(self) -> None:
        idx = self.results.currentIndex()
        if not idx.isValid() and self.model.rowCount():
            idx = self.model.index(0, 0)
        if idx.isValid():
            self._open_index(idx)

    def _open_index(self, index: QModelIndex) -> None:
        loc = self.model.data(index, SearchResultsModel.LocRole)
        if loc:
            self.option_chosen.emit(loc)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Up/Down/PageUp/PageDown in the field move through the results; Esc clears."""
        if obj is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                if self.model.rowCount():
                    step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1,
                            Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}[Qt.Key(key)]
                    row = max(0, min(self.model.rowCount() - 1,
                                     self.results.currentIndex().row() + step))
                    self.results.setCurrentIndex(self.model.index(row, 0))
                return True
            if key == Qt.Key.Key_Escape and self.field.text():
                self.field.clear()
                return True
        return super().eventFilter(obj, event)
