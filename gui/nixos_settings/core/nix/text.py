"""Text of Nix files as bytes: splices, change sets and unified diffs.

A :class:`ChangeSet` is the value every edit planner returns: new contents for some files,
planned from their current contents, with the byte ranges replaced (for incremental
reparsing).  It is undoable (:meth:`ChangeSet.inverse`) and printable as a unified diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.nix.optpath import Loc

Splice = tuple[int, int, bytes]


def apply_splices(src: bytes, splices: Iterable[Splice]) -> bytes:
    """Apply non-overlapping ``(start, end, text)`` splices given in ``src`` coordinates."""
    ordered = sorted(splices, key=lambda s: (s[0], s[1]))
    out: list[bytes] = []
    pos = 0
    for start, end, text in ordered:
        if start < pos:
            raise EditError("internal error: overlapping edits")
        out.append(src[pos:start])
        out.append(text)
        pos = end
    out.append(src[pos:])
    return b"".join(out)


@record
class ChangeSet:
    """New contents for some files, planned from their current contents.

    ``files`` maps each path to ``(old, new)`` bytes; ``splices`` records the byte ranges
    (in ``old``) that were replaced, for incremental reparsing.
    """

    files: dict[Path, tuple[bytes, bytes]] = field(default_factory=dict)
    splices: dict[Path, list[tuple[int, int, bytes]]] = field(default_factory=dict)
    trees: dict[Path, Any] = field(default_factory=dict, repr=False)  # parsed ``new``
    description: str = ""
    locs: list[Loc] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(old != new for old, new in self.files.values())

    def inverse(self) -> ChangeSet:
        return ChangeSet(
            files={p: (new, old) for p, (old, new) in self.files.items()},
            description=f"undo {self.description}",
            locs=list(self.locs),
        )

    def diff(self, context: int = 3) -> str:
        return unified_diff(((p, o, n) for p, (o, n) in self.files.items()), context)


def unified_diff(items: Iterable[tuple[Path | str, bytes, bytes]], context: int = 3,
                 labels: tuple[str, str] = ("a", "b")) -> str:
    """A unified diff of each ``(path, old, new)``, labelled ``a<path>`` / ``b<path>``
    (``labels``); a missing final newline is marked as ``diff`` does."""
    import difflib  # only needed for reviews and --dry-run

    out: list[str] = []
    for path, old, new in items:
        if old == new:
            continue
        a = old.decode("utf-8", errors="replace").splitlines(keepends=True)
        b = new.decode("utf-8", errors="replace").splitlines(keepends=True)
        old_label, new_label = f"{labels[0]}{path}", f"{labels[1]}{path}"
        for line in difflib.unified_diff(a, b, old_label, new_label, n=context):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
