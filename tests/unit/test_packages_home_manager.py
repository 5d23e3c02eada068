"""Packages in a standalone Home Manager file (``home.nix``): they go to ``home.packages``,
never to the system's list (which Home Manager does not have), in the CLI and the session
alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.session import Session

GUI = Path(__file__).resolve().parents[2] / "gui"

HOME = """{ config, pkgs, ... }:

{
  home.username = "jane";
  home.homeDirectory = "/home/jane";

  programs.git.enable = true;

  home.stateVersion = "23.11";
}
"""

HOME_WITH_LIST = HOME.replace("  programs.git", "  home.packages = with pkgs; [\n"
                              "    ripgrep\n  ];\n\n  programs.git")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home.nix"
    path.write_text(HOME)
    return path


def test_the_places_of_a_home_manager_file_are_home_manager_only(home: Path) -> None:
    session = Session.open(home)
    assert session.package_places() == ["home"]
    change = session.plan_packages_add(["bat"])
    diff = change.diff()
    assert "home.packages = [ pkgs.bat ];" in diff and "systemPackages" not in diff


def test_an_existing_home_list_receives_the_package(tmp_path: Path) -> None:
    path = tmp_path / "home.nix"
    path.write_text(HOME_WITH_LIST)
    diff = Session.open(path).plan_packages_add(["bat"]).diff()
    assert "     ripgrep\n+    bat\n" in diff


def test_the_system_list_is_refused_in_a_home_manager_file(home: Path) -> None:
    with pytest.raises(EditError) as err:
        Session.open(home).plan_packages_add(["bat"], "system")
    assert "home.nix is a Home Manager configuration" in str(err.value)
    assert "home.packages" in str(err.value)


def test_a_system_configuration_still_defaults_to_the_whole_system(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    path.write_text("{ pkgs, ... }:\n{\n  networking.hostName = \"x\";\n}\n")
    session = Session.open(path)
    assert session.package_places() == ["system"]
    assert "environment.systemPackages" in session.plan_packages_add(["bat"]).diff()


def test_cli_add_writes_home_packages(home: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(GUI), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-m", "nixos_settings", "packages", "add", "bat",
                           "--file", str(home), "--dry-run"], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "+  home.packages = [ pkgs.bat ];" in proc.stdout
    assert "systemPackages" not in proc.stdout
