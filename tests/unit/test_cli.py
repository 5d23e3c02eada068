"""The headless CLI, run as real subprocesses (``python -m nixos_settings …``)."""

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

CONFIG = (
    "{ config, lib, pkgs, ... }:\n"
    "{\n"
    "  networking.hostName = \"elm\";\n"
    "  networking.hosts.\"127.0.0.1\" = [ \"localhost\" ];\n"
    "  services.openssh = {\n"
    "    enable = true;\n"
    "    ports = lib.mkForce [ 22 ];\n"
    "  };\n"
    "  boot.kernelModules = lib.mkIf config.x.enable [ \"kvm\" ];\n"
    "  environment.systemPackages = with pkgs; [\n"
    "    git\n"
    "    vim\n"
    "  ];\n"
    "}\n"
)


def run(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(GUI)
    env.setdefault("NIXOS_SETTINGS_BACKUP_DIR", str((cwd or Path.cwd()) / ".backups"))
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          env=env, cwd=cwd, timeout=60, check=False)


@pytest.fixture
def conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIXOS_SETTINGS_BACKUP_DIR", str(tmp_path / "backups"))
    path = tmp_path / "configuration.nix"
    path.write_bytes(CONFIG.encode())
    return path


def one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    """Assert a failure reported as exactly one stderr line; return it."""
    assert proc.returncode != 0
    err = proc.stderr.decode("utf-8", errors="replace")
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nixos-settings: error: ")
    assert "Traceback" not in err
    return lines[0]


# -- list ------------------------------------------------------------------------------------


def test_list_json_has_the_documented_values(conf: Path) -> None:
    proc = run("list", "--file", str(conf), "--json")
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    by_option = {i["option"]: i for i in items}
    assert list(by_option) == [
        "networking.hostName", 'networking.hosts."127.0.0.1"', "services.openssh.enable",
        "services.openssh.ports", "boot.kernelModules", "environment.systemPackages",
    ]
    host = by_option['networking.hosts."127.0.0.1"']
    assert host["loc"] == ["networking", "hosts", "127.0.0.1"]
    assert host["file"] == str(conf)
    assert (host["line"], host["column"]) == (4, 3)
    assert host["value"] == '[ "localhost" ]'
    assert host["wrappers"] == []
    ports = by_option["services.openssh.ports"]
    assert (ports["line"], ports["column"], ports["value"], ports["wrappers"]) == (
        7, 5, "[ 22 ]", ["mkForce"])
    assert by_option["boot.kernelModules"]["wrappers"] == ["mkIf"]
    assert by_option["environment.systemPackages"]["value"] == (
        "with pkgs; [\n    git\n    vim\n  ]")
    for item in items:
        assert {"option", "loc", "file", "line", "column", "value", "wrappers"} <= set(item)


def test_list_json_has_exactly_the_documented_keys(conf: Path) -> None:
    items = json.loads(run("list", "--file", str(conf), "--json").stdout)
    assert all(set(i) == {"option", "loc", "file", "line", "column", "value", "wrappers"}
               for i in items)


def test_list_text(conf: Path) -> None:
    proc = run("list", "--file", str(conf))
    assert proc.returncode == 0
    lines = proc.stdout.decode().splitlines()
    assert lines[0] == f'networking.hostName = "elm"  # {conf}:3'
    assert lines[3] == f"services.openssh.ports = [ 22 ]  # {conf}:7  [mkForce]"
    assert lines[4] == (f'boot.kernelModules = [ "kvm" ]  # {conf}:9  [mkIf config.x.enable]')
    assert lines[5] == f"environment.systemPackages = with pkgs; [ …  # {conf}:10"
    assert len(lines) == 6


def test_list_follows_imports_and_missing_import_is_only_a_note(tmp_path: Path) -> None:
    (tmp_path / "hw.nix").write_text("{ boot.loader.grub.device = \"/dev/sda\"; }\n")
    root = tmp_path / "configuration.nix"
    root.write_text("{\n  imports = [ ./hw.nix ./gone.nix ];\n  a = 1;\n}\n")
    proc = run("list", "--file", str(root), "--json")
    assert proc.returncode == 0
    items = json.loads(proc.stdout)
    assert [(i["option"], Path(i["file"]).name) for i in items] == [
        ("a", "configuration.nix"), ("boot.loader.grub.device", "hw.nix")]
    err = proc.stderr.decode()
    assert "gone.nix" in err and "does not exist" in err
    assert len(err.splitlines()) == 1


# -- get -------------------------------------------------------------------------------------


def test_get_prints_value_text(conf: Path) -> None:
    proc = run("get", 'networking.hosts."127.0.0.1"', "--file", str(conf))
    assert (proc.returncode, proc.stdout) == (0, b'[ "localhost" ]\n')
    proc = run("get", "services.openssh.ports", "--file", str(conf))
    assert proc.stdout == b"[ 22 ]\n"


def test_get_undefined_exits_1(conf: Path) -> None:
    proc = run("get", "services.nginx.enable", "--file", str(conf))
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert len(proc.stderr.decode().splitlines()) == 1
    assert b"services.nginx.enable" in proc.stderr


# -- set / unset -----------------------------------------------------------------------------


def test_set_replaces_only_the_value(conf: Path) -> None:
    proc = run("set", "services.openssh.ports", "[ 22 2222 ]", "--file", str(conf))
    assert proc.returncode == 0, proc.stderr
    assert conf.read_text() == CONFIG.replace("lib.mkForce [ 22 ]", "lib.mkForce [ 22 2222 ]")


