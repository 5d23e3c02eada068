"""Planning package installs and removals, in the style of the list they go into.

* **add**: into the first unconditional list of the target option (``--to``); the element is
  written like its neighbours (``firefox`` inside ``with pkgs;``, else ``pkgs.firefox``),
  at its sorted place when the list is sorted, else at the end, one per line or inline as
  the list is laid out.  A package already in the target option is refused; an option not
  set yet gets ``[ pkgs.NAME ]`` where a person would put it.
* **remove**: exactly the element that names the package (with its own line and comments
  when it has a line of its own), in every list of the configuration that has it.

Every planner returns a :class:`~nixos_settings.core.nix.text.ChangeSet`; several packages
are planned one after the other on the changing text and returned as one change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.layout import (
    first_on_line,
    indent_at,
    indent_unit,
    line_start,
    removal_span,
    skip_trailing_comment,
)
from nixos_settings.core.edit.plan import Plan, editable_doc
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.core.packages.installed import (
    PackageList,
    PackageRef,
    installed,
    loc_of,
    package_lists,
    places,
    where_words,
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*")


def element_text(attr: str, bare: bool) -> str:
    """``firefox`` / ``pkgs.firefox``; segments that are not names are quoted (and then the
    ``pkgs.`` prefix is kept: a quoted name cannot stand alone)."""
    parts = attr.split(".")
    plain = all(_IDENT.fullmatch(p) for p in parts)
    shown = ".".join(optpath.show_segment(p) for p in parts)
    if bare and plain and not optpath.show_segment(parts[0]).startswith('"'):
        return shown
    return f"pkgs.{shown}"


def _style_bare(pl: PackageList) -> bool:
    """Write ``firefox`` rather than ``pkgs.firefox``: as most of the list's packages are
    written (bare names are in scope through a ``with pkgs;`` somewhere), else as the list's
    own ``with pkgs;`` allows."""
    named = [r for r in pl.refs if r.attr]
    if not named:
        return pl.with_pkgs
    prefixed = sum(r.text.lstrip("(").startswith("pkgs.") for r in named)
    return prefixed * 2 < len(named)


def _is_sorted(names: list[str]) -> bool:
    low = [n.lower() for n in names]
    return len(low) >= 3 and low == sorted(low)


def _target(cfg: Configuration, loc: Loc) -> PackageList | None:
    lists = [pl for pl in package_lists(cfg) if pl.definition.loc == loc]
    if not lists:
        return None
    plain = [pl for pl in lists if not pl.conditional]
    in_root = [pl for pl in plain if pl.definition.file == cfg.root]
    return (in_root or plain or lists)[0]


def insertion(src: bytes, nl: bytes, span: tuple[int, int],
              items: Sequence[tuple[int, int, str | None]], key: str, text: str
              ) -> tuple[int, int, bytes]:
    """The splice putting ``text`` into the list literal at ``span`` whose elements are
    ``items`` (start, end, sort name): at its sorted place (by ``key``) when every element
    has a name and they are sorted, else at the end; on a line of its own when the elements
    have theirs, else inline."""
    start, end = span
    if not items:
        inner = src[start + 1 : end - 1]
        close = end - 1
        if b"\n" in inner and first_on_line(src, close):
            ls = line_start(src, close)
            indent = indent_at(src, close) + indent_unit(src)
            return ls, ls, indent + text.encode() + nl
        return start, end, b"[ " + text.encode() + b" ]"
    names = [name for _s, _e, name in items if name]
    if len(names) == len(items) and _is_sorted(names):
        after = next((it for it in items if it[2] and it[2].lower() > key.lower()), None)
        if after is not None:
            s = after[0]
            if first_on_line(src, s):
                ls = line_start(src, s)
                return ls, ls, indent_at(src, s) + text.encode() + nl
            return s, s, text.encode() + b" "
    first, last = items[0], items[-1]
    if first_on_line(src, first[0]) and src.count(b"\n", start, first[0]):
        # one per line: on a line of its own after the last element (and its comment)
        pos = skip_trailing_comment(src, last[1])
        return pos, pos, nl + indent_at(src, first[0]) + text.encode()
    return last[1], last[1], b" " + text.encode()


def plan_add_one(cfg: Configuration, attr: str, where: str | None = None) -> ChangeSet:
    """Install ``attr`` in the list of ``where`` (``system``, ``user:NAME``, ``home``; by
    default the configuration's first place: the system, or Home Manager in its files)."""
    choices = places(cfg)
    where = where or choices[0]
    if not where.startswith("home") and choices[0].startswith("home"):
        raise EditError(f"{cfg.root.name} is a Home Manager configuration: its packages go "
                        "in home.packages (Home Manager), not in the system's or a user's "
                        "list")
    loc = loc_of(where)
    show = optpath.show(loc)
    for ref in installed(cfg):
        if ref.attr == attr and ref.option == show:
            raise EditError(f"{attr} is already installed for {where_words(where)}",
                            ref.file, ref.line, ref.column)
    pl = _target(cfg, loc)
    if where.startswith("user:") and not any(d.loc[:3] == loc[:3] for d in
                                             cfg.definitions + cfg.containers):
        raise EditError(f"there is no user {loc[2]} in {cfg.root.name} or the files it "
                        "imports; add the user first, or choose another place")
    if where == "home" and not any(d.loc[0] in ("home", "home-manager")
                                   for d in cfg.definitions if d.loc):
        raise EditError(f"{cfg.root.name} does not look like a Home Manager configuration "
                        "(it sets nothing under home.); choose the whole system or a user")
    if pl is None:
        if cfg.find(loc):
            d = cfg.find(loc)[0]
            raise EditError(f"{show} is not written as a list here; add {attr} to it by hand",
                            d.file, d.line, d.column)
        return planning.plan_list_add(cfg, loc, element_text(attr, False))
    d = pl.definition
    if pl.conditional:
        raise EditError(f"{show} only lists packages under a condition (lib.optionals) here, "
                        f"so {attr} would be installed only when it holds; add it by hand "
                        "where you want it", d.file, d.line, d.column)
    if not d.editable:
        raise EditError(f"{show} cannot be edited here: {d.reason}", d.file, d.line, d.column)
    doc = editable_doc(cfg, d.file)
    text = element_text(attr, _style_bare(pl))
    plan = Plan(cfg, f"add {attr} to {show}", [loc])
    items = [(r.span[0], r.span[1], r.attr) for r in pl.refs]
    plan.add(doc.path, *insertion(doc.source, doc.newline, pl.span, items, attr, text))
    return plan.build()


def plan_remove_one(cfg: Configuration, attr: str) -> ChangeSet:
    """Remove every list element that installs ``attr`` (exactly that element)."""
    refs = [r for r in installed(cfg) if r.attr == attr or r.text == attr]
    if not refs:
        raise EditError(f"{attr} is not installed by {cfg.root.name} or the files it imports"
                        + _did_you_mean(attr, [r.attr for r in installed(cfg) if r.attr]))
    plan = Plan(cfg, f"remove {attr}", [])
    for ref in refs:
        doc = editable_doc(cfg, ref.file)
        plan.add(doc.path, *removal_span(doc.source, *ref.span), b"")
        loc = optpath.parse(ref.option)
        if loc not in plan.locs:
            plan.locs.append(loc)
    return plan.build()


def _did_you_mean(name: str, names: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(set(names)), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def compose(cfg: Configuration, steps: Sequence[Callable[[], ChangeSet]],
            description: str) -> ChangeSet:
    """Plan ``steps`` one after the other (each on the text the previous one left) and
    return them as one change; the configuration is left as it was."""
    from nixos_settings.core.edit.plan import in_sequence

    return in_sequence(cfg, steps, None, description)


def plan_add(cfg: Configuration, attrs: Sequence[str], where: str | None = None
             ) -> ChangeSet:
    """Install each of ``attrs`` in ``where`` (see :func:`plan_add_one`), as one change."""
    return compose(cfg, [partial(plan_add_one, cfg, a, where) for a in attrs],
                   f"Install {', '.join(attrs)}")


def plan_remove(cfg: Configuration, attrs: Sequence[str]) -> ChangeSet:
    """Remove each of ``attrs`` (see :func:`plan_remove_one`), as one change."""
    return compose(cfg, [partial(plan_remove_one, cfg, a) for a in attrs],
                   f"Remove {', '.join(attrs)}")


__all__ = ["PackageRef", "compose", "element_text", "insertion", "plan_add", "plan_add_one",
           "plan_remove", "plan_remove_one"]
