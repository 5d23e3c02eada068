"""Metadata for this configuration (issue 14 §1, issue 16 item 5): the release is read from
flake.lock, the root channel or the running system; the cached set of that release is used;
another release's set (or Home Manager's) never refuses an option as unknown, it warns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options import release
from nixos_settings.core.options.model import OptionInfo, OptionSet, SourceInfo
from nixos_settings.core.options.sources import resolve_options
from nixos_settings.core.session import Session

LOCK = {
    "nodes": {
        "nixpkgs": {"locked": {"rev": "abc123def456", "type": "github"},
                    "original": {"ref": "nixos-24.05", "type": "github"}},
        "root": {"inputs": {"nixpkgs": "nixpkgs"}},
    },
    "root": "root", "version": 7,
}


def _opts(kind: str, label: str, revision: str | None = None,
          names: tuple[str, ...] = ("services.openssh.enable",)) -> OptionSet:
    return OptionSet([OptionInfo(n, tuple(n.split(".")), "boolean", "x") for n in names],
                     SourceInfo(kind, label, revision))


@pytest.fixture
def system_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "sysroot"
    root.mkdir()
    monkeypatch.setenv("NIXOS_SETTINGS_SYSTEM_ROOT", str(root))
    return root


def test_flake_lock_gives_ref_and_revision(tmp_path: Path, system_root: Path) -> None:
    (tmp_path / "flake.lock").write_text(json.dumps(LOCK))
    (tmp_path / "flake.nix").write_text("{ outputs = _: { }; }\n")
    got = release.detect(tmp_path / "flake.nix")
    assert got is not None
    assert (got.version, got.revision) == ("24.05", "abc123def456")
    assert "flake.lock" in got.origin


def test_root_channel_then_running_system(tmp_path: Path, system_root: Path) -> None:
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ system.stateVersion = \"19.09\"; }\n")
    assert release.detect(cfg) is None
    run = system_root / "run" / "current-system"
    run.mkdir(parents=True)
    (run / "nixos-version").write_text("23.11.20240101.deadbee (Tapir)\n")
    got = release.detect(cfg)
    assert got is not None and (got.version, got.revision) == ("23.11", "deadbee")
    (system_root / "root").mkdir()
    (system_root / "root" / ".nix-channels").write_text(
        "https://nixos.org/channels/nixos-24.11 nixos\n")
    chan = system_root / "nix/var/nix/profiles/per-user/root/channels/nixos"
    chan.mkdir(parents=True)
    (chan / ".version").write_text("24.11")
    (chan / ".git-revision").write_text("f00d")
    got = release.detect(cfg)
    assert got is not None and (got.version, got.revision) == ("24.11", "f00d")
    assert "nixos-24.11" in got.origin  # never the stateVersion


def test_metadata_release_from_its_source() -> None:
    assert release.metadata_release(
        SourceInfo("file", "options file nixos-20.09pre-options.json.gz")) == "20.09"
    assert release.metadata_release(SourceInfo("channel", "NixOS channel nixos-24.05")) == \
        "24.05"
    assert release.metadata_release(SourceInfo("home-manager", "x")) == release.HOME_MANAGER
    assert release.metadata_release(SourceInfo("eval", "evaluated x")) == \
        release.THIS_CONFIGURATION


def test_cached_set_of_the_same_release_is_chosen(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    want = release.Release("24.05", "r2", "test")
    for opts in (_opts("channel", "NixOS channel nixos-24.05", "r1"),
                 _opts("channel", "NixOS channel nixos-24.05", "r2"),
                 _opts("channel", "NixOS channel nixos-20.09", "r0"),
                 _opts("home-manager", "Home Manager options file hm.json")):
        optcache.save(opts, optcache.cache_key(opts.source.kind, opts.source.label,
                                               opts.source.revision), cache)
    got = release.pick_cached(want, None, cache)
    assert got is not None and got.source.revision == "r2" and got.release_note is None
    other = release.pick_cached(release.Release("25.11", None, "test"), None, cache)
    assert other is not None and other.source.kind == "channel"
    assert other.release_note is not None and "25.11" in other.release_note
    assert "24.05" in other.release_note or "20.09" in other.release_note


def test_home_manager_metadata_is_never_picked(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    hm = _opts("home-manager", "Home Manager options file hm.json",
               names=("programs.git.enable",))
    optcache.save(hm, optcache.cache_key("home-manager", hm.source.label, None), cache)
    assert release.pick_cached(None, None, cache) is None
    got = resolve_options(None, None, cache_directory=cache)
    assert len(got) == 0 and got.problem


def test_other_release_warns_instead_of_refusing(tmp_path: Path) -> None:
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n  networking.hostName = \"h\";\n}\n")
    old = _opts("file", "options file nixos-20.09pre-options.json.gz",
                names=("services.openssh.enable", "networking.hostName"))
    old.release_note = release.mismatch(old, release.Release("25.11", None, "flake.lock"))
    assert old.release_note is not None and "20.09" in old.release_note
    session = Session.open(cfg, old)
    loc = ("services", "pipewire", "alsa", "support32Bit")
    assert session.check(loc, "true") is None
    warning = session.warning(loc)
    assert warning is not None and "20.09" in warning and "25.11" in warning
    # values of options it does know are still checked
    assert session.check(("services", "openssh", "enable"), '"yes"') is not None
    # with metadata of this release, unknown is refused as before
    same = _opts("file", "options file nixos-25.11-options.json",
                 names=("services.openssh.enable",))
    same.release_note = release.mismatch(same, release.Release("25.11", None, "flake.lock"))
    strict = Session.open(cfg, same)
    assert "unknown option" in (strict.check(loc, "true") or "")
    assert strict.warning(loc) is None


def test_cli_set_after_home_manager_was_cached(tmp_path: Path) -> None:
    """Issue 16 item 5: Home Manager's cached options must not refuse a NixOS option."""
    cache = tmp_path / "xdg"
    hm = _opts("home-manager", "Home Manager options file hm.json",
               names=("programs.git.enable",))
    optcache.save(hm, optcache.cache_key("home-manager", hm.source.label, None),
                  cache / "nixos-settings")
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n  networking.hostName = \"h\";\n}\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache),
           "NIXOS_SETTINGS_SYSTEM_ROOT": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", "set",
                          "services.openssh.enable", "true", "--file", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "services.openssh.enable = true;" in cfg.read_text()
    assert "not checked" in out.stderr


