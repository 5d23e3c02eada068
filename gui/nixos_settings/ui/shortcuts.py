"""Keyboard shortcuts: one table for the whole window, so no key is ever bound twice.

Qt fires neither of two shortcuts that share a key sequence in one window ("Ambiguous
shortcut overload"), so a key bound twice is a dead key.  Standard keys make this easy to
get wrong: what ``QKeySequence.StandardKey.Refresh`` means depends on the desktop's key
scheme (F5 on KDE and Windows, Ctrl+R *and* F5 on GNOME), and Redo already includes
Ctrl+Shift+Z on X11 but not on Windows.

:class:`ShortcutTable` takes, per action, the keys it wants: explicit sequences
(``"Ctrl+K"``) and standard keys.  Explicit sequences are claimed first, in the order the
actions were bound; a standard key's sequences then fill in what is still free.  So on GNOME
"Reload from disk" keeps F5 and leaves Ctrl+R to "Apply changes", and Redo gets
Ctrl+Shift+Z once on every platform.

:func:`bound_keys` lists every key sequence bound in a window (actions, shortcuts and
buttons' explicit shortcuts); :func:`duplicates` the ones bound more than once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton

StandardKey = QKeySequence.StandardKey
Wanted = StandardKey | str
#: the sequences a standard key means on this platform (``QKeySequence.keyBindings``)
Bindings = Callable[[StandardKey], list[QKeySequence]]

__all__ = ["ShortcutTable", "bound_keys", "duplicates"]


def _text(seq: QKeySequence) -> str:
    return seq.toString(QKeySequence.SequenceFormat.PortableText)


class ShortcutTable:
    """The keys of every action of one window; :meth:`bind` (re)assigns all of them."""

    def __init__(self, bindings: Bindings | None = None) -> None:
        self._bindings: Bindings = bindings or QKeySequence.keyBindings
        self._wanted: list[tuple[QAction, tuple[Wanted, ...]]] = []

    def bind(self, action: QAction, *wanted: Wanted) -> None:
        """Give ``action`` the keys in ``wanted`` that no other action claims (the first
        one is the one menus show)."""
        self._wanted = [(a, w) for a, w in self._wanted if a is not action]
        self._wanted.append((action, tuple(wanted)))
        self._resolve()

    def keys(self, action: QAction) -> list[str]:
        """The key sequences ``action`` got (portable text)."""
        return [_text(s) for s in action.shortcuts()]

    def _resolve(self) -> None:
        taken: dict[str, QAction] = {}
        for action, wanted in self._wanted:  # explicit sequences first
            for w in wanted:
                if isinstance(w, str):
                    taken.setdefault(_text(QKeySequence(w)), action)
        for action, wanted in self._wanted:
            seqs: list[QKeySequence] = []
            seen: set[str] = set()
            for w in wanted:
                candidates = [QKeySequence(w)] if isinstance(w, str) else self._bindings(w)
                for seq in candidates:
                    key = _text(seq)
                    if not key or key in seen or taken.get(key, action) is not action:
                        continue
                    taken[key] = action
                    seen.add(key)
                    seqs.append(seq)
            action.setShortcuts(seqs)


def _owner_name(obj: QObject) -> str:
    if isinstance(obj, QAction):
        return obj.text().replace("&", "") or obj.objectName() or "action"
    if isinstance(obj, QAbstractButton):
        return f"button {obj.text().replace('&', '')}"
    return obj.objectName() or type(obj).__name__


def bound_keys(root: QObject) -> list[tuple[str, str]]:
    """``(key, owner)`` for every key sequence bound under ``root``: actions, shortcuts,
    and buttons' explicit shortcuts (mnemonics such as ``&Add`` are not bindings: Qt cycles
    through buttons that share one)."""
    out: list[tuple[str, str]] = []
    for action in root.findChildren(QAction):
        for seq in action.shortcuts():
            out.append((_text(seq), _owner_name(action)))
    for sc in root.findChildren(QShortcut):
        for seq in sc.keys():
            out.append((_text(seq), _owner_name(sc)))
    for button in root.findChildren(QAbstractButton):
        seq = button.shortcut()
        if not seq.isEmpty() and seq != QKeySequence.mnemonic(button.text()):
            out.append((_text(seq), _owner_name(button)))
    return [(k, o) for k, o in out if k]


def duplicates(root: QObject) -> dict[str, list[str]]:
    """Key sequences bound more than once under ``root``, with their owners."""
    owners: dict[str, list[str]] = {}
    for key, owner in bound_keys(root):
        owners.setdefault(key, []).append(owner)
    return {k: v for k, v in owners.items() if len(v) > 1}
