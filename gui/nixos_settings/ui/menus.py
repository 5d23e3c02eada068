"""The window's actions and menu bar (File, Edit, View, System)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from nixos_settings.ui.searchbar import SearchBar

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


def _action(parent: QMainWindow, text: str, slot: Slot,
            shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
            tip: str = "") -> QAction:
    act = QAction(text, parent)
    if shortcut is not None:
        act.setShortcut(shortcut)
    if tip:
        act.setStatusTip(tip)
    act.triggered.connect(slot)
    return act


class WindowActions:
    """The actions of ``window`` and its menus; ``system`` is the menu for rebuild docks."""

    def __init__(self, window: QMainWindow, slots: Slots, undo_stack: QUndoStack,
                 search: SearchBar, problems_dock: QDockWidget) -> None:
        K = QKeySequence.StandardKey
        w = window
        self.open = _action(w, "&Open configuration…", slots.open, K.Open)
        self.save = _action(w, "&Save", slots.save, K.Save, "Write pending changes")
        self.review = _action(w, "&Review changes…", slots.review, QKeySequence("Ctrl+D"))
        self.reload = _action(w, "Re&load from disk", slots.reload, K.Refresh)
        self.options = _action(w, "Load &options file…", slots.load_options)
        self.quit = _action(w, "&Quit", slots.quit, K.Quit)
        self.undo = undo_stack.createUndoAction(w, "&Undo")
        self.undo.setShortcut(K.Undo)
        self.redo = undo_stack.createRedoAction(w, "&Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(K.Redo)])
        self.find = _action(w, "&Find option", search.focus_field)
        self.find.setShortcuts([QKeySequence(K.Find), QKeySequence("Ctrl+K")])
        self.only_set = QAction("Only what my configuration &sets", w)
        self.only_set.setCheckable(True)
        self.only_set.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.only_set.toggled.connect(search.only_set.setChecked)
        search.only_set.toggled.connect(self.only_set.setChecked)
        self.tree = _action(w, "Go to &tree", slots.focus_tree, QKeySequence("Ctrl+1"))
        self.page = _action(w, "Go to option &page", slots.focus_page, QKeySequence("Ctrl+2"))
        self.source = _action(w, "Go to s&ource view", slots.focus_source,
                              QKeySequence("Ctrl+3"))
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
