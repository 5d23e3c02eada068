"""``nixos-settings rebuild`` with a stand-in ``nixos-rebuild`` (and pkexec) on PATH."""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nixos_settings.cli import rebuild as cli_rebuild
from nixos_settings.core.system.rebuild import (
    Kind,
    Line,
    OutputClassifier,
    Progress,
    RebuildRequest,
)

REPO = Path(__file__).resolve().parents[2]
STANDINS = REPO / "tests" / "standins"

HARNESS = (
    "import argparse, sys\n"
    "from nixos_settings.cli import rebuild as cli_rebuild\n"
    "p = argparse.ArgumentParser(prog='nixos-settings')\n"
    "cli_rebuild.register(p.add_subparsers())\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


@pytest.fixture
def bindir(tmp_path: Path) -> Path:
    d = tmp_path / "bin"
    d.mkdir()
    for name in ("nixos-rebuild", "pkexec", "nixos-settings-helper"):
        (d / name).symlink_to(STANDINS / name)
    return d


def cli_env(bindir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PATH=f"{bindir}:{env['PATH']}", PYTHONPATH=str(REPO / "gui"))
    env.update({"STANDIN_REBUILD_DELAY": "0", **extra})
    return env


def run_cli(bindir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HARNESS, "rebuild", *args],
        capture_output=True,
        text=True,
        env=cli_env(bindir, **extra),
        timeout=60,
        check=False,
    )


def test_register_defines_the_subcommand() -> None:
    p = argparse.ArgumentParser()
    cli_rebuild.register(p.add_subparsers())
    args = p.parse_args(["rebuild", "boot", "--flake", "/etc/nixos#x", "--no-helper"])
    assert (args.action, args.flake, args.no_helper) == ("boot", "/etc/nixos#x", True)
    assert args.func is cli_rebuild.handler
    with pytest.raises(SystemExit):
        p.parse_args(["rebuild", "install"])


def test_build_streams_progress(bindir: Path, tmp_path: Path) -> None:
    record = tmp_path / "record"
    res = run_cli(bindir, "build", STANDIN_REBUILD_RECORD=str(record))
    assert res.returncode == 0, res.stdout
    out = res.stdout.splitlines()
    assert "these 3 derivations will be built:" in out
    progress = [line.split("]")[0] + "]" for line in out if line.startswith("[")]
    assert progress == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert out[-1].startswith("build succeeded in ")
    assert "\x1b" not in res.stdout  # not a terminal: no colours, no status line
    assert record.read_text().startswith("argv: [build]\n")


def test_eval_error_reports_location_and_status(bindir: Path, tmp_path: Path) -> None:
    conf = tmp_path / "conf.nix"
    conf.write_text("{ }\n")
    res = run_cli(bindir, "dry-build", "--file", str(conf), STANDIN_REBUILD_SCENARIO="eval-error")
    assert res.returncode == 1
    assert f"error location: {conf}:4:27" in res.stdout
    assert res.stdout.splitlines()[-1].startswith("dry-build failed (exit status 1) after")


def test_eval_error_in_the_current_nix_format_reports_the_users_place(bindir: Path,
                                                                      tmp_path: Path) -> None:
    """Nix 2.13+ prints a trace of store paths first; the place in the user's file wins."""
    conf = tmp_path / "conf.nix"
    conf.write_text("{ }\n")
    res = run_cli(bindir, "dry-build", "--file", str(conf),
                  STANDIN_REBUILD_SCENARIO="eval-error-new")
    assert res.returncode == 1
    assert f"error location: {conf}:4:27" in res.stdout
    assert "/nix/store" not in "".join(line for line in res.stdout.splitlines()
                                       if line.startswith("error location"))
    assert res.stdout.splitlines()[-1].endswith("error: undefined variable 'pkgz'")


def test_invalid_flake_is_refused_before_running(bindir: Path, tmp_path: Path) -> None:
    record = tmp_path / "record"
    res = run_cli(
        bindir, "build", "--flake", "/etc/nixos#h --impure", STANDIN_REBUILD_RECORD=str(record)
    )
    assert res.returncode == 2
    assert "invalid host name" in res.stderr
    assert not record.exists()


def test_ctrl_c_cancels(bindir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HARNESS, "rebuild", "build"],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(bindir, STANDIN_REBUILD_SCENARIO="slow", STANDIN_REBUILD_DELAY="0.01"),
    )
    assert proc.stdout is not None
    seen = ""
    while "building '" not in seen:
        seen += proc.stdout.readline()
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)  # only the CLI gets it; it must pass it on
    rest = proc.stdout.read()
    assert proc.wait(timeout=10) == 130
    assert time.monotonic() - started < 5
    assert "interrupted by the user" in rest
    assert "build cancelled after" in rest


