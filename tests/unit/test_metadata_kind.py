"""A Home Manager file opened with NixOS's option metadata (the default on a NixOS machine):
one note says the metadata is not the file's kind, and its options are warned about, not
refused with NixOS did-you-means; Home Manager's metadata on it raises no such note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nixos_settings.core.options import model
from nixos_settings.core.options.release import fit
from nixos_settings.core.session import Session

HOME = '{ pkgs, ... }:\n{\n  home.username = "jane";\n  home.stateVersion = "23.11";\n}\n'


def _options(tmp_path: Path, name: str, locs: list[list[str]]) -> model.OptionSet:
    recs = {".".join(loc): {"loc": loc, "type": "boolean", "description": "x",
                            "declarations": [], "readOnly": False} for loc in locs}
    path = tmp_path / name
    path.write_text(json.dumps(recs))
    return model.load_file(str(path))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home.nix"
    path.write_text(HOME)
    return path


def test_nixos_metadata_on_a_home_manager_file_is_noted_not_refusing(tmp_path: Path,
                                                                      home: Path) -> None:
    nixos = fit(_options(tmp_path, "nixos-options.json",
                         [["services", "openssh", "enable"], ["programs", "adb", "enable"]]),
                home)
    assert nixos.release_note == ("this file (home.nix) is a Home Manager configuration, but "
                                  "the option metadata in use is NixOS's")
    assert nixos.problem is not None and nixos.problem.startswith("This file (home.nix)")
    session = Session(Session.open(home).cfg, nixos)
    assert session.check(("programs", "git", "enable"), "true") is None
    assert "was not refused: this file (home.nix) is a Home Manager configuration" in (
        session.warning(("programs", "git", "enable")) or "")


def test_home_manager_metadata_on_a_home_manager_file_has_no_note(tmp_path: Path,
                                                                   home: Path) -> None:
    hm = fit(_options(tmp_path, "home-manager-options.json",
                      [["home", "stateVersion"], ["home", "username"],
                       ["programs", "git", "enable"]]), home)
    assert hm.release_note is None
    session = Session(Session.open(home).cfg, hm)
    assert "unknown option programs.gti.enable" in (
        session.check(("programs", "gti", "enable"), "true") or "")


def test_cli_list_unknown_says_the_metadata_is_not_the_files(tmp_path: Path, home: Path) -> None:
    import os
    import subprocess
    import sys

    opts = tmp_path / "nixos-options.json"
    opts.write_text(json.dumps({"services.openssh.enable": {
        "loc": ["services", "openssh", "enable"], "type": "boolean", "description": "x",
        "declarations": [], "readOnly": False}}))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "gui"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    res = subprocess.run([sys.executable, "-m", "nixos_settings", "--file", str(home), "list",
                          "--unknown", "--options", str(opts)], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert res.stderr.splitlines()[0] == (
        "nixos-settings: note: this file (home.nix) is a Home Manager configuration, but the "
        "option metadata in use is NixOS's: the options it does not know are listed, not "
        "checked")