def test_set_adds_into_existing_attrset(conf: Path) -> None:
    proc = run("set", "services.openssh.openFirewall", "false", "--file", str(conf))
    assert proc.returncode == 0, proc.stderr
    assert conf.read_text() == CONFIG.replace(
        "    ports = lib.mkForce [ 22 ];\n",
        "    ports = lib.mkForce [ 22 ];\n    openFirewall = false;\n")


@pytest.mark.nix
@pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")
def test_set_string_is_escaped_and_evaluates_back(conf: Path) -> None:
    text = 'say "hi" \\ ${HOME} $x \'\' tab\there é'
    proc = run("set", "networking.hostName", "--string", text, "--file", str(conf))
    assert proc.returncode == 0, proc.stderr
    got = run("get", "networking.hostName", "--file", str(conf)).stdout.decode().rstrip("\n")
    assert got == '"say \\"hi\\" \\\\ \\${HOME} $x \'\' tab\\there é"'
    ev = subprocess.run([NIX, "--eval", "--json", "-E", got], capture_output=True, check=True)
    assert json.loads(ev.stdout) == text


def test_set_dry_run_prints_diff_and_writes_nothing(conf: Path) -> None:
    before = conf.read_bytes()
    mtime = conf.stat().st_mtime_ns
    proc = run("set", "networking.hostName", '"oak"', "--file", str(conf), "--dry-run")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith(f"--- a{conf}\n+++ b{conf}\n@@ ")
    assert '-  networking.hostName = "elm";\n' in out
    assert '+  networking.hostName = "oak";\n' in out
    assert conf.read_bytes() == before
    assert conf.stat().st_mtime_ns == mtime
    assert not (conf.parent / "backups").exists()


def test_unset_removes_the_binding(conf: Path) -> None:
    proc = run("unset", "boot.kernelModules", "--file", str(conf))
    assert proc.returncode == 0, proc.stderr
    assert conf.read_text() == CONFIG.replace(
        "  boot.kernelModules = lib.mkIf config.x.enable [ \"kvm\" ];\n", "")


def test_unset_dry_run(conf: Path) -> None:
    proc = run("unset", "networking.hostName", "--file", str(conf), "--dry-run")
    assert proc.returncode == 0
    assert '-  networking.hostName = "elm";\n' in proc.stdout.decode()
    assert conf.read_text() == CONFIG


# -- errors: one line, non-zero, nothing touched -------------------------------------------


def assert_untouched(path: Path, data: bytes) -> None:
    assert path.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(".")) == [
        path.name]


def test_error_syntax_error_in_file(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    data = b"{\n  a = 1;\n  b = ;\n}\n"
    path.write_bytes(data)
    line = one_line_error(run("set", "a", "2", "--file", str(path), cwd=tmp_path))
    assert "syntax error" in line and str(path) in line
    assert_untouched(path, data)


def test_error_invalid_nix_value(conf: Path) -> None:
    line = one_line_error(run("set", "networking.hostName", "[ 1 2", "--file", str(conf),
                              cwd=conf.parent))
    assert "not valid Nix" in line
    assert conf.read_text() == CONFIG


def test_error_non_utf8_value_exits_non_zero_and_touches_nothing(conf: Path) -> None:
    for args in ([b'"\xff"'], [b"--string", b"\xff"]):
        proc = run("set", "networking.hostName", *args, "--file", str(conf), cwd=conf.parent)
        assert proc.returncode != 0
        assert conf.read_text() == CONFIG


def test_error_non_utf8_value_is_one_line(conf: Path) -> None:
    line = one_line_error(run("set", "networking.hostName", b'"\xff"', "--file", str(conf),
                              cwd=conf.parent))
    assert "UTF-8" in line


@pytest.mark.parametrize("command", ["unset", "get"])
def test_error_undefined_option(conf: Path, command: str) -> None:
    proc = run(command, "no.such.option", "--file", str(conf), cwd=conf.parent)
    assert proc.returncode == 1
    assert len(proc.stderr.decode().splitlines()) == 1
    assert "no.such.option" in proc.stderr.decode()
    assert conf.read_text() == CONFIG


@pytest.mark.parametrize(("option", "fragment"), [
    ("a..b", "empty segment"), ("networking.hosts.127.0.0.1", "must be quoted"),
    ("a.", "ends with '.'"), ('a."b', "unterminated quote"),
])
def test_error_malformed_option(conf: Path, option: str, fragment: str) -> None:
    for args in (["set", option, "1"], ["unset", option], ["get", option]):
        line = one_line_error(run(*args, "--file", str(conf), cwd=conf.parent))
        assert fragment in line
    assert conf.read_text() == CONFIG


def test_error_read_only_file(conf: Path) -> None:
    os.chmod(conf, 0o444)
    line = one_line_error(run("set", "networking.hostName", '"oak"', "--file", str(conf),
                              cwd=conf.parent))
    assert "read-only" in line and str(conf) in line
    assert conf.read_text() == CONFIG


def test_error_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.nix"
    for args in (["list"], ["get", "a"], ["set", "a", "1"], ["unset", "a"]):
        line = one_line_error(run(*args, "--file", str(missing), cwd=tmp_path))
        assert "file not found" in line and str(missing) in line
    assert not missing.exists()


def test_error_add_below_non_attrset(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    data = b"{ cfg, ... }:\n{\n  services.openssh = cfg;\n}\n"
    path.write_bytes(data)
    line = one_line_error(run("set", "services.openssh.enable", "true", "--file", str(path),
                              cwd=tmp_path))
    assert "services.openssh" in line and "not an attribute set" in line
    assert_untouched(path, data)
