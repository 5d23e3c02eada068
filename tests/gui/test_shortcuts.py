"""One table of keys per window: no sequence bound twice, under any key scheme."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from nixos_settings.ui.shortcuts import ShortcutTable, duplicates

pytestmark = pytest.mark.gui
K = QKeySequence.StandardKey


def test_no_key_bound_twice_in_the_window(window, qtbot) -> None:
    assert duplicates(window) == {}
    for loc in (("boot", "kernel", "sysctl"), ("users", "users", "<name>"),
                ("networking", "hostName"), ("environment", "systemPackages")):
        window.controller.open_option(loc)
        assert duplicates(window) == {}, loc


def test_duplicates_finds_a_second_binding(window) -> None:
    """The check itself: a stray shortcut on Ctrl+K is reported with both owners."""
    extra = QShortcut(QKeySequence("Ctrl+K"), window)
    extra.setObjectName("stray")
    found = duplicates(window)
    assert set(found) == {"Ctrl+K"}
    assert sorted(found["Ctrl+K"]) == ["Find option", "stray"]


def test_explicit_keys_win_over_a_schemes_standard_keys(qtbot) -> None:
    """GNOME's Refresh means Ctrl+R and F5; "Apply" asks for Ctrl+R explicitly, even when
    it is bound later: Reload keeps F5 only."""
    gnome = {K.Refresh: ["Ctrl+R", "F5"], K.Redo: ["Ctrl+Shift+Z"]}
    table = ShortcutTable(lambda k: [QKeySequence(s) for s in gnome.get(k, [])])
    reload_, apply_, redo = QAction("Reload"), QAction("Apply"), QAction("Redo")
    table.bind(reload_, K.Refresh)
    table.bind(redo, K.Redo, "Ctrl+Shift+Z")
    assert table.keys(reload_) == ["Ctrl+R", "F5"]
    table.bind(apply_, "Ctrl+R")
    assert table.keys(reload_) == ["F5"]
    assert table.keys(apply_) == ["Ctrl+R"]
    assert table.keys(redo) == ["Ctrl+Shift+Z"]


def test_a_key_is_added_where_the_scheme_lacks_it(qtbot) -> None:
    """Windows' scheme has no Quit key and Redo is Ctrl+Y there: the explicit ones join."""
    windows = {K.Quit: [], K.Redo: ["Ctrl+Y"]}
    table = ShortcutTable(lambda k: [QKeySequence(s) for s in windows.get(k, [])])
    quit_, redo = QAction("Quit"), QAction("Redo")
    table.bind(quit_, K.Quit, "Ctrl+Q")
    table.bind(redo, K.Redo, "Ctrl+Shift+Z")
    assert table.keys(quit_) == ["Ctrl+Q"]
    assert table.keys(redo) == ["Ctrl+Y", "Ctrl+Shift+Z"]
