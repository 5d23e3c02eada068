"""Every editor kind, driven through its widgets (mouse clicks, typed keys): what lands in
the file, what the session's check refuses (the command line's sentence), and a refused edit
leaves the widget showing the file's value again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nixos_settings.core.options import model as core_options
from nixos_settings.ui.editors import (
    BoolEditor,
    EnumEditor,
    IntEditor,
    LinesEditor,
    ListEditor,
    StrEditor,
)
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def page_editor(window, loc):
    """Open ``loc``'s page; its editor once shown (new widgets show on the next event loop
    turn, and clicks on hidden widgets do nothing)."""
    from PySide6.QtWidgets import QApplication

    window.controller.open_option(loc)
    QApplication.processEvents()
    return window.page.editor


def source(window, path: Path) -> bytes:
    return window.controller.cfg.documents[path].source


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_switch(window, config_dir) -> None:
    ed = page_editor(window, ("services", "printing", "enable"))
    assert isinstance(ed, BoolEditor) and ed.box.isChecked()
    click(ed.box)
    assert b"services.printing.enable = false;" in source(window, config_dir / "configuration.nix")
    assert ed.box.text() == "Disabled"


def test_number(window, qtbot, config_dir) -> None:
    ed = page_editor(window, ("services", "openssh", "listenPort"))
    assert isinstance(ed, IntEditor) and ed.spin.value() == 22  # the default
    ed.spin.setFocus()
    ed.spin.selectAll()
    QTest.keyClicks(ed.spin.lineEdit(), "2222")
    QTest.keyClick(ed.spin, Qt.Key.Key_Return)
    text = source(window, config_dir / "configuration.nix")
    assert b"services.openssh.listenPort = 2222;" in text
    assert window.controller.undo_stack.count() == 1  # typing is one step


def test_text(window, config_dir) -> None:
    ed = page_editor(window, ("networking", "hostName"))
    assert isinstance(ed, StrEditor) and ed.edit.text() == "lab"
    ed.edit.setFocus()
    ed.edit.selectAll()
    QTest.keyClicks(ed.edit, 'my "box"')
    assert b'networking.hostName = "my \\"box\\""; # our test machine' in source(
        window, config_dir / "configuration.nix")


def test_lines(window, config_dir) -> None:
    ed = page_editor(window, ("networking", "extraHosts"))
    assert isinstance(ed, LinesEditor)
    ed.edit.setFocus()
    QTest.keyClicks(ed.edit, "10.0.0.2 nas")
    QTest.keyClick(ed.edit, Qt.Key.Key_Return)
    QTest.keyClicks(ed.edit, "10.0.0.3 pi")
    defs = window.controller.definitions(("networking", "extraHosts"))
    assert len(defs) == 1
    from nixos_settings.core.nix.literals import decode

    assert decode(defs[0].value_text) == "10.0.0.2 nas\n10.0.0.3 pi"


def test_choice(window, qtbot, config_dir) -> None:
    ed = page_editor(window, ("services", "xserver", "layout"))
    assert isinstance(ed, EnumEditor) and ed.combo.currentText() == "us"
    ed.combo.setFocus()
    QTest.keyClick(ed.combo, Qt.Key.Key_Down)  # a closed combo box: Down picks the next
    assert ed.combo.currentText() == "de"
    assert b'services.xserver.layout = "de";' in source(window, config_dir / "configuration.nix")


def test_list_of_strings(window, config_dir) -> None:
    loc = ("users", "users", "alice", "extraGroups")
    ed = page_editor(window, loc)
    assert isinstance(ed, ListEditor)
    ed.entry.setFocus()
    QTest.keyClicks(ed.entry, "wheel")
    QTest.keyClick(ed.entry, Qt.Key.Key_Return)
    assert [d.value_text for d in window.controller.definitions(loc)] == ['[ "wheel" ]']


def test_list_of_ports_takes_a_port_and_refuses_what_the_cli_refuses(window, config_dir) -> None:
    loc = ("networking", "firewall", "allowedTCPPorts")
    desktop = config_dir / "desktop.nix"
    ed = page_editor(window, loc)
    assert isinstance(ed, ListEditor)
    for bad, words in (("70000", "70000 is above the maximum 65535"),
                       ("-5", "-5 is below the minimum 0")):
        before = source(window, desktop)
        ed = window.page.editor
        ed.entry.setFocus()
        ed.entry.selectAll()
        QTest.keyClicks(ed.entry, bad)
        click(_add_button(ed))
        assert source(window, desktop) == before
        assert words in window.page._problem.text()
        assert "element" not in window.page._problem.text()  # the new value, not "element 1"
        assert window.page._problem.isVisibleTo(window)
        assert ed.entry.text() == bad  # kept, to be corrected
        assert [ed.items.item(i).text() for i in range(ed.items.count())] == ["80"]
    ed.entry.selectAll()
    QTest.keyClicks(ed.entry, "443")
    QTest.keyClick(ed.entry, Qt.Key.Key_Return)
    assert b"allowedTCPPorts = [ 80 443 ];" in source(window, desktop)
    assert not window.page._problem.isVisibleTo(window)  # the old problem is gone
    assert not window.statusBar().currentMessage().startswith("Not changed")  # and here


def _add_button(ed):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in ed.findChildren(QPushButton) if b.text() == "&Add")


# -- a refused edit: the widget shows the file's value again -------------------------------

MERGED = b"""{ lib, ... }:
lib.mkMerge [
  { networking.hostName = "a"; }
]
"""
MODULE = b"""{ ... }:
import ./merged.nix
"""


@pytest.fixture
def nowhere_window(qtbot, tmp_path: Path, options_file: Path):
    """A configuration with no attribute set a new option could go into."""
    (tmp_path / "merged.nix").write_bytes(MERGED)
    (tmp_path / "configuration.nix").write_bytes(MODULE)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(tmp_path / "configuration.nix")
    win.controller.set_options(core_options.load_file(options_file))
    return win


def test_a_refused_switch_goes_back(nowhere_window, qtbot) -> None:
    c = nowhere_window.controller
    ed = page_editor(nowhere_window, ("services", "printing", "enable"))
    assert isinstance(ed, BoolEditor) and not ed.box.isChecked()
    with qtbot.waitSignal(c.edit_refused) as refused:
        click(ed.box)
    assert not ed.box.isChecked()  # the change never happened, so the box says so
    assert ed.box.text() == "Disabled"
    assert c.undo_stack.count() == 0 and c.dirty_paths() == []
    assert refused.args[0] in nowhere_window.page._problem.text()
    assert "Not changed" in nowhere_window.statusBar().currentMessage()


def test_refused_typing_goes_back_when_the_field_is_left(nowhere_window, qtbot) -> None:
    c = nowhere_window.controller
    ed = page_editor(nowhere_window, ("i18n", "defaultLocale"))
    assert isinstance(ed, StrEditor) and ed.edit.text() == ""
    ed.edit.setFocus()
    QTest.keyClicks(ed.edit, "de_DE.UTF-8")
    assert c.undo_stack.count() == 0
    QTest.keyClick(ed.edit, Qt.Key.Key_Return)  # the typing session ends
    assert ed.edit.text() == ""
    assert nowhere_window.page._problem.isVisibleTo(nowhere_window)


def test_a_refused_choice_goes_back(nowhere_window, qtbot) -> None:
    ed = page_editor(nowhere_window, ("services", "xserver", "layout"))
    assert isinstance(ed, EnumEditor) and ed.combo.currentText() == "us"
    ed.combo.setFocus()
    QTest.keyClick(ed.combo, Qt.Key.Key_Down)
    assert ed.combo.currentText() == "us"


# -- lists: elements the app wrote, and unset lists with a default --------------------------

def _rows(ed) -> list[str]:
    return [ed.items.item(i).text() for i in range(ed.items.count())]


def _remove_row(ed, row: int) -> None:
    from PySide6.QtWidgets import QPushButton

    ed.items.setCurrentRow(row)
    click(next(b for b in ed.findChildren(QPushButton) if b.text() == "&Remove"))


def test_an_unset_list_starts_from_its_default_and_says_so(window, config_dir) -> None:
    loc = ("services", "openssh", "ports")
    ed = page_editor(window, loc)
    assert isinstance(ed, ListEditor)
    assert _rows(ed) == ["22"]
    assert ed.note.isVisibleTo(window) and "default, [ 22 ], applies" in ed.note.text()
    ed.entry.setFocus()
    QTest.keyClicks(ed.entry, "2222")
    QTest.keyClick(ed.entry, Qt.Key.Key_Return)
    assert [d.value_text for d in window.controller.definitions(loc)] == ["[ 22 2222 ]"]
    ed = window.page.editor
    assert _rows(ed) == ["22", "2222"] and not ed.note.isVisibleTo(window)


def test_removing_from_an_unset_default_writes_the_rest(window) -> None:
    loc = ("services", "openssh", "ports")
    ed = page_editor(window, loc)
    _remove_row(ed, 0)
    assert [d.value_text for d in window.controller.definitions(loc)] == ["[ ]"]


def test_an_element_the_app_wrote_can_be_removed(window, config_dir) -> None:
    """A negative number goes into the list in parentheses (``[ 3 -5 ]`` would be a
    subtraction), and Remove takes it out again: by position, not by re-rendered text."""
    loc = ("services", "clock", "offsets")
    path = config_dir / "configuration.nix"
    for number in ("3", "-5", "7"):
        ed = page_editor(window, loc)
        ed.entry.setFocus()
        QTest.keyClicks(ed.entry, number)
        QTest.keyClick(ed.entry, Qt.Key.Key_Return)
    assert b"services.clock.offsets = [ 3 (-5) 7 ];" in source(window, path)
    ed = window.page.editor
    assert _rows(ed) == ["3", "-5", "7"]
    _remove_row(ed, 1)
    assert b"services.clock.offsets = [ 3 7 ];" in source(window, path)
    assert _rows(window.page.editor) == ["3", "7"]
