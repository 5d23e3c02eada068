"""The option tree: all options joined with what the configuration defines.

Two layers:

* :class:`OptionTree` (pure Python, no Qt): long-lived :class:`TreeNode` objects whose
  children are computed lazily from the metadata's loc tree (``OptionSet.children``) merged
  with the definitions' loc tree.  Attribute-set entries (``users.users.alice``) become
  children of the option holding the template (``users.users.<name>``), with the template's
  sub-options below them; definitions that match no option are kept as *unknown* nodes.
* :class:`OptionTreeModel` (QAbstractItemModel): two columns, *Option* and *Value*; it never
  materialises a branch the view has not asked for, so 20,000+ options cost nothing until
  expanded.  The "only what my configuration sets" mode hides branches with nothing set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from nixos_settings.core.nix import optpath

Loc = tuple[str, ...]
_NO_PARENT = QModelIndex()  # default "parent" argument (Qt convention: invalid = root)

# Node kinds.
GROUP = "group"  # a prefix of options (services, services.openssh)
OPTION = "option"  # an option from the metadata (possibly with sub-options)
TEMPLATE = "template"  # the <name> / * placeholder of an attrsOf/listOf submodule
ENTRY = "entry"  # a concrete attribute-set entry defined by the configuration
UNKNOWN = "unknown"  # defined by the configuration, matches no option


def _is_placeholder(segment: str) -> bool:
    return segment == "*" or (len(segment) > 2 and segment[0] == "<" and segment[-1] == ">")


class _DefTrie:
    """Locs the configuration defines, as a trie with counts of defined locs below."""

    __slots__ = ("children", "count", "defs")

    def __init__(self) -> None:
        self.children: dict[str, _DefTrie] = {}
        self.defs: list[Any] = []
        self.count = 0  # distinct defined locs at or below this node

    @classmethod
    def build(cls, definitions: Iterable[Any], containers: Iterable[Any] = ()) -> _DefTrie:
        root = cls()
        for c in containers:  # attrsets like users.users.alice = { }: structure only
            node = root
            for seg in c.loc:
                nxt = node.children.get(seg)
                if nxt is None:
                    nxt = node.children[seg] = cls()
                node = nxt
        for d in definitions:
            node = root
            for seg in d.loc:
                nxt = node.children.get(seg)
                if nxt is None:
                    nxt = node.children[seg] = cls()
                node = nxt
            node.defs.append(d)
        root._count()
        return root

    def replace_definitions(self, definitions: Iterable[Any]) -> None:
        """Swap in new definitions of the same locs: the trie's shape and counts stay, only
        the ``defs`` lists change (no rebuild on every keystroke)."""
        stack = [self]
        while stack:
            node = stack.pop()
            node.defs = []
            stack.extend(node.children.values())
        for d in definitions:
            node = self
            for seg in d.loc:
                node = node.children[seg]
            node.defs.append(d)

    def _count(self) -> int:
        total = 1 if self.defs else 0
        for child in self.children.values():
            total += child._count()
        self.count = total
        return total


class TreeNode:
    """One row of the tree.  ``template`` is the metadata loc this node mirrors."""

    __slots__ = ("_children", "defs", "kind", "loc", "name", "option", "parent", "row",
                 "set_below", "template")

    def __init__(
        self, name: str, loc: Loc, template: Loc, parent: TreeNode | None, kind: str,
        option: Any, dnode: _DefTrie | None, row: int,
    ) -> None:
        self.name = name
        self.loc = loc
        self.template = template
        self.parent = parent
        self.kind = kind
        self.option = option
        self.defs: list[Any] = dnode.defs if dnode is not None else []
        self.set_below = (dnode.count - (1 if dnode.defs else 0)) if dnode is not None else 0
        self.row = row
        self._children: list[TreeNode] | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.defs)

    @property
    def display(self) -> str:
        return optpath.show_segment(self.name) if self.kind != TEMPLATE else self.name

    def __repr__(self) -> str:
        return f"TreeNode({optpath.show(self.loc)!r}, {self.kind})"


class OptionTree:
    """Metadata loc tree ⨝ definitions loc tree, materialised lazily."""

    def __init__(
        self, options: Any, definitions: Iterable[Any], only_set: bool = False,
        containers: Iterable[Any] = (),
    ) -> None:
        self.options = options
        self.only_set = only_set
        self._definitions = list(definitions)
        self._containers = list(containers)
        self._defs = _DefTrie.build(self._definitions, self._containers)
        self.root = TreeNode("", (), (), None, GROUP, None, self._defs, 0)
        self._dnodes: dict[int, _DefTrie | None] = {id(self.root): self._defs}
        self.keys = _keys(self._definitions, self._containers)

    def rebind(self, definitions: Iterable[Any], containers: Iterable[Any]) -> list[TreeNode]:
        """New definitions with the same set of locs: update the materialised nodes in
        place (values, counts) and return the nodes whose row text changed."""
        self._definitions = list(definitions)
        self._containers = list(containers)
        self._defs.replace_definitions(self._definitions)
        changed: list[TreeNode] = []
        stack: list[tuple[TreeNode, _DefTrie | None]] = [(self.root, self._defs)]
        while stack:
            node, dn = stack.pop()
            self._dnodes[id(node)] = dn
            before = (_sig(node.defs), node.set_below)
            node.defs = dn.defs if dn is not None else []
            node.set_below = (dn.count - (1 if dn.defs else 0)) if dn is not None else 0
            if (_sig(node.defs), node.set_below) != before:
                changed.append(node)
            for child in node._children or ():
                stack.append((child, dn.children.get(child.name) if dn is not None else None))
        return changed

    def dnode(self, node: TreeNode) -> _DefTrie | None:
        return self._dnodes.get(id(node))

    def children(self, node: TreeNode) -> list[TreeNode]:
        if node._children is None:
            node._children = self._make_children(node)
        return node._children

    def has_children(self, node: TreeNode) -> bool:
        if node._children is not None:
            return bool(node._children)
        dn = self.dnode(node)
        if dn is not None and dn.children:
            return True
        if self.only_set:
            return False
        return self.options is not None and node.kind != UNKNOWN and self.options.is_prefix(
            node.template
        )

    def _meta_children(self, template: Loc) -> list[str]:
        if self.options is None:
            return []
        return list(self.options.children(template))

    def _make_children(self, node: TreeNode) -> list[TreeNode]:
        dn = self.dnode(node)
        dchildren = dn.children if dn is not None else {}
        meta = [] if node.kind == UNKNOWN else self._meta_children(node.template)
        placeholders = [s for s in meta if _is_placeholder(s)]
        specs: list[tuple[str, Loc, str, _DefTrie | None]] = []
        seen: set[str] = set()
        for seg in meta:
            d = dchildren.get(seg)
            if self.only_set and d is None:
                continue
            kind = TEMPLATE if _is_placeholder(seg) else (
                OPTION if self.options.get((*node.template, seg)) is not None else GROUP
            )
            specs.append((seg, (*node.template, seg), kind, d))
            seen.add(seg)
        for seg in sorted(dchildren):
            if seg in seen:
                continue
            d = dchildren[seg]
            if self.options is None:  # metadata not loaded yet: nothing is "unknown"
                specs.append((seg, (*node.template, seg), GROUP, d))
            elif placeholders:
                specs.append((seg, (*node.template, placeholders[0]), ENTRY, d))
            elif node.kind in (OPTION, ENTRY) or (node.option is not None):
                # part of the value of an attrs-typed option (networking.hosts."::1")
                specs.append((seg, (*node.template, seg), ENTRY, d))
            else:
                specs.append((seg, (*node.template, seg), UNKNOWN, d))
        out: list[TreeNode] = []
        # entries first among a template's siblings? keep metadata order, entries after.
        for row, (seg, template, kind, d) in enumerate(specs):
            opt = None
            if self.options is not None and kind in (OPTION, TEMPLATE, ENTRY):
                opt = self.options.get(template)
            child = TreeNode(seg, (*node.loc, seg), template, node, kind, opt, d, row)
            self._dnodes[id(child)] = d
            out.append(child)
        return out

    def find(self, loc: Sequence[str]) -> TreeNode | None:
        """The node for ``loc``, materialising the branches on the way."""
        node = self.root
        for seg in loc:
            nxt = next((c for c in self.children(node) if c.name == seg), None)
            if nxt is None:
                return None
            node = nxt
        return node

    def unknown_definitions(self) -> list[tuple[Loc, Any]]:
        """(loc, first definition) for every defined loc no option covers (no materialising:
        one metadata lookup per distinct loc)."""
        if self.options is None:
            return []
        out: list[tuple[Loc, Any]] = []
        seen: set[Loc] = set()
        for d in self._definitions:
            loc = tuple(d.loc)
            if loc in seen:
                continue
            seen.add(loc)
            if id(self.options) not in _KNOWN_CACHE:
                _KNOWN_CACHE.clear()
            known = _KNOWN_CACHE.setdefault(id(self.options), {})
            ok = known.get(loc)
            if ok is None:
                ok = known[loc] = self.options.match_prefix(loc) is not None
            if not ok:
                out.append((loc, d))
        return out

    def unknown(self) -> list[TreeNode]:
        """Every node for a definition that matches no option (materialises set branches)."""
        out: list[TreeNode] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            dn = self.dnode(node)
            if dn is None or dn.count == 0:
                continue
            for child in self.children(node):
                if child.kind == UNKNOWN:
                    out.append(child)
                elif self.dnode(child) is not None:
                    stack.append(child)
        return out


# id(OptionSet) -> {loc: covered by an option}; metadata never changes once loaded, and a
# new set gets a new id (old entries are dropped when another set arrives).
_KNOWN_CACHE: dict[int, dict[Loc, bool]] = {}


def _sig(defs: list[Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a row shows of its definitions (value text and wrappers)."""
    return tuple((d.value_text, tuple(str(w) for w in getattr(d, "wrappers", ())))
                 for d in defs)


