"""NixOS system generations, read from the profile links.

A NixOS system profile is a directory of symlinks (default ``/nix/var/nix/profiles``):
``system-42-link`` → ``/nix/store/…-nixos-system-host-24.05…`` for each generation, and
``system`` → ``system-42-link`` for the current one. The date shown is the link's own
mtime (when the generation was made) and the version comes from the ``nixos-version``
file inside the generation, when it has one.

Nothing here changes the system: :func:`rollback_argv` and :func:`switch_generation_argvs`
only build the commands (which the privileged helper runs).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROFILES = Path("/nix/var/nix/profiles")
SYSTEM_PROFILE = "system"


@dataclass(frozen=True)
class Generation:
    """One system generation.

    Attributes:
        number: the generation number (the ``N`` in ``system-N-link``).
        link: the ``system-N-link`` path.
        target: where the link points (a store path), as written in the link.
        date: the link's modification time, local time zone.
        nixos_version: contents of ``<target>/nixos-version``, or ``None``.
        current: the ``system`` link points at this generation.
    """

    number: int
    link: Path
    target: Path
    date: dt.datetime
    nixos_version: str | None
    current: bool

    def describe(self) -> str:
        """``42  2024-11-09 14:03  24.05.7376.b134951  (current)`` for lists and dialogs."""
        version = self.nixos_version or "unknown version"
        mark = "  (current)" if self.current else ""
        return f"{self.number}  {self.date:%Y-%m-%d %H:%M}  {version}{mark}"


def list_generations(
    profiles: Path = DEFAULT_PROFILES, profile: str = SYSTEM_PROFILE
) -> list[Generation]:
    """All generations of ``profile`` in ``profiles``, oldest first.

    Unreadable or dangling links are still listed (without a version); a missing profile
    directory gives an empty list.
    """
    link_re = re.compile(re.escape(profile) + r"-(\d+)-link")
    current = _current_link_name(profiles / profile)
    found: list[Generation] = []
    try:
        entries = list(os.scandir(profiles))
    except FileNotFoundError:
        return []
    for entry in entries:
        m = link_re.fullmatch(entry.name)
        if m is None or not entry.is_symlink():
            continue
        found.append(_generation(Path(entry.path), int(m.group(1)), entry.name == current))
    return sorted(found, key=lambda g: g.number)


def home_manager_profiles(home: Path | None = None, user: str | None = None,
                          state: Path | None = None) -> Path:
    """Where a user's Home Manager generations live: ``$XDG_STATE_HOME/nix/profiles``
    (``~/.local/state/nix/profiles``) on current Nix, else the older
    ``/nix/var/nix/profiles/per-user/USER``."""
    home = home or Path.home()
    user = user or os.environ.get("USER") or home.name
    state = state or Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state")
    new = state / "nix" / "profiles"
    old = DEFAULT_PROFILES / "per-user" / user
    return new if (new / "home-manager").exists() or not old.is_dir() else old


def empty_reason(profiles: Path = DEFAULT_PROFILES, profile: str = SYSTEM_PROFILE,
                 marker: Path | None = None) -> str:
    """Why :func:`list_generations` found nothing, in the user's words."""
    from nixos_settings.core.system.programs import runs_nixos

    what = "Home Manager generations" if profile == "home-manager" else "system generations"
    if profile == SYSTEM_PROFILE and not runs_nixos(marker):
        return (f"No {what} to show: this computer does not run NixOS, so it has none "
                "(they appear after the first nixos-rebuild switch on a NixOS machine).")
    if not (profiles / profile).exists():
        return f"No {what} to show: there is no {profiles / profile} yet."
    return f"No {what} found in {profiles}."


def current_generation(
    profiles: Path = DEFAULT_PROFILES, profile: str = SYSTEM_PROFILE
) -> Generation | None:
    """The generation ``profile`` points at, if any."""
    return next((g for g in list_generations(profiles, profile) if g.current), None)


def _current_link_name(profile_link: Path) -> str | None:
    try:
        return os.path.basename(os.readlink(profile_link))
    except OSError:
        return None


def _generation(link: Path, number: int, current: bool) -> Generation:
    target = Path(os.readlink(link))
    mtime = os.lstat(link).st_mtime
    return Generation(
        number=number,
        link=link,
        target=target,
        date=dt.datetime.fromtimestamp(mtime).astimezone(),
        nixos_version=_read_version(link / "nixos-version"),
        current=current,
    )


def _read_version(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return text or None


def rollback_argv() -> list[str]:
    """Switch back to the previous generation, the way ``nixos-rebuild`` does it."""
    return ["nixos-rebuild", "switch", "--rollback"]


def switch_generation_argvs(number: int, profiles: Path = DEFAULT_PROFILES) -> list[list[str]]:
    """The two commands that make generation ``number`` current and activate it.

    First the profile is pointed at the generation (so the boot loader's default entry
    follows), then the generation's own ``switch-to-configuration switch`` runs.
    """
    if number < 1:
        raise ValueError(f"invalid generation number {number}")
    profile = profiles / SYSTEM_PROFILE
    link = profiles / f"{SYSTEM_PROFILE}-{number}-link"
    return [
        ["nix-env", "--profile", str(profile), "--switch-generation", str(number)],
        [str(link / "bin" / "switch-to-configuration"), "switch"],
    ]
