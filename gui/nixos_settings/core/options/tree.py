"""Option metadata joined with what the configuration's files define.

Works with any definition objects that have ``.loc`` (tuple of str), ``.file``, ``.line``,
``.value_text`` and ``.wrappers`` (the core's :class:`~nixos_settings.core.config.definitions.
Definition` is one); nothing here imports the configuration code.

Public API
==========

* ``join(options, definitions) -> Joined``
* ``Joined.nodes`` – ``dict[Loc, OptionNode]`` keyed by the *concrete* loc of each option
  instance that has definitions (``users.users.alice.isNormalUser``);
  ``Joined.node(loc) -> OptionNode | None`` accepts concrete or template locs;
  ``Joined.for_option(opt) -> list[OptionNode]`` all instances of one (template) option;
  ``Joined.entries(prefix_loc) -> list[str]`` the attribute-set / list entry names the files
  define under a placeholder (``entries(("users","users")) == ["alice", "bob"]``);
  ``Joined.set_locs`` the set of option locs (template form) the files set, for search's
  ``only=`` filter; ``Joined.unknown`` the unmatched definitions.
* ``OptionNode(option, loc, definitions, bindings)`` with ``name``, ``editable``,
  ``reason`` (why not editable) and ``placeholders`` (``{"<name>": "alice"}``).
* ``unknown_definitions(defs, options) -> list[UnknownDefinition(definition, suggestions)]``
  – definitions with no matching option, each with "did you mean" option names (concrete,
  with the definition's own entry names filled in; :mod:`.suggest` finds them).

Rules: a definition belongs to the option whose (template) loc matches it exactly; a loc
that extends an option whose type holds attribute sets (``attribute set of …``,
``submodule``, JSON/TOML/YAML values, ``unspecified``, ``anything``) belongs to that option
(it sets an entry inside its value); a loc that is only a prefix of options (``services.
openssh = { … }`` as a whole, ``users.users.alice``) is a container, never unknown.
Read-only options are never editable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from nixos_settings.core.nix.optpath import is_placeholder, show, show_segment

if TYPE_CHECKING:
    from nixos_settings.core.config.definitions import Definition
    from nixos_settings.core.options.model import OptionInfo, OptionSet

Loc = tuple[str, ...]

_DIGITS = re.compile(r"(\d+)")


def child_order(segment: str) -> tuple[bool, tuple[tuple[int, int | str], ...], str]:
    """Sort key of a tree row: placeholders (``<name>``) first, then names ignoring case,
    numbers by value (``eth2`` before ``eth10``); ties broken by the exact text."""
    parts = tuple((0, int(p)) if _DIGITS.fullmatch(p) else (1, p.casefold())
                  for p in _DIGITS.split(segment) if p)
    return (not is_placeholder(segment), parts, segment)


class DefinitionLike(Protocol):
    """What join needs of a definition."""

    @property
    def loc(self) -> Loc: ...


@dataclass
class OptionNode:
    """One option instance with the definitions that set it."""

    option: OptionInfo
    loc: Loc
    definitions: list[Any] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Concrete display name (``users.users.alice.isNormalUser``)."""
        return show(self.loc)

    @property
    def editable(self) -> bool:
        """False for read-only options (and for definitions the core cannot edit)."""
        if self.option.read_only:
            return False
        return all(getattr(d, "editable", True) for d in self.definitions)

    @property
    def reason(self) -> str | None:
        """Why the node is not editable, or None."""
        if self.option.read_only:
            return f"{self.option.name} is read-only: NixOS computes it"
        for d in self.definitions:
            if not getattr(d, "editable", True):
                return str(getattr(d, "reason", None) or "the definition cannot be edited")
        return None


@dataclass
class UnknownDefinition:
    """A definition no option matches, and the options the user may have meant."""

    definition: Any
    suggestions: list[str]

    @property
    def name(self) -> str:
        return show(self.definition.loc)


def _bind(template: Loc, concrete: Sequence[str]) -> dict[str, str]:
    return {t: c for t, c in zip(template, concrete, strict=False) if is_placeholder(t) and t != c}


