"""Every documented shortcut, pressed through the real window on X11.

Keys go to the focused widget with QTest key events, the way a keyboard delivers them: the
shortcut map decides what they do (an ambiguous binding does nothing and Qt warns, which
fails the test through ``qt_log_level_fail``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from nixos_settings.ui.shortcuts import duplicates

pytestmark = pytest.mark.gui

README = Path(__file__).resolve().parents[3] / "README.md"

#: every key the README's desktop-app section documents, and the test that presses it
PRESSED = {
    "Ctrl+F": "test_find_keys_move_focus_to_the_search_field",
    "Ctrl+K": "test_find_keys_move_focus_to_the_search_field",
    "Ctrl+Z": "test_undo_and_redo_keys_from_the_editor",
    "Ctrl+Shift+Z": "test_undo_and_redo_keys_from_the_editor",
    "Ctrl+D": "test_review_key_opens_the_review_dialog",
    "Ctrl+S": "test_save_key_writes_the_file",
    "Ctrl+R": "test_apply_key_shows_the_rebuild_panel",
    "Ctrl+O": "test_open_key_asks_for_a_file",
    "Ctrl+1": "test_go_to_keys_move_focus",
    "Ctrl+2": "test_go_to_keys_move_focus",
    "Ctrl+3": "test_go_to_keys_move_focus",
    "Ctrl+Shift+S": "test_only_set_key_toggles_the_filter",
    "F5": "test_reload_key_reads_the_disk_again",
    "Ctrl+Q": "test_quit_key_closes_the_window",
    "Ctrl+Return": "test_apply_key_of_the_nix_expression_editor",
    "Escape": "test_escape_clears_the_search",
}


def press(qtbot, keys: str) -> QWidget:
    """Press ``keys`` (e.g. ``"Ctrl+Shift+Z"``) on the widget that has the focus."""
    combo = QKeySequence(keys)[0]
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())
    qtbot.wait(20)
    return target


def focus(qtbot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def open_page(window, qtbot, loc: tuple[str, ...]) -> None:
    window.controller.open_option(loc)
    qtbot.waitUntil(lambda: window.page.loc == loc and (
        window.page.editor is None or window.page.editor.isVisible()), timeout=2000)


def test_every_documented_key_is_pressed_here() -> None:
    """The README's desktop-app section is the list of promises; each one is pressed."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The desktop app"):text.index("## Command line")]
    documented = set(re.findall(r"\b(?:Ctrl\+(?:Shift\+)?[A-Z0-9]\w*|F\d+)\b", section))
    assert documented, "the README documents no shortcut"
    assert documented <= set(PRESSED), sorted(documented - set(PRESSED))
    tests = {name for name in globals() if name.startswith("test_")}
    assert set(PRESSED.values()) <= tests


def test_no_key_is_bound_twice_on_x11(xwindow, qtbot) -> None:
    assert duplicates(xwindow) == {}
    for loc in (("services", "printing", "enable"), ("networking", "hostName"),
                ("users", "users", "<name>"), ("environment", "systemPackages")):
        open_page(xwindow, qtbot, loc)
        assert duplicates(xwindow) == {}, loc


def test_find_keys_move_focus_to_the_search_field(xwindow, qtbot) -> None:
    field = xwindow.search.field
    for keys in ("Ctrl+F", "Ctrl+K"):
        focus(qtbot, xwindow.tree)
        press(qtbot, keys)
        qtbot.waitUntil(field.hasFocus, timeout=2000)
    # from an editor's text field too (Ctrl+F is no editing key of a line edit)
    open_page(xwindow, qtbot, ("networking", "hostName"))
    focus(qtbot, xwindow.page.editor.edit)
    press(qtbot, "Ctrl+F")
    qtbot.waitUntil(field.hasFocus, timeout=2000)


