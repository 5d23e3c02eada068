"""The privileged helper, run as a real subprocess against a temporary configuration root.

NixOS is not available here: ``nixos-rebuild`` and ``nix-env`` are the stand-ins from
``tests/standins`` (linked into a private bin directory so that no other stand-in shadows
the real ``nix-instantiate`` used for the parse check).
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from nixos_settings import helper
from nixos_settings.core.system import rebuild

REPO = Path(__file__).resolve().parents[2]
STANDINS = REPO / "tests" / "standins"
HAVE_NIX = shutil.which("nix-instantiate") is not None

CONFIG = b"{ config, pkgs, ... }:\n{\n  services.openssh.enable = true;\n}\n"


@dataclass
class Sandbox:
    root: Path
    state: Path
    profiles: Path
    outside: Path
    record: Path
    env: dict[str, str]

    def run(
        self, *args: str, input: bytes = b"", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "nixos_settings.helper", *args],
            input=input,
            capture_output=True,
            env=env or self.env,
            timeout=60,
            check=False,
        )

    def write(
        self, path: str, *rest: str, input: bytes, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """``write PATH --expect HASH`` with the hash of what PATH holds now (or ``new``)."""
        where = Path(path) if os.path.isabs(path) else self.root / path
        try:
            expect = hashlib.sha256(where.read_bytes()).hexdigest()
        except OSError:
            expect = "new"
        return self.run("write", path, *rest, "--expect", expect, input=input, env=env)

    def recorded_argv(self) -> list[str]:
        lines = self.record.read_text().splitlines() if self.record.exists() else []
        return [line for line in lines if line.startswith("argv:")]

    def log(self) -> str:
        return (self.state / "helper.log").read_text()


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return make_sandbox(tmp_path)


def make_sandbox(tmp_path: Path) -> Sandbox:
    """A temporary configuration root, state and profile folders, and stand-ins."""
    root = tmp_path / "etc-nixos"
    (root / "hosts").mkdir(parents=True)
    (root / "configuration.nix").write_bytes(CONFIG)
    (root / "hosts" / "laptop.nix").write_bytes(b"{ }\n")
    (root / "flake.nix").write_bytes(b"{ outputs = { self }: { }; }\n")
    state, profiles, outside, bindir = (tmp_path / n for n in ("state", "prof", "out", "bin"))
    for d in (state, profiles, outside, bindir):
        d.mkdir()
    (outside / "secret").write_text("root:$6$hash:19000:0:99999:7:::\n")
    for name in ("nixos-rebuild", "nix-env"):
        (bindir / name).symlink_to(STANDINS / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PKEXEC_UID", "SUDO_UID", "DOAS_USER")}
    env.update(
        PYTHONPATH=str(REPO / "gui"),
        NIXOS_SETTINGS_HELPER_ROOT=str(root),
        NIXOS_SETTINGS_HELPER_STATE=str(state),
        NIXOS_SETTINGS_HELPER_PROFILES=str(profiles),
        NIXOS_SETTINGS_HELPER_PATH=str(bindir),
        STANDIN_REBUILD_RECORD=str(tmp_path / "record"),
        STANDIN_REBUILD_DELAY="0",
    )
    env.pop("NIX_PATH", None)
    return Sandbox(root, state, profiles, outside, tmp_path / "record", env)


# ----------------------------------------------------------------------------- write


@pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")
def test_write_replaces_atomically_keeps_mode_owner_and_backs_up(box: Sandbox) -> None:
    target = box.root / "configuration.nix"
    target.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(target, 1234, 5678)
    before_inode = target.stat().st_ino
    new = CONFIG.replace(b"true", b"false")
    res = box.write("configuration.nix", input=new)
    assert res.returncode == 0, res.stderr
    assert target.read_bytes() == new
    st = target.stat()
    assert st.st_ino != before_inode  # renamed into place, not rewritten in place
    assert st.st_mode & 0o7777 == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 5678)
    (folder,) = (box.state / "backups").iterdir()
    assert folder.name.startswith("configuration.nix-")
    (backup,) = folder.glob("*.nix")
    assert backup.read_bytes() == CONFIG
    assert (folder / "ORIGIN").read_text() == "configuration.nix\n"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert f"wrote {len(new)} bytes to {target}" in box.log()
    assert not [p for p in box.root.iterdir() if "tmp" in p.name]


@pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")
def test_write_absolute_path_and_new_file(box: Sandbox) -> None:
    res = box.write(
        str(box.root / "hosts" / "desk.nix"), input=b'{ networking.hostName = "desk"; }\n'
    )
    assert res.returncode == 0, res.stderr
    new = box.root / "hosts" / "desk.nix"
    assert new.read_bytes().startswith(b"{ networking")
    assert new.stat().st_mode & 0o777 == 0o644
    assert not (box.state / "backups").exists()


def assert_refused(res: subprocess.CompletedProcess[bytes], status: int = 2) -> None:
    assert res.returncode == status, (res.returncode, res.stderr)
    assert b"refused" in res.stderr


@pytest.mark.parametrize(
    "path",
    [
        "../out/secret.nix",
        "hosts/../../out/x.nix",
        "hosts/../configuration.nix",
        "/etc/passwd",
        "/etc/shadow",
        "-configuration.nix",
        "--help",
        "configuration.txt",
        "",
        "conf\nig.nix",
        "hosts",
    ],
)
def test_write_refuses_bad_paths(box: Sandbox, path: str) -> None:
    res = box.write(path, input=b"{ }\n")
    assert_refused(res)
    assert (box.root / "configuration.nix").read_bytes() == CONFIG
    assert "refused write" in box.log()


def test_write_refuses_symlink_to_shadow_and_outside(box: Sandbox) -> None:
    (box.root / "shadow.nix").symlink_to("/etc/shadow")
    (box.root / "secret.nix").symlink_to(box.outside / "secret")
    (box.root / "escape").symlink_to(box.outside)
    for arg in ("shadow.nix", "secret.nix", "escape/new.nix", str(box.root / "secret.nix")):
        assert_refused(box.write(arg, input=b"{ }\n"))
    assert (box.outside / "secret").read_text().startswith("root:")
    assert not (box.outside / "new.nix").exists()
    assert (box.root / "secret.nix").is_symlink()


@pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")
def test_symlink_inside_root_writes_its_target(box: Sandbox) -> None:
    (box.root / "alias.nix").symlink_to("hosts/laptop.nix")
    res = box.write("alias.nix", input=b"{ a = 1; }\n")
    assert res.returncode == 0, res.stderr
    assert (box.root / "hosts" / "laptop.nix").read_bytes() == b"{ a = 1; }\n"
    assert (box.root / "alias.nix").is_symlink()


def test_write_refuses_hard_link(box: Sandbox) -> None:
    os.link(box.outside / "secret", box.root / "linked.nix")
    assert_refused(box.write("linked.nix", input=b"{ }\n"))
    assert (box.outside / "secret").read_text().startswith("root:")


def test_open_dir_nofollow_refuses_a_swapped_directory(box: Sandbox) -> None:
    # The race the descriptor walk closes: a directory replaced by a symlink after the
    # path was resolved.  Simulated by asking the walk to traverse the symlink directly.
    (box.root / "swapped").symlink_to(box.outside)
    with pytest.raises(helper.Refused):
        helper._open_dir_nofollow(str(box.root), ["swapped"])


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{ a = ; }\n", b"does not parse"),
        (b'{ a = "caf\xe9"; }\n', b"not valid UTF-8"),
        (b"{ a = 1; }\0\n", b"NUL"),
        (b"#" * (4 * 1024 * 1024) + b"\n", b"larger than"),
    ],
    ids=["parse-error", "latin1", "nul", "huge"],
)
def test_write_refuses_bad_content(box: Sandbox, content: bytes, why: bytes) -> None:
    if why == b"does not parse" and not HAVE_NIX:
        pytest.skip("nix-instantiate not installed")
    res = box.write("configuration.nix", input=content)
    assert_refused(res, status=3)
    assert why in res.stderr
    assert (box.root / "configuration.nix").read_bytes() == CONFIG
    assert not (box.state / "backups").exists()


def test_write_takes_exactly_one_path(box: Sandbox) -> None:
    assert_refused(box.run("write", input=b"{ }\n"))
    assert_refused(box.write("a.nix", "b.nix", input=b"{ }\n"))


# ----------------------------------------------------------------------------- rebuild


def test_rebuild_channel_default(box: Sandbox) -> None:
    res = box.run("rebuild", "switch")
    assert res.returncode == 0, res.stderr
    assert box.recorded_argv() == ["argv: [switch]"]
    assert b"activating the configuration..." in res.stderr  # passed through
    seen = box.record.read_text()
    # pkexec clears the environment: the helper must provide these itself.
    assert "NIX_PATH=" in seen and "NIX_PATH=\n" not in seen
    assert "/run/current-system/sw/bin" in seen
    assert "running nixos-rebuild switch" in box.log()
    assert "exited with status 0" in box.log()


def test_rebuild_channel_other_file(box: Sandbox) -> None:
    res = box.run("rebuild", "dry-build", "--config", "hosts/laptop.nix")
    assert res.returncode == 0, res.stderr
    laptop = os.path.realpath(box.root / "hosts" / "laptop.nix")
    assert box.recorded_argv() == [f"argv: [dry-build] [-I] [nixos-config={laptop}]"]


def test_rebuild_flake(box: Sandbox) -> None:
    res = box.run("rebuild", "boot", "--flake", f"{box.root}#laptop")
    assert res.returncode == 0, res.stderr
    real = os.path.realpath(box.root)
    assert box.recorded_argv() == [f"argv: [boot] [--flake] [{real}#laptop]"]


def test_rebuild_passes_exit_status_and_output(box: Sandbox) -> None:
    env = dict(box.env, STANDIN_REBUILD_SCENARIO="eval-error")
    res = box.run("rebuild", "test", env=env)
    assert res.returncode == 1
    assert b"error: undefined variable 'pkgz' at /etc/nixos/configuration.nix:4:27" in res.stderr
    assert "exited with status 1" in box.log()


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["install"],
        ["--option"],
        ["switch --rollback"],
        ["switch", "--rollback"],
        ["switch", "--impure"],
        ["switch", "--flake"],
        ["switch", "--flake", "{root}#host --option"],
        ["switch", "--flake", "{root}#host;id"],
        ["switch", "--flake", "{root}#-host"],
        ["switch", "--flake", "{root}"],
        ["switch", "--flake", "{root}/hosts#host"],  # no flake.nix there
        ["switch", "--flake", "{outside}#host"],
        ["switch", "--flake", "{root}/../out#host"],
        ["switch", "--flake", "github:evil/flake#host"],
        ["switch", "--flake", "{root}#host", "--config", "configuration.nix"],
        ["switch", "--config", "../out/secret"],
        ["switch", "--config", "/etc/shadow"],
        ["switch", "--config", "missing.nix"],
        ["switch", "--config=configuration.nix"],
        ["switch", "-I", "nixos-config=/tmp/evil.nix"],
    ],
)
def test_rebuild_refuses_hostile_arguments(box: Sandbox, args: list[str]) -> None:
    args = [a.format(root=box.root, outside=box.outside) for a in args]
    res = box.run("rebuild", *args)
    assert_refused(res)
    assert box.recorded_argv() == []


def test_cancel_line_interrupts_rebuild(box: Sandbox) -> None:
    env = dict(box.env, STANDIN_REBUILD_SCENARIO="slow")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nixos_settings.helper", "rebuild", "switch"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdin is not None and proc.stderr is not None
    seen = b""
    while b"building '" not in seen:
        seen += proc.stderr.readline()
    started = time.monotonic()
    proc.stdin.write(b"cancel\n")
    proc.stdin.flush()
    rest = proc.stderr.read()
    assert proc.wait(timeout=10) == 130
    assert time.monotonic() - started < 5
    assert b"interrupted by the user" in rest
    assert "exited with status 130" in box.log()


def test_runner_escalates_to_kill(monkeypatch: pytest.MonkeyPatch, box: Sandbox) -> None:
    monkeypatch.setattr(helper.running, "ESCALATE_AFTER", (0.3, 0.3))
    env = dict(box.env, STANDIN_REBUILD_SCENARIO="slow", STANDIN_REBUILD_IGNORE_INT="1")
    env["PATH"] = f"{box.env['NIXOS_SETTINGS_HELPER_PATH']}:{env['PATH']}"
    runner = helper.Runner(env)
    runner.cancel_requested.set()
    started = time.monotonic()
    code = runner.run(["nixos-rebuild", "switch"])
    assert code == 128 + signal.SIGKILL
    assert 0.5 < time.monotonic() - started < 5


def test_missing_nixos_rebuild(box: Sandbox) -> None:
    env = dict(box.env, NIXOS_SETTINGS_HELPER_PATH=str(box.outside))
    res = box.run("rebuild", "build", env=env)
    if shutil.which("nixos-rebuild", path=":".join(helper.SYSTEM_PATH)):
        pytest.skip("a real nixos-rebuild is installed")
    assert res.returncode == 127
    assert b"nixos-rebuild not found" in res.stderr


# ----------------------------------------------------------------------------- rollback


def make_generation(profiles: Path, n: int, record: Path) -> None:
    target = profiles.parent / f"store-{n}"
    (target / "bin").mkdir(parents=True)
    script = target / "bin" / "switch-to-configuration"
    script.write_text(f'#!/bin/sh\necho "gen {n}: $*" >> "{record}"\n')
    script.chmod(0o755)
    (profiles / f"system-{n}-link").symlink_to(target)


def test_rollback(box: Sandbox) -> None:
    res = box.run("rollback")
    assert res.returncode == 0, res.stderr
    assert box.recorded_argv() == ["argv: [switch] [--rollback]"]
    assert_refused(box.run("rollback", "--now"))


def test_switch_generation(box: Sandbox, tmp_path: Path) -> None:
    switched = tmp_path / "switched"
    for n in (1, 2, 3):
        make_generation(box.profiles, n, switched)
    (box.profiles / "system").symlink_to("system-3-link")
    env = dict(box.env, STANDIN_NIXENV_RECORD=str(tmp_path / "nixenv"))
    res = box.run("switch-generation", "2", env=env)
    assert res.returncode == 0, res.stderr
    assert os.readlink(box.profiles / "system") == "system-2-link"
    assert switched.read_text() == "gen 2: switch\n"
    assert (tmp_path / "nixenv").read_text() == (
        f"--profile {box.profiles}/system --switch-generation 2\n"
    )
    from nixos_settings.core.system.generations import list_generations

    assert [g.current for g in list_generations(box.profiles)] == [False, True, False]


@pytest.mark.parametrize("arg", ["0", "-1", "02", "2 --foo", "abc", "9", "1e3", ""])
def test_switch_generation_refuses(box: Sandbox, tmp_path: Path, arg: str) -> None:
    make_generation(box.profiles, 2, tmp_path / "switched")
    assert_refused(box.run("switch-generation", arg))
    assert not (tmp_path / "switched").exists()


def test_unknown_verb_and_usage(box: Sandbox) -> None:
    for args in ([], ["sh"], ["--help"], ["write-config", "x.nix"]):
        res = box.run(*args)
        assert res.returncode == 2
        assert b"usage:" in res.stderr


# ----------------------------------------------------------------------------- settings


def test_overrides_ignored_when_elevated(tmp_path: Path) -> None:
    over = {"NIXOS_SETTINGS_HELPER_ROOT": str(tmp_path), "NIXOS_SETTINGS_HELPER_PATH": "/x"}
    for elevated in ({"PKEXEC_UID": "1000"}, {"SUDO_UID": "1000"}, {"DOAS_USER": "bob"}):
        s = helper.Settings.from_env({**over, **elevated})
        assert not s.test_mode
        assert s.root == "/etc/nixos" and s.extra_path == []
        assert s.log_file == "/var/log/nixos-settings-helper.log"
    s = helper.Settings.from_env(over)
    assert s.test_mode and s.root == str(tmp_path) and s.extra_path == ["/x"]
    with pytest.raises(helper.Refused):
        helper.Settings.from_env({"NIXOS_SETTINGS_HELPER_ROOT": "relative/dir"})


def test_elevated_run_confines_to_etc_nixos(
    box: Sandbox, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # With PKEXEC_UID set the temporary root must be ignored: the file is outside /etc/nixos.
    # In-process, with the log file injected: a test never writes the system's log.
    env = dict(box.env, PKEXEC_UID="1000")
    log = tmp_path / "elevated.log"
    args = ["rebuild", "switch", "--config", str(box.root / "configuration.nix")]
    assert helper.main(args, environ=env, log_file=str(log)) == 2
    assert "outside /etc/nixos" in capfd.readouterr().err
    assert "refused rebuild" in log.read_text()
    assert box.recorded_argv() == []


def test_child_env_is_fixed_whatever_the_caller_passes(tmp_path: Path) -> None:
    caller = {"LC_TIME": "de_DE.UTF-8", "LANG": "xx", "SECRET": "x", "NIX_PATH": "nixpkgs=/x",
              "PATH": "/tmp/evil", "LD_PRELOAD": "/tmp/evil.so"}
    env = helper.child_env(helper.Settings(), caller)
    assert env["PATH"].split(":")[:2] == ["/run/wrappers/bin", "/run/current-system/sw/bin"]
    assert env["LANG"] == "C.UTF-8" and "LC_TIME" not in env
    assert "SECRET" not in env and "LD_PRELOAD" not in env
    assert env["NIX_PATH"] != "nixpkgs=/x" and env["NIX_PATH"]
    assert env["HOME"] == ("/root" if os.geteuid() == 0 else os.path.expanduser("~"))
    test_mode = helper.child_env(helper.Settings(test_mode=True), caller)
    assert test_mode["NIX_PATH"] == "nixpkgs=/x"  # test mode: the caller's own rights


def test_read_nix_path(tmp_path: Path) -> None:
    f = tmp_path / "set-environment"
    f.write_text(
        '# DO NOT EDIT\nexport PAGER="less"\n'
        'export NIX_PATH="nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos'
        ':nixos-config=/etc/nixos/configuration.nix"\n'
    )
    assert helper.read_nix_path(str(f)) == (
        "nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos"
        ":nixos-config=/etc/nixos/configuration.nix"
    )
    f.write_text('export NIX_PATH="$(evil)"\n')
    assert helper.read_nix_path(str(f)) is None
    assert helper.read_nix_path(str(tmp_path / "missing")) is None


def test_helper_imports_only_the_standard_library() -> None:
    code = (
        "import sys, nixos_settings.helper\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('nixos_settings', 'PySide6', 'tree_sitter', 'tree_sitter_nix', 'orjson')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "gui")},
        check=True,
    ).stdout
    loaded = ast.literal_eval(out.strip())
    assert loaded[:2] == ["nixos_settings", "nixos_settings.helper"]
    assert all(m.startswith("nixos_settings.helper.") for m in loaded[2:]), loaded


def test_helper_and_core_agree_on_actions_and_hosts() -> None:
    assert helper.ACTIONS == rebuild.ACTIONS
    for host in ("laptop", "my_host-2", "-x", "a b", "x;y", "", "h" * 64, "ünï"):
        assert bool(helper.HOST_RE.fullmatch(host)) == bool(rebuild._HOST_RE.fullmatch(host))


@pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")
def test_symlinked_configuration_directory(box: Sandbox, tmp_path: Path) -> None:
    """/etc/nixos is often a symlink to a checkout elsewhere; both spellings work."""
    link = tmp_path / "etc-nixos-link"
    link.symlink_to(box.root)
    env = dict(box.env, NIXOS_SETTINGS_HELPER_ROOT=str(link))
    for arg in ("configuration.nix", str(link / "hosts" / "laptop.nix"), str(box.root / "x.nix")):
        res = box.write(arg, input=b"{ b = 2; }\n", env=env)
        assert res.returncode == 0, (arg, res.stderr)
    assert (box.root / "configuration.nix").read_bytes() == b"{ b = 2; }\n"
    assert (box.root / "hosts" / "laptop.nix").read_bytes() == b"{ b = 2; }\n"
    assert (box.root / "x.nix").read_bytes() == b"{ b = 2; }\n"
    assert_refused(box.write(str(tmp_path / "x.nix"), input=b"{ }\n", env=env))
    assert_refused(box.write("missing-dir/x.nix", input=b"{ }\n", env=env))