@dataclass
class Joined:
    """The result of :func:`join` (see module docstring)."""

    options: OptionSet
    nodes: dict[Loc, OptionNode] = field(default_factory=dict)
    containers: list[Any] = field(default_factory=list)
    unknown: list[UnknownDefinition] = field(default_factory=list)
    _entries: dict[Loc, list[str]] = field(default_factory=dict)

    def node(self, loc: Sequence[str]) -> OptionNode | None:
        """The node at a concrete loc, or the single instance of a template loc."""
        got = self.nodes.get(tuple(loc))
        if got is not None:
            return got
        opt = self.options.get(loc)
        if opt is not None:
            found = self.for_option(opt)
            return found[0] if len(found) == 1 else None
        return None

    def for_option(self, option: OptionInfo) -> list[OptionNode]:
        """Every instance of ``option`` the files define (alice's, bob's …)."""
        return [n for n in self.nodes.values() if n.option is option]

    def entries(self, prefix_loc: Sequence[str]) -> list[str]:
        """Entry names defined where a placeholder follows ``prefix_loc`` (concrete)."""
        return list(self._entries.get(tuple(prefix_loc), []))

    @property
    def set_locs(self) -> set[Loc]:
        """Template locs of every option the files set."""
        return {n.option.loc for n in self.nodes.values()}

    def _add_entries(self, template: Loc, concrete: Sequence[str]) -> None:
        for i, seg in enumerate(template):
            if i < len(concrete) and is_placeholder(seg):
                prefix = tuple(concrete[:i])
                names = self._entries.setdefault(prefix, [])
                if concrete[i] not in names:
                    names.append(concrete[i])


def join(options: OptionSet, definitions: Iterable[Any]) -> Joined:
    """Attach every definition to its option instance; collect the unknown ones."""
    # imported on first use: the window builds its (empty) tree at start-up, before any
    # metadata, and the type parser behind classify is not needed until then
    from nixos_settings.core.options.locs import classify
    from nixos_settings.core.options.suggest import suggest

    out = Joined(options)
    for d in definitions:
        loc = tuple(d.loc)
        what, opt, n = classify(loc, options)
        if what in ("option", "inside") and opt is not None:
            concrete = loc[:n]
            node = out.nodes.get(concrete)
            if node is None:
                node = out.nodes[concrete] = OptionNode(opt, concrete, [], _bind(opt.loc, concrete))
            node.definitions.append(d)
            out._add_entries(opt.loc, concrete)
        elif what == "container":
            out.containers.append(d)
            _container_entries(out, options, loc)
        else:
            out.unknown.append(UnknownDefinition(d, suggest(loc, options)))
    return out


def _container_entries(out: Joined, options: OptionSet, loc: Loc) -> None:
    """``users.users.alice = …`` defines the entry ``alice`` even without leaf options."""
    if not loc:
        return
    parent = loc[:-1]
    # find the template prefixes the parent matches, then check that a placeholder follows
    frontier: list[Loc] = [()]
    for seg in parent:
        nxt: list[Loc] = []
        for p in frontier:
            kids = options.children(p)
            if seg in kids:
                nxt.append((*p, seg))
            nxt.extend((*p, k) for k in kids if k != seg and is_placeholder(k))
        frontier = nxt
    for p in frontier:
        if any(is_placeholder(k) for k in options.children(p)):
            names = out._entries.setdefault(parent, [])
            if loc[-1] not in names:
                names.append(loc[-1])
            return


def unknown_definitions(defs: Iterable[Any], options: OptionSet) -> list[UnknownDefinition]:
    """Definitions no option matches, with "did you mean" suggestions."""
    return join(options, defs).unknown


# -- the browsable tree -----------------------------------------------------------------------
# Node kinds.
GROUP = "group"  # a prefix of options (services, services.openssh)
OPTION = "option"  # an option from the metadata (possibly with sub-options)
TEMPLATE = "template"  # the <name> / * placeholder of an attrsOf/listOf submodule
ENTRY = "entry"  # a concrete attribute-set entry defined by the configuration
UNKNOWN = "unknown"  # defined by the configuration, matches no option

