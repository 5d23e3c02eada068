"""The edit session: the one Qt-free path every face (CLI, desktop app) takes to the files.

A :class:`Session` holds one :class:`~nixos_settings.core.config.configuration.Configuration`,
the option metadata for it (may be absent) and the search index.  Every edit goes

    check  →  plan  →  apply  →  save

* **check** (:meth:`Session.check`): is the option known, writable, and does the value fit its
  type?  One function, one wording, for every face.
* **plan** (``Session.plan_*``): a :class:`~nixos_settings.core.nix.text.ChangeSet` value (old
  and new bytes per file) with a description and the option paths it touches; nothing in
  memory or on disk changes.  A refusal raises :class:`~nixos_settings.core.common.errors.
  EditError` with a message in the user's words.
* **apply** (:meth:`Session.apply`): make a planned change the in-memory state; its
  :meth:`~nixos_settings.core.nix.text.ChangeSet.inverse` undoes it.
* **save** (:meth:`Session.save`): write what differs from disk, refusing files that changed
  on disk since they were read.

This module is the only place that decides *policy* (whether to check, what counts as
dirty, what "changed on disk" means); the modules below it only know mechanisms.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.edit import planning
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, unified_diff
from nixos_settings.core.options.model import OptionInfo, OptionSet


class Session:
    """One configuration being edited, with the option metadata that describes it."""

    def __init__(self, cfg: Configuration, options: OptionSet | None = None) -> None:
        self.cfg = cfg
        self.options = options
        # the bytes each file had when last read from or written to disk
        self._saved: dict[Path, bytes] = {p: d.source for p, d in cfg.documents.items()}

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, options: OptionSet | None = None) -> Session:
        return cls(Configuration.load(path), options)

    @classmethod
    def open_flake(cls, flake: Path | str, host: str | None = None,
                   options: OptionSet | None = None) -> Session:
        return cls(Configuration.load_flake(flake, host), options)

    @property
    def root(self) -> Path:
        return self.cfg.root

    # -- queries --------------------------------------------------------------------------

    def definitions(self, loc: Sequence[str]) -> list[Definition]:
        return self.cfg.find(tuple(loc))

    def info(self, loc: Sequence[str]) -> OptionInfo | None:
        """Option metadata for a concrete loc (templates resolved), or None."""
        return None if self.options is None else self.options.match(tuple(loc))

    # -- checks ---------------------------------------------------------------------------

    def check(self, loc: Sequence[str], nix_text: str) -> str | None:
        """Why setting ``loc`` to ``nix_text`` is wrong by the metadata, or None.

        The same sentence for every face; without metadata nothing is refused here.
        """
        if self.options is None:
            return None
        from nixos_settings.core.options.suggest import check_value

        return check_value(self.options, tuple(loc), nix_text)

    # -- planning -------------------------------------------------------------------------

    def plan_set(self, loc: Sequence[str], nix_text: str, *, at: Definition | None = None,
                 check: bool = True) -> ChangeSet:
        loc = tuple(loc)
        if check:
            self._refuse_if(self.check(loc, nix_text))
        change = planning.plan_set(self.cfg, loc, nix_text, at=at)
        return _described(change, f"Set {optpath.show(loc)} = {_short(nix_text)}", loc)

    def plan_unset(self, loc: Sequence[str], *, at: Definition | None = None) -> ChangeSet:
        loc = tuple(loc)
        return _described(planning.plan_unset(self.cfg, loc, at=at),
                          f"Reset {optpath.show(loc)}", loc)

    def _refuse_if(self, problem: str | None) -> None:
        if problem:
            raise EditError(problem)

    # -- applying -------------------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        """Make a planned change the in-memory state (``change.inverse()`` undoes it)."""
        self.cfg.apply(change)

    # -- dirty state ----------------------------------------------------------------------

    def dirty_paths(self) -> list[Path]:
        """Files whose bytes in memory differ from what was last read or saved."""
        return [p for p, d in self.cfg.documents.items() if d.source != self._saved.get(p)]

    def diff(self, paths: Sequence[Path] | None = None) -> str:
        """Unified diff of pending changes against what was last read or saved."""
        chosen = self.dirty_paths() if paths is None else list(paths)
        return unified_diff(
            (p, self._saved.get(p, b""), self.cfg.documents[p].source) for p in chosen
        )


def _described(change: ChangeSet, description: str, *locs: Loc) -> ChangeSet:
    change.description = description
    change.locs = list(locs)
    return change


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
