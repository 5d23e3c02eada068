"""The packages' side of the edit session (mixed into
:class:`~nixos_settings.core.session.Session`): what is installed where, installing and
removing in the list's style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import Refused
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.nix.text import ChangeSet

if TYPE_CHECKING:
    from nixos_settings.core.packages.index import PackageIndex
    from nixos_settings.core.packages.installed import PackageRef


class SessionPackages:
    """The packages' side of a session (core/packages): what is installed where, installing
    and removing in the list's style."""

    cfg: Configuration

    def installed_packages(self) -> list[PackageRef]:
        """Every element of every package list: what is installed where."""
        from nixos_settings.core.packages.installed import installed

        return installed(self.cfg)

    def package_places(self) -> list[str]:
        """Where packages can go (``system``, ``user:NAME``, ``home``), the default first:
        Home Manager's list in a Home Manager file, else the whole system."""
        from nixos_settings.core.packages.installed import places

        return places(self.cfg)

    def plan_packages_add(self, attrs: Sequence[str], to: str | None = None,
                          catalogue: PackageIndex | None = None) -> ChangeSet:
        """Install ``attrs`` in ``to`` (``system``, ``user:NAME``, ``home``; by default the
        first of :meth:`package_places`) in the list's style; with a catalogue, a name it
        does not have is refused (with did-you-mean)."""
        from nixos_settings.core.packages import advice, edits

        if catalogue is not None:
            problem = advice.unknown(catalogue, list(attrs))
            if problem:
                raise Refused(problem)
        change = edits.plan_add(self.cfg, list(attrs), to)
        return _described(change, f"Install {', '.join(attrs)}", *change.locs)

    def plan_packages_remove(self, attrs: Sequence[str]) -> ChangeSet:
        """Remove the list elements that install ``attrs`` (exactly those elements)."""
        from nixos_settings.core.packages import edits

        change = edits.plan_remove(self.cfg, list(attrs))
        return _described(change, f"Remove {', '.join(attrs)}", *change.locs)




def _described(change: ChangeSet, description: str, *locs: tuple[str, ...]) -> ChangeSet:
    change.description = description
    change.locs = list(locs)
    return change
