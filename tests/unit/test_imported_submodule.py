"""A submodule written as ``import ./home.nix`` (Home Manager's users in a flake) is a file
this configuration does not open: setting an option below it says which file to open,
not that the value "is not an attribute set"."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.session import Session

FLAKE_MODULE = """{ config, pkgs, ... }:
{
  home-manager.useGlobalPkgs = true;
  home-manager.users.jane = import ./home.nix;
}
"""


def test_setting_below_an_imported_submodule_names_the_file(tmp_path: Path) -> None:
    root = tmp_path / "configuration.nix"
    root.write_text(FLAKE_MODULE)
    (tmp_path / "home.nix").write_text("{ pkgs, ... }:\n{\n  programs.git.enable = true;\n}\n")
    session = Session.open(root)
    with pytest.raises(EditError) as err:
        session.plan_set(("home-manager", "users", "jane", "programs", "git", "userName"),
                         '"Jane"')
    assert str(err.value) == (
        f"{root}:4:3: home-manager.users.jane is written in its own file, "
        f"{tmp_path / 'home.nix'}, which is not opened with this configuration: open that "
        "file to change home-manager.users.jane.programs.git.userName")


def test_other_expressions_keep_their_sentence(tmp_path: Path) -> None:
    root = tmp_path / "configuration.nix"
    root.write_text(FLAKE_MODULE.replace("import ./home.nix", "someFunction 3"))
    with pytest.raises(EditError, match="is already set to an expression that is not an "
                                        "attribute set"):
        Session.open(root).plan_set(("home-manager", "users", "jane", "x"), "1")


def test_get_below_an_imported_submodule_names_the_file(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = tmp_path / "configuration.nix"
    root.write_text(FLAKE_MODULE)
    (tmp_path / "home.nix").write_text("{ pkgs, ... }:\n{\n  programs.git.enable = true;\n}\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "gui"))
    res = subprocess.run([sys.executable, "-m", "nixos_settings", "--file", str(root), "get",
                          "home-manager.users.jane.programs.git.enable"], capture_output=True,
                         text=True, env=env, timeout=120, check=False)
    assert res.returncode == 1
    assert res.stderr == (
        "nixos-settings: home-manager.users.jane.programs.git.enable is not set in "
        f"{root} or the files it imports: home-manager.users.jane is written in its own file, "
        f"{tmp_path / 'home.nix'}, which is not opened with this configuration; open that "
        "file to see it\n")
