"""What every planner shares: the change being built, checks of new text and of the file.

:class:`Plan` collects splices per file and turns them into a
:class:`~nixos_settings.core.nix.text.ChangeSet`, reparsing each changed file and refusing an
edit that would add a syntax error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.config.document import Document
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath, syntax
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, Splice, apply_splices

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration


def check_expression(text: str) -> None:
    """Raise unless ``text`` is one well-formed Nix expression."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise EditError(
            f"the value is not valid UTF-8 text (byte {err.object[err.start]!r} at position "
            f"{err.start + 1})"
        ) from None
    if not text.strip():
        raise EditError("the value is empty; give a Nix expression")
    tree = syntax.parse(text.encode("utf-8"))
    probs = syntax.problems(tree)
    if probs:
        p = probs[0]
        raise EditError(
            f"the value is not valid Nix ({p.message} at column {p.column + 1}): {text!r}"
        )
    if g.top_expression(tree) is None:
        raise EditError(f"the value is not a Nix expression: {text!r}")


def needs_parens(element: str) -> bool:
    """True unless ``element`` is one term (a literal, a name, a list, a set …)."""
    tree = syntax.parse(element.encode("utf-8"))
    expr = g.top_expression(tree)
    return expr is not None and expr.type in g.COMPOUND_KINDS


@dataclass
class Plan:
    """Splices gathered per file for one change; :meth:`build` makes the change set."""

    cfg: Configuration
    description: str
    locs: list[Loc]

    def __post_init__(self) -> None:
        self.splices: dict[Path, list[Splice]] = {}

    def add(self, path: Path, start: int, end: int, text: bytes) -> None:
        self.splices.setdefault(path, []).append((start, end, text))

    def build(self) -> ChangeSet:
        """The change set: each file's new bytes and tree (refused if it adds a syntax
        error)."""
        cs = ChangeSet(description=self.description, locs=self.locs)
        for path, splices in self.splices.items():
            doc = self.cfg.documents[path]
            _refuse_disputed(doc, splices)
            new = apply_splices(doc.source, splices)
            tree = syntax.reparse_after_splices(doc.tree, doc.source, new, splices)
            _refuse_new_errors(doc, tree)
            cs.files[path] = (doc.source, new)
            cs.splices[path] = sorted(splices)
            cs.trees[path] = tree
        return cs


def _refuse_disputed(doc: Document, splices: list[Splice]) -> None:
    """Never edit into a spot where this grammar and Nix disagree (a note says where)."""
    for p in syntax.problems(doc.tree):
        for s, e, _ in splices:
            inside = s <= p.start_byte <= e if p.start_byte == p.end_byte else \
                s < p.end_byte and p.start_byte < e
            if inside:
                raise EditError(
                    "this spot is read differently by Nix and by this program's grammar; "
                    "edit it in a text editor", doc.path, p.line + 1, p.column + 1)


def _refuse_new_errors(doc: Document, tree: syntax.Tree) -> None:
    before = syntax.problems(doc.tree)
    after = syntax.problems(tree)
    if len(after) > len(before):
        p = after[0]
        raise EditError(
            f"the edit would break the syntax ({p.message}); nothing was changed",
            doc.path, p.line + 1, p.column + 1,
        )


def editable_doc(cfg: Configuration, path: Path) -> Document:
    """The document of ``path``, unless it has a syntax error (then nothing is edited)."""
    from nixos_settings.core.edit.syntaxplace import document_problem

    doc = cfg.documents[path]
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        where = document_problem(doc)
        line, column, what = ((where.line, where.column, where.sentence) if where else
                              (errors[0].line, errors[0].column, errors[0].message))
        what = what.removeprefix("syntax error, ").removeprefix("syntax error: ")
        raise EditError(f"the file has a syntax error ({what}); fix it in a text editor "
                        "first", path, line, column)
    return doc


def choose(cfg: Configuration, loc: Loc, found: list[Definition],
           at: Definition | None) -> Definition:
    """The definition to edit among ``found``: the one at ``at``'s place, else the only one
    (several are an error that asks the user to choose)."""
    if at is not None:
        for d in found:
            if d.file == at.file and d.line == at.line and d.column == at.column:
                return d
        raise EditError(f"{optpath.show(loc)} is not defined at {at.where()}")
    if len(found) > 1:
        places = ", ".join(d.where() for d in found)
        raise EditError(
            f"{optpath.show(loc)} is defined in {len(found)} places ({places}); "
            "choose which one to edit"
        )
    return found[0]


def in_sequence(cfg: Configuration, steps: Sequence[Callable[[], ChangeSet]],
                locs: list[Loc] | None, description: str) -> ChangeSet:
    """One change set doing ``steps`` in order, each planned on the result of the previous
    ones (applied in memory, then taken back: ``cfg`` ends as it was); ``locs`` None: the
    steps' own."""
    done: list[ChangeSet] = []
    try:
        for step in steps:
            change = step()
            if change:
                cfg.apply(change)
                done.append(change)
    finally:
        for change in reversed(done):
            cfg.apply(change.inverse())
    if locs is None:
        locs = list(dict.fromkeys(loc for change in done for loc in change.locs))
    out = ChangeSet(description=description, locs=locs)
    for change in done:
        for path, (old, new) in change.files.items():
            out.files[path] = (out.files.get(path, (old, new))[0], new)
    for path, (old, new) in out.files.items():
        splice = _one_splice(old, new)
        out.splices[path] = [splice]
        out.trees[path] = syntax.reparse_after_splices(cfg.documents[path].tree, old, new,
                                                      [splice])
    return out


def _one_splice(old: bytes, new: bytes) -> Splice:
    """The one splice turning ``old`` into ``new``: what lies between their common start
    and common end."""
    n = min(len(old), len(new))
    start = 0
    while start < n and old[start] == new[start]:
        start += 1
    end = 0
    while end < n - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return start, len(old) - end, new[start : len(new) - end]
