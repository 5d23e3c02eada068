"""The window's actions and menu bar (File, Edit, View, System)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from nixos_settings.ui.searchbar import SearchBar
from nixos_settings.ui.shortcuts import ShortcutTable

Slot = Callable[..., object]


@dataclass
class Slots:
    """What the actions do."""

    open: Slot
    save: Slot
    review: Slot
    reload: Slot
    load_options: Slot
    quit: Slot
    focus_tree: Slot
    focus_page: Slot
    focus_source: Slot


def _action(parent: QMainWindow, text: str, slot: Slot, tip: str = "") -> QAction:
    act = QAction(text, parent)
    if tip:
        act.setStatusTip(tip)
    act.triggered.connect(slot)
    return act


class WindowActions:
    """The actions of ``window`` and its menus; ``system`` is the menu for rebuild docks.

    Every key goes through ``keys`` (one :class:`~nixos_settings.ui.shortcuts.ShortcutTable`
    per window), so no sequence is bound twice whatever the desktop's key scheme; other parts
    of the window bind their actions' keys through it too."""

    def __init__(self, window: QMainWindow, slots: Slots, undo_stack: QUndoStack,
                 search: SearchBar, problems_dock: QDockWidget,
                 keys: ShortcutTable | None = None) -> None:
        K = QKeySequence.StandardKey
        w = window
        self.keys = k = keys or ShortcutTable()
        self.open = _action(w, "&Open configuration…", slots.open)
        k.bind(self.open, K.Open)
        self.save = _action(w, "&Save", slots.save, "Write pending changes")
        k.bind(self.save, K.Save)
        self.review = _action(w, "&Review changes…", slots.review)
        k.bind(self.review, "Ctrl+D")
        self.reload = _action(w, "Re&load from disk", slots.reload)
        k.bind(self.reload, K.Refresh)
        self.options = _action(w, "Load &options file…", slots.load_options)
        self.quit = _action(w, "&Quit", slots.quit)
        k.bind(self.quit, K.Quit, "Ctrl+Q")
        self.undo = undo_stack.createUndoAction(w, "&Undo")
        k.bind(self.undo, K.Undo)
        self.redo = undo_stack.createRedoAction(w, "&Redo")
        k.bind(self.redo, K.Redo, "Ctrl+Shift+Z")
        self.find = _action(w, "&Find option", search.focus_field)
        k.bind(self.find, K.Find, "Ctrl+K")
        self.only_set = QAction("Only what my configuration &sets", w)
        self.only_set.setCheckable(True)
        k.bind(self.only_set, "Ctrl+Shift+S")
        self.only_set.toggled.connect(search.only_set.setChecked)
        search.only_set.toggled.connect(self.only_set.setChecked)
        self.tree = _action(w, "Go to &tree", slots.focus_tree)
        k.bind(self.tree, "Ctrl+1")
        self.page = _action(w, "Go to option &page", slots.focus_page)
        k.bind(self.page, "Ctrl+2")
        self.source = _action(w, "Go to s&ource view", slots.focus_source)
        k.bind(self.source, "Ctrl+3")
        self.system = self._build_menus(w, problems_dock)

    def _build_menus(self, window: QMainWindow, problems_dock: QDockWidget) -> QMenu:
        mb = window.menuBar()
        for title, actions in (
            ("&File", (self.open, self.options, None, self.review, self.save, self.reload,
                       None, self.quit)),
            ("&Edit", (self.undo, self.redo, None, self.find)),
            ("&View", (self.only_set, None, self.tree, self.page, self.source)),
        ):
            m = mb.addMenu(title)
            for a in actions:
                m.addSeparator() if a is None else m.addAction(a)
        m.addAction(problems_dock.toggleViewAction())
        return mb.addMenu("&System")
