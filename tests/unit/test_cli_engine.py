"""The CLI verbs and shapes of issue 13 (and 9.3), run as real subprocesses on real files,
every written file checked with the real ``nix-instantiate --parse``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "gui"
NIX = shutil.which("nix-instantiate")

SPLIT = (b'{ a = { b = true; }; a.c = { d = "test"; };\n'
         b"  boot.loader.grub.enable = true;\n  boot.loader.timeout = 5;\n}\n")

PORTS = (
    b"{ pkgs, ... }:\n"
    b"{\n"
    b"  networking.firewall.allowedTCPPorts = [\n"
    b"    22 # ssh\n"
    b"    80\n"
    b"  ];\n"
    b"  users.users.alice = { isNormalUser = true; };\n"
    b"}\n"
)

CONDITIONAL = (
    b"{ config, lib, ... }:\n"
    b"{\n"
    b"  services.xserver = lib.mkIf config.my.desktop {\n"
    b"    enable = true;\n"
    b"  };\n"
    b"}\n"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(GUI)
    env["NIXOS_SETTINGS_BACKUP_DIR"] = str(cwd / ".backups")
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=60, check=False)


def nix_parses(path: Path) -> None:
    if NIX is None:
        pytest.skip("nix-instantiate is not installed")
    proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


def write(tmp_path: Path, data: bytes, name: str = "configuration.nix") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_get_of_a_split_prefix_prints_every_definition(tmp_path: Path) -> None:
    f = write(tmp_path, SPLIT)
    proc = run("get", "a", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "{ b = true; }" in proc.stdout
    assert '{ d = "test"; }' in proc.stdout
    assert f"# {f}:1 a.c" in proc.stdout
    proc = run("get", "boot.loader", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "boot.loader.grub.enable" in proc.stdout and "boot.loader.timeout" in proc.stdout


def test_get_json_lists_file_line_loc_value(tmp_path: Path) -> None:
    f = write(tmp_path, SPLIT)
    proc = run("get", "boot.loader", "--json", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    got = [(i["file"], i["line"], i["loc"], i["value"]) for i in items]
    assert got == [(str(f), 2, ["boot", "loader", "grub", "enable"], "true"),
                   (str(f), 3, ["boot", "loader", "timeout"], "5")]
    proc = run("get", "nothing.here", "--json", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1 and json.loads(proc.stdout) == []


def test_set_of_a_whole_set_on_a_split_prefix_names_the_others(tmp_path: Path) -> None:
    f = write(tmp_path, SPLIT)
    proc = run("set", "a", "{ b = false; }", "--no-check", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1
    assert "a.c at configuration.nix:1" in proc.stderr
    proc = run("set", "boot.loader", "{ timeout = 3; }", "--no-check", "--file", str(f),
               cwd=tmp_path)
    assert proc.returncode == 1
    assert "boot.loader.grub.enable at configuration.nix:2" in proc.stderr
    assert "boot.loader.timeout at configuration.nix:3" in proc.stderr
    assert f.read_bytes() == SPLIT


def test_dry_run_refuses_what_the_write_refuses(tmp_path: Path) -> None:
    if NIX is None:
        pytest.skip("nix-instantiate is not installed")
    f = write(tmp_path, PORTS)
    # tree-sitter accepts a repeated attribute; nix-instantiate --parse does not
    args = ("set", "users.users.alice", "{ uid = 1; uid = 2; }", "--no-check", "--file", str(f))
    dry = run(*args, "--dry-run", cwd=tmp_path)
    real = run(*args, cwd=tmp_path)
    assert dry.returncode == real.returncode == 1
    assert "already defined" in dry.stderr and "already defined" in real.stderr
    assert dry.stdout == ""
    assert f.read_bytes() == PORTS


def test_add_remove_rename_verbs_write_in_the_lists_style(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    proc = run("add", "networking.firewall.allowedTCPPorts", "443", "8080", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"    80\n    443\n    8080\n  ];" in f.read_bytes()
    nix_parses(f)
    proc = run("remove", "networking.firewall.allowedTCPPorts", "80", "8080", "--file", str(f),
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"[\n    22 # ssh\n    443\n  ];" in f.read_bytes()
    proc = run("remove", "networking.firewall.allowedTCPPorts", "--index", "2", "--file",
               str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"[\n    22 # ssh\n  ];" in f.read_bytes()
    proc = run("rename", "users.users.alice", "bob", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"users.users.bob = { isNormalUser = true; };" in f.read_bytes()
    nix_parses(f)


def test_add_of_several_values_is_all_or_nothing(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    proc = run("add", "networking.firewall.allowedTCPPorts", "443", "22", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1
    assert "22 is already in" in proc.stderr
    assert f.read_bytes() == PORTS


def test_set_of_a_list_differing_by_one_element_edits_only_it(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    proc = run("set", "networking.firewall.allowedTCPPorts", "[ 22 8080 ]", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f.read_bytes() == PORTS.replace(b"    80\n", b"    8080\n")
    nix_parses(f)


def test_setting_an_identical_value_changes_nothing(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    before = f.stat().st_mtime_ns
    proc = run("set", "networking.firewall.allowedTCPPorts", "[22   80]", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to change" in proc.stderr
    assert f.read_bytes() == PORTS and f.stat().st_mtime_ns == before


def test_new_option_inside_mkif_needs_the_flag(tmp_path: Path) -> None:
    f = write(tmp_path, CONDITIONAL)
    args = ("set", "services.xserver.xkb.layout", '"de"', "--no-check", "--file", str(f))
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 1
    assert "only apply when config.my.desktop holds" in proc.stderr
    assert "--inside-condition" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert f.read_bytes() == CONDITIONAL
    proc = run(*args, "--inside-condition", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b'    enable = true;\n    xkb.layout = "de";\n  };' in f.read_bytes()
    nix_parses(f)


def test_non_module_file_is_named(tmp_path: Path) -> None:
    f = write(tmp_path, b'{ lib, buildPythonPackage }:\nbuildPythonPackage rec {\n'
              b'  pname = "x";\n  doCheck = false;\n}\n', "default.nix")
    for args in (("get", "doCheck"), ("set", "doCheck", "true", "--no-check")):
        proc = run(*args, "--file", str(f), cwd=tmp_path)
        assert proc.returncode == 1
        assert "the file is a call of buildPythonPackage, not a NixOS module" in proc.stderr
        assert "not defined" not in proc.stderr


def test_at_segment_is_not_offered_quoting(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    proc = run("get", "users.users.@alice", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 1
    assert "must be quoted" not in proc.stderr and "not part of an option name" in proc.stderr


def test_set_in_the_left_operand_of_an_update_says_it_may_be_overridden(tmp_path: Path) -> None:
    f = write(tmp_path, b'{ common, ... }:\n{\n  users.users.al = {\n    uid = 1;\n  } // common;\n'
              b'  users.users.bo = common // {\n    uid = 2;\n  };\n}\n')
    proc = run("set", "users.users.al.uid", "5", "--no-check", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "followed by // common, which may override it" in proc.stderr
    proc = run("set", "users.users.bo.uid", "6", "--no-check", "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "override" not in proc.stderr
    assert b"    uid = 5;\n  } // common;" in f.read_bytes()
    assert b"common // {\n    uid = 6;" in f.read_bytes()
    nix_parses(f)


def test_set_of_a_list_with_elements_added_or_removed_keeps_the_rest(tmp_path: Path) -> None:
    f = write(tmp_path, PORTS)
    proc = run("set", "networking.firewall.allowedTCPPorts", "[ 22 80 443 8443 ]", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f.read_bytes() == PORTS.replace(b"    80\n", b"    80\n    443\n    8443\n")
    nix_parses(f)
    proc = run("set", "networking.firewall.allowedTCPPorts", "[ 22 8443 ]", "--no-check",
               "--file", str(f), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f.read_bytes() == PORTS.replace(b"    80\n", b"    8443\n")
    proc = run("set", "networking.firewall.allowedTCPPorts", "[ 8443 22 ]", "--no-check",
               "--file", str(f), cwd=tmp_path)  # a new order: the value is written whole
    assert proc.returncode == 0, proc.stderr
    assert b"allowedTCPPorts = [ 8443 22 ];" in f.read_bytes()
    nix_parses(f)
