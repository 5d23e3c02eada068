"""Undo commands: every change to the configuration is one :class:`ChangeCommand`.

A command holds core ``ChangeSet`` objects (old and new bytes per file).  ``redo`` applies them
in order, ``undo`` applies their inverses in reverse order, both through the ``apply``
callable it was given (the controller's, which tells the views).  Consecutive commands with
the same *merge key* (one editor, one editing session: typing into a field, dragging a spin
box) merge into one undo step; a merged step that leads back to the original bytes becomes
obsolete and disappears from the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from nixos_settings.core.nix.text import ChangeSet

Loc = tuple[str, ...]
#: applies one ChangeSet to the in-memory configuration and tells the views which locs changed
Apply = Callable[[ChangeSet, tuple[Loc, ...]], None]

#: One id for every mergeable command; Qt only calls ``mergeWith`` when the ids agree,
#: the merge key decides the rest.
MERGE_ID = 0x4E53


class ChangeCommand(QUndoCommand):
    """Apply one or more core ChangeSets as a single undo step."""

    def __init__(
        self,
        apply: Apply,
        changeset: ChangeSet,
        text: str,
        locs: tuple[Loc, ...] = (),
        merge_key: Hashable | None = None,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self._sets: list[ChangeSet] = [changeset]
        self.locs = locs
        self.merge_key = merge_key

    def redo(self) -> None:
        for cs in self._sets:
            self._apply(cs, self.locs)

    def undo(self) -> None:
        for cs in reversed(self._sets):
            self._apply(cs.inverse(), self.locs)

    def id(self) -> int:
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ChangeCommand) or other.merge_key != self.merge_key:
            return False
        self._sets.extend(other._sets)
        self.locs = tuple(dict.fromkeys(self.locs + other.locs))
        self.setText(other.text())
        if self._net_noop():
            self.setObsolete(True)
        return True

    def _net_noop(self) -> bool:
        """True when the merged sets lead every file back to where it started."""
        first: dict[Path, bytes] = {}
        last: dict[Path, bytes] = {}
        for cs in self._sets:
            for path, (old, new) in cs.files.items():
                first.setdefault(path, old)
                last[path] = new
        return all(first[p] == last[p] for p in first)
