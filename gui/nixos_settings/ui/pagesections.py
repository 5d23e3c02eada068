"""Sections of the option page with state of their own: where an option is set (and which
definition the editor edits), and the entries of an attribute set of submodules."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.ui.controller import Controller

if TYPE_CHECKING:
    from nixos_settings.core.config.definitions import Definition


def where_text(d: Definition, root: Path | None) -> str:
    """``file:line:column`` of ``d``, the file relative to the configuration's folder."""
    path = Path(d.file)
    try:
        shown = str(path.relative_to(root.parent)) if root is not None else str(path)
    except ValueError:
        shown = str(path)
    return f"{shown}:{d.line}:{d.column}"


class WhereSection:
    """"Set in your configuration": links to each definition; with several, a chooser of
    the one the editor edits (``choose(index)``)."""

    def __init__(self, layout: QVBoxLayout, label: QLabel, defs: list[Definition],
                 root: Path | None, choose: Callable[[int], None]) -> None:
        self._root = root
        self.label = label
        self.label.setObjectName("whereSet")
        layout.addWidget(self.label)
        self.choice: QComboBox | None = None
        if len(defs) > 1:
            row = QHBoxLayout()
            lab = QLabel("&Edit the definition in:")
            combo = QComboBox()
            lab.setBuddy(combo)
            for d in defs:
                combo.addItem(where_text(d, root))
            combo.currentIndexChanged.connect(choose)
            row.addWidget(lab)
            row.addWidget(combo, 1)
            layout.addLayout(row)
            self.choice = combo

    def update(self, defs: list[Definition]) -> None:
        if not defs:
            self.label.setText("<i>Not set: the default applies.</i>")
            return
        parts = []
        if len(defs) > 1:
            parts.append(f"<b>Defined in {len(defs)} places</b>; NixOS merges them "
                         "(or refuses if they conflict).")
        for i, d in enumerate(defs):
            line = f'<a href="def:{i}">{html.escape(where_text(d, self._root))}</a>'
            if d.wrappers:
                wr = ", ".join(html.escape(str(w)) for w in d.wrappers)
                line += f" — wrapped in <code>{wr}</code> (edits keep the wrapper)"
            if not d.editable:
                line += f" — <b>not editable here</b>: {html.escape(d.reason or 'unsupported')}"
            parts.append(line)
        self.label.setText("<br>".join(parts))

    def select(self, index: int) -> None:
        if self.choice is not None and self.choice.currentIndex() != index:
            self.choice.setCurrentIndex(index)


def entry_names(controller: Controller, base: Loc) -> list[str]:
    """Names of the entries under ``base`` that the configuration defines, in order."""
    cfg = controller.cfg
    if cfg is None:
        return []
    n = len(base)
    found = [d.loc[n] for d in (*cfg.definitions, *cfg.containers)
             if len(d.loc) > n and tuple(d.loc[:n]) == base]
    return list(dict.fromkeys(found))


class EntriesSection:
    """The entries of the attribute set at ``base`` with Add / Rename / Remove;
    ``rename(loc)`` asks for a new name (the page's own dialog)."""

    def __init__(self, parent: QWidget, layout: QVBoxLayout, controller: Controller, base: Loc,
                 rename: Callable[[Loc | None], None]) -> None:
        self._parent = parent
        self._controller = controller
        self.base = base
        names = entry_names(controller, base)
        lst = QListWidget()
        lst.setAccessibleName("Entries")
        rows = max(2, min(len(names), 8))
        lst.setFixedHeight(rows * lst.fontMetrics().height() + 14)
        for n in names:
            lst.addItem(QListWidgetItem(n))
        lst.itemActivated.connect(lambda it: controller.open_option((*base, it.text())))
        self.list = lst
        layout.addWidget(lst)
        row = QHBoxLayout()
        add = QPushButton("&Add…")
        add.clicked.connect(self.add)
        rename_b = QPushButton("Re&name…")
        rename_b.clicked.connect(lambda: rename(self.selected()))
        remove = QPushButton("Re&move")
        remove.clicked.connect(lambda: self.remove_selected())
        for b in (add, rename_b, remove):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

    def selected(self) -> Loc | None:
        item = self.list.currentItem()
        return (*self.base, item.text()) if item is not None else None

    def remove_selected(self) -> None:
        from nixos_settings.ui.lockout import confirm

        loc = self.selected()
        if loc is not None and confirm(self._parent, self._controller, loc, "remove"):
            self._controller.remove_entry(loc)

    def add(self) -> None:
        where = optpath.show(self.base)
        name, ok = QInputDialog.getText(self._parent, "Add entry",
                                        f"Name of the new entry in {where}:")
        if ok and name.strip():
            if self._controller.add_entry(self.base, name.strip()):
                self._controller.open_option((*self.base, name.strip()))


def first_placeholder(loc: Loc) -> int | None:
    """Index of the first template segment (``<name>``, ``*``) of ``loc``, or None."""
    from nixos_settings.core.nix.optpath import is_placeholder

    return next((i for i, seg in enumerate(loc) if is_placeholder(seg)), None)


def instances(controller: Controller, template: Loc) -> list[Loc]:
    """The concrete locs the configuration sets that match ``template``
    (``users.users.alice.description`` for ``users.users.<name>.description``)."""
    from nixos_settings.core.nix.optpath import is_placeholder

    cfg = controller.cfg
    if cfg is None:
        return []
    n = len(template)
    found = (tuple(d.loc) for d in cfg.definitions if len(d.loc) == n)
    return list(dict.fromkeys(
        loc for loc in found
        if all(t == s or is_placeholder(t) for t, s in zip(template, loc, strict=True))))


def instances_html(controller: Controller, loc: Loc, at: int) -> tuple[str, str]:
    """Heading and text of a template option's page (``users.users.<name>.description``,
    placeholder at ``at``): links to the entries that set it, and where to set it for
    another; such a page has no editor of its own."""
    from nixos_settings.ui.pagewidgets import links_html, wrap_name

    parent = optpath.show(loc[:at])
    found = instances(controller, loc)
    link = f"<a href='option:{html.escape(parent)}'>{wrap_name(parent)}</a>"
    if found:
        return (f"Set for these entries ({len(found)})", links_html(found) + (
            f"<p>To set it for another entry, open that entry of {link} (or add one) and "
            "set it there.</p>"))
    return ("Set for entries",
            f"<p><i>No entry of {link} sets it.</i> This describes an option every entry of "
            f"{link} has: open an entry (or add one) and set it there.</p>")
