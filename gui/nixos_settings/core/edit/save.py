"""Validate and write Nix files without ever losing the user's text.

* ``nix_parse_check`` asks the real ``nix-instantiate --parse`` (when installed).
* ``write_files`` writes one or several files as one transaction (``atomic_write`` is the
  one-file case):

  1. lock: an advisory ``flock`` on each target's directory (the same lock the root helper
     takes), so two saves of ours never interleave;
  2. check, before anything is written: every file still holds the bytes the caller read
     (compared by SHA-256), is a regular file, writable, in a writable directory;
  3. prepare: a backup of each old content (see :mod:`.backups`) and a temporary file with
     the new content beside each target, flushed to disk, with the old file's mode and owner;
  4. swap, file by file, as a compare-and-swap: the content is checked once more, then the
     temporary file is *exchanged* with the target in one step (``renameat2`` with
     ``RENAME_EXCHANGE``); the displaced file must still hold the expected bytes, else the
     exchange is undone and the save refused.  Where the file system cannot exchange, a
     plain ``rename`` follows the last check;
  5. on any failure, every file already swapped is put back, and the error says which
     files were written (none, when the roll-back worked);
  6. afterwards each target is read back: a save is reported only when the new bytes are
     what the file holds.

  Temporary files left by a killed save (``.NAME.XXXXXXXXXXXX.nixos-settings-tmp``) are
  removed by the next save in the same directory, under the lock.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import FileChangedError, SaveError
from nixos_settings.core.common.files import SourceFileError, read_source
from nixos_settings.core.config.document import Document, sha256
from nixos_settings.core.edit.backups import BACKUPS_KEPT, backup_dir, make_backup
from nixos_settings.core.nix import syntax

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

__all__ = [
    "BACKUPS_KEPT", "LOCK_WAIT", "Write", "about_the_text", "accept_disk", "atomic_write",
    "backup_dir", "changed_on_disk", "make_backup", "mark_saved", "nix_parse_check",
    "save_configuration", "save_document", "validate_change", "write_files",
]

#: seconds a save waits for another save in the same directory before giving up
LOCK_WAIT = 20.0
TMP_SUFFIX = ".nixos-settings-tmp"
_STALE_TMP = re.compile(r"\..+\.[0-9a-f]{12}" + re.escape(TMP_SUFFIX))
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def nix_instantiate() -> str | None:
    return shutil.which("nix-instantiate")


def nix_parse_check(data: bytes, path: Path | None = None, timeout: float = 30) -> str | None:
    """``None`` when ``nix-instantiate --parse`` accepts ``data`` (or Nix is absent), else
    Nix's error message."""
    exe = nix_instantiate()
    if exe is None:
        return None
    env = dict(os.environ)
    env.setdefault("NIX_STATE_DIR", tempfile.gettempdir() + "/nixos-settings-nix-state")
    try:
        proc = subprocess.run(
            [exe, "--parse", "-"],
            input=data,
            capture_output=True,
            timeout=timeout,
            cwd=str(path.parent) if path is not None and path.parent.is_dir() else None,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"could not run nix-instantiate: {err}"
    if proc.returncode == 0:
        return None
    lines = proc.stderr.decode("utf-8", errors="replace").splitlines()
    msg = " ".join(" ".join(ln for ln in lines if not ln.startswith("warning:")).split())
    return msg or f"nix-instantiate exited with {proc.returncode}"


def about_the_text(message: str) -> bool:
    """Whether a ``nix_parse_check`` message is about the Nix text (it points into it),
    rather than about running Nix (a folder it cannot create, a time-out …)."""
    return "«stdin»" in message


def validate_change(old: bytes, new: bytes, path: Path) -> None:
    """Refuse ``new`` when it adds a syntax error that ``old`` did not have."""
    tree = syntax.parse(new)
    new_problems = syntax.problems(tree)
    if new_problems:
        old_count = len(syntax.problems(syntax.parse(old)))
        if len(new_problems) > old_count:
            p = new_problems[0]
            raise SaveError(f"the result would not parse ({p.message})", path, p.line + 1,
                            p.column + 1)
    err = nix_parse_check(new, path)
    if err is not None and nix_parse_check(old, path) is None:
        if about_the_text(err):
            raise SaveError(f"nix-instantiate --parse rejects the result: {err}", path)
        raise SaveError(f"could not check the result with nix-instantiate ({err}); "
                        "nothing was written", path)


# -- the transaction -------------------------------------------------------------------------


class Write:
    """One file of a transaction: where, the new bytes, the hash of the bytes read."""

    def __init__(self, path: Path, data: bytes, expected_sha256: str | None) -> None:
        self.shown = Path(path)
        self.target = Path(os.path.realpath(path))
        self.data = data
        self.expected = expected_sha256  # None: the file must not exist yet
        self.current: bytes | None = None
        self.stat: os.stat_result | None = None
        self.tmp: Path | None = None
        self.backup: Path | None = None
        self.swapped = False
        self.exchanged = False  # the old file now sits at ``tmp``


@contextmanager
def _locked(folder: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the advisory lock of ``folder`` (``flock`` on the directory itself: it is never
    replaced, unlike the files in it, and leaves nothing behind)."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as err:
        raise SaveError(f"cannot open the folder {folder}: {err.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SaveError(f"another save in {folder} has not finished after "
                                    f"{wait:.0f} s; nothing was written, try again") from None
                time.sleep(0.01)
            except OSError:
                break  # a file system without locks: the compare-and-swap still holds
        yield
    finally:
        os.close(fd)  # releases the lock


def _read_current(w: Write) -> bytes | None:
    try:
        return read_source(w.target)
    except FileNotFoundError:
        return None
    except PermissionError:
        raise SaveError("permission denied (cannot read the file)", w.shown) from None
    except SourceFileError as err:
        raise SaveError(f"{err.message}; nothing was written", w.shown) from None
    except OSError as err:
        raise SaveError(f"cannot read the file ({err.strerror})", w.shown) from None


def _compare(w: Write, current: bytes | None) -> None:
    if w.expected is None and current is not None:
        raise FileChangedError("the file was created on disk meanwhile; not overwritten",
                               w.shown)
    if w.expected is not None:
        if current is None:
            raise FileChangedError("the file was deleted on disk since it was read", w.shown)
        if sha256(current) != w.expected:
            raise FileChangedError(
                "the file changed on disk since it was read; reload or compare before saving",
                w.shown,
            )


def _check(w: Write) -> None:
    """Step 2: the file is as read, and we may replace it."""
    w.current = _read_current(w)
    _compare(w, w.current)
    folder = w.target.parent
    if w.current is not None:
        st = os.stat(w.target)
        w.stat = st
        if not st.st_mode & 0o222:
            raise SaveError(f"the file is read-only (mode {st.st_mode & 0o777:o}); "
                            f"nothing was written: make it writable (chmod u+w {w.target}), "
                            "then try again", w.shown)
        if not os.access(w.target, os.W_OK):
            raise SaveError("the file is read-only for this user (permission denied); "
                            "nothing was written", w.shown)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SaveError(f"cannot write in {folder} (permission denied); nothing was written",
                        w.shown)


def _remove_stale_temps(folder: Path) -> None:
    """Under the folder's lock, any temporary file of ours is left over from a killed save."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if _STALE_TMP.fullmatch(name):
            try:
                os.unlink(folder / name)
            except OSError:
                pass


def _prepare(w: Write) -> None:
    """Step 3: backup, then the new content in a temporary file beside the target."""
    if w.current is not None:
        mode = stat.S_IMODE(w.stat.st_mode) if w.stat is not None else 0o600
        w.backup = make_backup(w.target, w.current, mode)
    fd, w.tmp = _create_temp(w.target)
    with os.fdopen(fd, "wb") as fh:
        fh.write(w.data)
        fh.flush()
        if w.stat is not None:
            os.fchmod(fh.fileno(), w.stat.st_mode & 0o7777)
            try:
                os.fchown(fh.fileno(), w.stat.st_uid, w.stat.st_gid)
            except PermissionError:
                pass  # not root: the file keeps our ownership, like any editor's save
        os.fsync(fh.fileno())


def _create_temp(target: Path) -> tuple[int, Path]:
    """A new temporary file beside ``target``, named so the next save can recognise it
    as left over (``.NAME.<12 hex digits>.nixos-settings-tmp``)."""
    import secrets

    while True:
        tmp = target.parent / f".{target.name[:200]}.{secrets.token_hex(6)}{TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW |
                         os.O_CLOEXEC, 0o600)
        except FileExistsError:
            continue
        return fd, tmp


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step; False when the system or file system cannot."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(w: Write) -> None:
    """Step 4: compare-and-swap the temporary file into place."""
    assert w.tmp is not None
    _compare(w, _read_current(w))  # the last check before the swap
    if w.expected is None:
        try:
            os.link(w.tmp, w.target)  # fails when the file appeared meanwhile
        except FileExistsError:
            raise FileChangedError("the file was created on disk meanwhile; not overwritten",
                                   w.shown) from None
        os.unlink(w.tmp)
        w.tmp = None
        w.swapped = True
        return
    if _exchange(w.tmp, w.target):
        w.exchanged = w.swapped = True
        try:
            displaced = read_source(w.tmp)
        except OSError:
            displaced = None
        if displaced is None or sha256(displaced) != w.expected:
            _unswap(w)
            raise FileChangedError("the file changed on disk during the save; not overwritten",
                                   w.shown)
        return
    os.replace(w.tmp, w.target)
    w.tmp = None
    w.swapped = True


def _unswap(w: Write) -> None:
    """Put back what ``w`` replaced (its displaced file, or the bytes it read)."""
    if not w.swapped:
        return
    if w.exchanged and w.tmp is not None:
        if not _exchange(w.tmp, w.target):
            os.replace(w.tmp, w.target)
            w.tmp = None
    elif w.current is None:
        os.unlink(w.target)
    else:
        fd, tmp = _create_temp(w.target)
        with os.fdopen(fd, "wb") as fh:
            fh.write(w.current)
            if w.stat is not None:
                os.fchmod(fh.fileno(), w.stat.st_mode & 0o7777)
            os.fsync(fh.fileno())
        os.replace(tmp, w.target)
    w.swapped = w.exchanged = False


def _cleanup(writes: Sequence[Write]) -> None:
    for w in writes:
        if w.tmp is not None:
            try:
                os.unlink(w.tmp)
            except OSError:
                pass
            w.tmp = None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _roll_back(writes: Sequence[Write], err: Exception) -> SaveError:
    """Undo the swaps done; the error to raise, saying which files keep the new content."""
    stuck: list[str] = []
    for w in writes:
        try:
            _unswap(w)
        except OSError:
            stuck.append(str(w.shown))
    message = err.message if isinstance(err, SaveError) else f"cannot write ({err})"
    path = err.path if isinstance(err, SaveError) else None
    if stuck:
        message += f"; these files were written and could not be put back: {', '.join(stuck)}"
    elif len(writes) > 1:
        message += "; no file was written (the whole change was undone)"
    if isinstance(err, FileChangedError):
        return FileChangedError(message, path)
    return SaveError(message, path)


def _verify(writes: Sequence[Write]) -> None:
    """Step 6: report a save only when the file holds the new bytes."""
    for w in writes:
        try:
            now = read_source(w.target)
        except OSError:
            now = None
        if now != w.data:
            raise FileChangedError("was written, but another program replaced it at once; "
                                   "your change is not in the file: reload and redo it",
                                   w.shown)


def write_files(writes: Sequence[Write]) -> None:
    """Write every file of ``writes`` or none (see the module's description)."""
    folders = sorted({w.target.parent for w in writes})
    with ExitStack() as stack:
        for folder in folders:  # always in the same order: no deadlock between two saves
            stack.enter_context(_locked(folder))
            _remove_stale_temps(folder)
        for w in writes:
            try:
                _check(w)
            except OSError as err:  # the file vanished or changed type meanwhile
                raise SaveError(f"cannot check the file ({err.strerror}); nothing was "
                                "written", w.shown) from None
        try:
            for w in writes:
                _prepare(w)
            for w in writes:
                _swap(w)
        except (OSError, SaveError) as err:
            failure = _roll_back(writes, err)
            _cleanup(writes)
            if isinstance(err, SaveError):
                raise failure from None
            raise failure from err
        _cleanup(writes)
        for folder in folders:
            _fsync_dir(folder)
        _verify(writes)


def atomic_write(path: Path, data: bytes, expected_sha256: str | None) -> Path | None:
    """Replace ``path``'s content with ``data``; return the backup path (None if new file).

    ``expected_sha256`` is the hash of the content the caller read; ``None`` means the file
    must not exist yet.
    """
    w = Write(path, data, expected_sha256)
    write_files([w])
    return w.backup


# -- documents --------------------------------------------------------------------------------


def changed_on_disk(doc: Document) -> bool:
    """True when ``doc``'s file on disk is no longer what was last read or written (a
    missing or unreadable file counts as changed; for a file not read from disk, whether one
    appeared).  The one "changed on disk" test."""
    if doc.disk_sha256 is None:
        return os.path.lexists(doc.path)
    try:
        return sha256(read_source(doc.path)) != doc.disk_sha256
    except OSError:
        return True


def mark_saved(doc: Document) -> None:
    """Record that ``doc``'s bytes are now what its file holds (written by us, or by the
    privileged helper): nothing pending, and the disk hash to compare with later."""
    doc.original = doc.source
    doc.disk_sha256 = sha256(doc.source)


def accept_disk(doc: Document) -> None:
    """Take the file's current bytes on disk as the ones read, so the next save overwrites
    a change made outside the app (the user chose to, after being told)."""
    try:
        doc.disk_sha256 = sha256(read_source(doc.path))
    except OSError:
        pass


def save_document(doc: Document, validate: bool = True) -> None:
    """Write ``doc`` back to its path if it changed; update its read state."""
    if not doc.modified:
        return
    if validate:
        validate_change(doc.original, doc.source, doc.path)
    atomic_write(doc.path, doc.source, doc.disk_sha256)
    mark_saved(doc)


def save_configuration(cfg: Configuration, paths: Sequence[Path] | None = None,
                       validate: bool = True) -> list[Path]:
    """Write ``cfg``'s changed documents as one transaction (all or none: atomic, backup,
    Nix parse check); return the paths written."""
    docs = [cfg.documents[p] for p in (paths if paths is not None else cfg.dirty_paths())]
    docs = [d for d in docs if d.modified]
    if validate:
        for doc in docs:
            validate_change(doc.original, doc.source, doc.path)
    write_files([Write(d.path, d.source, d.disk_sha256) for d in docs])
    for doc in docs:
        mark_saved(doc)
    return [d.path for d in docs]
