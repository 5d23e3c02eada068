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
