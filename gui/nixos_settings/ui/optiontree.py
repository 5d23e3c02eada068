"""The option tree as a Qt item model.

:class:`~nixos_settings.core.options.tree.OptionTree` (Qt-free, in the core) joins the
metadata's loc tree with the definitions' lazily; :class:`OptionTreeModel`
(QAbstractItemModel) shows it in two columns, *Option* and *Value*.  It never materialises a
branch the view has not asked for, so 20,000+ options cost nothing until expanded.  The
"only what my configuration sets" mode hides branches with nothing set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import is_placeholder
from nixos_settings.core.options.tree import (
    ENTRY,
    GROUP,
    OPTION,
    TEMPLATE,
    UNKNOWN,
    OptionTree,
    TreeNode,
    defined_locs,
)
from nixos_settings.ui.pagewidgets import is_dark, readable

if TYPE_CHECKING:
    from nixos_settings.core.options.model import OptionSet

__all__ = ["ENTRY", "GROUP", "OPTION", "TEMPLATE", "UNKNOWN", "OptionTree", "OptionTreeModel",
           "TreeNode"]

Loc = tuple[str, ...]
_NO_PARENT = QModelIndex()  # default "parent" argument (Qt convention: invalid = root)
_is_placeholder = is_placeholder  # the name ui/optionpage.py uses


def type_words(raw: str) -> str:
    """An option's type in words (``port (0–65535)``); NixOS's own wording only when the
    words would say nothing more than "Nix expression"."""
    from nixos_settings.core.options.types import parse_type

    words = parse_type(raw).words()
    return raw if words == "Nix expression" and raw.strip() else words


def _short_value(defs: list[Definition]) -> str:
    if not defs:
        return ""
    text = " ".join(str(defs[0].value_text).split())
    if len(text) > 60:
        text = text[:59] + "…"
    wrappers = [w.name for w in defs[0].wrappers]
    if wrappers:
        text = f"{text}  ({', '.join(wrappers)})"
    if len(defs) > 1:
        text += f"  [{len(defs)} definitions]"
    return text


class OptionTreeModel(QAbstractItemModel):
    """Qt adapter over :class:`OptionTree` (columns: Option, Value)."""

    LocRole = Qt.ItemDataRole.UserRole + 1
    KindRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tree = OptionTree(None, [])
        #: what Nix evaluated each option to (text), after "Evaluate with Nix"
        self.effective: dict[Loc, str] = {}
        self._expanded: set[Loc] = set()
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- feeding -----------------------------------------------------------------------

    def reset(
        self, options: OptionSet | None, definitions: Iterable[Definition],
        only_set: bool | None = None, containers: Iterable[Definition] = (),
    ) -> None:
        """Rebuild from new metadata/definitions (the view restores expansion by loc)."""
        self.beginResetModel()
        flag = self.tree.only_set if only_set is None else only_set
        self.tree = OptionTree(options, definitions, flag, containers)
        self.endResetModel()

    def update_definitions(self, definitions: Iterable[Definition],
                           containers: Iterable[Definition]) -> bool:
        """Values changed but no loc appeared or vanished: update rows in place (no reset,
        so the view keeps expansion, selection and scroll).  False when a reset is needed."""
        definitions, containers = list(definitions), list(containers)
        if defined_locs(definitions, containers) != self.tree.keys:
            return False
        for node in self.tree.rebind(definitions, containers):
            if node is self.tree.root:
                continue
            self.dataChanged.emit(self.createIndex(node.row, 0, node),
                                  self.createIndex(node.row, 1, node))
        return True

    def set_expanded(self, index: QModelIndex, expanded: bool) -> None:
        """Views report expansion so collapsed branches can show "N set below"."""
        node = self.node(index)
        if node is None:
            return
        (self._expanded.add if expanded else self._expanded.discard)(node.loc)
        cell = self.index(index.row(), 1, index.parent())
        self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])

    # -- lookup ------------------------------------------------------------------------

    def node(self, index: QModelIndex | QPersistentModelIndex) -> TreeNode | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, TreeNode) else None

    def index_for(self, loc: Sequence[str]) -> QModelIndex:
        """Model index of ``loc`` (invalid when absent or hidden)."""
        node = self.tree.find(loc)
        if node is None or node is self.tree.root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    # -- QAbstractItemModel --------------------------------------------------------------

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT
    ) -> QModelIndex:
        if column < 0 or column > 1 or row < 0:
            return QModelIndex()
        pnode = self.node(parent) if parent.isValid() else self.tree.root
        if pnode is None:
            return QModelIndex()
        kids = self.tree.children(pnode)
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self.tree.root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        pnode = self.node(parent) if parent.isValid() else self.tree.root
        return 0 if pnode is None else len(self.tree.children(pnode))

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> bool:
        if not parent.isValid():
            return self.tree.has_children(self.tree.root)
        if parent.column() != 0:
            return False
        node = self.node(parent)
        return node is not None and self.tree.has_children(node)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Option", "Value")[section] if section in (0, 1) else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        node = self.node(index)
        if node is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.display if col == 0 else self._value_text(node)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.FontRole:
            if node.is_set or node.kind == ENTRY:
                return self._bold
            if node.kind == TEMPLATE or (node.option is not None and node.option.read_only):
                return self._italic
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(node, col)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{optpath.show(node.loc)} {self._value_text(node)}".strip()
        if role == self.LocRole:
            return node.loc
        if role == self.KindRole:
            return node.kind
        return None

    def set_effective(self, values: dict[Loc, object]) -> None:
        """Show what Nix evaluates each option to beside its text ({}: show none)."""
        if not values and not self.effective:
            return  # (before the import: this runs when every configuration opens)
        from nixos_settings.core.system.evaluate import describe_value

        self.effective = {loc: describe_value(v, 40) for loc, v in values.items()}
        rows = self.rowCount()
        if rows:
            self.dataChanged.emit(self.index(0, 1), self.index(rows - 1, 1))
        self.layoutChanged.emit()

    def _value_text(self, node: TreeNode) -> str:
        effective = self.effective.get(node.loc)
        if node.is_set:
            text = _short_value(node.defs)
            return f"{text}  ⇒ {effective}" if effective is not None else text
        if node.kind == UNKNOWN:
            return "not checked" if self.tree.unchecked(node) else "not a known option"
        if node.set_below and node.loc not in self._expanded:
            return f"{node.set_below} set below"
        return ""

    def _tooltip(self, node: TreeNode) -> str:
        name = optpath.show(node.loc)
        if self.tree.unchecked(node):
            return (f"{name}: set in your configuration; the option metadata has no "
                    f"{node.loc[0]} options (they come from a module it does not describe), "
                    "so it was not checked")
        if node.kind == UNKNOWN:
            return f"{name}: set in your configuration, but no such option is known"
        if node.kind == TEMPLATE:
            return f"{name}: the options every entry has"
        if node.option is not None:
            return f"{name} ({type_words(node.option.type)})"
        return name

    def _foreground(self, node: TreeNode, col: int) -> QBrush | None:
        colour = tree_colour(node, col, QApplication.palette(), self.tree.unchecked(node))
        return None if colour is None else QBrush(colour)


def tree_colour(node: TreeNode, col: int, pal: QPalette,
                unchecked: bool = False) -> QColor | None:
    """Text colour of a tree cell (None: the palette's own), readable on plain and
    alternate rows: unknown names red (set but not checked: like any set name), set names
    blue, placeholders and templates muted."""
    dark = is_dark(pal)
    rows = (pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.AlternateBase))
    if unchecked:
        return readable("#58a6ff" if dark else "#0b57d0", *rows) if col == 0 else \
            readable(pal.color(QPalette.ColorRole.PlaceholderText), *rows)
    if node.kind == UNKNOWN:
        return readable("#ff7b72" if dark else "#b31d28", *rows)
    if col == 1 and not node.is_set:
        return readable(pal.color(QPalette.ColorRole.PlaceholderText), *rows)
    if node.is_set and col == 0:
        return readable("#58a6ff" if dark else "#0b57d0", *rows)
    if node.kind == TEMPLATE:
        return readable(pal.color(QPalette.ColorRole.PlaceholderText), *rows)
    return None
