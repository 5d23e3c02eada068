"""Which kind of configuration a file is: a NixOS system's, or a Home Manager user's.

They look alike (both are modules setting options), but they are applied with different
commands (``nixos-rebuild`` as root, ``home-manager`` as the user) and have different
generations.  The options a file sets tell them apart: ``home.stateVersion``,
``home.username`` and friends exist only in Home Manager; ``system.stateVersion``,
``boot.*`` and ``fileSystems`` only in NixOS."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

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


def file_kind(path: Path | str) -> str:
    """The kind of the configuration rooted at ``path`` (its imports read too); a file that
    cannot be read counts as NixOS, whose tools then say what is wrong with it."""
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.config.configuration import Configuration

    try:
        cfg = Configuration.load(path)
    except (NixSettingsError, OSError):
        return NIXOS
    return configuration_kind(d.loc for d in cfg.definitions)


def home_manager_action(action: str, name: str) -> str:
    """The ``home-manager`` action for a ``nixos-rebuild`` one asked of the Home Manager
    file ``name``: ``dry-build`` is ``build`` (its check); a system-only action is refused
    (RequestError) in words that say what to use instead."""
    from nixos_settings.core.system.programs import RequestError

    if action in ("switch", "build"):
        return action
    if action == "dry-build":
        return "build"
    raise RequestError(f"{name} is a Home Manager configuration, applied with home-manager, "
                       f"which has no {action!r}: use switch, or build to check it")
