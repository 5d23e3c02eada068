"""Keeping pending edits when their file changed on disk meanwhile.

The edits are what changed from the text as read (``base``) to the text in the app
(``mine``); the file on disk is now ``theirs``.  Each of my changed line ranges is carried
onto ``theirs`` when those lines, and one line on each side of them, are still there
unchanged; otherwise nothing is merged (the user compares, reloads or overwrites).  Bytes
are kept as they are: line endings, tabs and text that is not UTF-8 included."""

from __future__ import annotations

from collections.abc import Mapping
from difflib import SequenceMatcher
from pathlib import Path

from nixos_settings.core.nix.text import ChangeSet


def _unchanged(base: list[bytes], theirs: list[bytes]) -> dict[int, int]:
    """Base line index → index of the same line in ``theirs``, for lines theirs kept."""
    kept: dict[int, int] = {}
    matcher = SequenceMatcher(None, base, theirs, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            kept.update((i, j1 + i - i1) for i in range(i1, i2))
    return kept


def rebase(base: bytes, mine: bytes, theirs: bytes) -> bytes | None:
    """``theirs`` with the changes from ``base`` to ``mine``; None when a change touches
    lines ``theirs`` changed too (or the ones right beside them)."""
    b, m, t = (x.splitlines(keepends=True) for x in (base, mine, theirs))
    kept = _unchanged(b, t)
    out = list(t)
    hunks = [op for op in SequenceMatcher(None, b, m, autojunk=False).get_opcodes()
             if op[0] != "equal"]
    for _tag, i1, i2, j1, j2 in reversed(hunks):
        around = range(max(i1 - 1, 0), min(i2 + 1, len(b)))
        if any(i not in kept for i in around):
            return None
        if any(kept[i] - kept[around[0]] != i - around[0] for i in around):
            return None  # their lines were inserted in between
        start = kept[i1] if i1 < len(b) else (kept[i1 - 1] + 1 if i1 else 0)
        out[start:start + (i2 - i1)] = m[j1:j2]
    return b"".join(out)


def carry_over(pending: Mapping[Path, tuple[bytes, bytes]],
               now: Mapping[Path, bytes]) -> ChangeSet | None:
    """One change that puts ``pending`` edits (``{path: (as read, as edited)}``) onto the
    files as they are ``now`` on disk; None when any of them cannot be carried over."""
    files: dict[Path, tuple[bytes, bytes]] = {}
    for path, (base, mine) in pending.items():
        if path not in now:
            return None
        merged = rebase(base, mine, now[path])
        if merged is None:
            return None
        files[path] = (now[path], merged)
    change = ChangeSet(files=files)
    change.description = "Your pending changes, kept over the files changed on disk"
    return change


__all__ = ["carry_over", "rebase"]
