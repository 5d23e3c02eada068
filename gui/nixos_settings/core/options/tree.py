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
  with the definition's own entry names filled in).
* ``suggest(loc, options, limit=3) -> list[str]``.

Rules: a definition belongs to the option whose (template) loc matches it exactly; a loc
that extends an option whose type holds attribute sets (``attribute set of …``,
``submodule``, JSON/TOML/YAML values, ``unspecified``, ``anything``) belongs to that option
(it sets an entry inside its value); a loc that is only a prefix of options (``services.
openssh = { … }`` as a whole, ``users.users.alice``) is a container, never unknown.
Read-only options are never editable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nixos_settings.core.nix.optpath import show
from nixos_settings.core.options.model import OptionInfo, OptionSet, is_placeholder
from nixos_settings.core.options.types import NixType, parse_type

Loc = tuple[str, ...]


class DefinitionLike(Protocol):
    """What join needs of a definition."""

    @property
    def loc(self) -> Loc: ...


def _open_type(t: NixType) -> bool:
    """Can a definition reach below an option of this type with undeclared keys?"""
    if t.kind == "either":
        return any(_open_type(a) for a in t.args)
    if t.kind in ("format", "any", "expression", "function"):
        return True
    if t.kind == "attrs":
        # attrsOf (submodule) entries have declared sub-options; other attrsOf are free
        return not t.args or t.args[0].kind != "submodule" or _open_type(t.args[0])
    if t.kind == "submodule":
        # "open submodule of X" is freeform: undeclared keys are allowed
        return bool(t.args)
    return False


def _opens(option: OptionInfo, options: OptionSet) -> bool:
    """True when ``loc`` below ``option`` sets something inside its value.

    A submodule with declared sub-options is closed (an unknown key there is a typo); an
    attribute set of plain values, a JSON/TOML value or a freeform submodule is open.
    """
    t = parse_type(option.type)
    if _open_type(t):
        return True
    return t.kind in ("attrs", "submodule") and not options.is_prefix(option.loc)


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


def _classify(loc: Loc, options: OptionSet) -> tuple[str, OptionInfo | None, int]:
    """("option", opt, len) | ("inside", opt, len) | ("container", None, 0) | ("unknown", …)."""
    opt = options.match(loc)
    if opt is not None:
        return "option", opt, len(loc)
    pm = options.match_prefix(loc)
    if pm is not None and _opens(pm[0], options):
        return "inside", pm[0], pm[1]
    if options.template_prefix_exists(loc):
        return "container", None, 0
    return "unknown", pm[0] if pm else None, pm[1] if pm else 0


def join(options: OptionSet, definitions: Iterable[Any]) -> Joined:
    """Attach every definition to its option instance; collect the unknown ones."""
    out = Joined(options)
    for d in definitions:
        loc = tuple(d.loc)
        what, opt, n = _classify(loc, options)
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


# --------------------------------------------------------------------------- suggestions


def _close(seg: str, candidates: list[str]) -> list[str]:
    plain = [c for c in candidates if not is_placeholder(c)]
    low = seg.lower()
    same_case = [c for c in plain if c.lower() == low and c != seg]
    close = difflib.get_close_matches(seg, plain, n=3, cutoff=0.6)
    lowered = {c.lower(): c for c in plain}
    close += [lowered[c] for c in difflib.get_close_matches(low, list(lowered), n=3, cutoff=0.6)]
    return list(dict.fromkeys(same_case + close))


