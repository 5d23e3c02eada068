"""The main flows through the real widgets: search, edit, review, save, undo/redo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from tests.gui.conftest import CONFIG, DESKTOP

from nixos_settings.ui.editors import BoolEditor, IntEditor, NullableEditor, RawEditor
from nixos_settings.ui.reviewdialog import ReviewDialog

pytestmark = pytest.mark.gui

ENABLED = b"""{ config, pkgs, lib, ... }:

{
  imports = [ ./users.nix ./desktop.nix ];

  networking.hostName = "lab"; # our test machine
  services.printing.enable = true;
  services.openssh.enable = true;
  time.timeZone = "UTC";

  environment.systemPackages = with pkgs; [
    git
    vim
  ];
}
"""


def _open_from_search(qtbot, window, query: str, name: str) -> None:
    window.search.focus_field()
    qtbot.keyClicks(window.search.field, query)
    model = window.search.model
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert name in names, names
    window.search.results.setCurrentIndex(model.index(names.index(name), 0))
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    assert window.page.loc == tuple(name.split("."))


def test_search_enable_review_save_exact_bytes(qtbot, window, config_dir: Path) -> None:
    root = config_dir / "configuration.nix"
    assert window.windowTitle().endswith(f"NixOS Settings — {root}")
    _open_from_search(qtbot, window, "openssh", "services.openssh.enable")
    editor = window.page.editor
    assert isinstance(editor, BoolEditor)
    assert not editor.box.isChecked()  # default false shown
    editor.box.click()
    assert window.controller.dirty_paths() == [root]
    assert root.read_bytes() == CONFIG  # nothing written yet
    assert "Unsaved changes in 1 file" in window.status.pending.text()
    # the tree marks it as set and the page says where
    idx = window.model.index_for(("services", "openssh", "enable"))
    assert window.model.data(idx.siblingAtColumn(1)) == "true"
    assert "configuration.nix:8:3" in window.page.where.label.text()
    dlg = ReviewDialog(window.controller, window)
    qtbot.addWidget(dlg)
    diff = dlg.diff.toPlainText()
    assert "+  services.openssh.enable = true;\n" in diff
    assert dlg.changes.count() == 1 and "services.openssh.enable" in dlg.changes.item(0).text()
    assert window.save()
    assert root.read_bytes() == ENABLED
    assert window.controller.dirty_paths() == []
    assert window.controller.undo_stack.isClean()
    assert "No pending changes" in window.status.pending.text()


def test_undo_redo_back_to_original_bytes(qtbot, window, config_dir: Path) -> None:
    root = config_dir / "configuration.nix"
    c = window.controller
    window.search.focus_field()
    c.open_option(("services", "openssh", "enable"))
    window.page.editor.box.click()
    c.open_option(("networking", "hostName"))
    line = window.page.editor.edit
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, "box")  # three keystrokes, one undo step
    assert c.cfg.documents[root].source.count(b'networking.hostName = "box";') == 1
    assert c.undo_stack.count() == 2
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert b'networking.hostName = "lab";' in c.cfg.documents[root].source
    window.menu_actions.undo.trigger()
    assert c.cfg.documents[root].source == CONFIG
    assert c.dirty_paths() == []
    window.menu_actions.redo.trigger()
    window.menu_actions.redo.trigger()
    src = c.cfg.documents[root].source
    assert b"services.openssh.enable = true;" in src and b'"box"' in src
    assert window.save()
    assert root.read_bytes() == src
    window.menu_actions.undo.trigger()
    window.menu_actions.undo.trigger()
    assert window.save()
    assert root.read_bytes() == CONFIG


def test_wrapper_kept_and_other_file_edited(qtbot, window, config_dir: Path) -> None:
    c = window.controller
    c.open_option(("hardware", "pulseaudio", "enable"))
    assert "mkForce" in window.page.where.label.text()
    editor = window.page.editor
    assert isinstance(editor, BoolEditor) and editor.box.isChecked()
    editor.box.click()
    assert window.save()
    assert (config_dir / "desktop.nix").read_bytes() == DESKTOP.replace(
        b"lib.mkForce true", b"lib.mkForce false")
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG


def test_invalid_value_refused_with_reason(qtbot, window, config_dir: Path) -> None:
    c = window.controller
    c.open_option(("services", "openssh", "listenPort"))
    editor = window.page.editor
    assert isinstance(editor, IntEditor)
    assert (editor.spin.minimum(), editor.spin.maximum()) == (0, 65535)
    with qtbot.waitSignal(c.edit_refused) as blocker:
        assert not c.set_nix(("services", "openssh", "listenPort"), "70000")
    assert "65535" in blocker.args[0]
    assert "65535" in window.page._problem.text() and window.page._problem.isVisibleTo(window)
    with qtbot.waitSignal(c.edit_refused) as blocker:
        assert not c.set_nix(("services", "printing", "enable"), '"yes"')
    assert "true or false" in blocker.args[0]
    assert c.dirty_paths() == []
    assert c.undo_stack.count() == 0


def test_raw_editor_checks_syntax_live(qtbot, window) -> None:
    c = window.controller
    c.open_option(("users", "users", "alice", "extraGroups"))
    # not set yet: typed list editor; a computed value needs the raw editor
    assert not isinstance(window.page.editor, RawEditor)
    raw = RawEditor(c, ("users", "users", "alice", "extraGroups"),
                    window.page.editor.spec, None)
    qtbot.addWidget(raw)
    raw.edit.setPlainText('[ "wheel" ')
    assert raw.check() is not None and not raw.apply.isEnabled()
    raw.edit.setPlainText('[ "wheel" ]')
    assert raw.check() is None and raw.apply.isEnabled()
    raw.apply.click()
    assert [d.value_text for d in c.definitions(("users", "users", "alice", "extraGroups"))] == [
        '[ "wheel" ]']


def test_null_or_string_and_reset(qtbot, window, config_dir: Path) -> None:
    c = window.controller
    c.open_option(("time", "timeZone"))
    editor = window.page.editor
    assert isinstance(editor, NullableEditor)
    assert not editor.null.isChecked() and editor.inner.edit.text() == "UTC"
    editor.inner.edit.setFocus()
    editor.inner.edit.selectAll()
    qtbot.keyClicks(editor.inner.edit, "Europe/Paris")
    assert c.undo_stack.count() == 1  # typing merged into one step
    assert [d.value_text for d in c.definitions(("time", "timeZone"))] == ['"Europe/Paris"']
    editor.null.click()
    assert [d.value_text for d in c.definitions(("time", "timeZone"))] == ["null"]
    window.page._reset.click()  # Reset to default = remove the definition
    assert c.definitions(("time", "timeZone")) == []
    assert window.save()
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG.replace(
        b'  time.timeZone = "UTC";\n', b"")


def test_read_only_option_not_editable(qtbot, window) -> None:
    window.controller.open_option(("system", "nixos", "release"))
    qtbot.wait(5)  # new page widgets are shown by a queued call
    assert window.page.editor is None
    assert "read-only" in _page_text(window)


def test_package_list_editor(qtbot, window, config_dir: Path) -> None:
    c = window.controller
    c.open_option(("environment", "systemPackages"))
    ed = window.page.editor
    assert [ed.items.item(i).text() for i in range(ed.items.count())] == ["git", "vim"]
    assert "firefox" in c.package_names()  # from the metadata's example
    ed.entry.setText("firefox")
    qtbot.keyClick(ed.entry, Qt.Key.Key_Return)
    ed = window.page.editor
    assert [ed.items.item(i).text() for i in range(ed.items.count())] == ["git", "vim", "firefox"]
    assert window.save()
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG.replace(
        b"    vim\n", b"    vim\n    firefox\n")
    # Remove takes out the selected package (clicked, as a person does)
    ed = window.page.editor
    ed.items.setCurrentRow(1)
    remove = next(b for b in ed.findChildren(QPushButton) if b.text() == "&Remove")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    ed = window.page.editor
    assert [ed.items.item(i).text() for i in range(ed.items.count())] == ["git", "firefox"]
    assert window.save()
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG.replace(
        b"    vim\n", b"    firefox\n")


def _page_text(window) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(lab.text() for lab in window.page.findChildren(QLabel) if lab.isVisibleTo(
        window.page))


def test_edits_that_cancel_out_leave_nothing_pending(qtbot, window, config_dir: Path) -> None:
    """The status bar says what saving would change (files that differ), not how many undo
    steps there are: a name changed and changed back leaves nothing pending."""
    c = window.controller
    assert c.set_nix(("networking", "hostName"), '"lab2"')
    assert window.status.pending.text() == "Unsaved changes in 1 file — review"
    assert c.set_nix(("networking", "hostName"), '"lab"')
    assert c.undo_stack.count() == 2
    assert window.status.pending.text() == "No pending changes"
