"""Many hosts in one flake: hosts, shared files and their reach, deployment targets, the
exact command of every engine, and running several deployments at once (stand-in engines
on PATH that print their real output format and record their argv)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nixos_settings.core.system import deploy, fleet

ROOT = Path(__file__).resolve().parents[2]
STANDINS = ROOT / "tests" / "standins"

FLAKE = """{
  description = "three machines";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs, ... }:
    let common = [ ./common.nix ];
    in {
      nixosConfigurations = {
        laptop = nixpkgs.lib.nixosSystem {
          system = "x86_64-linux";
          modules = [ ./common.nix ./hosts/laptop.nix ];
        };
        server = nixpkgs.lib.nixosSystem {
          system = "x86_64-linux";
          modules = [ ./common.nix ./hosts/server.nix ];
        };
        pi = nixpkgs.lib.nixosSystem {
          system = "aarch64-linux";
          modules = [ ./common.nix ./hosts/pi.nix ];
        };
      };
      colmena = {
        meta.nixpkgs = import nixpkgs { system = "x86_64-linux"; };
        server = { deployment.targetHost = "10.0.0.2"; deployment.targetUser = "admin"; };
        pi = { deployment = { targetHost = "pi.lan"; }; };
      };
      deploy.nodes.laptop = { hostname = "laptop.lan"; sshUser = "me"; };
    };
}
"""


@pytest.fixture
def flake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    d = tmp_path / "fleet"
    (d / "hosts").mkdir(parents=True)
    (d / "flake.nix").write_text(FLAKE)
    (d / "common.nix").write_text("{ ... }:\n{\n  imports = [ ./users.nix ];\n"
                                  "  time.timeZone = \"UTC\";\n}\n")
    (d / "users.nix").write_text("{ ... }:\n{\n  users.users.admin.isNormalUser = true;\n}\n")
    for h in ("laptop", "server", "pi"):
        host_file = d / "hosts" / f"{h}.nix"
        host_file.write_text(f'{{ ... }}:\n{{\n  networking.hostName = "{h}";\n}}\n')
    return d


def test_hosts_files_targets_and_engines(flake: Path) -> None:
    hosts = {h.name: h for h in fleet.list_hosts(flake)}
    assert list(hosts) == ["laptop", "server", "pi"]
    assert hosts["pi"].system == "aarch64-linux" and hosts["laptop"].system == "x86_64-linux"
    assert hosts["server"].files == sorted([flake / "flake.nix", flake / "common.nix",
                                            flake / "users.nix", flake / "hosts" / "server.nix"])
    assert hosts["server"].target == "admin@10.0.0.2" and hosts["server"].target_from == "colmena"
    assert hosts["pi"].target == "pi.lan"
    assert hosts["laptop"].target == "me@laptop.lan"
    assert hosts["laptop"].engines == ["nixos-rebuild", "deploy-rs"]
    assert hosts["server"].engines == ["nixos-rebuild", "colmena"]
    reach = fleet.reach(list(hosts.values()))
    assert reach[flake / "common.nix"] == ["laptop", "server", "pi"]  # a shared module
    assert reach[flake / "users.nix"] == ["laptop", "server", "pi"]  # imported by it
    assert reach[flake / "hosts" / "pi.nix"] == ["pi"]


def test_the_exact_command_of_every_engine(flake: Path) -> None:
    hosts = {h.name: h for h in fleet.list_hosts(flake)}
    ref = f"{flake}#server"
    assert fleet.command(flake, hosts["server"], "nixos-rebuild", "switch") == [
        "nixos-rebuild", "switch", "--flake", ref, "--target-host", "admin@10.0.0.2",
        "--use-remote-sudo"]
    assert fleet.command(flake, hosts["server"], "nixos-rebuild", "dry-build") == [
        "nixos-rebuild", "dry-build", "--flake", ref]
    assert fleet.command(flake, hosts["server"], "colmena", "boot") == [
        "colmena", "apply", "boot", "--on", "server"]
    assert fleet.command(flake, hosts["laptop"], "deploy-rs", "switch") == [
        "deploy", f"{flake}#laptop"]
    assert fleet.command(flake, hosts["laptop"], "deploy-rs", "dry-build") == [
        "deploy", "--dry-activate", f"{flake}#laptop"]
    assert fleet.pick_engine(hosts["server"]) == "colmena"
    assert fleet.pick_engine(hosts["laptop"]) == "deploy-rs"
    with pytest.raises(fleet.FleetError, match="deploy-rs cannot build only"):
        fleet.command(flake, hosts["laptop"], "deploy-rs", "build")
    with pytest.raises(fleet.FleetError, match="colmena has no dry build"):
        fleet.command(flake, hosts["server"], "colmena", "dry-build")
    with pytest.raises(fleet.FleetError, match="pi is not set up for deploy-rs"):
        fleet.pick_engine(hosts["pi"], "deploy-rs")


def test_a_target_given_once_is_remembered_outside_the_users_files(flake: Path) -> None:
    before = {p: p.read_bytes() for p in flake.rglob("*.nix")}
    text = FLAKE.replace('deployment.targetHost = "10.0.0.2"; ', "")
    (flake / "flake.nix").write_text(text)
    before[flake / "flake.nix"] = text.encode()
    server = next(h for h in fleet.list_hosts(flake) if h.name == "server")
    assert server.target is None
    with pytest.raises(fleet.FleetError, match="no deployment target for server: give one "
                       "with --target server=USER@ADDRESS"):
        fleet.command(flake, server, "nixos-rebuild", "switch")
    fleet.Targets().remember(flake, "server", "root@192.0.2.7")
    server = next(h for h in fleet.list_hosts(flake) if h.name == "server")
    assert (server.target, server.target_from) == ("root@192.0.2.7", "remembered")
    assert fleet.command(flake, server, "nixos-rebuild", "test")[-2:] == [
        "--target-host", "root@192.0.2.7"]  # root: no --use-remote-sudo
    assert {p: p.read_bytes() for p in flake.rglob("*.nix")} == before


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, check=False, timeout=120)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "gui"),
                PATH=f"{STANDINS}{os.pathsep}{os.environ['PATH']}",
                XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)


def test_cli_hosts_json(flake: Path, tmp_path: Path) -> None:
    out = _cli("hosts", "--flake", str(flake), "--json", env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    hosts = json.loads(out.stdout)
    assert [h["name"] for h in hosts] == ["laptop", "server", "pi"]
    assert all({"name", "system", "files", "target", "engines"} <= set(h) for h in hosts)
    assert "common.nix" in hosts[0]["files"] and "hosts/laptop.nix" in hosts[0]["files"]
    assert hosts[2]["target"] == "pi.lan"


def test_cli_deploys_every_host_and_one_failure_stops_no_other(flake: Path,
                                                              tmp_path: Path) -> None:
    record = tmp_path / "argv.txt"
    env = _env(tmp_path, STANDIN_DEPLOY_RECORD=str(record), STANDIN_FAIL_HOSTS="pi")
    out = _cli("deploy", "switch", "--flake", str(flake), "--all", "--json", env=env)
    assert out.returncode == 1, out.stderr  # pi failed
    result = {r["host"]: r for r in json.loads(out.stdout)}
    assert result["server"]["status"] == "ok" and result["laptop"]["status"] == "ok"
    assert result["pi"]["status"] == "failed"
    assert any("Failed to deploy to pi" in line for line in result["pi"]["log_tail"])
    assert result["server"]["command"] == ["colmena", "apply", "switch", "--on", "server"]
    assert result["laptop"]["engine"] == "deploy-rs"
    calls = sorted(record.read_text().splitlines())
    assert calls == sorted(["colmena [apply] [switch] [--on] [server]",
                            "colmena [apply] [switch] [--on] [pi]",
                            f"deploy [{flake}#laptop]"])


def test_cli_deploy_through_nixos_rebuild_with_a_target_given_once(flake: Path,
                                                                   tmp_path: Path) -> None:
    record = tmp_path / "rebuild.txt"
    env = _env(tmp_path, STANDIN_REBUILD_RECORD=str(record))
    out = _cli("deploy", "test", "--flake", str(flake), "--on", "pi", "--engine",
               "nixos-rebuild", "--target", "pi=root@pi.lan", env=env)
    assert out.returncode == 0, out.stderr
    # shown exactly as run, quoted so it can be copied into a shell; the flake's own target
    # wins over one given for the app
    assert (f"pi: nixos-rebuild test --flake '{flake}#pi' --target-host pi.lan "
            "--use-remote-sudo") in out.stderr
    argv = record.read_text().splitlines()[0]
    assert argv == (f"argv: [test] [--flake] [{flake}#pi] [--target-host] [pi.lan] "
                    "[--use-remote-sudo]")
    bad = _cli("deploy", "switch", "--flake", str(flake), "--on", "mars", env=env)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "no host mars in the flake (laptop, server, pi)" in bad.stderr


def test_parallel_limit_and_cancel(tmp_path: Path) -> None:
    log = tmp_path / "times"
    script = f"echo start $(date +%s.%N) >> {log}; sleep 0.3; echo end $(date +%s.%N) >> {log}"
    jobs = [deploy.Deployment(f"h{i}", "nixos-rebuild", ["sh", "-c", script]) for i in range(6)]
    deploy.run_all(jobs, parallel=2)
    assert all(j.status == deploy.OK for j in jobs)
    events = sorted((float(t), kind) for kind, t in
                    (line.split() for line in log.read_text().splitlines()))
    running = peak = 0
    for _t, kind in events:
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert peak == 2
    cancel = threading.Event()
    slow = [deploy.Deployment(f"s{i}", "colmena", ["sh", "-c", "echo building; sleep 30"])
            for i in range(4)]
    threading.Timer(0.5, cancel.set).start()
    t0 = time.monotonic()
    deploy.run_all(slow, parallel=2, cancel_all=cancel)
    assert time.monotonic() - t0 < 10
    assert {j.status for j in slow} == {deploy.CANCELLED}
    assert deploy.summary(slow) == "4 hosts: 4 cancelled (s0, s1, s2, s3)"


def test_a_missing_engine_fails_its_host_in_plain_words() -> None:
    (job,) = deploy.run_all([deploy.Deployment("x", "colmena", ["no-such-colmena-here"])])
    assert job.status == deploy.FAILED
    assert "could not be started" in job.log[0] and "installed" in job.log[0]
