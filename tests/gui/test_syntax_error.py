"""A configuration that does not parse: the place Nix reports, the rest still shown, and
"Open in editor at line N" starting the user's editor (a real process)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import BROKEN_UNCLOSED

from nixos_settings.ui.mainwindow import MainWindow
from nixos_settings.ui.syntaxbanner import editor_argv

pytestmark = [pytest.mark.gui, pytest.mark.nix]

BROKEN = BROKEN_UNCLOSED


@pytest.fixture
def broken(qtbot, tmp_path: Path, monkeypatch):
    assert shutil.which("nix-instantiate"), "nix-instantiate is needed (apt-get install nix-bin)"
    (tmp_path / "configuration.nix").write_bytes(BROKEN)
    (tmp_path / "a.nix").write_bytes(b"{ ... }: { sound.enable = true; }\n")
    record = tmp_path / "editor-args"
    (tmp_path / "bin").mkdir()
    editor = tmp_path / "bin" / "gedit"  # a stand-in under a known editor's name
    editor.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", str(editor))
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    win.open_configuration(tmp_path / "configuration.nix")
    return win


def test_the_place_nix_reports_and_open_in_editor(broken, qtbot, tmp_path) -> None:
    banner = broken.syntax_banner
    assert banner.isVisibleTo(broken)
    assert "configuration.nix has a syntax error</b> at line 9, column 2" in banner.label.text()
    assert "Nix reports" in banner.label.text() and "end of file" in banner.label.text()
    assert banner.button.text() == "Open in editor at line 9"
    QTest.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    record = tmp_path / "editor-args"
    qtbot.waitUntil(record.exists, timeout=5000)
    qtbot.waitUntil(lambda: record.read_text().count("\n") == 2, timeout=5000)
    assert record.read_text().splitlines() == ["+9", str(tmp_path / "configuration.nix")]


def test_problems_say_it_once_in_nix_words(broken) -> None:
    items = broken.problems_dock.items
    mine = [i for i in items if i.path is not None and i.path.name == "configuration.nix"]
    assert [(i.severity, i.line, i.column) for i in mine] == [("error", 9, 2)]
    assert not any("no Nix expression" in i.message for i in mine)
    assert mine[0].message == "syntax error, unexpected end of file, expecting ';'"


def test_editor_commands() -> None:
    f = Path("/etc/nixos/configuration.nix")
    assert editor_argv(f, 42, {"VISUAL": "gedit"}) == ["gedit", "+42", str(f)]
    assert editor_argv(f, 42, {"VISUAL": "code --wait"}) == [
        "code", "--wait", "--goto", f"{f}:42"]
    assert editor_argv(f, 42, {"VISUAL": "kate"}) == ["kate", "--line", "42", str(f)]
    assert editor_argv(f, 42, {}) == ["xdg-open", str(f)]
    # a terminal editor from $EDITOR needs a terminal; without one, the desktop's default
    assert editor_argv(f, 42, {"EDITOR": "vim", "PATH": "/nonexistent"}) == [
        "xdg-open", str(f)]
