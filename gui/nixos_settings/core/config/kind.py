"""Which kind of configuration a file is: a NixOS system's, or a Home Manager user's.

They look alike (both are modules setting options), but they are applied with different
commands (``nixos-rebuild`` as root, ``home-manager`` as the user) and have different
generations.  The options a file sets tell them apart: ``home.stateVersion``,
``home.username`` and friends exist only in Home Manager; ``system.stateVersion``,
``boot.*`` and ``fileSystems`` only in NixOS."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NIXOS = "nixos"
HOME_MANAGER = "home-manager"

_HM_ONLY = {("home", "stateVersion"), ("home", "username"), ("home", "homeDirectory"),
            ("home", "packages"), ("home", "file"), ("home", "sessionVariables"),
            ("programs", "home-manager")}
_NIXOS_ONLY = {("system", "stateVersion"), ("boot",), ("fileSystems",), ("networking",),
               ("services", "openssh"), ("users", "users")}


def configuration_kind(locs: Iterable[Sequence[str]]) -> str:
    """:data:`HOME_MANAGER` when the options set are Home Manager's, else :data:`NIXOS`."""
    hm = nixos = 0
    for loc in locs:
        key2, key1 = tuple(loc[:2]), tuple(loc[:1])
        if key2 in _HM_ONLY:
            hm += 1
        elif key2 in _NIXOS_ONLY or key1 in _NIXOS_ONLY:
            nixos += 1
    return HOME_MANAGER if hm > nixos else NIXOS
