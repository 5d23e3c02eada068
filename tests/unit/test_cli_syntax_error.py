"""A file that does not parse, in the CLI: one error, at the place and in the words Nix
reports (what the app's banner and Problems say), and an edit elsewhere in it is refused
with the same place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import BROKEN_UNCLOSED

GUI = Path(__file__).resolve().parents[2] / "gui"

pytestmark = pytest.mark.nix

BROKEN = BROKEN_UNCLOSED


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(GUI))
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    assert shutil.which("nix-instantiate"), "nix-instantiate is needed (apt-get install nix-bin)"
    (tmp_path / "configuration.nix").write_bytes(BROKEN)
    (tmp_path / "a.nix").write_bytes(b"{ ... }: { sound.enable = true; }\n")
    return tmp_path / "configuration.nix"


def test_list_reports_the_syntax_error_once_where_nix_does(broken: Path) -> None:
    res = run("--file", str(broken), "list")
    assert res.returncode == 0
    errors = [ln for ln in res.stderr.splitlines() if "syntax error" in ln]
    assert errors == [f"nixos-settings: error: {broken}:9:2: syntax error, unexpected end of "
                      "file, expecting ';'"]
    assert "no Nix expression" not in res.stderr


def test_an_edit_in_the_broken_file_is_refused_at_that_place(broken: Path) -> None:
    res = run("--file", str(broken), "set", "time.timeZone", '"Europe/Oslo"', "--no-check")
    assert res.returncode == 1
    assert res.stderr.splitlines()[-1] == (
        f"nixos-settings: error: {broken}:9:2: the file has a syntax error (unexpected end "
        "of file, expecting ';'); fix it in a text editor first")
    assert broken.read_bytes() == BROKEN
