"""The cache folder of package indexes and what every source shares."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from nixos_settings.core.packages.catalogue import CatalogueError
from nixos_settings.core.packages.index import PackageIndex

Progress = Callable[[str, float | None], None]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nixos-settings" / "packages"


def say(progress: Progress | None, message: str, fraction: float | None = None) -> None:
    if progress is not None:
        progress(message, fraction)


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def open_or_build(path: Path, build: Callable[[Path], None]) -> PackageIndex:
    if path.exists():
        try:
            return PackageIndex(path)
        except CatalogueError:
            path.unlink(missing_ok=True)  # unreadable or from another version: build again
    build(path)
    return PackageIndex(path)
