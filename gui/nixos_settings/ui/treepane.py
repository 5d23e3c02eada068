"""The window's left pane: the search bar over the option tree (its model and view)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTreeView, QVBoxLayout, QWidget

from nixos_settings.core.nix.optpath import Loc
from nixos_settings.ui.controller import Controller
from nixos_settings.ui.optiontree import OptionTreeModel, TreeNode
from nixos_settings.ui.searchbar import LIMIT, Row, SearchBar

if TYPE_CHECKING:
    from nixos_settings.core.options.search import SearchHit


def reveal_first(controller: Controller, loc: Loc) -> None:
    """Show the first definition of ``loc`` (or below it) in the source view."""
    cfg = controller.cfg
    if cfg is None:
        return
    defs = cfg.find_any(tuple(loc))
    if not defs:
        n = len(loc)
        defs = [d for d in cfg.definitions if tuple(d.loc[:n]) == tuple(loc)][:1]
    if defs:
        controller.reveal(defs[0])


def path_rows(controller: Controller, query: str) -> list[Row]:
    """A pasted option path (``users.users.alice.description``,
    ``fileSystems."/boot".device``) opens what it names: the entry's option itself, then
    its template option (or, for an entry, the attribute set it belongs to)."""
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.nix import optpath

    text = query.strip()
    opts = controller.options
    if opts is None or "." not in text:
        return []
    try:
        loc = optpath.parse(text)
    except NixSettingsError:
        return []
    info = controller.info(loc)
    if info is not None:
        if tuple(info.loc) == loc:
            return [Row(loc, info, "the name you typed")]
        return [Row(loc, info, "the path you typed"),
                Row(tuple(info.loc), info, "the option that describes it")]
    found = opts.match_prefix(loc)
    if found is not None and opts.template_prefix_exists(loc):
        option, length = found
        if length == len(loc) - 1:  # users.users.alice: an entry of users.users
            return [Row(loc, option, f"an entry of {optpath.show(option.loc)}"),
                    Row(tuple(option.loc), option, "the attribute set it belongs to")]
    return []


class OptionTreeView(QTreeView):
    """The tree with its Option column kept to at most :attr:`NAME_SHARE` of the width, so
    the Value column stays in view in a narrow pane (``QT_SCALE_FACTOR=2``, large fonts);
    long names are elided.  The width the user drags the column to is remembered and given
    back when the pane grows again."""

    NAME_SHARE = 0.6
    NAME_WIDTH = 260

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name_width = self.NAME_WIDTH
        self._fitting = False
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(40)
        # the stretched Value column never grows past what is left (Qt keeps the last
        # section at least this wide, scrolling the view sideways when it is not)
        header.setDefaultSectionSize(40)
        header.sectionResized.connect(self._section_resized)

    def name_limit(self) -> int:
        return max(60, int(self.viewport().width() * self.NAME_SHARE))

    def fit_columns(self) -> None:
        want = min(self._name_width, self.name_limit())
        if self.columnWidth(0) != want:
            self._fitting = True
            try:
                self.setColumnWidth(0, want)
            finally:
                self._fitting = False

    def _section_resized(self, logical: int, _old: int, new: int) -> None:
        if logical != 0 or self._fitting:
            return
        self._name_width = new
        if new > self.name_limit():
            self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class TreePane(QWidget):
    """Search + tree.  ``node_chosen(TreeNode)``: the user moved to a row of the tree."""

    node_chosen = Signal(object)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.search = SearchBar()
        self.model = OptionTreeModel(self)
        self.tree = OptionTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName("Options")
        self.tree.setAlternatingRowColors(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 0, 6)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)

    def wire(self) -> None:
        """Connect the search bar and the tree (once the window's actions exist)."""
        self.search.set_search(None)
        self.search.active_changed.connect(lambda on: self.tree.setVisible(not on))
        self.search.option_chosen.connect(self._controller.open_option)
        self.tree.selectionModel().currentChanged.connect(self._tree_current)
        self.tree.expanded.connect(lambda i: self.model.set_expanded(i, True))
        self.tree.collapsed.connect(lambda i: self.model.set_expanded(i, False))

    def enable_search(self) -> None:
        self.search.set_search(self._search, self._hints)

    def _hints(self, query: str) -> list[str]:
        index = self._controller.index
        return index.did_you_mean(query) if index is not None else []

    def _search(self, query: str) -> list[SearchHit | Row]:
        index = self._controller.index
        if index is None:
            return []
        only = None
        cfg = self._controller.cfg
        if self.search.only_set.isChecked() and cfg is not None:
            only = [tuple(d.loc) for d in cfg.definitions]
        exact = path_rows(self._controller, query)
        seen = {r.loc for r in exact}
        hits = [h for h in index.search(query, LIMIT, only=only)
                if tuple(h.option.loc) not in seen and h.option.loc[0] != "_module"]
        return [*exact, *hits]

    def _tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # A row the user picks (click, arrow keys, setCurrentIndex) is selected before
        # currentChanged is emitted.  Qt also moves the current index by itself without
        # selecting: when the tree gains focus with no current row (window activation,
        # Ctrl+1, a click on a branch arrow of an inactive window) it makes the first row
        # current.  That is not a choice, so it opens no page.
        if not self.tree.selectionModel().isSelected(current):
            return
        node = self.model.node(current)
        if node is not None:
            self.node_chosen.emit(node)

    def select(self, loc: Loc) -> str | None:
        """Make ``loc`` the tree's current row without signalling; its node kind, if any."""
        index = self.model.index_for(loc)
        if not index.isValid():
            return None
        node: TreeNode | None = self.model.node(index)
        self._set_current_quietly(index)
        self.tree.scrollTo(index)
        return node.kind if node is not None else None

    def _set_current_quietly(self, index: QModelIndex) -> None:
        sel = self.tree.selectionModel()
        sel.blockSignals(True)
        self.tree.setCurrentIndex(index)
        sel.blockSignals(False)

    def reveal_current(self) -> None:
        loc = self._controller.current
        if loc is None:
            return
        index = self.model.index_for(loc)
        if index.isValid():
            self._set_current_quietly(index)

    def _expanded_locs(self) -> list[Loc]:
        out: list[Loc] = []
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(self.model.rowCount(parent) if (not parent.isValid() or
                             self.tree.isExpanded(parent)) else 0):
                idx = self.model.index(row, 0, parent)
                if self.tree.isExpanded(idx):
                    node = self.model.node(idx)
                    if node is not None:
                        out.append(node.loc)
                    stack.append(idx)
        return out

    def rebuild(self, keep_state: bool, only_set: bool | None = None) -> None:
        """Feed the model the configuration's definitions; in place when only values
        changed, else by a reset that keeps expansion and scroll when ``keep_state``."""
        c = self._controller
        cfg = c.cfg
        if (keep_state and only_set is None and cfg is not None
                and self.model.tree.options is c.options
                and self.model.update_definitions(cfg.definitions, cfg.containers)):
            return
        expanded = self._expanded_locs() if keep_state else []
        scroll = self.tree.verticalScrollBar().value()
        defs = cfg.definitions if cfg is not None else []
        containers = cfg.containers if cfg is not None else []
        self.model.reset(c.options, defs, only_set, containers)
        for loc in expanded:
            idx = self.model.index_for(loc)
            if idx.isValid():
                self.tree.setExpanded(idx, True)
        self.reveal_current()
        if keep_state:
            QTimer.singleShot(0, lambda: self.tree.verticalScrollBar().setValue(scroll))
