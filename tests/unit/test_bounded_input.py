"""Bounded work on hostile input, and one-line errors: ``--file /dev/zero``, FIFOs, huge
files (as ``--file`` and as imports), text that is not UTF-8, option names with line breaks,
Nix failing for reasons other than the text.  Every case runs the real CLI as a subprocess
with a time limit: a hang fails the test instead of blocking the run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nixos_settings.core.common.files import MAX_SOURCE_BYTES, SourceFileError, read_source
from nixos_settings.core.edit import save

GUI = Path(__file__).resolve().parents[2] / "gui"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[bytes]:
    full = dict(os.environ, PYTHONPATH=str(GUI), NIXOS_SETTINGS_BACKUP_DIR=str(cwd / ".b"))
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], cwd=cwd,
                          capture_output=True, env=full, timeout=30, check=False)


def one_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    assert proc.returncode != 0
    lines = proc.stderr.decode("utf-8", "replace").splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("nixos-settings: error: ")
    return lines[0]


@pytest.mark.parametrize("make", ["dev-zero", "fifo", "huge", "folder"])
def test_file_that_is_not_a_nix_file_is_refused_at_once(tmp_path: Path, make: str) -> None:
    if make == "dev-zero":
        target = "/dev/zero"
    elif make == "fifo":
        os.mkfifo(tmp_path / "pipe.nix")
        target = str(tmp_path / "pipe.nix")
    elif make == "huge":
        with open(tmp_path / "huge.nix", "wb") as f:
            f.truncate(MAX_SOURCE_BYTES + 1)  # sparse: no real disk used
        target = str(tmp_path / "huge.nix")
    else:
        target = str(tmp_path)
    started = time.monotonic()
    line = one_line(run("list", "--file", target, cwd=tmp_path))
    assert time.monotonic() - started < 20
    want = {"dev-zero": "not a regular file", "fifo": "not a regular file",
            "huge": "larger than 16 MB", "folder": "is a directory"}[make]
    assert want in line and target in line


def test_imports_of_devices_and_fifos_are_noted_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.nix")
    conf = tmp_path / "configuration.nix"
    conf.write_text("{ ... }:\n{\n  imports = [ /dev/zero ./pipe.nix ];\n  a.x = 1;\n}\n")
    proc = run("list", "--file", str(conf), cwd=tmp_path)
    assert proc.returncode == 0
    assert b"a.x = 1" in proc.stdout
    notes = proc.stderr.decode().splitlines()
    assert len(notes) == 2 and all("not a regular file" in n for n in notes)


def test_read_source_limits() -> None:
    with pytest.raises(SourceFileError, match="larger than 10 bytes"):
        read_source(__file__, limit=10)
    with pytest.raises(SourceFileError, match="not a regular file"):
        read_source("/dev/null")
    assert read_source(__file__).startswith(b'"""Bounded work')


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "grow.nix"
    p.write_bytes(b"x" * 100)
    with pytest.raises(SourceFileError):
        read_source(p, limit=99)
    assert read_source(p, limit=100) == b"x" * 100


def test_string_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    conf = tmp_path / "c.nix"
    conf.write_text("{ ... }:\n{\n  a.x = 1;\n}\n")
    line = one_line(run("set", "a.y", "--string", os.fsdecode(b"caf\xe9"), "--file", str(conf),
                        cwd=tmp_path))
    assert "not UTF-8" in line
    assert conf.read_text() == "{ ... }:\n{\n  a.x = 1;\n}\n"


@pytest.mark.parametrize("option", ["a.\nx", "a.\rx", "a.x\n"])
def test_option_with_a_line_break_is_one_line(tmp_path: Path, option: str) -> None:
    conf = tmp_path / "c.nix"
    conf.write_text("{ ... }:\n{\n  a.x = 1;\n}\n")
    one_line(run("set", option, "1", "--file", str(conf), cwd=tmp_path))


def test_nix_failing_for_another_reason_is_not_called_a_parse_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nix cannot create its state folder: the message says the check could not run."""
    conf = tmp_path / "c.nix"
    conf.write_text("{ ... }:\n{\n  a.x = 1;\n}\n")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("NIX_STATE_DIR", str(blocker / "state"))
    if save.nix_instantiate() is None:
        pytest.skip("nix-instantiate not installed")
    problem = save.nix_parse_check(b"{ a = 1; }\n")
    assert problem is not None and not save.about_the_text(problem)
    monkeypatch.delenv("NIX_STATE_DIR")
    text_problem = save.nix_parse_check(b"{ a = ; }\n")
    assert text_problem is not None and save.about_the_text(text_problem)
    assert "warning:" not in text_problem
