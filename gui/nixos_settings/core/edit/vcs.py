"""Committing saved configuration files to git, when the configuration lives in a repository.

Many NixOS users keep ``/etc/nixos`` (or their flake) in git; for flakes it is even
required that new files are added to the index before ``nixos-rebuild`` sees them.  After
a save the GUI can offer to commit exactly the files it wrote, with a message listing the
options that changed::

    root = repo_root(config_dir)
    if root is not None:
        commit(root, saved_paths, commit_message(["services.openssh.enable"], saved_paths, root))

:func:`track_new_files` makes files the GUI created visible to a flake without committing.
Only the given paths are committed (``git commit -- PATHS``); whatever else the user has
staged stays staged.  git runs as the current user: a root-owned repository gives a
:class:`VcsError` with git's own explanation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from nixos_settings.core.common.errors import NixSettingsError

SUBJECT_MAX = 72
SUBJECT_PREFIX = "nixos-settings: "


class VcsError(NixSettingsError):
    """git is missing, refused, or there was nothing to commit."""


def _git(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("git")
    if exe is None:
        raise VcsError("git is not installed")
    return subprocess.run(
        [exe, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=None if env is None else {**os.environ, **env},
        timeout=60,
        check=False,
    )


def _index_path(top: Path, env: Mapping[str, str] | None) -> Path | None:
    res = _git(["rev-parse", "--git-path", "index"], top, env)
    if res.returncode != 0:
        return None
    path = Path(res.stdout.strip())
    return path if path.is_absolute() else top / path


def _restore(index: Path, data: bytes) -> None:
    tmp = index.with_name(index.name + ".nixos-settings")
    tmp.write_bytes(data)
    os.replace(tmp, index)


def repo_root(path: Path) -> Path | None:
    """The top of the git work tree containing ``path`` (a file or directory), or ``None``."""
    directory = path if path.is_dir() else path.parent
    if shutil.which("git") is None or not directory.is_dir():
        return None
    res = _git(["rev-parse", "--show-toplevel"], directory)
    if res.returncode != 0:
        return None
    return Path(res.stdout.strip())


def commit_message(
    options: Sequence[str],
    files: Sequence[Path] = (),
    repo: Path | None = None,
    summary: str | None = None,
) -> str:
    """A commit message naming the changed options (pure).

    ``options`` are option names, optionally followed by details
    (``"time.timeZone = \\"UTC\\""``); the subject line lists the names that fit in
    :data:`SUBJECT_MAX` characters and counts the rest, the body lists everything.
    """
    unique = list(dict.fromkeys(o.strip() for o in options if o.strip()))
    names = list(dict.fromkeys(o.split(" ", 1)[0] for o in unique))
    subject = SUBJECT_PREFIX + (summary or _subject(names))
    body: list[str] = []
    if unique:
        body += ["Changed options:", *(f"- {o}" for o in unique)]
    if files:
        body += ["", "Files:"] if body else ["Files:"]
        body += [f"- {_show_path(f, repo)}" for f in files]
    return subject + ("\n\n" + "\n".join(body) if body else "") + "\n"


def _subject(names: Sequence[str]) -> str:
    if not names:
        return "update the configuration"
    room = SUBJECT_MAX - len(SUBJECT_PREFIX) - len("set ")
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        tail = f" and {rest} more" if rest else ""
        candidate = ", ".join([*shown, name]) + tail
        if len(candidate) > room and shown:
            return "set " + ", ".join(shown) + f" and {len(names) - i} more"
        shown.append(name)
    return "set " + ", ".join(shown)


def _show_path(path: Path, repo: Path | None) -> str:
    if repo is not None:
        try:
            return str(path.resolve().relative_to(repo.resolve()))
        except ValueError:
            pass
    return str(path)


def commit(
    repo: Path, files: Sequence[Path], message: str, env: Mapping[str, str] | None = None
) -> str:
    """Commit exactly ``files`` (added if new) in ``repo``; returns the new commit id.

    Raises:
        VcsError: a file outside the repository, nothing changed in these files, or git
            failed (its message is included).
    """
    if not files:
        raise VcsError("no files to commit")
    top = repo.resolve()
    rel: list[str] = []
    for f in files:
        try:
            rel.append(str(f.resolve().relative_to(top)))
        except ValueError:
            raise VcsError(f"{f} is not inside the repository {repo}") from None
    index = _index_path(top, env)
    saved = index.read_bytes() if index is not None and index.exists() else None
    try:
        _check(_git(["add", "--", *rel], top, env), "git add")
        if _git(["diff", "--cached", "--quiet", "--", *rel], top, env).returncode == 0:
            raise VcsError("nothing to commit: the files are unchanged since the last commit")
        _check(_git(["commit", "--quiet", "-F", "-", "--", *rel], top, env, stdin=message),
               "git commit")
    except VcsError:
        # a commit that did not happen leaves the staging area as it found it
        if index is not None and saved is not None:
            _restore(index, saved)
        raise
    head = _git(["rev-parse", "HEAD"], top, env)
    _check(head, "git rev-parse")
    return head.stdout.strip()


def track_new_files(repo: Path, files: Sequence[Path]) -> list[Path]:
    """Mark untracked ``files`` with ``git add --intent-to-add``; returns those marked.

    A flake in a git repository only sees files git knows about, so a file the GUI just
    created (a new imported module, say) would be missing from ``nixos-rebuild --flake``
    until added.  Intent-to-add makes it visible without staging its content.
    """
    top = repo.resolve()
    rel = {str(f.resolve().relative_to(top)): f for f in files if f.resolve().is_relative_to(top)}
    if not rel:
        return []
    listed = _git(["ls-files", "--others", "--exclude-standard", "-z", "--", *rel], top)
    _check(listed, "git ls-files")
    untracked = [name for name in listed.stdout.split("\0") if name]
    if untracked:
        _check(_git(["add", "--intent-to-add", "--", *untracked], top), "git add")
    return [rel[name] for name in untracked if name in rel]


def _check(res: subprocess.CompletedProcess[str], what: str) -> None:
    if res.returncode != 0:
        detail = " ".join((res.stderr or res.stdout).split())
        raise VcsError(f"{what} failed: {detail or f'exit status {res.returncode}'}")
