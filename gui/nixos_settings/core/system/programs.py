"""The programs a rebuild starts, and what to say when one is missing.

A missing program is said in the user's words: on a computer without NixOS there is no
``nixos-rebuild``, and that is what the user needs to hear (not ``execve: No such file``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

HELPER_NAME = "nixos-settings-helper"


class RequestError(ValueError):
    """A rebuild request is malformed (unknown action, unsafe flake reference …) or cannot
    be started (a program it needs is not installed)."""


#: the file every NixOS system has (``nixos-rebuild`` and the installer check for it)
NIXOS_MARKER = Path("/etc/NIXOS")


def runs_nixos(marker: Path | None = None) -> bool:
    """Whether this computer runs NixOS."""
    return (marker or NIXOS_MARKER).exists()


def missing_program(program: str, env: Mapping[str, str] | None = None,
                    marker: Path | None = None) -> str | None:
    """Why ``program`` cannot be started, in the user's words; None when it is installed."""
    env = os.environ if env is None else env
    if shutil.which(program, path=env.get("PATH")) is not None:
        return None
    if program == "nixos-rebuild":
        if not runs_nixos(marker):
            return ("nixos-rebuild is not installed: this computer does not run NixOS. You "
                    "can still edit and save the configuration here; build and apply it on "
                    "the NixOS machine it belongs to.")
        return ("nixos-rebuild was not found, although this computer runs NixOS: check that "
                "/run/current-system/sw/bin is on your PATH.")
    if program == "home-manager":
        return ("home-manager is not installed (the command was not found): install Home "
                "Manager's command, or apply this file through the NixOS configuration that "
                "imports it.")
    if program == "pkexec":
        return ("pkexec is not installed, so nothing that needs administrator rights can be "
                "started from here: install polkit, or run the command in a terminal with "
                "sudo.")
    return f"{program} is not installed (the command was not found)."


def find_helper(env: Mapping[str, str] | None = None) -> str:
    """The absolute path of ``nixos-settings-helper``.

    ``$NIXOS_SETTINGS_HELPER`` wins (tests, development); otherwise the first match on
    ``PATH``, with symlinks resolved because the polkit policy names the store path
    (``/run/current-system/sw/bin/…`` is a symlink into the store).
    """
    env = os.environ if env is None else env
    explicit = env.get("NIXOS_SETTINGS_HELPER")
    if explicit:
        return explicit
    found = shutil.which(HELPER_NAME, path=env.get("PATH"))
    if found is None:
        raise RequestError(f"{HELPER_NAME} was not found on PATH")
    return os.path.realpath(found)
