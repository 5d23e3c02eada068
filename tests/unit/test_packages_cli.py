"""``nixos-settings packages search|list|add|remove``, run as real subprocesses on a package
list generated in the channel format and a configuration in a temporary directory; every
edited file is checked with the real ``nix-instantiate --parse``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import brotli
import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

import make_packages

GUI = Path(__file__).resolve().parents[2] / "gui"
NIX = shutil.which("nix-instantiate")

CONFIG = """{ config, lib, pkgs, ... }:
{
  environment.systemPackages = with pkgs; [
    curl
    git
    vim
  ] ++ lib.optionals config.services.xserver.enable [ firefox ];
  users.users.alice = {
    isNormalUser = true;
    packages = [ pkgs.htop ];
  };
}
"""


@pytest.fixture(scope="module")
def catalogue_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cat") / "packages.json.br"
    path.write_bytes(brotli.compress(orjson.dumps(make_packages.channel(2000)), quality=4))
    return path


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "configuration.nix"
    path.write_text(CONFIG)
    return path


def run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(GUI), XDG_CACHE_HOME=str(cache))
    env.setdefault("NIXOS_SETTINGS_BACKUP_DIR", str(cache / "backups"))
    return subprocess.run([sys.executable, "-m", "nixos_settings", "packages", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def nix_parse(path: Path) -> None:
    assert NIX is not None
    proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_search_builds_the_index_once_then_uses_it(catalogue_file: Path, conf: Path,
                                                   tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run("search", "git", "--packages", str(catalogue_file), "--file", str(conf),
                cache=cache)
    assert first.returncode == 0, first.stderr
    assert "Indexing 2000 packages" in first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("git  1.2.3  (installed)")
    # no --packages: the index built before
    again = run("search", "version control", "--json", "--limit", "3", "--file", str(conf),
                cache=cache)
    assert again.returncode == 0 and again.stderr == ""
    out = json.loads(again.stdout)
    assert [o["attr"] for o in out][:1] == ["git"] and len(out) == 3
    for o in out:
        assert {"attr", "pname", "version", "description", "unfree", "installed"} <= set(o)
    assert out[0]["installed"] is True
    assert next(o for o in out if o["attr"] != "git")["installed"] is False


def test_search_without_any_list_says_how_to_get_one(tmp_path: Path) -> None:
    proc = run("search", "git", cache=tmp_path / "empty")
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("nixos-settings: error: no package list yet")
    assert "--packages channel:NAME" in proc.stderr


def test_list_text_and_json(conf: Path, tmp_path: Path) -> None:
    proc = run("list", "--file", str(conf), "--json", cache=tmp_path)
    rows = json.loads(proc.stdout)
    assert [(r["attr"], r["option"], r["line"]) for r in rows] == [
        ("curl", "environment.systemPackages", 4), ("git", "environment.systemPackages", 5),
        ("vim", "environment.systemPackages", 6), ("firefox", "environment.systemPackages", 7),
        ("htop", "users.users.alice.packages", 10)]
    assert all(r["file"] == str(conf) for r in rows)
    text = run("list", "--file", str(conf), cache=tmp_path).stdout
    assert "the whole system (environment.systemPackages):" in text
    assert "user alice (users.users.alice.packages):" in text
    assert "firefox  configuration.nix:7  (only when a condition holds)" in text


def test_add_in_style_with_notes(catalogue_file: Path, conf: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = conf.read_bytes()
    dry = run("add", "steam", "ripgrep", "--file", str(conf), "--packages", str(catalogue_file),
              "--dry-run", cache=cache)
    assert dry.returncode == 0, dry.stderr
    assert "# note: steam is not free software" in dry.stdout
    assert "nixpkgs.config.allowUnfree = true;" in dry.stdout
    assert "# note: NixOS has a module for steam: programs.steam.enable" in dry.stdout
    assert "+    ripgrep\n" in dry.stdout and "+    steam\n" in dry.stdout
    assert conf.read_bytes() == before
    done = run("add", "steam", "--file", str(conf), cache=cache)
    assert done.returncode == 0, done.stderr
    assert "note: steam is not free software" in done.stderr
    assert "    git\n    steam\n    vim\n" in conf.read_text()
    nix_parse(conf)


def test_add_to_a_user_and_refusals(catalogue_file: Path, conf: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ok = run("add", "ripgrep", "--to", "user:alice", "--file", str(conf), "--packages",
             str(catalogue_file), cache=cache)
    assert ok.returncode == 0, ok.stderr
    assert "packages = [ pkgs.htop pkgs.ripgrep ];" in conf.read_text()
    nix_parse(conf)
    before = conf.read_bytes()
    typo = run("add", "fierfox", "--file", str(conf), cache=cache)
    assert typo.returncode == 1
    assert typo.stderr.strip() == (f"nixos-settings: error: there is no package fierfox in "
                                   f"{catalogue_file}; did you mean firefox?; nothing was "
                                   "changed")
    twice = run("add", "git", "--file", str(conf), cache=cache)
    assert "git is already installed for the whole system" in twice.stderr
    assert twice.returncode == 1
    bad = run("add", "git", "--to", "garden", "--file", str(conf), cache=cache)
    assert bad.returncode == 2 and "use system, user:NAME or home" in bad.stderr
    assert conf.read_bytes() == before


def test_add_without_a_catalogue_says_names_were_not_checked(conf: Path,
                                                             tmp_path: Path) -> None:
    proc = run("add", "hello", "--file", str(conf), "--dry-run", cache=tmp_path / "none")
    assert proc.returncode == 0
    assert "# note: no package list at hand, so the names were not checked" in proc.stdout


def test_remove(conf: Path, tmp_path: Path) -> None:
    proc = run("remove", "git", "htop", "--file", str(conf), cache=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = conf.read_text()
    assert "    git\n" not in text and "packages = [ ];" in text
    nix_parse(conf)
    missing = run("remove", "crul", "--file", str(conf), cache=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == ("nixos-settings: error: crul is not installed by "
                              "configuration.nix or the files it imports (did you mean curl?)\n")


def test_help_names_every_action(tmp_path: Path) -> None:
    out = run("--help", cache=tmp_path).stdout
    for action in ("search", "list", "add", "remove"):
        assert action in out
    add = run("add", "--help", cache=tmp_path).stdout
    assert "--to" in add and "--dry-run" in add and "--packages" in add