def test_cli_set_with_another_release_warns(tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    old = _opts("channel", "NixOS channel nixos-20.09", "r0",
                names=("services.openssh.enable",))
    optcache.save(old, optcache.cache_key("channel", old.source.label, "r0"),
                  cache / "nixos-settings")
    (tmp_path / "flake.lock").write_text(json.dumps(LOCK))
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n  networking.hostName = \"h\";\n}\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", "set",
                          "services.pipewire.alsa.support32Bit", "true", "--file", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "warning:" in out.stderr and "20.09" in out.stderr and "24.05" in out.stderr
    assert "support32Bit = true;" in cfg.read_text()
    bad = subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", "set",
                          "services.openssh.enable", '"yes"', "--file", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1 and "services.openssh.enable" in bad.stderr


def test_declared_only_metadata_checks_own_options(tmp_path: Path) -> None:
    mod = tmp_path / "mod.nix"
    mod.write_text("{ lib, ... }:\n{\n  options.my.port = lib.mkOption "
                   "{ type = lib.types.port; default = 1; };\n}\n")
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n  imports = [ ./mod.nix ];\n}\n")
    got = resolve_options(None, cfg, cache_directory=tmp_path / "empty")
    assert got.source.kind == "declared" and got.get(("my", "port")) is not None
    assert got.release_note is not None
    session = Session.open(cfg, got)
    assert session.check(("my", "port"), "70000") is not None
    assert session.check(("services", "x", "enable"), "true") is None


def test_fit_says_which_release_where_metadata_is_shown(tmp_path: Path) -> None:
    (tmp_path / "flake.lock").write_text(json.dumps(LOCK))
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n}\n")
    old = release.fit(_opts("file", "options file nixos-20.09pre-options.json.gz"), cfg)
    assert old.release_note is not None
    assert old.problem is not None and "NixOS 20.09" in old.problem
    assert "NixOS 24.05" in old.problem and "warned about, not refused" in old.problem
    same = release.fit(_opts("channel", "NixOS channel nixos-24.05", "abc123def456"), cfg)
    assert same.release_note is None and same.problem is None


def test_channel_list_when_the_channels_file_is_not_readable(
        tmp_path: Path, system_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "nix-channel"
    script.write_text("#!/bin/sh\n[ \"$1\" = --list ] || exit 2\n"
                      "echo 'home-manager https://example.org/hm'\n"
                      "echo 'nixos https://nixos.org/channels/nixos-25.05'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    got = release.detect(tmp_path / "configuration.nix")
    assert got is not None and got.version == "25.05" and "nixos-25.05" in got.origin


def test_cli_set_on_a_flake_reads_the_release_from_its_lock(tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    old = _opts("channel", "NixOS channel nixos-20.09", "r0", names=("networking.hostName",))
    optcache.save(old, optcache.cache_key("channel", old.source.label, "r0"),
                  cache / "nixos-settings")
    (tmp_path / "flake.lock").write_text(json.dumps(LOCK))
    (tmp_path / "flake.nix").write_text(
        "{\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.h = "
        "nixpkgs.lib.nixosSystem {\n      modules = [ ./configuration.nix ];\n    };\n  };\n}\n")
    cfg = tmp_path / "configuration.nix"
    cfg.write_text("{ ... }:\n{\n  networking.hostName = \"h\";\n}\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache),
           "NIXOS_SETTINGS_SYSTEM_ROOT": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", "set",
                          "services.pipewire.enable", "true", "--flake", f"{tmp_path}#h"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "warning:" in out.stderr and "NixOS 24.05" in out.stderr
    assert "services.pipewire.enable = true;" in cfg.read_text()


@pytest.mark.parametrize("hm_first", [True, False])
def test_a_cached_file_of_another_kind_is_no_fallback(tmp_path: Path, hm_first: bool) -> None:
    """Home Manager's options loaded once as a plain file (``--options hm.json``) are not
    what a NixOS configuration gets by default when NixOS metadata is cached too."""
    cache = tmp_path / "cache"
    hm = _opts("file", "options file home-manager-options.json.gz",
               names=("programs.git.enable", "home.stateVersion"))
    nixos = _opts("file", "options file my-options.json",
                  names=("services.openssh.enable", "system.stateVersion"))
    for opts in ((hm, nixos) if hm_first else (nixos, hm)):
        optcache.save(opts, optcache.cache_key("file", opts.source.label, None), cache)
    got = release.pick_cached(None, None, cache)
    assert got is not None and got.get(("system", "stateVersion")) is not None
    only_hm = tmp_path / "only-hm"
    optcache.save(hm, optcache.cache_key("file", hm.source.label, None), only_hm)
    last = release.pick_cached(None, None, only_hm)  # nothing better: still used
    assert last is not None and last.get(("programs", "git", "enable")) is not None
