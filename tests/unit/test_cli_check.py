"""``set`` checks the option name and value against option metadata when it has some."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = b'{ config, pkgs, ... }:\n{\n  networking.hostName = "box";\n}\n'


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "gui"))
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, cwd=cwd)


def test_set_refuses_what_the_metadata_rules_out(tmp_path: Path, shared_dir: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    opts = str(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    cases = [
        (["services.opensh.enable", "true"], "did you mean services.openssh.enable"),
        (["services.openssh.ports", "[ 22 70000 ]"], "70000 is above the maximum 65535"),
        (["services.openssh.enable", '"yes"'], "services.openssh.enable"),
        (["networking.hostName", '"-bad"'], "does not match the pattern"),
    ]
    for argv, expected in cases:
        res = run("set", *argv, "--file", str(conf), "--options", opts, cwd=tmp_path)
        assert res.returncode == 1, (argv, res.stderr)
        assert expected in res.stderr and res.stderr.count("\n") == 1, res.stderr
        assert conf.read_bytes() == CONFIG  # nothing was written
    ok = run("set", "networking.hostName", "--string", "my-box", "--file", str(conf),
             "--options", opts, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert b'networking.hostName = "my-box";' in conf.read_bytes()
    forced = run("set", "services.opensh.enable", "true", "--no-check", "--file", str(conf),
                 "--options", opts, cwd=tmp_path)
    assert forced.returncode == 0 and b"services.opensh.enable = true;" in conf.read_bytes()
    # the files set it now: changing its value is allowed, as in the app
    again = run("set", "services.opensh.enable", "false", "--file", str(conf),
                "--options", opts, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert b"services.opensh.enable = false;" in conf.read_bytes()


def test_without_metadata_set_works_and_says_so(tmp_path: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    env_cache = tmp_path / "empty-cache"
    env_cache.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "gui"), XDG_CACHE_HOME=str(env_cache))
    res = subprocess.run([sys.executable, "-m", "nixos_settings", "set", "time.timeZone",
                          '"UTC"', "--file", str(conf)], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "not checked" in res.stderr
    assert b'time.timeZone = "UTC";' in conf.read_bytes()
