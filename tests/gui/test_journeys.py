"""Journeys a new user takes in the first minutes (issue 9), through the real window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

pytestmark = pytest.mark.gui


def open_page(window, loc):
    window.controller.open_option(loc)
    QApplication.processEvents()
    return window.page


def label(window, name: str) -> QLabel:
    found = window.page.findChild(QLabel, name)
    assert found is not None, name
    return found


def follow(lab: QLabel, text: str) -> None:
    """Activate the link of ``lab`` whose target contains ``text`` (as a click does)."""
    hrefs = re.findall(r"href=['\"]([^'\"]+)['\"]", lab.text())
    href = next(h for h in hrefs if text in h)
    lab.linkActivated.emit(href)


# -- item 4: a template option's page lists the entries, with no editor ------------------------

def test_template_option_page_lists_entries_and_has_no_editor(window) -> None:
    page = open_page(window, ("users", "users", "<name>", "description"))
    assert page.editor is None
    lab = label(window, "instances")
    assert "users.users.alice.description" in lab.text().replace("<wbr>", "")
    assert lab.isVisibleTo(window)
    follow(lab, "alice")
    QApplication.processEvents()
    assert page.loc == ("users", "users", "alice", "description")
    assert page.editor is not None and page.editor.edit.text() == "Alice"


def test_template_option_nobody_sets_says_where_to_set_it(window) -> None:
    page = open_page(window, ("users", "users", "<name>", "extraGroups"))
    assert page.editor is None
    text = label(window, "instances").text()
    assert "No entry of" in text and "open an entry" in text


# -- item 8: "Only set" with no results says so, and offers to search all ----------------------

def _type(window, text: str) -> None:
    field = window.search.field
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)


def _shown(window) -> list[str]:
    m = window.search.model
    return [m.data(m.index(i, 0)) for i in range(m.rowCount())]


def test_only_set_with_no_results_offers_to_search_all(window) -> None:
    QTest.mouseClick(window.search.only_set, Qt.MouseButton.LeftButton)
    assert window.search.only_set.isChecked()
    _type(window, "pulseaudio")  # set in desktop.nix: found
    assert "hardware.pulseaudio.enable" in _shown(window)
    assert not window.search.empty.isVisibleTo(window)
    _type(window, "secure shell")  # nothing set matches
    assert _shown(window) == []
    empty = window.search.empty
    assert empty.isVisibleTo(window)
    assert "No results" in empty.text() and "Only set" in empty.text()
    follow(empty, "all")
    assert not window.search.only_set.isChecked()
    assert "services.openssh.enable" in _shown(window)
    assert not empty.isVisibleTo(window)


def test_no_results_without_only_set_says_so(window) -> None:
    _type(window, "zzqqxx")
    assert _shown(window) == []
    assert window.search.empty.isVisibleTo(window)
    assert "No results" in window.search.empty.text()
    assert "search all" not in window.search.empty.text()
    QTest.keyClick(window.search.field, Qt.Key.Key_Escape)
    assert not window.search.empty.isVisibleTo(window)


# -- item 9: a pasted concrete path finds the entry and its template first ----------------------

def test_pasted_entry_path_resolves_to_entry_then_template(window) -> None:
    _type(window, "users.users.alice.description")
    shown = _shown(window)
    assert shown[:2] == ["users.users.alice.description", "users.users.<name>.description"]
    QTest.keyClick(window.search.field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.page.loc == ("users", "users", "alice", "description")
    assert window.page.editor.edit.text() == "Alice"


def test_pasted_entry_and_quoted_segment(window) -> None:
    _type(window, "users.users.bob")
    assert _shown(window)[:2] == ["users.users.bob", "users.users"]
    _type(window, 'users.users."bob smith".isNormalUser')
    assert _shown(window)[:2] == ['users.users."bob smith".isNormalUser',
                                  "users.users.<name>.isNormalUser"]


# -- item 10: removing or renaming an account that keeps people in warns first ------------------

ACCOUNTS = b"""{ ... }:
{
  users.mutableUsers = false;
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };
  users.users.bob.isNormalUser = true;
}
"""


@pytest.fixture
def accounts(qtbot, tmp_path, options_file):
    from nixos_settings.core.options import model as core_options
    from nixos_settings.ui.mainwindow import MainWindow

    path = tmp_path / "configuration.nix"
    path.write_bytes(ACCOUNTS)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(path)
    win.controller.set_options(core_options.load_file(options_file))
    return win


def answer_next_dialog(button_text: str, seen: list[str]) -> None:
    """When the next modal dialog shows, record its text and click the button whose text
    contains ``button_text`` (a real click on the real button)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QMessageBox

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, answer)
            return
        text = box.text() + "\n" + box.informativeText() if isinstance(box, QMessageBox) else ""
        seen.append(text)
        button = next(b for b in box.findChildren(QAbstractButton)
                      if button_text in b.text().replace("&", ""))
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(10, answer)


