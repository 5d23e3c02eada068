"""Where a loc falls among the options: an option, inside an option's value, a container
of options, or nowhere.  Shared by the join (:mod:`.tree`) and the value check
(:mod:`.suggest`)."""

from __future__ import annotations

from nixos_settings.core.options.model import OptionInfo, OptionSet
from nixos_settings.core.options.types import NixType, parse_type

Loc = tuple[str, ...]


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


def classify(loc: Loc, options: OptionSet) -> tuple[str, OptionInfo | None, int]:
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
