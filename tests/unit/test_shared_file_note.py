"""Editing a file that other hosts of the flake use too is said in the CLI as in the app's
Hosts dock: which hosts the change reaches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.test_fleet import flake  # noqa: F401  (the fixture)

from nixos_settings.core.system import fleet

GUI = Path(__file__).resolve().parents[2] / "gui"


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(GUI), XDG_CONFIG_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_reach_sentence(flake: Path) -> None:  # noqa: F811
    hosts = fleet.list_hosts(flake)
    assert fleet.reach_words(hosts, [flake / "common.nix"]) == (
        "Pending changes reach: laptop, server, pi")
    assert fleet.reach_words(hosts, [flake / "hosts" / "pi.nix"]) == "Pending changes reach: pi"
    assert fleet.reach_words(hosts, []) == "No pending changes."


def test_cli_says_which_hosts_a_shared_file_reaches(flake: Path, tmp_path: Path) -> None:  # noqa: F811
    res = run("--flake", f"{flake}#server", "set", "time.timeZone", '"Europe/Oslo"',
              "--dry-run", "--no-check", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ("nixos-settings: note: common.nix is used by other hosts too: "
                          "this change reaches laptop, server, pi\n")
    res = run("--flake", f"{flake}#server", "set", "networking.hostName", '"srv"',
              "--dry-run", "--no-check", home=tmp_path)
    assert res.returncode == 0 and res.stderr == ""


def test_a_hosts_own_module_in_flake_nix_is_not_shared(flake: Path) -> None:  # noqa: F811
    assert fleet.shared_note(flake, "server", [flake / "flake.nix"]) is None
    assert fleet.shared_note(flake, "server", [flake / "users.nix"]) == (
        "users.nix is used by other hosts too: this change reaches laptop, server, pi")


def test_a_flake_with_several_hosts_says_how_to_pick_one(flake: Path, tmp_path: Path) -> None:  # noqa: F811
    res = run("--flake", str(flake), "list", home=tmp_path)
    assert res.returncode == 1
    assert res.stderr == (f"nixos-settings: error: {flake / 'flake.nix'}: the flake has several "
                          f"hosts (laptop, server, pi); pick one by adding #HOST to the flake's "
                          f"path, for example --flake {flake}#laptop\n")
