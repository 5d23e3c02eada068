"""Options of a namespace the metadata has no options under (home-manager.* with NixOS
metadata) are "not checked", said once per namespace, in the CLI and the GUI alike; unknown
options the metadata should know (typos) stay listed one by one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nixos_settings.core.options import model as options_model
from nixos_settings.core.options.suggest import outside_metadata, unchecked

CONFIG = """{ config, pkgs, ... }:
{
  home-manager.users.jane = { pkgs, ... }: {
    programs.git.enable = true;
    home.stateVersion = "23.11";
  };
  servces.openssh.enable = true;
  services.openssh.enable = true;
}
"""


def _nixos(shared_dir: Path) -> options_model.OptionSet:
    return options_model.load_file(shared_dir / "data" / "options" /
                                   "nixos-20.09pre-options.json.gz")


def test_namespaces_are_told_from_typos(shared_dir: Path) -> None:
    nixos = _nixos(shared_dir)
    assert outside_metadata(("home-manager", "users", "jane"), nixos)
    assert outside_metadata(("sops", "secrets", "x"), nixos)
    assert not outside_metadata(("servces", "openssh", "enable"), nixos)  # a misspelling
    assert not outside_metadata(("services", "nope"), nixos)  # a known namespace
    kept, notes = unchecked([("home-manager", "users", "a", "x"),
                             ("home-manager", "users", "b", "y"),
                             ("servces", "openssh", "enable")], nixos)
    assert kept == [("servces", "openssh", "enable")]
    assert notes == ["2 home-manager options not checked: the option metadata has no "
                     "home-manager options (they come from a module it does not describe)"]


def test_cli_lists_typos_and_notes_namespaces_once(tmp_path: Path, shared_dir: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_text(CONFIG)
    proc = subprocess.run(
        [sys.executable, "-m", "nixos_settings.cli.main", "list", "--unknown", "--file", str(conf),
         "--options", str(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{conf}:7:3: unknown option servces.openssh.enable "
        "(did you mean services.openssh.enable?)"]
    assert "note: 2 home-manager options not checked" in proc.stderr
