"""The option page's effective-value section, against the real module system (nixpkgs' real
lib in a small nixpkgs-shaped tree, the real nix-instantiate) and real Qt widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.nixtree import make_nixpkgs

from nixos_settings.core.options.sources import resolve_options
from nixos_settings.ui.effective import EffectiveSection
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui

ROOT = """\
{ lib, ... }:
{
  imports = [ ./modules/desktop.nix ];
  services.demo.port = 9000;
  services.demo.threads = lib.mkDefault 2;
}
"""
DESKTOP = """\
{ lib, ... }:
{
  services.demo.port = lib.mkForce 9100;
}
"""


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    nixpkgs = make_nixpkgs(tmp_path / "tree")
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs}")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "desktop.nix").write_text(DESKTOP)
    root = tmp_path / "configuration.nix"
    root.write_text(ROOT)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(root)
    win.controller.set_options(resolve_options("eval", root,
                                               cache_directory=tmp_path / "cache"))
    return win


def _section(win: MainWindow) -> EffectiveSection:
    found = win.page.findChild(EffectiveSection)
    assert found is not None
    return found


def test_evaluate_shows_the_winner_and_the_overridden(qtbot, window, tmp_path: Path) -> None:
    window.controller.open_option(("services", "demo", "port"))
    section = _section(window)
    assert "not evaluated yet" in section.label.text()
    qtbot.mouseClick(section.evaluate_button, qtbot_left())
    qtbot.waitUntil(lambda: "9100" in section.label.text(), timeout=60000)
    text = section.label.text()
    assert "modules/desktop.nix:3" in text and "mkForce" in text
    assert "also defined in" in text and "configuration.nix:4" in text
    assert "(overridden)" in text
    revealed: list[tuple[Path, int]] = []
    window.controller.show_source.connect(lambda p, line, *_: revealed.append((p, line)))
    section.label.linkActivated.emit(f"at:{tmp_path / 'modules' / 'desktop.nix'}:3")
    assert revealed == [(tmp_path / "modules" / "desktop.nix", 3)]
    # the answer is cached for these files: the page shows it at once next time
    window.controller.open_option(("services", "demo", "threads"))
    window.controller.open_option(("services", "demo", "port"))
    assert "9100" in _section(window).label.text()


def test_failure_is_shown_with_its_place(qtbot, window, tmp_path: Path) -> None:
    (tmp_path / "modules" / "desktop.nix").write_text(DESKTOP.replace("9100", '"high"'))
    window.controller.open_option(("services", "demo", "port"))
    section = _section(window)
    section.evaluate()
    qtbot.waitUntil(lambda: "failed" in section.label.text(), timeout=60000)
    assert "desktop.nix:3" in section.label.text()
    assert "not of type" in section.label.text()
    assert section.evaluate_button.isEnabled() and not section.stop_button.isEnabled()


def test_stop_ends_the_evaluation(qtbot, window, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "nix-instantiate").write_text("#!/bin/sh\nexec sleep 60\n")
    (slow / "nix-instantiate").chmod(0o755)
    monkeypatch.setenv("NIXOS_SETTINGS_NIX_INSTANTIATE", str(slow / "nix-instantiate"))
    window.controller.open_option(("services", "demo", "threads"))
    section = _section(window)
    section.evaluate()
    assert section.stop_button.isEnabled()
    qtbot.mouseClick(section.stop_button, qtbot_left())
    qtbot.waitUntil(lambda: "stopped" in section.label.text(), timeout=10000)


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
