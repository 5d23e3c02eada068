"""The root helper against hostile input: every case runs the real helper as a subprocess
(or in-process with the log injected) on temporary roots, never the real ``/etc``.

Covers: arguments that are not UTF-8, C1 controls and bidi overrides, long paths, closed
standard streams, FIFOs (named as the target or swapped in), a configuration root reached
through folders another user could change, and "every error is one line".
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.unit.test_helper import CONFIG, HAVE_NIX, Sandbox, make_sandbox

from nixos_settings import helper
from nixos_settings.helper import files as helper_files

needs_nix = pytest.mark.skipif(not HAVE_NIX, reason="nix-instantiate not installed")
ROOT = os.geteuid() == 0


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return make_sandbox(tmp_path)


def one_line(res: subprocess.CompletedProcess[bytes], status: int = 2) -> str:
    assert res.returncode == status, (res.returncode, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert b"Traceback" not in res.stderr
    return lines[0].decode("utf-8")


# -- 6. arguments that are not UTF-8 -------------------------------------------------------


def test_path_that_is_not_utf8_is_refused_and_logged(box: Sandbox) -> None:
    bad = os.fsdecode(b"conf\xffig.nix")
    line = one_line(box.run("write", bad, "--expect", "new", input=b"{ }\n"))
    assert "not valid UTF-8" in line and "\\xff" in line
    assert not any(b"\xff" in os.fsencode(p) for p in os.listdir(box.root))
    assert "refused write" in box.log() and "conf\\xffig.nix" in box.log()


def test_flake_reference_that_is_not_utf8_is_refused(box: Sandbox) -> None:
    line = one_line(box.run("rebuild", "switch", "--flake", os.fsdecode(b"\xff#h")))
    assert "not valid UTF-8" in line
    assert box.recorded_argv() == []


# -- 9. control characters, long paths, closed streams ----------------------------------


@pytest.mark.parametrize("char", ["\x85", "\x9b", "\x80", "\u2028", "\u202e", "\x7f", "\x1b"])
def test_c1_controls_and_bidi_overrides_are_refused(box: Sandbox, char: str) -> None:
    line = one_line(box.write(f"a{char}b.nix", input=b"{ }\n"))
    assert "control characters" in line
    assert sorted(os.listdir(box.root)) == ["configuration.nix", "flake.nix", "hosts"]


@needs_nix
def test_a_long_path_is_written_and_backed_up(box: Sandbox) -> None:
    deep = box.root / ("d" * 100) / ("e" * 100)
    deep.mkdir(parents=True)
    name = "f" * 120 + ".nix"
    (deep / name).write_bytes(b"{ }\n")
    rel = str((deep / name).relative_to(box.root))
    assert len(rel) > 300
    res = box.write(rel, input=b"{ a = 1; }\n")
    assert res.returncode == 0, res.stderr
    assert (deep / name).read_bytes() == b"{ a = 1; }\n"
    (folder,) = (box.state / "backups").iterdir()
    assert len(folder.name) < 120
    assert [p.read_bytes() for p in folder.glob("*.nix")] == [b"{ }\n"]


def test_a_name_longer_than_the_system_allows_is_refused(box: Sandbox) -> None:
    assert "longer than" in one_line(box.write("x" * 300 + ".nix", input=b"{ }\n"))


def test_write_with_standard_input_closed(box: Sandbox) -> None:
    target = box.root / "configuration.nix"
    res = subprocess.run(
        ["sh", "-c", f'exec "$0" -m nixos_settings.helper write configuration.nix --expect '
         f'{helper_sha(target)} <&-', sys.executable],
        capture_output=True, env=box.env, timeout=60, check=False)
    assert "no content on standard input" in one_line(res)
    assert target.read_bytes() == CONFIG


def test_refusal_with_standard_error_closed_still_exits_cleanly(box: Sandbox) -> None:
    res = subprocess.run(
        ["sh", "-c", 'exec "$0" -m nixos_settings.helper write ../x.nix --expect new 2>&-',
         sys.executable], capture_output=True, env=box.env, timeout=60, check=False)
    assert res.returncode == 2
    assert "refused write" in box.log()


def test_empty_content_is_refused(box: Sandbox) -> None:
    assert "empty" in one_line(box.write("configuration.nix", input=b""), status=3)
    assert (box.root / "configuration.nix").read_bytes() == CONFIG


def helper_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 2. the expected hash ----------------------------------------------------------------


@needs_nix
def test_write_refuses_when_the_file_is_not_what_the_caller_read(box: Sandbox) -> None:
    target = box.root / "configuration.nix"
    stale = helper_sha(target)
    target.write_bytes(CONFIG + b"# edited while the prompt was open\n")
    res = box.run("write", "configuration.nix", "--expect", stale, input=b"{ a = 1; }\n")
    assert "changed on disk" in one_line(res, status=4)
    assert target.read_bytes().endswith(b"# edited while the prompt was open\n")
    res = box.run("write", "hosts/laptop.nix", "--expect", "new", input=b"{ a = 1; }\n")
    assert "created on disk meanwhile" in one_line(res, status=4)
    for bad in ("", "abc", "X" * 64):
        assert "--expect" in one_line(box.run("write", "configuration.nix", "--expect", bad,
                                              input=b"{ }\n"))


# -- 8. FIFOs ------------------------------------------------------------------------------


@needs_nix
def test_a_fifo_as_the_target_is_refused_at_once(box: Sandbox) -> None:
    os.mkfifo(box.root / "pipe.nix")
    started = time.monotonic()
    res = box.run("write", "pipe.nix", "--expect", "0" * 64, input=b"{ }\n")
    assert "not a regular file" in one_line(res)
    assert time.monotonic() - started < 30


def test_a_fifo_swapped_in_after_the_checks_never_blocks(tmp_path: Path) -> None:
    """The read that follows every check opens without blocking and refuses a FIFO."""
    os.mkfifo(tmp_path / "c.nix")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        started = time.monotonic()
        with pytest.raises(helper.Refused, match="not a regular file"):
            helper_files._read_existing("c.nix", fd)
        assert time.monotonic() - started < 1
    finally:
        os.close(fd)


def test_stdin_that_never_ends_is_bounded_in_time(box: Sandbox,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from nixos_settings.helper import verbs

    read_end, write_end = os.pipe()
    saved = os.dup(0)
    os.dup2(read_end, 0)
    try:
        os.write(write_end, b"{ ")
        with pytest.raises(helper.Refused, match="did not arrive within"):
            verbs._read_stdin(1000, 0.3, closed=False)
    finally:
        os.dup2(saved, 0)
        for fd in (saved, read_end, write_end):
            os.close(fd)


# -- 7. the configuration root must be root's alone ----------------------------------------


@pytest.mark.skipif(not ROOT, reason="needs root to give a folder to another user")
def test_a_root_reached_through_another_users_folder_is_refused(box: Sandbox,
                                                               tmp_path: Path) -> None:
    home = tmp_path / "home-alice"
    (home / "nixos").mkdir(parents=True)
    os.chown(home, 4242, 4242)
    (home / "nixos" / "configuration.nix").write_bytes(CONFIG)
    link = tmp_path / "etc-nixos-link"
    link.symlink_to(home / "nixos")  # /etc/nixos -> /home/alice/nixos
    env = dict(box.env, NIXOS_SETTINGS_HELPER_ROOT=str(link))
    line = one_line(box.write(str(link / "configuration.nix"), input=b"{ a = 1; }\n", env=env))
    assert "belongs to user 4242" in line
    assert (home / "nixos" / "configuration.nix").read_bytes() == CONFIG


def test_a_root_below_a_folder_anyone_may_change_is_refused(box: Sandbox,
                                                           tmp_path: Path) -> None:
    open_dir = tmp_path / "shared"
    (open_dir / "nixos").mkdir(parents=True)
    open_dir.chmod(0o777)  # no sticky bit: anyone could swap "nixos" for their own folder
    (open_dir / "nixos" / "configuration.nix").write_bytes(CONFIG)
    env = dict(box.env, NIXOS_SETTINGS_HELPER_ROOT=str(open_dir / "nixos"))
    line = one_line(box.write("configuration.nix", input=b"{ a = 1; }\n", env=env))
    assert "may be changed by other users" in line
    open_dir.chmod(0o1777)  # with the sticky bit (like /tmp) it is safe
    res = box.write("configuration.nix", input=b"{ a = 1; }\n", env=env)
    assert res.returncode == 0 or not HAVE_NIX, res.stderr


def test_a_subfolder_others_may_write_is_refused(box: Sandbox) -> None:
    (box.root / "hosts").chmod(0o777)
    line = one_line(box.write("hosts/laptop.nix", input=b"{ a = 1; }\n"))
    assert "may be changed by other users" in line
    (box.root / "hosts").chmod(0o755)


def test_open_trusted_root_walks_without_following_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    s = helper.Settings(test_mode=True)
    fd = helper.open_trusted_root(str(real), s)
    try:
        assert stat.S_ISDIR(os.fstat(fd).st_mode)
        assert os.fstat(fd).st_ino == real.stat().st_ino
    finally:
        os.close(fd)
    with pytest.raises(helper.Refused):
        helper.open_trusted_root(str(tmp_path / "link"), s)  # must be resolved first


# -- 16. the log path is injectable --------------------------------------------------------


def test_main_in_process_logs_only_where_told(tmp_path: Path,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "helper.log"
    env = {"PKEXEC_UID": "1000"}  # elevated: the real defaults, but the log injected
    assert helper.main(["write", "../x.nix", "--expect", "new"], environ=env,
                       log_file=str(log)) == 2
    assert "refused write" in log.read_text()
    assert capfd.readouterr().err.count("\n") == 1


# -- kill -9 of the helper during writes ---------------------------------------------------


@needs_nix
def test_kill_9_of_the_helper_leaves_old_or_new_and_the_next_write_cleans_up(
        box: Sandbox) -> None:
    import hashlib
    import random

    target = box.root / "configuration.nix"
    big = b"{\n" + b"".join(b"  a%d = %d;\n" % (i, i) for i in range(40000)) + b"}\n"
    target.write_bytes(big)
    versions = {big}
    rng = random.Random(8)
    started = time.monotonic()
    assert box.write("configuration.nix", input=big.replace(b"a0 = 0", b"a0 = 1")).returncode == 0
    duration = time.monotonic() - started
    versions.add(target.read_bytes())
    kills = 0
    for i in range(2, 14):
        old = target.read_bytes()
        new = big.replace(b"a0 = 0", b"a0 = %d" % i)
        proc = subprocess.Popen(
            [sys.executable, "-m", "nixos_settings.helper", "write", "configuration.nix",
             "--expect", hashlib.sha256(old).hexdigest()],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=box.env)
        assert proc.stdin is not None
        proc.stdin.write(new)
        proc.stdin.close()
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        if proc.poll() is None:
            proc.kill()
            kills += 1
        proc.wait(timeout=60)
        assert target.read_bytes() in (old, new)
        versions.add(target.read_bytes())
        for backup in (box.state / "backups").rglob("*.nix"):
            assert backup.read_bytes() in versions
    assert kills > 0
    res = box.write("configuration.nix", input=big)
    assert res.returncode == 0, res.stderr
    debris = [p for p in [*box.root.rglob("*"), *box.state.rglob("*")]
              if p.name.endswith((".nixos-settings-tmp", ".partial"))]
    assert debris == []


def test_security_doc_names_only_tests_that_exist() -> None:
    """docs/security.md pairs each promise with its test: every name must be a real test."""
    import re

    repo = Path(__file__).resolve().parents[2]
    doc = (repo / "docs" / "security.md").read_text()
    sources = "\n".join(p.read_text() for p in (repo / "tests").rglob("test_*.py"))
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b", doc))
    files = {p.stem for p in (repo / "tests").rglob("test_*.py")}
    missing = [n for n in named - files if f"def {n}(" not in sources]
    assert len(named) > 30 and missing == []
