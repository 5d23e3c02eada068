"""Writing files the user may not write: the root helper through ``pkexec``.

* ``can_write(path)``: whether this process can replace ``path`` itself (the file and its
  directory are writable), else the save goes through the helper.
* ``write_privileged(path, data, expected_sha256, command, locate_helper)``: run
  ``command + [path, "--expect", HASH]`` (by default ``pkexec nixos-settings-helper write``)
  with ``data`` on stdin; returns None when the helper wrote the file, else a sentence
  saying why not.  ``HASH`` is the SHA-256 of the content the caller read (``new`` for a
  file that must not exist yet): the helper refuses, with :data:`EXIT_CHANGED`, when the
  file holds anything else by the time it would replace it (edits made while the password
  prompt was open are never overwritten); that refusal raises
  :class:`~nixos_settings.core.common.errors.FileChangedError`.

Mechanism only: which files go through the helper, and when, is the session's decision.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from nixos_settings.core.common.errors import FileChangedError

#: the helper's command line before the target path (content on stdin)
HELPER_COMMAND: tuple[str, ...] = ("pkexec", "nixos-settings-helper", "write")
#: the helper's exit status when the file is not what the caller read
EXIT_CHANGED = 4


def can_write(path: Path) -> bool:
    """True when this process may replace ``path`` (atomic writes need its directory too)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def write_privileged(path: Path, data: bytes, expected_sha256: str | None,
                     command: Sequence[str] = HELPER_COMMAND,
                     locate_helper: Callable[[], str | None] | None = None,
                     timeout: float = 300) -> str | None:
    """Write ``data`` to ``path`` through the helper; None on success, else why not.

    ``locate_helper`` finds the helper's absolute path when ``command[1]`` is a bare name:
    polkit matches the helper by its absolute, symlink-free path.
    """
    argv = [*command, str(path), "--expect", expected_sha256 or "new"]
    if len(argv) > 1 and not os.path.isabs(argv[1]):
        found = locate_helper() if locate_helper is not None else None
        argv[1] = found or shutil.which(argv[1]) or argv[1]
    if shutil.which(argv[0]) is None:
        return (f"{path}: you cannot write this file, and {argv[0]} (needed to save it with "
                "administrator rights) is not installed")
    try:
        proc = subprocess.run(argv, input=data, capture_output=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{path}: could not run the privileged helper: {err}"
    if proc.returncode == EXIT_CHANGED:
        raise FileChangedError("the file changed on disk since it was read (while the "
                               "password prompt was open?); not overwritten", path)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
        if proc.returncode == 126:  # pkexec: the password dialog was dismissed
            return f"{path}: not saved: the password prompt was cancelled"
        if proc.returncode == 127:  # pkexec: not authorised (or polkit failed)
            return (f"{path}: not saved: you are not allowed to save it as administrator "
                    f"({msg})")
        return f"{path}: the privileged helper failed: {msg}"
    return None
