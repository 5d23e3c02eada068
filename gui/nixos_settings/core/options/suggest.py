"""One "did you mean" and one value check, for every face.

* ``suggest(loc, options, limit=3) -> list[str]``: option names (concrete: the user's entry
  names kept) close to an unknown ``loc``.
* ``check_value(options, loc, nix_text) -> str | None``: why setting ``loc`` to ``nix_text``
  is refused (unknown option, read-only, value does not fit the type), or None.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from nixos_settings.core.nix.optpath import is_placeholder, show
from nixos_settings.core.options.locs import classify
from nixos_settings.core.options.model import OptionSet
from nixos_settings.core.options.types import parse_type, validate_literal

Loc = tuple[str, ...]


def _close(seg: str, candidates: list[str]) -> list[str]:
    plain = [c for c in candidates if not is_placeholder(c)]
    low = seg.lower()
    same_case = [c for c in plain if c.lower() == low and c != seg]
    close = difflib.get_close_matches(seg, plain, n=3, cutoff=0.6)
    lowered = {c.lower(): c for c in plain}
    close += [lowered[c] for c in difflib.get_close_matches(low, list(lowered), n=3, cutoff=0.6)]
    return list(dict.fromkeys(same_case + close))


def outside_metadata(loc: Sequence[str], options: OptionSet) -> bool:
    """True when ``loc``'s first name is none of the metadata's and not a misspelling of
    one: an option of a module the metadata does not describe (``home-manager.users…`` with
    NixOS metadata, a flake input's module), which it cannot check, rather than a typo."""
    if not loc or not len(options):
        return False
    top = options.children(())
    if loc[0] in top:
        return False
    name = loc[0].lower()
    allowed = 1 if len(name) <= 5 else 2
    return not any(_edits_at_most(name, t.lower(), allowed) for t in top)


def unchecked_note(loc: Sequence[str], options: OptionSet | None) -> str | None:
    """The sentence for an option under a first name ``options`` has none of (see
    :func:`outside_metadata`), the same in the CLI's warning and on the option page; None
    for any other option."""
    if options is None or not outside_metadata(loc, options):
        return None
    return (f"{show(tuple(loc))} was not checked: the option metadata has no {loc[0]} options "
            "(they come from a module it does not describe, such as Home Manager's NixOS "
            "module or a flake input's module)")


def _edits_at_most(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` becomes ``b`` with at most ``limit`` insertions, deletions,
    substitutions or swaps of neighbours (a typo, not another name)."""
    if abs(len(a) - len(b)) > limit:
        return False
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        new = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            new[j] = min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                new[j] = min(new[j], before[j - 2] + 1)
        if min(new) > limit:
            return False
        before, row = row, new
    return row[-1] <= limit


def unchecked(locs: Sequence[Loc], options: OptionSet) -> tuple[list[Loc], list[str]]:
    """Split unknown ``locs``: those the metadata should know (typos, removed options), and
    one sentence per first name the metadata has no options under at all."""
    known: list[Loc] = []
    outside: dict[str, int] = {}
    for loc in locs:
        if outside_metadata(loc, options):
            outside[loc[0]] = outside.get(loc[0], 0) + 1
        else:
            known.append(loc)
    notes = [f"{n} {name} option{'s' if n != 1 else ''} not checked: the option metadata has "
             f"no {name} options (they come from a module it does not describe)"
             for name, n in outside.items()]
    return known, notes


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
                if _close(seg, kids):
                    return []  # a misspelt group (programs.gti.enable): corrected elsewhere
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
    loc = tuple(loc)
    what, opt, _n = classify(loc, options)
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
