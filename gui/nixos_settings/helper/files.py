"""The helper's atomic write of a ``.nix`` file, with a backup of the old content."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from collections.abc import Mapping, Sequence

from nixos_settings.helper.checks import check_content, nix_parse, resolve_in_root
from nixos_settings.helper.settings import BACKUPS_KEPT, Invalid, Refused, Settings


def _open_dir_nofollow(real_root: str, parts: Sequence[str]) -> int:
    """Open ``real_root/parts…`` one component at a time, refusing any symlink."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(real_root, flags)
    try:
        for part in parts:
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except OSError as err:
        os.close(fd)
        raise Refused(f"cannot open directory safely: {err}") from None
    return fd


def _existing(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise Refused(f"{name} is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{name} is not a regular file")
    if st.st_nlink > 1:
        raise Refused(f"{name} has several hard links")
    return st


def _read_at(name: str, dir_fd: int) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_file(settings: Settings, arg: str, data: bytes, env: Mapping[str, str]) -> str:
    """Validate and atomically replace a ``.nix`` file in the configuration directory.

    Returns the resolved path written.
    """
    target = resolve_in_root(arg, settings.root)
    if not target.endswith(".nix"):
        raise Refused(f"{arg!r} is not a .nix file")
    check_content(data)
    real_root = os.path.realpath(settings.root)
    rel_parts = os.path.relpath(target, real_root).split("/")
    *dirs, name = rel_parts
    dir_fd = _open_dir_nofollow(real_root, dirs)  # refuses missing or swapped directories
    try:
        problem = nix_parse(data, os.path.dirname(target), env)
        if problem is not None:
            raise Invalid(f"the new content does not parse: {problem}")
        old = _existing(name, dir_fd)
        if old is not None:
            _backup(settings, os.path.relpath(target, real_root), _read_at(name, dir_fd), old)
        _replace(dir_fd, name, data, old)
    finally:
        os.close(dir_fd)
    return target


def _replace(dir_fd: int, name: str, data: bytes, old: os.stat_result | None) -> None:
    tmp = f".{name}.{secrets.token_hex(6)}.nixos-settings-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        _write_all(fd, data)
        if old is not None:
            mode, uid, gid = stat.S_IMODE(old.st_mode), old.st_uid, old.st_gid
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
    os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    os.fsync(dir_fd)


def _chown(fd: int, uid: int, gid: int) -> None:
    try:
        os.fchown(fd, uid, gid)
    except PermissionError:
        if os.geteuid() == 0:
            raise
        # Test mode without root: the file simply stays ours.


def _backup(settings: Settings, rel: str, data: bytes, old: os.stat_result) -> None:
    """Keep the previous content, root-only, under the state directory."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    base = os.path.join(settings.state, "backups")
    os.makedirs(base, mode=0o700, exist_ok=True)
    path = os.path.join(base, f"{stamp}--{rel.replace('/', '--')}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.utime(path, (old.st_atime, old.st_mtime))
    for stale in sorted(os.listdir(base))[:-BACKUPS_KEPT]:
        os.unlink(os.path.join(base, stale))
