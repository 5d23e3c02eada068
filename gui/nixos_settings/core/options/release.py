"""Which NixOS release a configuration builds against, and whether option metadata is for it.

The release comes from, in order:

1. the flake's ``flake.lock``: the node the root's ``nixpkgs`` input points at (its
   ``original.ref``, e.g. ``nixos-24.05``, and its ``locked.rev``);
2. the root channel: ``/root/.nix-channels`` (else ``nix-channel --list``) names the
   channel called ``nixos``, and its
   folder in ``/nix/var/nix/profiles/per-user/root/channels/`` holds ``.version`` (``24.05``)
   and ``.git-revision``;
3. the running system: ``/run/current-system/nixos-version`` (``24.05.20240101.abcdef0
   (Uakari)``).

``system.stateVersion`` is not the release and is never read.  ``$NIXOS_SETTINGS_SYSTEM_ROOT``
(default ``/``) prefixes the system paths of 2 and 3, so tests use a temporary root.

Public API
==========

* :class:`Release` ``(version, revision, origin)`` – ``version`` like ``"24.05"`` or
  ``"unstable"``; ``origin`` says where it was read, in words.
* ``detect(config_path) -> Release | None``
* ``metadata_release(source) -> str | None`` – the release an option set describes
  (``"20.09"`` for ``nixos-20.09pre-options.json.gz``, ``"24.05"`` for channel
  ``nixos-24.05``, ``"this configuration"`` for an evaluation, ``"Home Manager"`` …).
* ``mismatch(options, release) -> str | None`` – why ``options`` may not describe a
  configuration of ``release`` (None when they match or nothing says otherwise).  The
  session then warns about unknown options instead of refusing them.
* ``renamed_to(option) -> str | None``, ``is_removed(option) -> bool``, ``retired(options,
  loc) -> str | None`` – the traces ``mkRenamedOptionModule`` / ``mkRemovedOptionModule``
  leave in evaluated options, and the sentence that says so.
* ``renamed_to(option) -> str | None``, ``is_removed(option) -> bool``, ``retired(options,
  loc) -> str | None`` – the traces ``mkRenamedOptionModule`` / ``mkRemovedOptionModule``
  leave in evaluated options, and the sentence that says so.
* ``pick_cached(release, config_path, directory=None) -> OptionSet | None`` – the cached
  metadata for this configuration: the same release (same revision first), else the newest
  NixOS set, marked with its mismatch; never Home Manager's or another configuration's
  evaluation.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.records import record
from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options.model import OptionInfo, OptionSet, SourceInfo, retired_kind

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

THIS_CONFIGURATION = "this configuration"
HOME_MANAGER = "Home Manager"
_VERSION = re.compile(r"(?<![\d.])(\d{2}\.\d{2})(?!\d)")


@record(frozen=True)
class Release:
    """A NixOS release: ``version`` ("24.05", "unstable"), ``revision``, where it was read."""

    version: str
    revision: str | None
    origin: str

    def __str__(self) -> str:
        rev = f" ({self.revision[:12]})" if self.revision else ""
        return f"NixOS {self.version}{rev}, from {self.origin}"


def _system_root() -> Path:
    return Path(os.environ.get("NIXOS_SETTINGS_SYSTEM_ROOT") or "/")


def _version_of(text: str) -> str | None:
    m = _VERSION.search(text)
    if m:
        return m.group(1)
    return "unstable" if "unstable" in text else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", "replace").strip()
    except OSError:
        return None


def from_flake_lock(lock: Path) -> Release | None:
    """The release of the root's ``nixpkgs`` input in ``flake.lock``."""
    text = _read(lock)
    if text is None:
        return None
    try:
        data = json.loads(text)
        nodes = data["nodes"]
        root = nodes[data.get("root", "root")]
        ref = root.get("inputs", {}).get("nixpkgs")
        if isinstance(ref, list):  # "follows" path
            return None
        node = nodes[ref]
    except (ValueError, KeyError, TypeError):
        return None
    original, locked = node.get("original", {}), node.get("locked", {})
    name = str(original.get("ref") or locked.get("ref") or "")
    version = _version_of(name) or "unknown"
    return Release(version, locked.get("rev"), f"flake.lock (nixpkgs input {name or '?'})")


def _channel_list() -> str | None:
    """``nix-channel --list`` (the calling user's channels: root's when run as root)."""
    import shutil
    import subprocess

    exe = shutil.which("nix-channel")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--list"], capture_output=True, text=True, timeout=5,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def from_channel(root: Path) -> Release | None:
    """The root user's ``nixos`` channel."""
    listing = _read(root / "root" / ".nix-channels") or _channel_list() or ""
    # ~/.nix-channels says "URL NAME"; nix-channel --list says "NAME URL"
    url = next((a if b == "nixos" else b for a, b in
                (ln.split() for ln in listing.splitlines() if len(ln.split()) == 2)
                if "nixos" in (a, b)), None)
    folder = root / "nix" / "var" / "nix" / "profiles" / "per-user" / "root" / "channels" / "nixos"
    version = _read(folder / ".version")
    if version is None and url is None:
        return None
    found = _version_of(version or "") or _version_of(url or "") or "unknown"
    name = url.rstrip("/").rsplit("/", 1)[-1] if url else "nixos"
    return Release(found, _read(folder / ".git-revision"), f"the root channel {name}")


def from_running_system(root: Path) -> Release | None:
    """``/run/current-system/nixos-version``."""
    text = _read(root / "run" / "current-system" / "nixos-version")
    if not text:
        return None
    parts = text.split()[0].split(".")
    rev = parts[3] if len(parts) > 3 else None
    return Release(_version_of(text) or "unknown", rev, "the running system")


