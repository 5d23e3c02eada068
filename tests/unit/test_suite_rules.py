"""Rules of the suite itself: under ``./dev test`` a skipped test fails (no quiet skips)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, no_skips: str) -> subprocess.CompletedProcess[str]:
    shutil.copyfile(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\n"
        "def test_needs_a_tool() -> None:\n    pytest.skip('frobnicate is not installed')\n\n"
        "@pytest.mark.xfail(reason='known', strict=True)\n"
        "def test_known() -> None:\n    assert False\n")
    env = dict(os.environ, NIXOS_SETTINGS_NO_SKIPS=no_skips)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=False, timeout=120)


def test_a_skip_fails_under_dev_test_and_says_what_was_missing(tmp_path: Path) -> None:
    strict = _run(tmp_path, "1")
    assert strict.returncode == 1, strict.stdout
    assert "skipped under ./dev test" in strict.stdout
    assert "frobnicate is not installed" in strict.stdout
    assert "1 failed, 1 xfailed" in strict.stdout  # an expected failure stays one


def test_outside_dev_test_a_skip_is_a_skip(tmp_path: Path) -> None:
    lax = _run(tmp_path, "0")
    assert lax.returncode == 0, lax.stdout
    assert "1 skipped, 1 xfailed" in lax.stdout
