"""The problems dock: the configuration's notes and its unknown options, each leading to
its place in the source view (and its option page)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QMainWindow

from nixos_settings.core.nix import optpath
from nixos_settings.ui.controller import Controller, ProblemItem
from nixos_settings.ui.syntaxbanner import syntax_problems

if TYPE_CHECKING:
    from nixos_settings.ui.optiontree import OptionTreeModel
    from nixos_settings.ui.sourceview import SourceView

#: unknown options whose "did you mean" is computed eagerly (each costs a fuzzy match)
EAGER_SUGGESTIONS = 20


class ProblemsDock(QDockWidget):
    """A list of :class:`ProblemItem`; shows itself when an error appears.  ``changed`` is
    emitted after every refresh (the status bar's count follows it)."""

    changed = Signal()

    def __init__(self, controller: Controller, model: OptionTreeModel, source: SourceView,
                 window: QMainWindow) -> None:
        super().__init__("Problems", window)
        self._controller = controller
        self._model = model
        self._source = source
        self._window = window
        self.items: list[ProblemItem] = []
        #: problems found by others (an evaluation with Nix), shown after the file's own
        self.extra: list[ProblemItem] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Problems")
        self.list.itemActivated.connect(self.activate)
        self.list.itemClicked.connect(self.activate)
        self.setObjectName("problemsDock")
        self.setWidget(self.list)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self)
        self.hide()

    def _collect(self) -> list[ProblemItem]:
        c = self._controller
        cfg = c.cfg
        if cfg is None:
            return []
        # a file that does not parse: Nix's own place and words, once (and no "holds no
        # Nix expression" beside it, which only follows from the syntax error)
        broken = {p.path: p for p in syntax_problems(cfg)}
        items = [ProblemItem("error", p.sentence, p.path, p.line, p.column)
                 for p in broken.values()]
        items += [ProblemItem(n.severity, n.message, Path(n.path), n.line, n.column)
                  for n in cfg.notes if Path(n.path) not in broken]
        if c.options is not None and len(c.options):
            from nixos_settings.core.options.suggest import unchecked

            unknown = self._model.tree.unknown_definitions()
            kept, notes = unchecked([loc for loc, _d in unknown], c.options)
            items += [ProblemItem("note", note) for note in notes]
            keep = set(kept)
            for n, (loc, d) in enumerate((loc, d) for loc, d in unknown if loc in keep):
                # suggestions cost a fuzzy match each: eager for the first ones only,
                # the option page computes them for any unknown option it shows
                sugg = c.suggestions(loc) if n < EAGER_SUGGESTIONS else []
                hint = (f" — did you mean {', '.join(optpath.show(s) for s in sugg)}?"
                        if sugg else "")
                items.append(ProblemItem(
                    "warning", f"unknown option {optpath.show(loc)}{hint}",
                    Path(d.file), d.line, d.column, loc))
        return items + self.extra

    def refresh(self) -> None:
        items = self._collect()
        self.items = items
        self.list.clear()
        for it in items:
            where = it.where()
            root = self._controller.root
            if where and root is not None:
                where = where.replace(str(root.parent) + os.sep, "")
            text = f"{it.severity}: {where + ': ' if where else ''}{it.message}"
            li = QListWidgetItem(text)
            li.setToolTip(text)
            self.list.addItem(li)
        if any(i.severity == "error" for i in items) and not self.isVisible():
            self.show()
            self._window.resizeDocks([self], [150], Qt.Orientation.Vertical)
        self.changed.emit()

    def activate(self, item: QListWidgetItem) -> None:
        """Open the option of ``item`` (if any) and show where it is."""
        row = self.list.row(item)
        if not 0 <= row < len(self.items):
            return
        p = self.items[row]
        if p.loc is not None:
            self._controller.open_option(p.loc)
        if p.path is not None and p.line:
            self._source.show_location(p.path, p.line, p.column or 1)

    def toggle(self) -> None:
        self.setVisible(not self.isVisible())

    def counts_text(self) -> str:
        """"2 errors, 1 warning", "1 note" or "No problems" (the status bar's button)."""
        if not self.items:
            return "No problems"
        counts = {"error": 0, "warning": 0, "note": 0}
        for p in self.items:
            kind = p.severity if p.severity in counts else "warning"
            counts[kind] += 1
        parts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n]
        return ", ".join(parts)
