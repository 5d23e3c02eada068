"""What would change on disk, option by option: the net change, not the edit history.

The undo history counts every step (typing a host name letter by letter, setting a value and
setting it back); a review wants the difference between the configuration as it was read
(or last saved) and as it is now.  :func:`net_changes` reads the bytes each document had
from disk with the same mapper the editor uses (:func:`~nixos_settings.core.config.
definitions.map_module`, through a second :class:`~nixos_settings.core.config.configuration.
Configuration` over those bytes) and compares the definitions of both, file by file and
option by option.  A file whose bytes differ while no option changed (a comment, layout) is
reported as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import WRAPPER_ARITY, Definition, element_texts
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc

#: :attr:`OptionChange.kind`
ADDED = "added"  # the file did not set the option and now does
REMOVED = "removed"  # the file set the option and no longer does
CHANGED = "changed"  # the file sets it to something else
LIST = "list"  # a list gained or lost elements (``added`` / ``removed`` say which)

#: longest value text shown in a sentence before it is cut with "…"
SHOWN = 60


def compact(text: str) -> str:
    """``text`` on one line, runs of white space made one space."""
    return " ".join(text.split())


def _cut(text: str, limit: int = SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@record
class OptionChange:
    """The net change of one option in one file.  ``old`` / ``new`` are the values as
    written (wrappers shown, conditions in parentheses); for a :data:`LIST` change,
    ``added`` and ``removed`` are the elements that came and went."""

    loc: Loc
    file: Path
    kind: str
    old: str | None = None
    new: str | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    line: int = 0  # where it is set now (or was, when removed), 1-based

    @property
    def option(self) -> str:
        return optpath.show(self.loc)

    def describe(self, limit: int = SHOWN) -> str:
        """The change in plain words: "set to 22", "removed (was true)", "changed from
        "lab" to "box"", "added firefox; removed vim"."""
        if self.kind == ADDED:
            return f"set to {_cut(self.new or '', limit)}"
        if self.kind == REMOVED:
            return f"removed (was {_cut(self.old or '', limit)})"
        if self.kind == LIST:
            parts = []
            if self.added:
                parts.append("added " + _cut(", ".join(self.added), limit))
            if self.removed:
                parts.append("removed " + _cut(", ".join(self.removed), limit))
            return "; ".join(parts)
        return f"changed from {_cut(self.old or '', limit)} to {_cut(self.new or '', limit)}"

    def __str__(self) -> str:
        return f"{self.option}: {self.describe()}"


@record
class FileChanges:
    """The net changes of one file: its options, and whether its bytes differ at all."""

    path: Path
    options: list[OptionChange] = field(default_factory=list)
    text_changed: bool = False  # the bytes differ from what was read

    @property
    def text_only(self) -> bool:
        """The bytes differ but no option changed (comments, layout)."""
        return self.text_changed and not self.options


@record
class NetChanges:
    """Net changes per file, in the configuration's file order."""

    files: list[FileChanges] = field(default_factory=list)

    @property
    def options(self) -> list[OptionChange]:
        return [c for f in self.files for c in f.options]

    @property
    def text_only(self) -> list[Path]:
        """Files whose bytes differ while none of their options changed."""
        return [f.path for f in self.files if f.text_only]

    def __bool__(self) -> bool:
        return bool(self.files)

    def file(self, path: Path) -> FileChanges | None:
        return next((f for f in self.files if f.path == path), None)


# -- comparing ------------------------------------------------------------------------------


def shown_value(d: Definition) -> str:
    """A definition's value as a person reads it: ``mkForce true``, ``22 (if cfg.x)``."""
    words = [str(w) for w in d.wrappers if w.name in WRAPPER_ARITY and w.name != "mkIf"]
    text = " ".join([*words, compact(d.value_text)])
    conds = [w.arg for w in d.wrappers if w.name == "mkIf" and w.arg]
    return f"{text} (if {' and '.join(conds)})" if conds else text


def _by_file_and_loc(definitions: Iterable[Definition]) -> dict[tuple[Path, Loc], list[Definition]]:
    out: dict[tuple[Path, Loc], list[Definition]] = {}
    for d in definitions:
        out.setdefault((d.file, d.loc), []).append(d)
    return out


def _list_change(key: tuple[Path, Loc], old: Definition, new: Definition) -> OptionChange | None:
    """The elements a list gained and lost (None: the same elements in the same order, only
    written differently); a reordered list is a :data:`CHANGED` value."""
    a = [compact(t) for t in element_texts(old) or []]
    b = [compact(t) for t in element_texts(new) or []]
    if a == b:
        return None
    gone, came = Counter(a) - Counter(b), Counter(b) - Counter(a)
    if not gone and not came:
        return OptionChange(key[1], key[0], CHANGED, old=shown_value(old),
                            new=shown_value(new), line=new.line)
    added = [t for t in dict.fromkeys(b) if came[t]]
    removed = [t for t in dict.fromkeys(a) if gone[t]]
    return OptionChange(key[1], key[0], LIST, old=shown_value(old), new=shown_value(new),
                        added=added, removed=removed, line=new.line)


def _is_list(d: Definition) -> bool:
    return element_texts(d) is not None


def compare(key: tuple[Path, Loc], old: list[Definition], new: list[Definition]
            ) -> OptionChange | None:
    """The net change of one option in one file, None when there is none."""
    path, loc = key
    if len(old) == len(new) and all(a.value_text == b.value_text and a.wrappers == b.wrappers
                                    for a, b in zip(old, new, strict=True)):
        return None  # the same text: the usual case, decided without rendering anything
    before, after = [shown_value(d) for d in old], [shown_value(d) for d in new]
    if before == after:
        return None
    if not old:
        return OptionChange(loc, path, ADDED, new="; ".join(after), line=new[0].line)
    if not new:
        return OptionChange(loc, path, REMOVED, old="; ".join(before), line=old[0].line)
    if len(old) == len(new) == 1 and old[0].wrappers == new[0].wrappers and \
            _is_list(old[0]) and _is_list(new[0]):
        return _list_change(key, old[0], new[0])
    return OptionChange(loc, path, CHANGED, old="; ".join(before), new="; ".join(after),
                        line=new[0].line)


def net_changes(cfg: Configuration) -> NetChanges:
    """Net changes between ``cfg`` as read from disk (or last saved) and as it is now:
    options added, removed and changed per file, and files whose bytes differ with no option
    changed.  Setting a value and setting it back is no change."""
    dirty = set(cfg.dirty_paths())
    if not dirty:
        return NetChanges()
    then = cfg.as_read()
    # A module both configurations share (an unchanged file) defines the same on both sides.
    shared = {id(m) for m in then.modules} & {id(m) for m in cfg.modules}
    before = _by_file_and_loc(d for m in then.modules if id(m) not in shared
                              for d in m.definitions)
    after = _by_file_and_loc(d for m in cfg.modules if id(m) not in shared
                             for d in m.definitions)
    found: dict[Path, FileChanges] = {}
    for key in dict.fromkeys([*before, *after]):
        change = compare(key, before.get(key, []), after.get(key, []))
        if change is not None:
            found.setdefault(key[0], FileChanges(key[0])).options.append(change)
    for path in dirty:
        found.setdefault(path, FileChanges(path)).text_changed = True
    order = {p: i for i, p in enumerate(dict.fromkeys([*cfg.files, *cfg.documents]))}
    files = sorted(found.values(), key=lambda f: order.get(f.path, len(order)))
    for f in files:
        f.options.sort(key=lambda c: c.line)
    return NetChanges(files)
