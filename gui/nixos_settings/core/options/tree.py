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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nixos_settings.core.nix.optpath import show
from nixos_settings.core.options.locs import classify
from nixos_settings.core.options.model import OptionInfo, OptionSet, is_placeholder
from nixos_settings.core.options.suggest import suggest

Loc = tuple[str, ...]


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