#: (segment, template loc, node kind, definitions below) of a child about to be made
_ChildSpec = tuple[str, Loc, str, "DefinitionTrie | None"]


class DefinitionTrie:
    """Locs the configuration defines, as a trie with counts of defined locs below."""

    __slots__ = ("children", "count", "defs")

    def __init__(self) -> None:
        self.children: dict[str, DefinitionTrie] = {}
        self.defs: list[Definition] = []
        self.count = 0  # distinct defined locs at or below this node

    @classmethod
    def build(cls, definitions: Iterable[Definition],
              containers: Iterable[Definition] = ()) -> DefinitionTrie:
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

    def replace_definitions(self, definitions: Iterable[Definition]) -> None:
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
        option: OptionInfo | None, dnode: DefinitionTrie | None, row: int,
    ) -> None:
        self.name = name
        self.loc = loc
        self.template = template
        self.parent = parent
        self.kind = kind
        self.option = option
        self.defs: list[Definition] = dnode.defs if dnode is not None else []
        self.set_below = (dnode.count - (1 if dnode.defs else 0)) if dnode is not None else 0
        self.row = row
        self._children: list[TreeNode] | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.defs)

    @property
    def display(self) -> str:
        return show_segment(self.name) if self.kind != TEMPLATE else self.name

    def __repr__(self) -> str:
        return f"TreeNode({show(self.loc)!r}, {self.kind})"


