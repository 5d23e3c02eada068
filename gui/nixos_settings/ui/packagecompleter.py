"""Package names from the open package list, for any line edit: ranked completion (exact
name, then names starting with what was typed, then words) and unknown names flagged.

The Software page registers the package list it opened for its controller
(:func:`set_catalogue`); editors of ``list of package`` options ask for it through the same
controller.  Without a package list, completion offers the names it was given (what the
configuration and the option metadata mention), filtered by substring as before.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QCompleter, QLineEdit, QListWidgetItem

from nixos_settings.core.packages.index import PackageIndex
from nixos_settings.ui.pagewidgets import warn_colour_for

_CATALOGUES: weakref.WeakKeyDictionary[Any, PackageIndex] = weakref.WeakKeyDictionary()
_PLAIN = re.compile(r"(pkgs\.)?([A-Za-z_][A-Za-z0-9_'\-.]*)")


def set_catalogue(host: Any, index: PackageIndex) -> None:
    """The package list completion and checks use for editors of ``host`` (a controller)."""
    _CATALOGUES[host] = index


def catalogue_of(host: Any) -> PackageIndex | None:
    return _CATALOGUES.get(host)


def unknown_packages(host: Any, elements: Iterable[str]) -> set[str]:
    """The elements (``git``, ``pkgs.vim``) that name no package of the open package list
    (none without one; expressions are not judged)."""
    index = catalogue_of(host)
    if index is None:
        return set()
    out = set()
    for e in elements:
        m = _PLAIN.fullmatch(e.strip())
        if m is not None and index.get(m.group(2)) is None:
            out.add(e)
    return out


class PackageCompleter(QCompleter):
    """Completion for a package name typed into ``entry``."""

    def __init__(self, entry: QLineEdit, host: Any, fallback: Iterable[str]) -> None:
        self._fallback = sorted(fallback)
        self._names = QStringListModel(self._fallback)
        super().__init__(self._names, entry)
        self._names.setParent(self)
        self._host = host
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        entry.textEdited.connect(self._update)

    def _update(self, text: str) -> None:
        index = catalogue_of(self._host)
        if index is None:
            return  # the given names, filtered by Qt
        names = [p.attr for p in index.search(text, 15)] if text.strip() else []
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._names.setStringList(names)
        if names:
            self.complete()


def flag_unknown(item: QListWidgetItem | None) -> None:
    """Mark a list row whose package the open package list does not have."""
    if item is not None:
        pal = item.listWidget().palette() if item.listWidget() else QApplication.palette()
        item.setForeground(QColor(warn_colour_for(pal)))
        item.setToolTip("This name is not in the package list: a typo, or a package "
                        "from somewhere else (an overlay, another channel).")