def suggest(loc: Sequence[str], options: OptionSet, limit: int = 3) -> list[str]:
    """Option names (concrete: the definition's entry names kept) the user may have meant."""
    loc = tuple(loc)
    # Each frontier item: (template prefix, concrete prefix, number of corrections).
    frontier: list[tuple[Loc, Loc, int]] = [((), (), 0)]
    for seg in loc:
        nxt: list[tuple[Loc, Loc, int]] = []
        for templ, conc, fixes in frontier:
            kids = options.children(templ)
            if seg in kids:
                nxt.append(((*templ, seg), (*conc, seg), fixes))
                continue
            holders = [k for k in kids if is_placeholder(k)]
            if holders:
                nxt.extend(((*templ, h), (*conc, seg), fixes) for h in holders)
                continue
            nxt.extend(((*templ, c), (*conc, c), fixes + 1) for c in _close(seg, kids))
        frontier = sorted(nxt, key=lambda x: x[2])[:8]
        if not frontier:
            break
    out: list[str] = _same_parent(loc, options)
    for templ, conc, fixes in frontier:
        if fixes and options.get(templ) is not None:
            out.append(show(conc))
    if not out:
        # Too deep below a plain option (``services.x.enable.foo``): offer the option.
        pm = options.match_prefix(loc)
        if pm is not None:
            out.append(show(loc[: pm[1]]))
    if not out:
        out = _by_last_segment(loc, options)
    return list(dict.fromkeys(out))[:limit]


def _norm_segment(seg: str) -> str:
    return seg.lower().replace("-", "").replace("_", "")


def _same_parent(loc: Loc, options: OptionSet) -> list[str]:
    """Options below the deepest prefix of ``loc`` that exists whose last segment is the
    same word, ignoring case and ``-``/``_`` (``services.openssh.settings.PermitRootLogin``
    → ``services.openssh.permitRootLogin``), then ones close to it."""
    depth = 0
    node: Loc = ()
    for seg in loc[:-1]:
        kids = options.children(node)
        if seg in kids:
            node = (*node, seg)
        else:
            holders = [k for k in kids if is_placeholder(k)]
            if not holders:
                break
            node = (*node, holders[0])
        depth += 1
    if depth < 2 or depth < len(loc) - 2:
        return []  # only a mix-up near the end: "services.<typo>.enable" is not one
    want = _norm_segment(loc[-1])
    cands = [o for o in options.under(node) if o.loc != tuple(loc)]
    exact = [o for o in cands if _norm_segment(o.loc[-1]) == want]
    if exact:
        exact.sort(key=lambda o: len(o.loc))
        return [_concrete(o.loc, loc) for o in exact[:3]]
    by_word = {_norm_segment(o.loc[-1]): o for o in sorted(cands, key=lambda o: -len(o.loc))}
    close = difflib.get_close_matches(want, list(by_word), n=3, cutoff=0.8)
    return [_concrete(by_word[w].loc, loc) for w in close]


def _concrete(templ: Loc, loc: Loc) -> str:
    """``templ`` with its placeholders replaced by the user's names where ``loc`` has them."""
    return show(tuple(c if is_placeholder(t) and i < len(loc) - 1 else t
                      for i, (t, c) in enumerate(zip(templ, (*loc, *templ[len(loc):]),
                                                     strict=False))))


def _by_last_segment(loc: Loc, options: OptionSet) -> list[str]:
    """Options under the same top-level segment whose last segment is close to ours."""
    if not loc:
        return []
    last = loc[-1].lower()
    cands = [o for o in options.under(loc[:1])] if len(loc) > 1 else list(options)
    names = {o.loc[-1].lower() for o in cands}
    close = set(difflib.get_close_matches(last, list(names), n=5, cutoff=0.75))
    return [o.name for o in cands if o.loc[-1].lower() in close][:3]


def check_value(options: OptionSet, loc: Sequence[str], nix_text: str) -> str | None:
    """Why setting ``loc`` to ``nix_text`` is wrong according to the metadata, or None.

    Unknown options (with suggestions), read-only options and values that do not fit the
    option's type are refused; values inside attribute-set-like options and whole
    attribute sets of option groups are left to Nix.
    """
    from nixos_settings.core.options.types import parse_type, validate_literal

    loc = tuple(loc)
    what, opt, _n = _classify(loc, options)
    if what == "unknown":
        hints = suggest(loc, options)
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        return f"unknown option {show(loc)}{hint}"
    if what != "option" or opt is None:
        return None
    if opt.read_only:
        return f"{show(loc)} is read-only: NixOS sets it, it cannot be set in a configuration"
    problem = validate_literal(parse_type(opt.type), nix_text)
    return f"{show(loc)}: {problem}" if problem else None
