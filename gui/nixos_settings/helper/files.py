"""The helper's atomic compare-and-swap write of a ``.nix`` file, with a backup.

Every step works on descriptors opened from a trusted root descriptor with ``O_NOFOLLOW``
(see :func:`~nixos_settings.helper.checks.open_trusted_root`), so nothing the caller can
swap in midway (a symlink, a FIFO, another directory) redirects a root write:

1. lock: ``flock`` on the file's directory (the app takes the same lock), waiting at most
   :data:`~nixos_settings.helper.settings.LOCK_WAIT` seconds;
2. read the current file through a non-blocking descriptor: regular, one link, bounded
   size, and its SHA-256 must be the one the caller read (``--expect``), else status 4;
3. back up the old content (per file, atomically, root-only), write the new content to a
   temporary file with the old mode and owner, ``fsync``;
4. check once more, then exchange the temporary file with the target in one step
   (``renameat2(RENAME_EXCHANGE)``) and make sure the displaced file is the one expected,
   else swap back and refuse; plain ``rename`` where the file system cannot exchange.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import re
import secrets
import stat
import time
from collections.abc import Mapping, Sequence

from nixos_settings.helper.checks import (
    check_content,
    check_owner,
    nix_parse,
    open_trusted_root,
    resolve_in_root,
    shown,
    trusted_owners,
)
from nixos_settings.helper.settings import (
    BACKUPS_KEPT,
    LOCK_WAIT,
    MAX_EXISTING,
    Changed,
    Invalid,
    Refused,
    Settings,
)

TMP_SUFFIX = ".nixos-settings-tmp"
_STALE_TMP = re.compile(r"\..+\.[0-9a-f]{12}" + re.escape(TMP_SUFFIX))
_RENAME_EXCHANGE = 2


def _open_dir_nofollow(root: int | str, parts: Sequence[str],
                       trusted: set[int] | None = None) -> int:
    """Open ``root/parts…`` one component at a time, refusing any symlink (and, given
    ``trusted``, any folder someone else could change); ``root`` is a directory
    descriptor (or a path, opened here)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(root, flags) if isinstance(root, str) else os.dup(root)
    except OSError as err:
        raise Refused(f"cannot open directory safely: {err.strerror}") from None
    try:
        for part in parts:
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
            if trusted is not None:
                check_owner(part, os.fstat(fd), trusted, sticky_ok=False)
    except OSError as err:
        os.close(fd)
        raise Refused(f"cannot open directory safely: {err.strerror}") from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _lock(dir_fd: int) -> None:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(dir_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise Refused("another save in this folder is still running; try again"
                              ) from None
            time.sleep(0.01)


def _read_existing(name: str, dir_fd: int) -> tuple[bytes, os.stat_result] | None:
    """The current file's bytes and status, or None when there is none.  Never blocks: a
    FIFO, device or socket (even one swapped in after a check) is refused."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise Refused(f"{name} is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{name} is not a regular file")
        if st.st_nlink > 1:
            raise Refused(f"{name} has several hard links")
        if st.st_size > MAX_EXISTING:
            raise Refused(f"{name} is larger than {MAX_EXISTING} bytes")
        data = os.read(fd, MAX_EXISTING + 1)
        if len(data) > MAX_EXISTING:
            raise Refused(f"{name} is larger than {MAX_EXISTING} bytes")
        return data, st
    finally:
        os.close(fd)


def _compare(name: str, current: tuple[bytes, os.stat_result] | None, expected: str) -> None:
    if expected == "new":
        if current is not None:
            raise Changed(f"{name} was created on disk meanwhile; not overwritten")
        return
    if current is None:
        raise Changed(f"{name} was deleted on disk since it was read; not written")
    if hashlib.sha256(current[0]).hexdigest() != expected:
        raise Changed(f"{name} changed on disk since it was read; not overwritten")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_file(settings: Settings, arg: str, data: bytes, expected: str,
               env: Mapping[str, str]) -> str:
    """Validate and compare-and-swap a ``.nix`` file in the configuration directory.

    ``expected`` is the SHA-256 of the content the caller read (``new``: the file must not
    exist).  Returns the resolved path written.
    """
    target = resolve_in_root(arg, settings.root)
    if not target.endswith(".nix"):
        raise Refused(f"{shown(arg)} is not a .nix file")
    check_content(data)
    real_root = os.path.realpath(settings.root)
    *dirs, name = os.path.relpath(target, real_root).split("/")
    root_fd = open_trusted_root(real_root, settings)
    try:
        # refuses missing, swapped or foreign directories
        dir_fd = _open_dir_nofollow(root_fd, dirs, trusted_owners(settings))
    finally:
        os.close(root_fd)
    try:
        problem = nix_parse(data, os.path.dirname(target), env)
        if problem is not None:
            raise Invalid(f"the new content does not parse: {problem}")
        _lock(dir_fd)
        _remove_stale_temps(dir_fd)
        old = _read_existing(name, dir_fd)
        _compare(name, old, expected)
        if old is not None:
            _backup(settings, os.path.relpath(target, real_root), old[0], old[1])
        _replace(dir_fd, name, data, old, expected)
    finally:
        os.close(dir_fd)  # releases the lock
    return target


def _remove_stale_temps(dir_fd: int) -> None:
    """Temporary files of saves that were killed (we hold the folder's lock)."""
    for entry in os.listdir(dir_fd):
        if _STALE_TMP.fullmatch(entry):
            try:
                os.unlink(entry, dir_fd=dir_fd)
            except OSError:
                pass


def _replace(dir_fd: int, name: str, data: bytes,
             old: tuple[bytes, os.stat_result] | None, expected: str) -> None:
    tmp = f".{name[:200]}.{secrets.token_hex(6)}{TMP_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        _write_all(fd, data)
        if old is not None:
            st = old[1]
            mode, uid, gid = stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
        else:  # a new file belongs to whoever owns the directory, like its neighbours
            dst = os.fstat(dir_fd)
            mode, uid, gid = 0o644, dst.st_uid, dst.st_gid
        _chown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.close(fd)
    try:
        _swap(dir_fd, tmp, name, expected)
    finally:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
    os.fsync(dir_fd)


def _swap(dir_fd: int, tmp: str, name: str, expected: str) -> None:
    """Compare-and-swap ``tmp`` into ``name``; afterwards ``tmp`` holds what was replaced
    (or nothing)."""
    _compare(name, _read_existing(name, dir_fd), expected)  # the last check
    if expected == "new":
        try:
            os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        except FileExistsError:
            raise Changed(f"{name} was created on disk meanwhile; not overwritten") from None
        return
    if not _exchange(dir_fd, tmp, name):
        os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        return
    try:
        displaced = _read_existing(tmp, dir_fd)
        _compare(name, displaced, expected)
    except Refused:
        _exchange(dir_fd, tmp, name)  # put the other program's file back
        raise


def _exchange(dir_fd: int, a: str, b: str) -> bool:
    """Swap two names of ``dir_fd`` in one step; False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    if fn(dir_fd, os.fsencode(a), dir_fd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code))


def _chown(fd: int, uid: int, gid: int) -> None:
    try:
        os.fchown(fd, uid, gid)
    except PermissionError:
        if os.geteuid() == 0:
            raise
        # Test mode without root: the file simply stays ours.


def _backup(settings: Settings, rel: str, data: bytes, old: os.stat_result) -> None:
    """Keep the previous content, root-only, in the file's own folder under the state
    directory (its last :data:`BACKUPS_KEPT` versions; written atomically)."""
    base = os.path.join(settings.state, "backups")
    os.makedirs(base, mode=0o700, exist_ok=True)
    key = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    folder = os.path.join(base, f"{os.path.basename(rel)[:80]}-{key}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    for entry in os.listdir(folder):
        if entry.endswith(".partial"):  # left by a killed save (we hold the lock)
            os.unlink(os.path.join(folder, entry))
    stamp = f"{time.time_ns():020d}"
    tmp = os.path.join(folder, f".{stamp}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.utime(tmp, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.rename(tmp, os.path.join(folder, f"{stamp}.nix"))
    with open(os.path.join(folder, "ORIGIN"), "w", encoding="utf-8",
              errors="backslashreplace") as f:
        f.write(rel + "\n")
    kept = sorted(e for e in os.listdir(folder) if e.endswith(".nix"))
    for stale in kept[:-BACKUPS_KEPT]:
        os.unlink(os.path.join(folder, stale))