def _remove_button(window):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in window.page.findChildren(QPushButton)
                if b.text().replace("&", "") == "Remove entry")


def test_removing_the_only_admin_warns_and_cancel_keeps_it(accounts) -> None:
    open_page(accounts, ("users", "users", "alice"))
    seen: list[str] = []
    answer_next_dialog("Cancel", seen)
    QTest.mouseClick(_remove_button(accounts), Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    assert "only user in the wheel group" in seen[0] and "mutableUsers is false" in seen[0]
    assert accounts.controller.dirty_paths() == []
    seen.clear()
    answer_next_dialog("Remove anyway", seen)
    QTest.mouseClick(_remove_button(accounts), Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    assert accounts.controller.definitions(("users", "users", "alice", "isNormalUser")) == []


def test_any_account_with_immutable_users_warns(accounts) -> None:
    open_page(accounts, ("users", "users", "bob"))
    seen: list[str] = []
    answer_next_dialog("Cancel", seen)
    QTest.mouseClick(_remove_button(accounts), Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and "deletes that account" in seen[0]
    assert "wheel" not in seen[0]


def test_no_warning_when_nobody_is_at_risk(window) -> None:
    """alice is in no admin group and users are mutable: Remove just removes (undoable)."""
    open_page(window, ("users", "users", "alice"))
    QTest.mouseClick(_remove_button(window), Qt.MouseButton.LeftButton)
    assert window.controller.definitions(("users", "users", "alice", "description")) == []


def test_renaming_root_warns(accounts, monkeypatch) -> None:
    from nixos_settings.ui import lockout

    risks = lockout.lockout_risks(accounts.controller, ("users", "users", "root"), "rename")
    assert any("administrator account" in r for r in risks)


# -- item 18: the type in words, NixOS's raw wording only on hover -----------------------------

def test_type_is_shown_in_words_only(window) -> None:
    open_page(window, ("services", "openssh", "ports"))
    lab = label(window, "typeWords")
    assert "list of port (0–65535)" in lab.text()
    assert "16 bit" not in lab.text() and "16 bit unsigned integer" in lab.toolTip()


# -- item 16: no page of a removed entry with live buttons --------------------------------------

def test_removing_an_entry_leaves_its_page(window) -> None:
    open_page(window, ("users", "users", "alice"))
    from PySide6.QtWidgets import QPushButton

    remove = next(b for b in window.page.findChildren(QPushButton)
                  if b.text().replace("&", "") == "Remove entry")
    QTest.mouseClick(remove, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert window.page.loc == ("users", "users")
    assert "alice" not in [window.page.entries.list.item(i).text()
                           for i in range(window.page.entries.list.count())]
    window.menu_actions.undo.trigger()
    QApplication.processEvents()
    assert "alice" in [window.page.entries.list.item(i).text()
                       for i in range(window.page.entries.list.count())]


# -- item 12 (display): the metadata's release, not its file's age -------------------------------

def test_status_names_the_release_the_metadata_describes(window, options_file) -> None:
    meta = window.status.meta
    assert meta.text().startswith("Options: NixOS 20.09 — ")
    assert "old" not in meta.text()
    assert options_file.name in meta.toolTip()
