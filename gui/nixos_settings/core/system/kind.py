"""Applying a configuration by its kind (see :mod:`nixos_settings.core.config.kind`): a
Home Manager file is applied with ``home-manager``, never ``nixos-rebuild``."""

from __future__ import annotations

from pathlib import Path

from nixos_settings.core.config.kind import HOME_MANAGER as HOME_MANAGER
from nixos_settings.core.config.kind import NIXOS as NIXOS
from nixos_settings.core.config.kind import configuration_kind as configuration_kind


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
