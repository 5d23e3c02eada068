"""A list of submodules (swapDevices): elements are listed, added, edited and removed through
the page, byte-exactly and undoably."""

from __future__ import annotations

from pathlib import Path

import pytest

BEFORE = b"""{ config, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/sda";
  swapDevices = [
    { device = "/dev/sda2"; }
  ];
}
"""

AFTER_ADD = b"""{ config, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/sda";
  swapDevices = [
    { device = "/dev/sda2"; }
    {
      device = "/swapfile";
      size = 4096;
    }
  ];
}
"""

AFTER_EDIT_AND_REMOVE = b"""{ config, pkgs, ... }:
{
  boot.loader.grub.device = "/dev/sda";
  swapDevices = [
    { device = "/swapfile"; size = 8192; }
  ];
}
"""


@pytest.fixture
def win(qtbot, tmp_path: Path, shared_dir: Path):  # type: ignore[no-untyped-def]
    from nixos_settings.core.options.model import load_file
    from nixos_settings.ui.mainwindow import MainWindow

    (tmp_path / "configuration.nix").write_bytes(BEFORE)
    w = MainWindow()
    w._confirm_quit = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_configuration(tmp_path / "configuration.nix")
    w.controller.set_options(
        load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"))
    return w


def test_elements_add_edit_remove_and_undo(win, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from nixos_settings.ui.editors import SubmoduleListEditor

    win.controller.open_option(("swapDevices",))
    editor = win.page.editor
    assert isinstance(editor, SubmoduleListEditor)
    assert [editor.items.item(i).text() for i in range(editor.items.count())] == [
        '{ device = "/dev/sda2"; }']
    assert "device" in editor.fields() and "size" in editor.fields()  # from the metadata
    assert editor._template() == '{\n  device = "";\n}'  # valid Nix to start from

    editor.ask = lambda title, text: '{\n  device = "/swapfile";\n  size = 4096;\n}'
    editor._add()
    assert win.save()
    assert (tmp_path / "configuration.nix").read_bytes() == AFTER_ADD

    editor = win.page.editor
    assert editor.items.count() == 2
    editor.items.setCurrentRow(1)
    editor.ask = lambda title, text: '{ device = "/swapfile"; size = 8192; }'
    editor._edit()
    editor = win.page.editor
    editor.items.setCurrentRow(0)
    editor._remove()
    assert win.save()
    assert (tmp_path / "configuration.nix").read_bytes() == AFTER_EDIT_AND_REMOVE

    stack = win.controller.undo_stack
    while stack.canUndo():
        stack.undo()
    assert win.save()
    assert (tmp_path / "configuration.nix").read_bytes() == BEFORE


def test_element_dialog_refuses_broken_nix(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    from nixos_settings.ui.editors import ElementDialog

    dlg = ElementDialog("Add", "{ device = ", ["device"])
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "line 1" in dlg.status.text()
    dlg.edit.setPlainText('{ device = "/dev/sdb"; }')
    assert ok.isEnabled() and dlg.text() == '{ device = "/dev/sdb"; }'


@pytest.mark.parametrize("answer", ["OK", "Cancel"])
def test_the_real_element_dialog_adds_only_on_ok(win, tmp_path: Path, qtbot, answer: str) -> None:  # type: ignore[no-untyped-def]
    """Add… opens the real element dialog; typing and clicking OK adds the element, Cancel
    adds nothing (a miswired OK button fails here)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit, QPushButton
    from tests.gui.test_dialogs import click, when_dialog

    win.controller.open_option(("swapDevices",))
    editor = win.page.editor
    add = next(b for b in editor.findChildren(QPushButton) if b.text() == "&Add…")
    seen: list[object] = []

    def fill_then_answer(box) -> None:  # type: ignore[no-untyped-def]
        field = box.findChild(QPlainTextEdit)
        field.setPlainText('{\n  device = "/swapfile";\n  size = 4096;\n}')
        click(answer)(box)

    when_dialog(fill_then_answer, seen)
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    assert win.save() or answer == "Cancel"
    expected = AFTER_ADD if answer == "OK" else BEFORE
    assert (tmp_path / "configuration.nix").read_bytes() == expected
