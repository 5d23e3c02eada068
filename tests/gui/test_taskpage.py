"""Tasks in the desktop app: cards with the current state, a form that shows the Nix it
will write, refusals in plain words, and Apply as one undo step (real widgets, real keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton

from nixos_settings.core.options import model as options_model

pytestmark = pytest.mark.gui

CONFIG = b"""{ config, pkgs, ... }:
{
  # the clock
  time.timeZone = "UTC";
  services.openssh.enable = true;
}
"""


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> options_model.OptionSet:
    return options_model.load_file(
        str(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"))


@pytest.fixture
def win(qtbot, tmp_path: Path, nixos: options_model.OptionSet):  # type: ignore[no-untyped-def]
    from nixos_settings.ui.mainwindow import MainWindow

    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    w = MainWindow()
    w._confirm_quit = False
    qtbot.addWidget(w)
    w.controller.set_options(nixos)
    w.open_configuration(conf)
    w.show()
    return w


def _button(panel, text: str) -> QPushButton:  # type: ignore[no-untyped-def]
    for b in panel.findChildren(QPushButton):
        if b.text() == text:
            return b
    raise AssertionError(f"no button {text!r}")


def test_cards_show_the_state_and_a_form_writes_one_undoable_change(qtbot, win) -> None:
    panel = win.tasks_dock.widget()
    home = panel.home
    assert home.state_text("time-zone") == "<small>Time zone: UTC</small>"
    assert home.state_text("ssh-server").startswith("<small>On")
    assert home.state_text("docker") == "<small>Not set up</small>"
    assert home.state_text("add-user") == ""  # an action, not a state: no "not set up"
    qtbot.mouseClick(_button(home, "Set the time zone"), Qt.MouseButton.LeftButton)
    form = panel.form
    assert panel.stack.currentWidget() is form
    field = form._widgets["zone"]
    assert isinstance(field, QLineEdit) and field.text() == "UTC"  # what the file says
    field.selectAll()
    QTest.keyClicks(field, "Mars/Olympus")
    assert "not a time zone" in form.problem.text()
    assert not form.apply_button.isEnabled()
    field.selectAll()
    QTest.keyClicks(field, "Europe/Berlin")
    assert '+  time.timeZone = "Europe/Berlin";' in form.preview.toPlainText()
    # labelled like the review: by the file's name in the configuration, not its full path
    assert form.preview.toPlainText().startswith("--- a/configuration.nix\n+++ b/configuration.nix")
    assert form.apply_button.isEnabled()
    conf = win.controller.root
    before = conf.read_bytes()
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    doc = win.controller.cfg.documents[conf].source
    assert b'time.timeZone = "Europe/Berlin";' in doc and b"# the clock" in doc
    assert conf.read_bytes() == before  # recorded, not saved
    assert win.controller.undo_stack.count() == 1
    win.controller.undo_stack.undo()
    assert win.controller.cfg.documents[conf].source == CONFIG


def test_a_task_form_warns_before_anything_is_recorded(qtbot, win) -> None:
    panel = win.tasks_dock.widget()
    panel.open_task("ssh-server")
    form = panel.form
    box = form._widgets["password-login"]
    box.setChecked(False)
    assert "nobody will be able to log in" in form.problem.text()
    assert "passwordAuthentication = false;" in form.preview.toPlainText()
    assert win.controller.undo_stack.count() == 0
    assert "services.openssh.ports" in form.options.text()
    form._open_option("services.openssh.ports")
    assert win.page.loc == ("services", "openssh", "ports")


def test_option_pages_link_to_their_tasks(qtbot, win) -> None:
    from PySide6.QtWidgets import QLabel

    win.controller.open_option(("services", "openssh", "ports"))
    label = win.page.findChild(QLabel, "tasks")
    assert label is not None and 'href="task:ssh-server"' in label.text()
    win.tasks_dock.hide()
    label.linkActivated.emit("task:ssh-server")
    panel = win.tasks_dock.widget()
    assert win.tasks_dock.isVisible() and panel.stack.currentWidget() is panel.form
    assert panel.form.task is not None and panel.form.task.id == "ssh-server"
    # a template option links too (users.users.<name>.extraGroups: add-user, docker …)
    win.controller.open_option(("users", "users", "<name>", "extraGroups"))
    label = win.page.findChild(QLabel, "tasks")
    assert label is not None and "task:add-user" in label.text() and "task:docker" in label.text()


def test_a_home_manager_file_gets_no_system_tasks(qtbot, win, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home.nix"
    home.write_text('{ pkgs, ... }:\n{\n  home.username = "jane";\n'
                    '  home.stateVersion = "23.11";\n}\n')
    assert win.open_configuration(home)
    panel = win.tasks_dock.widget()
    assert panel.home.note.isVisibleTo(panel) and "is a Home Manager configuration" in \
        panel.home.note.text()
    assert not _button(panel, "Log in over SSH").isVisibleTo(panel)
    assert win.open_configuration(win.controller.root.parent / "configuration.nix")
    assert not panel.home.note.isVisibleTo(panel)
    assert _button(panel, "Log in over SSH").isVisibleTo(panel)


def test_cards_follow_edits_once_they_pause(qtbot, win) -> None:
    """Typing edits the configuration at every keystroke; the cards read their states again
    once the edits pause (not 22 tasks per keystroke), and then say the new state."""
    home = win.tasks_dock.widget().home
    assert home.state_text("time-zone") == "<small>Time zone: UTC</small>"
    assert win.controller.set_nix(("time", "timeZone"), '"Europe/Berlin"')
    assert home.state_text("time-zone") == "<small>Time zone: UTC</small>"  # not yet
    qtbot.waitUntil(lambda: home.state_text("time-zone") ==
                    "<small>Time zone: Europe/Berlin</small>", timeout=2000)
