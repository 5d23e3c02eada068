"""The plain-language tasks write NixOS system options: on a standalone Home Manager file
they are refused in one sentence that says why (not "this NixOS release has none of …")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nixos_settings.core.session import Session
from nixos_settings.core.tasks import engine
from nixos_settings.core.tasks.model import TaskError, get_task

GUI = Path(__file__).resolve().parents[2] / "gui"
HOME = '{ pkgs, ... }:\n{\n  home.username = "jane";\n  home.stateVersion = "23.11";\n}\n'
WHY = ("home.nix is a Home Manager configuration: the tasks change NixOS system options, "
       "which it does not have; search its options instead, and install programs into "
       "home.packages")


def test_the_engine_says_why(tmp_path: Path) -> None:
    path = tmp_path / "home.nix"
    path.write_text(HOME)
    session = Session.open(path)
    assert engine.not_for(session) == WHY
    with pytest.raises(TaskError, match="is a Home Manager configuration"):
        engine.plan(session, get_task("time-zone"), {"zone": "Europe/Paris"})
    system = tmp_path / "configuration.nix"
    system.write_text('{ ... }:\n{\n  networking.hostName = "x";\n}\n')
    assert engine.not_for(Session.open(system)) is None


def test_cli_apply_refuses_once(tmp_path: Path) -> None:
    path = tmp_path / "home.nix"
    path.write_text(HOME)
    env = dict(os.environ, PYTHONPATH=str(GUI), XDG_CACHE_HOME=str(tmp_path / "cache"))
    res = subprocess.run([sys.executable, "-m", "nixos_settings", "task", "apply", "time-zone",
                          "zone=Europe/Paris", "--file", str(path), "--dry-run"],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert res.returncode == 1
    assert res.stderr == f"nixos-settings: error: {WHY}\n"
    assert path.read_text() == HOME
