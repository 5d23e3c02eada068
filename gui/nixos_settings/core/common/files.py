"""Reading a source file with bounded work: regular files only, at most 16 MB.

``--file /dev/zero``, an import of a FIFO or a device, or a huge file must give a clear
message at once, never an endless read or a hang.  The file is opened without blocking
(a FIFO with no writer would otherwise block ``open``), checked to be a regular file, and
read up to the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nixos_settings.core.common.errors import LocatedError

#: the largest file read as Nix source (real configurations are well under 1 MB)
MAX_SOURCE_BYTES = 16 * 1024 * 1024


class SourceFileError(LocatedError):
    """The path names something that is not a readable Nix source file."""


def read_source(path: Path | str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed).

    Raises :class:`SourceFileError` for a directory, device, FIFO or socket, or a file
    larger than ``limit``; ``OSError`` (``FileNotFoundError``, ``PermissionError`` …) when
    it cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise SourceFileError("is a directory, not a Nix file", path)
        if not stat.S_ISREG(st.st_mode):
            raise SourceFileError("is not a regular file (a device, pipe or socket); "
                                  "only Nix files can be read", path)
        if st.st_size > limit:
            raise SourceFileError(_too_large(limit), path)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise SourceFileError(_too_large(limit), path)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"is larger than {size}, too large for a configuration file; nothing was read"


def write_atomically(path: Path, data: bytes) -> Path:
    """Write a cache file (not a user's file: those go through core/edit/save) whole or not
    at all: a temporary file beside it, renamed over it."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
