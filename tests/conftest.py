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

#: a module whose set opened on line 4 is never closed: Nix stops at the end of the file
#: (9:2), where an error-tolerant parser may blame the first line (CLI and window tests)
BROKEN_UNCLOSED = b"""{ config, ... }:
{
  imports = [ ./a.nix ];
  services.openssh = {
    enable = true;

  networking.hostName = "x";
  time.timeZone = "UTC";
}
"""


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


#: where the app and its helper write outside a test's temporary folders: no test may
#: touch these at all ...
_SYSTEM_PATHS = ("/var/lib/nixos-settings-helper", "/etc/nixos")
#: ... and these only show lines or files naming this run's temporary folders (the machine
#: is shared: another test run may write here meanwhile)
_HELPER_LOG = "/var/log/nixos-settings-helper.log"
_USER_BACKUPS = Path.home() / ".local" / "state" / "nixos-settings" / "backups"


def _snapshot() -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for top in _SYSTEM_PATHS:
        paths = [Path(top)]
        if Path(top).is_dir() and not Path(top).is_symlink():
            paths += sorted(Path(top).rglob("*"))
        for p in paths:
            try:
                st = p.lstat()
            except OSError:
                continue
            seen[str(p)] = (st.st_mtime_ns, st.st_size)
    return seen


def _log_size() -> int:
    try:
        return os.stat(_HELPER_LOG).st_size
    except OSError:
        return 0


def _ours_in_user_backups(base: str, since: float) -> list[str]:
    """Backups of this run's files in the user's own backup folder (each backup folder
    names its file in ORIGIN)."""
    found = []
    for origin in _USER_BACKUPS.glob("*/ORIGIN") if _USER_BACKUPS.is_dir() else []:
        try:
            if origin.stat().st_mtime >= since and base in origin.read_text(errors="replace"):
                found.append(str(origin.parent))
        except OSError:
            continue
    return found


@pytest.fixture(scope="session", autouse=True)
def _no_writes_outside_temporary_folders(tmp_path_factory: pytest.TempPathFactory) -> object:
    """No test may write the system's places (the helper's backups, /etc/nixos), nor log
    or back up this run's files in the helper's system log or the user's own state."""
    import time

    before, log_at, started = _snapshot(), _log_size(), time.time() - 1
    base = str(tmp_path_factory.getbasetemp())
    yield
    after = _snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test run wrote outside its temporary folders: {changed[:10]}"
    try:
        with open(_HELPER_LOG, "rb") as f:
            f.seek(log_at)
            added = f.read()
    except OSError:
        added = b""
    assert base.encode() not in added, f"a test wrote to {_HELPER_LOG}"
    ours = _ours_in_user_backups(base, started)
    assert not ours, f"a test wrote backups into the user's own folder: {ours}"
