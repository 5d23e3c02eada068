"""Names of attribute-set entries (``users.users.<name>``): checks before one is added or
renamed."""

from __future__ import annotations

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.grammar import INTERPOLATION, STRING
from nixos_settings.core.nix.optpath import Loc


def refuse_taken(cfg: Configuration, name: str, new: Loc) -> None:
    """Refuse an entry name that is empty or already used (set, or set below)."""
    if not name:
        raise EditError("the name must not be empty")
    n = len(new)
    if cfg.find(new) or any(tuple(d.loc[:n]) == new for d in cfg.definitions):
        raise EditError(f"{optpath.show(new)} already exists")


def refuse_computed(cfg: Configuration, loc: Loc) -> None:
    """Refuse renaming an entry whose name is written ``${name}`` (a ``let`` constant that
    other places may use too): the name is changed where the constant is bound."""
    n = len(loc)
    for d in (*cfg.containers, *cfg.definitions):
        if tuple(d.loc[:n]) == loc and name_from_variable(d, n - 1):
            raise EditError(
                f"the name {optpath.show_segment(loc[-1])} in {d.file.name}:{d.line} is "
                "computed from a let binding (${…}); change that binding to rename it "
                "everywhere it is used")


def name_from_variable(d: Definition, index: int) -> bool:
    """Whether segment ``index`` of ``d.loc`` is written ``${name}`` in ``d``'s binding (a
    name computed from a ``let`` constant, not spelled out)."""
    at = index - d.prefix_len
    if not 0 <= at < len(d.attr_spans):
        return False
    start, end, kind = d.attr_spans[at]
    return kind == INTERPOLATION or (kind == STRING and d.doc is not None
                                     and b"${" in d.doc.source[start:end])