class OptionTree:
    """Metadata loc tree ⨝ definitions loc tree, materialised lazily."""

    def __init__(
        self, options: OptionSet | None, definitions: Iterable[Definition],
        only_set: bool = False, containers: Iterable[Definition] = (),
    ) -> None:
        self.options = options
        self.only_set = only_set
        self._definitions = list(definitions)
        self._containers = list(containers)
        self._defs = DefinitionTrie.build(self._definitions, self._containers)
        self.root = TreeNode("", (), (), None, GROUP, None, self._defs, 0)
        self._dnodes: dict[int, DefinitionTrie | None] = {id(self.root): self._defs}
        self.keys = defined_locs(self._definitions, self._containers)
        self._unknown_locs: frozenset[Loc] | None = None  # same keys, same answer

    def rebind(self, definitions: Iterable[Definition],
               containers: Iterable[Definition]) -> list[TreeNode]:
        """New definitions with the same set of locs: update the materialised nodes in
        place (values, counts) and return the nodes whose row text changed."""
        self._definitions = list(definitions)
        self._containers = list(containers)
        self._defs.replace_definitions(self._definitions)
        changed: list[TreeNode] = []
        stack: list[tuple[TreeNode, DefinitionTrie | None]] = [(self.root, self._defs)]
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

    def dnode(self, node: TreeNode) -> DefinitionTrie | None:
        return self._dnodes.get(id(node))

    def children(self, node: TreeNode) -> list[TreeNode]:
        if node._children is None:
            node._children = self._make_children(node)
        return node._children

    def unchecked(self, node: TreeNode) -> bool:
        """Whether ``node`` is unknown only because the metadata has no options under its
        first name at all (``home-manager`` with NixOS metadata): not checked, not a typo."""
        if node.kind != UNKNOWN or self.options is None:
            return False  # (asked for every painted row: no import before the first paint)
        from nixos_settings.core.options.suggest import outside_metadata

        return outside_metadata(node.loc, self.options)

    def has_children(self, node: TreeNode) -> bool:
        if node._children is not None:
            return bool(node._children)
        dn = self.dnode(node)
        if dn is not None and dn.children:
            return True
        if self.only_set:
            return False
        return self.options is not None and node.kind != UNKNOWN and self.options.is_prefix(
            node.template)

    def _make_children(self, node: TreeNode) -> list[TreeNode]:
        dn = self.dnode(node)
        dchildren = dn.children if dn is not None else {}
        specs = self._declared(node, dchildren)
        seen = {seg for seg, *_ in specs}
        specs += [self._undeclared(node, seg, dchildren[seg])
                  for seg in dchildren if seg not in seen]
        specs.sort(key=lambda spec: child_order(spec[0]))
        out: list[TreeNode] = []
        for row, (seg, template, kind, d) in enumerate(specs):
            opt = None
            if self.options is not None and kind in (OPTION, TEMPLATE, ENTRY):
                opt = self.options.get(template)
            child = TreeNode(seg, (*node.loc, seg), template, node, kind, opt, d, row)
            self._dnodes[id(child)] = d
            out.append(child)
        return out

    def _declared(self, node: TreeNode,
                  dchildren: dict[str, DefinitionTrie]) -> list[_ChildSpec]:
        """Children the metadata declares, in its order (only the set ones in only-set
        mode)."""
        options = self.options
        if options is None or node.kind == UNKNOWN:
            return []
        specs: list[_ChildSpec] = []
        for seg in options.children(node.template):
            d = dchildren.get(seg)
            if self.only_set and d is None:
                continue
            template = (*node.template, seg)
            opt = options.get(template)
            if d is None and opt is not None and opt.internal:
                continue  # not for users (nixpkgs' own docs hide these too)
            if is_placeholder(seg):
                kind = TEMPLATE
            else:
                kind = OPTION if opt is not None else GROUP
            specs.append((seg, template, kind, d))
        return specs

    def _undeclared(self, node: TreeNode, seg: str, d: DefinitionTrie) -> _ChildSpec:
        """A defined child the metadata does not name: an entry of a placeholder, a key
        inside an option's value, or unknown (by :func:`classify`, the join's rule)."""
        template = (*node.template, seg)
        if self.options is None:  # metadata not loaded yet: nothing is "unknown"
            return (seg, template, GROUP, d)
        meta = self.options.children(node.template) if node.kind != UNKNOWN else []
        placeholder = next((s for s in meta if is_placeholder(s)), None)
        if placeholder is not None:
            return (seg, (*node.template, placeholder), ENTRY, d)
        if node.kind in (OPTION, ENTRY) or node.option is not None:
            # part of the value of an attrs-typed option (networking.hosts."::1")
            if self._covered((*node.loc, seg)):
                return (seg, template, ENTRY, d)
        return (seg, template, UNKNOWN, d)

    def _covered(self, loc: Loc) -> bool:
        """True when an option covers ``loc`` (cached per metadata set)."""
        from nixos_settings.core.options.locs import classify  # on first use, as in join

        assert self.options is not None
        if id(self.options) not in _KNOWN_CACHE:
            _KNOWN_CACHE.clear()
        known = _KNOWN_CACHE.setdefault(id(self.options), {})
        ok = known.get(loc)
        if ok is None:
            ok = known[loc] = classify(loc, self.options)[0] != "unknown"
        return ok

    def find(self, loc: Sequence[str]) -> TreeNode | None:
        """The node for ``loc``, materialising the branches on the way."""
        node = self.root
        for seg in loc:
            nxt = next((c for c in self.children(node) if c.name == seg), None)
            if nxt is None:
                return None
            node = nxt
        return node

    def unknown_definitions(self) -> list[tuple[Loc, Definition]]:
        """(loc, first definition) for every defined loc no option covers (no materialising:
        one metadata lookup per distinct loc)."""
        if self.options is None:
            return []
        if self._unknown_locs is None:  # rebind keeps the locs, so the answer holds
            self._unknown_locs = frozenset(
                loc for loc in {tuple(d.loc) for d in self._definitions}
                if not self._covered(loc))
        out: list[tuple[Loc, Definition]] = []
        if not self._unknown_locs:
            return out
        seen: set[Loc] = set()
        for d in self._definitions:
            loc = tuple(d.loc)
            if loc in self._unknown_locs and loc not in seen:
                seen.add(loc)
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


def _sig(defs: list[Definition]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a row shows of its definitions (value text and wrappers)."""
    return tuple((d.value_text, tuple(str(w) for w in d.wrappers))
                 for d in defs)


def defined_locs(definitions: Iterable[Definition],
                 containers: Iterable[Definition]) -> frozenset[Loc]:
    """Every loc the configuration defines (values and containers): when a new parse has the
    same ones, :meth:`OptionTree.rebind` updates the tree in place."""
    return frozenset(tuple(d.loc) for d in definitions) | frozenset(
        tuple(c.loc) for c in containers)
