"""Backups of the content a save replaces.

Each file has its own folder under :func:`backup_dir` (named after the file and a hash of
its full path, so any path length works), holding its last :data:`BACKUPS_KEPT` versions:
saves of other files never push a file's backups out.  A backup is written like the file
itself (temporary file, ``fsync``, rename), with the file's own permission bits, so a
``0600`` file's backups are ``0600`` too; a backup that is there is complete.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from nixos_settings.core.common.errors import SaveError

#: versions kept per file
BACKUPS_KEPT = 20
_TMP = ".partial"
_VERSION = re.compile(r"\d{20}-\d+\.nix")


def backup_dir() -> Path:
    env = os.environ.get("NIXOS_SETTINGS_BACKUP_DIR")
    if env:
        return Path(env)
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(state) / "nixos-settings" / "backups"


def folder_for(target: Path) -> Path:
    """The backup folder of the file ``target`` (a resolved path)."""
    key = hashlib.sha256(os.fsencode(target)).hexdigest()[:16]
    return backup_dir() / f"{target.name[:80]}-{key}"


def versions(target: Path) -> list[Path]:
    """The backups of ``target``, oldest first."""
    folder = folder_for(target)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / n for n in sorted(names) if _VERSION.fullmatch(n)]


def make_backup(target: Path, data: bytes, mode: int = 0o600) -> Path:
    """Store ``data`` (the content being replaced) and return where it went."""
    folder = folder_for(target)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise SaveError(f"cannot create the backup folder {folder} ({err.strerror}); "
                        "nothing was written", target) from None
    _remove_partials(folder)
    dest = folder / f"{time.time_ns():020d}-{os.getpid()}.nix"
    try:
        _write_atomically(folder, dest, data, mode & 0o666)
        _write_atomically(folder, folder / "ORIGIN", os.fsencode(target) + b"\n", 0o600)
    except OSError as err:
        raise SaveError(f"cannot write the backup in {folder} ({err.strerror}); "
                        "nothing was written", target) from None
    for old in versions(target)[:-BACKUPS_KEPT]:
        try:
            old.unlink()
        except OSError:
            pass
    return dest


def _write_atomically(folder: Path, dest: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=_TMP, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _remove_partials(folder: Path) -> None:
    """Temporary files of a backup whose save was killed (the caller holds the lock of the
    file's folder, so no save of this file is running)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith(_TMP):
            try:
                os.unlink(folder / name)
            except OSError:
                pass
