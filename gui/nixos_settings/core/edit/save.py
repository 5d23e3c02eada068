"""Validate and write Nix files without ever losing the user's text.

* ``nix_parse_check`` asks the real ``nix-instantiate --parse`` (when installed).
* ``atomic_write`` writes a temporary file in the same directory, fsyncs it, keeps the
  original's mode (and owner, when allowed), renames it over the target (through symlinks, to
  their target) and fsyncs the directory.  It refuses when the file changed on disk since it
  was read, and keeps a backup of the previous content first.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import FileChangedError, SaveError
from nixos_settings.core.config.document import Document, sha256
from nixos_settings.core.nix import syntax

BACKUPS_KEPT = 20

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration


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
    msg = proc.stderr.decode("utf-8", errors="replace").strip()
    return " ".join(msg.split()) or f"nix-instantiate exited with {proc.returncode}"


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
        raise SaveError(f"nix-instantiate --parse rejects the result: {err}", path)


def backup_dir() -> Path:
    env = os.environ.get("NIXOS_SETTINGS_BACKUP_DIR")
    if env:
        return Path(env)
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(state) / "nixos-settings" / "backups"


def make_backup(target: Path, data: bytes) -> Path:
    """Store ``data`` (the content being replaced) and return where it went."""
    key = hashlib.sha256(str(target).encode()).hexdigest()[:12]
    folder = backup_dir() / f"{target.name}-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{stamp}.nix"
    dest.write_bytes(data)
    (folder / "ORIGIN").write_text(str(target) + "\n", encoding="utf-8")
    old = sorted(p for p in folder.iterdir() if p.suffix == ".nix")
    for p in old[:-BACKUPS_KEPT]:
        p.unlink(missing_ok=True)
    return dest


def atomic_write(path: Path, data: bytes, expected_sha256: str | None) -> Path | None:
    """Replace ``path``'s content with ``data``; return the backup path (None if new file).

    ``expected_sha256`` is the hash of the content the caller read; ``None`` means the file
    must not exist yet.
    """
    target = Path(os.path.realpath(path))
    try:
        current = target.read_bytes()
    except FileNotFoundError:
        current = None
    except PermissionError:
        raise SaveError("permission denied (cannot read the file)", path) from None
    if expected_sha256 is None and current is not None:
        raise FileChangedError("the file was created on disk meanwhile; not overwritten", path)
    if expected_sha256 is not None:
        if current is None:
            raise FileChangedError("the file was deleted on disk since it was read", path)
        if sha256(current) != expected_sha256:
            raise FileChangedError(
                "the file changed on disk since it was read; reload or compare before saving",
                path,
            )
    folder = target.parent
    if current is not None:
        mode = target.stat().st_mode
        if not mode & 0o222:
            raise SaveError(f"the file is read-only (mode {mode & 0o777:o}); nothing written",
                            path)
        if not os.access(target, os.W_OK):
            raise SaveError("the file is read-only for this user (permission denied)", path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SaveError(f"cannot write in {folder} (permission denied)", path)
    backup = make_backup(target, current) if current is not None else None
    st = target.stat() if current is not None else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except PermissionError:
                    pass  # not root: the file keeps our ownership, like any editor's save
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return backup


def changed_on_disk(doc: Document) -> bool:
    """True when ``doc``'s file on disk is no longer what was last read or written (a
    missing or unreadable file counts as changed).  The one "changed on disk" test."""
    try:
        return sha256(Path(doc.path).read_bytes()) != doc.disk_sha256
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
        doc.disk_sha256 = sha256(Path(doc.path).read_bytes())
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
    """Write ``cfg``'s changed documents (atomic, backup, Nix parse check); return the
    paths written."""
    written = []
    for path in paths if paths is not None else cfg.dirty_paths():
        doc = cfg.documents[path]
        if not doc.modified:
            continue
        save_document(doc, validate=validate)
        written.append(path)
    return written
