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
