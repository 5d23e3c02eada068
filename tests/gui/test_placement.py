"""A new option whose only place is inside an ``mkIf`` block: the app asks (a real dialog,
clicked), and records nothing unless the person chooses the conditional place."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

pytestmark = pytest.mark.gui

CONFIG = b"""{ config, lib, ... }:
{
  services.xserver = lib.mkIf config.services.printing.enable {
    enable = true;
  };
}
"""


@pytest.fixture
def win(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    from nixos_settings.ui.mainwindow import MainWindow

    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    w = MainWindow()
    w._confirm_quit = False
    qtbot.addWidget(w)
    w.open_configuration(conf)
    w.show()
    return w


def _answer(prefix: str, seen: list[str]) -> None:
    """Click the button of the open question whose text starts with ``prefix``."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        button = next(b for b in box.findChildren(QPushButton)
                      if b.text().replace("&", "").startswith(prefix))
        button.click()
    QTimer.singleShot(0, click)


def test_cancel_records_nothing_and_inside_puts_it_in_the_block(qtbot, win) -> None:
    c = win.controller
    loc = ("services", "xserver", "libinput", "enable")
    seen: list[str] = []
    _answer("Cancel", seen)
    with qtbot.waitSignal(c.edit_refused) as refused:
        assert not c.set_nix(loc, "true", check=False)
    assert "only apply when" in refused.args[0] or "conditional" in refused.args[0]
    assert "applies only when <b>config.services.printing.enable</b>" in seen[0]
    assert c.undo_stack.count() == 0
    _answer("Inside:", seen)
    assert c.set_nix(loc, "true", check=False)
    source = c.cfg.documents[c.root].source
    assert b"lib.mkIf config.services.printing.enable {\n    enable = true;\n    libinput" \
        in source, source
    assert c.undo_stack.count() == 1
