"""A Home Manager file is applied with home-manager, never nixos-rebuild; a computer without
NixOS is told so plainly, and an empty generations list says why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixos_settings.core.system.kind import HOME_MANAGER, NIXOS, configuration_kind
from nixos_settings.core.system.rebuild import RebuildRequest, RequestError
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui

STANDINS = Path(__file__).resolve().parents[1] / "standins"

HOME = b"""{ pkgs, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/home/alice";
  home.stateVersion = "24.05";
  programs.git.enable = true;
}
"""


def test_kind_follows_the_options_a_file_sets() -> None:
    assert configuration_kind([("home", "username"), ("programs", "git", "enable")]) == (
        HOME_MANAGER)
    assert configuration_kind([("networking", "hostName"), ("boot", "loader", "grub")]) == NIXOS
    assert configuration_kind([]) == NIXOS


def test_home_manager_request(tmp_path: Path) -> None:
    env = {"PATH": str(STANDINS)}
    req = RebuildRequest("build", config_file=Path("/home/a/home.nix"), tool="home-manager")
    assert req.argv(env) == ["home-manager", "build", "-f", "/home/a/home.nix"]
    assert req.is_check and not req.needs_root
    flake = RebuildRequest("switch", flake="/home/a/cfg#alice", tool="home-manager")
    assert flake.argv(env) == ["home-manager", "switch", "--flake", "/home/a/cfg#alice"]
    with pytest.raises(RequestError):
        RebuildRequest("boot", tool="home-manager")  # not a home-manager action
    with pytest.raises(RequestError):
        RebuildRequest("switch", tool="home-manager", use_helper=True)
    with pytest.raises(RequestError, match="home-manager is not installed"):
        req.argv({"PATH": str(tmp_path)})


@pytest.fixture
def hm_window(qtbot, tmp_path: Path, options_file: Path, monkeypatch):
    from nixos_settings.core.options import model as core_options

    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "home-manager").symlink_to(STANDINS / "home-manager")
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_REBUILD_RECORD", str(tmp_path / "record"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "home.nix"
    path.write_bytes(HOME)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(path)
    win.controller.set_options(core_options.load_file(options_file))
    return win


def test_a_home_manager_file_gets_home_manager_actions(hm_window, qtbot, tmp_path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    win = hm_window
    assert "Home Manager" in win.windowTitle()
    panel = win.rebuild_panel
    assert [panel.action_box.itemText(i) for i in range(panel.action_box.count())] == [
        "switch", "build"]
    assert win.rebuild_dock.windowTitle() == "Apply (home-manager)"
    assert "nixos-rebuild" not in win.rebuild_dock.toggleViewAction().text()
    assert win.generations_dock.windowTitle() == "Home Manager generations"
    win.rebuild_dock.show()
    with qtbot.waitSignal(panel.finished, timeout=20000) as done:
        QTest.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert done.args[0].ok
    record = (tmp_path / "record").read_text()
    assert f"argv: [build] [-f] [{tmp_path / 'home.nix'}]" in record
    gens = win.generations
    assert not gens.rollback_button.isVisibleTo(gens)
    assert "No Home Manager generations to show" in gens.empty_label.text()


def test_empty_system_generations_say_why(qtbot, tmp_path, monkeypatch) -> None:
    from nixos_settings.core.system import programs
    from nixos_settings.ui.rebuild_panel import GenerationsWidget, RebuildPanel

    monkeypatch.setattr(programs, "NIXOS_MARKER", tmp_path / "NIXOS")
    panel = RebuildPanel()
    qtbot.addWidget(panel)
    gens = GenerationsWidget(panel, profiles=tmp_path / "profiles")
    qtbot.addWidget(gens)
    gens.show()
    assert gens.empty_label.isVisibleTo(gens)
    assert "this computer does not run NixOS" in gens.empty_label.text()
    (tmp_path / "NIXOS").touch()
    gens.refresh()
    assert f"there is no {tmp_path / 'profiles' / 'system'} yet" in gens.empty_label.text()


def test_internal_module_options_are_not_offered(qtbot, tmp_path, config_dir) -> None:
    """``_module.args`` is the module system's own plumbing (Home Manager's metadata lists
    it): search does not offer it."""
    import json

    from nixos_settings.core.options import model as core_options

    meta = {"_module.args": {"loc": ["_module", "args"], "type": "lazy attribute set",
                             "description": "Arguments passed to each module.",
                             "declarations": [], "readOnly": False},
            "programs.git.enable": {"loc": ["programs", "git", "enable"], "type": "boolean",
                                    "description": "Arguments for git, the module.",
                                    "declarations": [], "readOnly": False}}
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(meta))
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(core_options.load_file(path))
    rows = win.panes._search("arguments")
    assert [r.option.name for r in rows] == ["programs.git.enable"]