def _keys(definitions: Iterable[Any], containers: Iterable[Any]) -> frozenset[Loc]:
    return frozenset(tuple(d.loc) for d in definitions) | frozenset(
        tuple(c.loc) for c in containers)


def _short_value(defs: list[Any]) -> str:
    if not defs:
        return ""
    text = " ".join(str(defs[0].value_text).split())
    if len(text) > 60:
        text = text[:59] + "…"
    wrappers = [w.name for w in getattr(defs[0], "wrappers", ())]
    if wrappers:
        text = f"{text}  ({', '.join(wrappers)})"
    if len(defs) > 1:
        text += f"  [{len(defs)} definitions]"
    return text


class OptionTreeModel(QAbstractItemModel):
    """Qt adapter over :class:`OptionTree` (columns: Option, Value)."""

    LocRole = Qt.ItemDataRole.UserRole + 1
    KindRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tree = OptionTree(None, [])
        self._expanded: set[Loc] = set()
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- feeding -----------------------------------------------------------------------

    def reset(
        self, options: Any, definitions: Iterable[Any], only_set: bool | None = None,
        containers: Iterable[Any] = (),
    ) -> None:
        """Rebuild from new metadata/definitions (the view restores expansion by loc)."""
        self.beginResetModel()
        flag = self.tree.only_set if only_set is None else only_set
        self.tree = OptionTree(options, definitions, flag, containers)
        self.endResetModel()

    def update_definitions(self, definitions: Iterable[Any], containers: Iterable[Any]) -> bool:
        """Values changed but no loc appeared or vanished: update rows in place (no reset,
        so the view keeps expansion, selection and scroll).  False when a reset is needed."""
        definitions, containers = list(definitions), list(containers)
        if _keys(definitions, containers) != self.tree.keys:
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

    def parent(self, index: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> Any:  # type: ignore[override]
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

    def _value_text(self, node: TreeNode) -> str:
        if node.is_set:
            return _short_value(node.defs)
        if node.kind == UNKNOWN:
            return "not a known option"
        if node.set_below and node.loc not in self._expanded:
            return f"{node.set_below} set below"
        return ""

    def _tooltip(self, node: TreeNode) -> str:
        name = optpath.show(node.loc)
        if node.kind == UNKNOWN:
            return f"{name}: set in your configuration, but no such option is known"
        if node.kind == TEMPLATE:
            return f"{name}: the options every entry has"
        if node.option is not None:
            return f"{name} ({node.option.type})"
        return name

    def _foreground(self, node: TreeNode, col: int) -> QBrush | None:
        pal = QApplication.palette()
        dark = pal.color(QPalette.ColorRole.Base).lightness() < 128
        if node.kind == UNKNOWN:
            return QBrush(QColor("#ff7b72" if dark else "#b31d28"))
        if col == 1 and not node.is_set:
            return QBrush(pal.color(QPalette.ColorRole.PlaceholderText))
        if node.is_set and col == 0:
            return QBrush(QColor("#58a6ff" if dark else "#0b57d0"))
        if node.kind == TEMPLATE:
            return QBrush(pal.color(QPalette.ColorRole.PlaceholderText))
        return None