def test_escape_clears_the_search(xwindow, qtbot) -> None:
    field = xwindow.search.field
    focus(qtbot, xwindow.tree)
    press(qtbot, "Ctrl+F")
    QTest.keyClicks(field, "ssh")
    assert xwindow.search.results.isVisible()
    press(qtbot, "Escape")
    assert field.text() == ""
    assert xwindow.tree.isVisible()


def test_undo_and_redo_keys_from_the_editor(xwindow, qtbot, config_dir) -> None:
    path = config_dir / "configuration.nix"
    before = xwindow.controller.cfg.documents[path].source
    open_page(xwindow, qtbot, ("services", "printing", "enable"))
    box = xwindow.page.editor.box
    assert box.isChecked()
    focus(qtbot, box)
    press(qtbot, "Space")  # the switch itself, by keyboard
    qtbot.waitUntil(lambda: not xwindow.page.editor.box.isChecked(), timeout=2000)
    changed = xwindow.controller.cfg.documents[path].source
    assert b"services.printing.enable = false;" in changed
    focus(qtbot, xwindow.page.editor.box)
    press(qtbot, "Ctrl+Z")
    assert xwindow.controller.cfg.documents[path].source == before
    assert xwindow.page.editor.box.isChecked()
    focus(qtbot, xwindow.page.editor.box)
    press(qtbot, "Ctrl+Shift+Z")
    assert xwindow.controller.cfg.documents[path].source == changed
    assert not xwindow.page.editor.box.isChecked()


def test_go_to_keys_move_focus(xwindow, qtbot) -> None:
    open_page(xwindow, qtbot, ("networking", "hostName"))
    focus(qtbot, xwindow.search.field)
    press(qtbot, "Ctrl+1")
    qtbot.waitUntil(xwindow.tree.hasFocus, timeout=2000)
    press(qtbot, "Ctrl+2")
    qtbot.waitUntil(xwindow.page.editor.edit.hasFocus, timeout=2000)
    press(qtbot, "Ctrl+3")
    qtbot.waitUntil(xwindow.source.code.hasFocus, timeout=2000)


def test_save_key_writes_the_file(xwindow, qtbot, config_dir) -> None:
    path = config_dir / "configuration.nix"
    open_page(xwindow, qtbot, ("services", "printing", "enable"))
    focus(qtbot, xwindow.page.editor.box)
    press(qtbot, "Space")
    assert b"enable = true" in path.read_bytes()
    press(qtbot, "Ctrl+S")
    assert b"services.printing.enable = false;" in path.read_bytes()
    assert xwindow.controller.dirty_paths() == []


def _answer_modal(qtbot, kind: type, found: list[QWidget]) -> None:
    """Close the next modal dialog of ``kind`` (recorded in ``found``) once it shows."""

    def close() -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            QTimer.singleShot(20, close)
            return
        found.append(w)
        if isinstance(w, QDialog):
            w.reject()
        else:
            w.close()

    QTimer.singleShot(20, close)


def test_review_key_opens_the_review_dialog(xwindow, qtbot) -> None:
    from nixos_settings.ui.reviewdialog import ReviewDialog

    focus(qtbot, xwindow.tree)
    found: list[QWidget] = []
    _answer_modal(qtbot, ReviewDialog, found)
    press(qtbot, "Ctrl+D")
    assert len(found) == 1 and isinstance(found[0], ReviewDialog)


def test_open_key_asks_for_a_file(xwindow, qtbot, monkeypatch) -> None:
    monkeypatch.setenv("QT_NO_NATIVE_DIALOGS", "1")
    focus(qtbot, xwindow.tree)
    found: list[QWidget] = []
    _answer_modal(qtbot, QFileDialog, found)
    press(qtbot, "Ctrl+O")
    assert len(found) == 1 and isinstance(found[0], QFileDialog)


def test_apply_key_shows_the_rebuild_panel(xwindow, qtbot) -> None:
    assert not xwindow.rebuild_dock.isVisible()
    focus(qtbot, xwindow.tree)
    press(qtbot, "Ctrl+R")
    qtbot.waitUntil(xwindow.rebuild_dock.isVisible, timeout=2000)


