"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``shared/`` directory beside the repository (or $NIXOS_SETTINGS_SHARED)."""
    env = os.environ.get("NIXOS_SETTINGS_SHARED")
    path = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared data directory not found: {path}")
    return path


#: set by ``./dev test``: a machine it set up has every prerequisite, so a skip is a failure
NO_SKIPS = os.environ.get("NIXOS_SETTINGS_NO_SKIPS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under ``./dev test`` a skipped test fails, saying what was missing (no quiet skips)."""
    outcome = yield
    report = outcome.get_result()
    if NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under ./dev test, where nothing may be missing: {reason}"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the test run out of the user's home: caches, backups, settings and state go to
    a temporary directory (set before any test, so subprocesses inherit it too)."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="nixos-settings-tests-"))
    for var, sub in (("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("NIXOS_SETTINGS_BACKUP_DIR", "backups")):
        (base / sub).mkdir()
        os.environ[var] = str(base / sub)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty metadata cache: "the newest cached metadata" (the
    CLI's default source) must never leak from one test into another."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