def detect(config_path: Path | None) -> Release | None:
    """The release ``config_path`` builds against (see the module doc), or None."""
    if config_path is not None:
        folder = Path(config_path)
        folder = folder if folder.is_dir() else folder.parent
        lock = folder / "flake.lock"
        if lock.is_file():
            return from_flake_lock(lock)
    root = _system_root()
    return from_channel(root) or from_running_system(root)


def metadata_release(source: SourceInfo) -> str | None:
    """The release an option set describes, as far as its source tells."""
    if source.kind in ("eval", "flake"):
        return THIS_CONFIGURATION
    if source.kind == "home-manager":
        return HOME_MANAGER
    if source.kind in ("none", "declared"):
        return None
    return _version_of(f"{source.label} {source.path.name if source.path else ''}")


def mismatch(options: OptionSet, release: Release | None) -> str | None:
    """Why ``options`` may not describe a configuration built against ``release``."""
    have = metadata_release(options.source)
    if options.source.kind == "declared":
        return ("only the options your own files declare are known (no NixOS option "
                "metadata)")
    if have == HOME_MANAGER:
        return "the option metadata in use is Home Manager's, not NixOS's"
    if have == THIS_CONFIGURATION or release is None or have is None:
        return None
    if have != release.version:
        return (f"the option metadata in use describes NixOS {have}, but this configuration "
                f"builds against NixOS {release.version} (from {release.origin})")
    return None


def pick_cached(release: Release | None, config_path: Path | None,
                directory: Path | None = None) -> OptionSet | None:
    """The cached metadata for this configuration (see the module doc)."""
    fallback: OptionSet | None = None
    foreign: OptionSet | None = None  # metadata that is not NixOS's: only when nothing else
    same_version: OptionSet | None = None
    want = Path(config_path).resolve() if config_path is not None else None
    for entry in optcache.entries(directory):
        got = optcache.load(entry.key, directory)
        if got is None:
            continue
        have = metadata_release(got.source)
        if have == HOME_MANAGER:
            continue
        if have == THIS_CONFIGURATION:
            if want is not None and got.source.path is not None and \
                    Path(got.source.path).resolve() in (want, want.parent):
                return got
            continue
        if release is not None and have == release.version:
            if release.revision and got.source.revision == release.revision:
                return got
            same_version = same_version or got
        if got.get(("system", "stateVersion")) is not None:
            fallback = fallback or got  # NixOS metadata (a file of another kind is no fallback)
        else:
            foreign = foreign or got
    chosen = same_version or fallback or foreign
    if chosen is not None:
        chosen.release_note = mismatch(chosen, release)
    return chosen


def _note(options: OptionSet, cfg: Configuration | None, config_path: Path | None
          ) -> str | None:
    """Why ``options`` may not describe the configuration: for a Home Manager file, NixOS's
    metadata (no ``home.*`` options); for a NixOS one, see :func:`mismatch`."""
    from nixos_settings.core.config.kind import HOME_MANAGER as HM_FILE
    from nixos_settings.core.config.kind import configuration_kind

    if cfg is None or configuration_kind(d.loc for d in cfg.definitions) != HM_FILE:
        return mismatch(options, detect(config_path))
    if metadata_release(options.source) == HOME_MANAGER or \
            options.match(("home", "stateVersion")) is not None:
        return None
    return (f"this file ({cfg.root.name}) is a Home Manager configuration, but the option "
            "metadata in use is NixOS's")


def fit(options: OptionSet, config_path: Path | None) -> OptionSet:
    """``options`` made ready for the configuration at ``config_path``: its mismatch noted
    (unless already), and the options the configuration's own files declare joined in."""
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.config.configuration import Configuration
    from nixos_settings.core.options.declared import with_declared

    cfg: Configuration | None = None
    if config_path is not None and Path(config_path).name != "flake.nix":
        try:
            cfg = Configuration.load(config_path)
        except (NixSettingsError, OSError):
            cfg = None
    if options.release_note is None and len(options):
        options.release_note = _note(options, cfg, config_path)
    if options.release_note and not options.problem:  # said where metadata is shown
        options.problem = (f"{options.release_note[:1].upper()}{options.release_note[1:]}; "
                           "options it does not know are warned about, not refused.")
    if cfg is None:
        return options
    joined = with_declared(options if len(options) else None, cfg)
    if joined is None:
        return options
    if joined.source.kind == "declared":
        joined.problem = options.problem
        joined.release_note = mismatch(joined, None)
    return joined


def renamed_to(option: OptionInfo) -> str | None:
    """The new name of an option nixpkgs renamed, or None."""
    kind = retired_kind(option) or ""
    return kind.removeprefix("renamed:") if kind.startswith("renamed:") else None


def is_removed(option: OptionInfo) -> bool:
    """True for an option nixpkgs removed (``mkRemovedOptionModule``)."""
    return retired_kind(option) == "removed"


def retired(options: OptionSet, loc: tuple[str, ...]) -> str | None:
    """Why ``loc`` cannot be set because NixOS renamed or removed it, or None."""
    from nixos_settings.core.nix.optpath import show

    opt = options.retired.get(loc)
    if opt is None:
        return None
    new = renamed_to(opt)
    if new is not None:
        return f"{show(loc)} was renamed to {new} in NixOS; set {new} instead"
    if is_removed(opt):
        return f"{show(loc)} was removed from NixOS and has no effect; remove it"
    return None


__all__ = [
    "Release",
    "detect",
    "fit",
    "from_channel",
    "from_flake_lock",
    "from_running_system",
    "is_removed",
    "metadata_release",
    "mismatch",
    "pick_cached",
    "renamed_to",
    "retired",
]