def test_only_set_key_toggles_the_filter(xwindow, qtbot) -> None:
    focus(qtbot, xwindow.tree)
    assert not xwindow.search.only_set.isChecked()
    press(qtbot, "Ctrl+Shift+S")
    assert xwindow.search.only_set.isChecked()
    press(qtbot, "Ctrl+Shift+S")
    assert not xwindow.search.only_set.isChecked()


def test_reload_key_reads_the_disk_again(xwindow, qtbot, config_dir) -> None:
    path = config_dir / "configuration.nix"
    new = path.read_bytes().replace(b'"lab"', b'"lab2"')
    path.write_bytes(new)
    focus(qtbot, xwindow.tree)
    press(qtbot, "F5")
    assert xwindow.controller.cfg.documents[path].source == new


def test_quit_key_closes_the_window(xwindow, qtbot) -> None:
    focus(qtbot, xwindow.tree)
    press(qtbot, "Ctrl+Q")
    qtbot.waitUntil(lambda: not xwindow.isVisible(), timeout=2000)


def test_apply_key_of_the_nix_expression_editor(xwindow, qtbot, config_dir) -> None:
    from nixos_settings.ui.editors import RawEditor

    path = config_dir / "configuration.nix"
    open_page(xwindow, qtbot, ("boot", "kernel", "sysctl"))
    raw = xwindow.page.editor
    assert isinstance(raw, RawEditor)
    focus(qtbot, raw.edit)
    QTest.keyClicks(raw.edit, '{ "vm.swappiness" = 10; }')
    press(qtbot, "Ctrl+Return")  # a button's shortcut clicks it after a short animation
    qtbot.waitUntil(lambda: b'boot.kernel.sysctl = { "vm.swappiness" = 10; };' in (
        xwindow.controller.cfg.documents[path].source), timeout=2000)


def test_keyboard_only_find_change_and_save(xwindow, qtbot, config_dir) -> None:
    """No mouse: find an option, open it, change it in its editor, save."""
    path = config_dir / "configuration.nix"
    focus(qtbot, xwindow.tree)
    press(qtbot, "Ctrl+F")
    QTest.keyClicks(QApplication.focusWidget(), "printing")
    press(qtbot, "Return")
    qtbot.waitUntil(lambda: xwindow.page.loc == ("services", "printing", "enable"), timeout=2000)
    qtbot.waitUntil(lambda: xwindow.page.editor.isVisible(), timeout=2000)
    press(qtbot, "Ctrl+2")
    qtbot.waitUntil(xwindow.page.editor.box.hasFocus, timeout=2000)
    press(qtbot, "Space")
    press(qtbot, "Ctrl+S")
    assert b"services.printing.enable = false;" in path.read_bytes()


def test_undo_in_a_text_field_after_its_edit_is_committed(xwindow, qtbot, config_dir) -> None:
    """Typing then Enter commits the field's edit; Ctrl+Z then is the app's undo (the file
    goes back), and Ctrl+Shift+Z its redo, with the focus still in the field."""
    path = config_dir / "configuration.nix"
    original = xwindow.controller.cfg.documents[path].source
    open_page(xwindow, qtbot, ("networking", "hostName"))
    field = xwindow.page.editor.edit
    focus(qtbot, field)
    field.selectAll()
    QTest.keyClicks(field, "box")
    press(qtbot, "Return")
    typed = xwindow.controller.cfg.documents[path].source
    assert b'networking.hostName = "box";' in typed
    press(qtbot, "Ctrl+Z")
    assert xwindow.controller.cfg.documents[path].source == original
    assert xwindow.page.editor.edit.text() == "lab"
    focus(qtbot, xwindow.page.editor.edit)
    press(qtbot, "Ctrl+Shift+Z")
    assert xwindow.controller.cfg.documents[path].source == typed
    assert xwindow.page.editor.edit.text() == "box"
