"""Removing definitions: the binding with its line(s) and leading comment block; a parent
set left empty goes too, unless something else (a comment) lives in it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.config.shapes import unwrap
from nixos_settings.core.edit.layout import removal_span
from nixos_settings.core.edit.plan import Plan, choose, editable_doc
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration


Span = tuple[int, int]


def plan_unset(cfg: Configuration, loc: Loc, at: Definition | None = None) -> ChangeSet:
    """Remove the definition of ``loc`` (the one ``at``, when given), or every definition
    below it when ``loc`` itself is not defined."""
    removed: dict[Path, set[Span]] = {}
    for d in _to_remove(cfg, loc, at):
        removed.setdefault(d.file, set()).add(d.binding_span)
    _add_emptied_parents(cfg, removed)
    plan = Plan(cfg, f"unset {optpath.show(loc)}", [loc])
    for path, spans_removed in removed.items():
        src = cfg.documents[path].source
        for s, e in _merged(sorted(removal_span(src, s, e) for s, e in spans_removed)):
            plan.add(path, s, e, b"")
    return plan.build()


def _to_remove(cfg: Configuration, loc: Loc, at: Definition | None) -> list[Definition]:
    """The definitions to remove, each checked to be removable."""
    found = cfg.find_any(loc)
    if at is not None:
        found = [choose(cfg, loc, found, at)]
    if not found:
        found = [d for d in cfg.definitions if d.loc[: len(loc)] == loc and len(d.loc) > len(loc)]
    if not found:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it imports")
    for d in found:
        if d.in_merge:
            raise EditError(f"{d.option} is one element of an mkMerge list; edit it by hand",
                            d.file, d.line, d.column)
        if d.kind == defs.INHERITED:
            raise EditError(f"{d.option} comes from an inherit; edit it by hand",
                            d.file, d.line, d.column)
        editable_doc(cfg, d.file)
    return found


def _add_emptied_parents(cfg: Configuration, removed: dict[Path, set[Span]]) -> None:
    """Add to ``removed`` (binding spans per file) every attribute set whose members all go,
    unless a comment lives in it; repeated until nothing more empties."""
    changed = True
    while changed:
        changed = False
        for c in cfg.containers:
            gone = removed.get(c.file, set())
            if not c.loc or c.binding_span in gone or not any(
                c.value_span[0] <= s and e <= c.value_span[1] for s, e in gone
            ):
                continue
            members = [(m.start_byte, m.end_byte) for m in g.bindings(c.value)]
            if members and all(m in gone for m in members) and not g.has_comments(c.value) \
                    and not _part_of_update(cfg, c):
                gone.add(c.binding_span)
                changed = True


def _part_of_update(cfg: Configuration, c: Definition) -> bool:
    """The set is one operand of ``a // b``: emptied, it stays (the binding holds more)."""
    expr = c.binding.child_by_field_name(g.EXPRESSION) if c.binding is not None else None
    if expr is None:
        return False
    return g.is_update(unwrap(cfg.documents[c.file].source, expr)[0])


def _merged(spans: list[Span]) -> list[Span]:
    """Sorted spans with overlapping ones joined."""
    merged: list[Span] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