def test_run_through_helper_and_pkexec(
    bindir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "etc-nixos"
    root.mkdir()
    (root / "flake.nix").write_text("{ outputs = _: { }; }\n")
    pk_record, rb_record = tmp_path / "pkexec", tmp_path / "rebuild"
    state = tmp_path / "state"
    state.mkdir()
    for key, value in cli_env(bindir).items():
        monkeypatch.setenv(key, value)
    for key, value in {
        "STANDIN_PYTHON": sys.executable,
        "STANDIN_PKEXEC_RECORD": str(pk_record),
        "STANDIN_REBUILD_RECORD": str(rb_record),
        "NIXOS_SETTINGS_HELPER_ROOT": str(root),
        "NIXOS_SETTINGS_HELPER_STATE": str(state),
        "NIXOS_SETTINGS_HELPER_PATH": str(bindir),
    }.items():
        monkeypatch.setenv(key, value)
    request = RebuildRequest("switch", flake=f"{root}#laptop", use_helper=True)
    argv = request.argv()
    assert argv[:2] == ["pkexec", str(STANDINS / "nixos-settings-helper")]
    lines: list[Line] = []
    classifier = OutputClassifier()
    outcome = cli_rebuild.run(argv, request, lambda line, _p: lines.append(line), None, classifier)
    assert outcome.ok, [line.text for line in lines]
    assert pk_record.read_text().split()[1:] == ["rebuild", "switch", "--flake", f"{root}#laptop"]
    assert f"argv: [switch] [--flake] [{os.path.realpath(root)}#laptop]" in rb_record.read_text()
    assert classifier.progress.fraction == 1.0
    assert any(line.text == "activating the configuration..." for line in lines)


def test_missing_program_outcome(tmp_path: Path) -> None:
    request = RebuildRequest("build")
    outcome = cli_rebuild.run([str(tmp_path / "nope")], request, lambda *_: None)
    assert outcome.error is not None and not outcome.ok


def test_printer_on_a_terminal() -> None:
    out = io.StringIO()
    printer = cli_rebuild.Printer(out, tty=True)
    progress = Progress(builds_total=2, builds_done=1, current="etc")
    printer.line(Line("[1/2 built] etc", Kind.PROGRESS, transient=True), progress)
    printer.line(Line("error: boom", Kind.ERROR), progress)
    printer.status(progress)
    text = out.getvalue()
    assert text.startswith("\r\x1b[K[1/2 built] etc\r\x1b[K\x1b[31merror: boom\x1b[0m\n")
    assert "1/2  50%" in text and "etc]" in text


def make_profiles(tmp_path: Path, current: int) -> Path:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for n in (4, 5, 6):
        target = tmp_path / f"store-{n}"
        (target / "bin").mkdir(parents=True)
        (target / "nixos-version").write_text(f"24.11.{n}\n")
        script = target / "bin" / "switch-to-configuration"
        script.write_text(f'#!/bin/sh\necho "gen {n}: $*" >> "{tmp_path}/switched"\n')
        script.chmod(0o755)
        (profiles / f"system-{n}-link").symlink_to(target)
    (profiles / "system").symlink_to(f"system-{current}-link")
    return profiles


def generations_args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    cli_rebuild.register(p.add_subparsers())
    return p.parse_args(["generations", *argv])


def test_generations_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profiles = make_profiles(tmp_path, current=5)
    assert cli_rebuild.generations_handler(generations_args("--profiles", str(profiles))) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["6", "5", "4"]
    assert out[1].endswith("24.11.5  (current)")
    empty = generations_args("--profiles", str(tmp_path / "none"))
    assert cli_rebuild.generations_handler(empty) == 1


def test_generations_switch_asks_then_runs(
    tmp_path: Path,
    bindir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profiles = make_profiles(tmp_path, current=6)
    (bindir / "nix-env").symlink_to(STANDINS / "nix-env")
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    args = generations_args("switch", "4", "--no-helper", "--profiles", str(profiles))
    asked: list[str] = []
    assert cli_rebuild.generations_handler(args, ask=lambda q: asked.append(q) or "n") == 1
    assert asked and asked[0].startswith("Switch the system to generation 4  ")
    assert not (tmp_path / "switched").exists()
    assert cli_rebuild.generations_handler(args, ask=lambda q: "y") == 0
    assert os.readlink(profiles / "system") == "system-4-link"
    assert (tmp_path / "switched").read_text() == "gen 4: switch\n"
    assert capsys.readouterr().out.splitlines()[-1].startswith("switch to generation 4 succeeded")
    missing = generations_args("switch", "9", "--yes", "--profiles", str(profiles))
    assert cli_rebuild.generations_handler(missing) == 2


def test_generations_rollback_direct(
    tmp_path: Path, bindir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = make_profiles(tmp_path, current=6)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_REBUILD_RECORD", str(tmp_path / "record"))
    monkeypatch.setenv("STANDIN_REBUILD_DELAY", "0")
    args = generations_args("rollback", "--yes", "--no-helper", "--profiles", str(profiles))
    assert cli_rebuild.generations_handler(args) == 0
    assert (tmp_path / "record").read_text().startswith("argv: [switch] [--rollback]\n")


def test_file_given_before_the_subcommand_is_kept(bindir: Path, tmp_path: Path) -> None:
    """Through the real top-level parser: ``nixos-settings --file F rebuild build``."""
    record = tmp_path / "record"
    conf = tmp_path / "c.nix"
    conf.write_text("{ }\n")
    code = "import sys; from nixos_settings.cli.main import main; sys.exit(main())"
    res = subprocess.run(
        [sys.executable, "-c", code, "--file", str(conf), "rebuild", "build"],
        capture_output=True,
        text=True,
        env=cli_env(bindir, STANDIN_REBUILD_RECORD=str(record)),
        timeout=60,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert record.read_text().startswith(f"argv: [build] [-I] [nixos-config={conf}]\n")


HOME_NIX = '{ pkgs, ... }:\n{\n  home.username = "jane";\n  home.stateVersion = "23.11";\n}\n'


def test_a_home_manager_file_is_applied_with_home_manager(bindir: Path, tmp_path: Path) -> None:
    """``rebuild`` on a standalone home.nix runs ``home-manager`` as the user (the desktop
    app's choice too), never ``nixos-rebuild`` through the root helper."""
    (bindir / "home-manager").symlink_to(STANDINS / "home-manager")
    home = tmp_path / "home.nix"
    home.write_text(HOME_NIX)
    record = tmp_path / "record"
    for action, expected in (("switch", "switch"), ("dry-build", "build"), ("build", "build")):
        res = run_cli(bindir, action, "--file", str(home), STANDIN_REBUILD_RECORD=str(record))
        assert res.returncode == 0, res.stderr
        assert record.read_text().splitlines()[-1] == f"argv: [{expected}] [-f] [{home}]"
    res = run_cli(bindir, "boot", "--file", str(home), STANDIN_REBUILD_RECORD=str(record))
    assert res.returncode == 2
    assert res.stderr == ("nixos-settings rebuild: home.nix is a Home Manager configuration, "
                          "applied with home-manager, which has no 'boot': use switch, or "
                          "build to check it\n")
    assert len(record.read_text().splitlines()) == 3


def test_a_flake_without_host_takes_its_only_host_or_says_how_to_pick(bindir: Path,
                                                                      tmp_path: Path) -> None:
    flake = tmp_path / "fl"
    flake.mkdir()
    host = ('{0} = nixpkgs.lib.nixosSystem {{ system = "x86_64-linux"; '
            'modules = [ ./{0}.nix ]; }};')
    text = "{{\n  outputs = {{ self, nixpkgs }}: {{\n    nixosConfigurations.{0}\n  }};\n}}\n"
    (flake / "flake.nix").write_text(text.format(host.format("solo")))
    (flake / "solo.nix").write_text("{ ... }: { networking.hostName = \"solo\"; }\n")
    record = tmp_path / "record"
    res = run_cli(bindir, "build", "--flake", str(flake), STANDIN_REBUILD_RECORD=str(record))
    assert res.returncode == 0, res.stderr
    assert record.read_text().startswith(f"argv: [build] [--flake] [{flake}#solo]")
    (flake / "flake.nix").write_text(text.format(
        "{\n" + host.format("a") + "\n" + host.format("b") + "\n}").replace(
        "nixosConfigurations.{", "nixosConfigurations = {").replace("}\n  };", "};\n  };"))
    res = run_cli(bindir, "build", "--flake", str(flake))
    assert res.returncode == 2
    assert res.stderr == (f"nixos-settings rebuild: {flake / 'flake.nix'}: the flake has "
                          "several hosts (a, b); pick one by adding #HOST to the flake's path, "
                          f"for example --flake {flake}#a\n")
