"""The environment ``nixos-rebuild`` gets, and the runner of one child process group."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from nixos_settings.helper.settings import DEFAULT_NIX_PATH, EXIT_NOT_FOUND, SYSTEM_PATH, Settings

# Cancellation: SIGINT first (what Ctrl-C would do), then escalate after these delays.
ESCALATE_AFTER = (10.0, 10.0)


def read_nix_path(set_environment: str = "/etc/set-environment") -> str | None:
    """The ``NIX_PATH`` NixOS exports to login shells, read without running a shell."""
    try:
        with open(set_environment, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        m = re.fullmatch(r'\s*export NIX_PATH="([^"$`\\]*)"\s*', line)
        if m is not None and m.group(1):
            return m.group(1)
    return None


def child_env(settings: Settings, env: Mapping[str, str]) -> dict[str, str]:
    """The environment ``nixos-rebuild`` gets: built from nothing, with a fixed ``PATH``,
    ``NIX_PATH`` (the system's, from ``/etc/set-environment``, else the channel default)
    and locale, whatever the caller passed.  In test mode only, the caller's environment
    is the base and its ``NIX_PATH`` is kept (it runs with the caller's rights there)."""
    out: dict[str, str] = dict(env) if settings.test_mode else {}
    out["LANG"] = "C.UTF-8"
    for key in [k for k in out if k.startswith("LC_") or k == "LANGUAGE"]:
        del out[key]
    out["PATH"] = ":".join([*settings.extra_path, *SYSTEM_PATH])
    given = env.get("NIX_PATH") if settings.test_mode else None
    out["NIX_PATH"] = given or read_nix_path() or DEFAULT_NIX_PATH
    if not settings.test_mode:
        out["HOME"] = "/root" if os.geteuid() == 0 else os.path.expanduser("~")
        out["USER"] = out["LOGNAME"] = "root" if os.geteuid() == 0 else out.get("USER", "")
    archive = "/run/current-system/sw/lib/locale/locale-archive"
    if os.path.exists(archive):
        out["LOCALE_ARCHIVE"] = archive
    return out


class Runner:
    """Runs one child process group with pass-through output and cooperative cancel."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.cancel_requested = threading.Event()

    def watch_stdin(self) -> None:
        """Cancel when the line ``cancel`` arrives on stdin (EOF alone does nothing)."""

        def reader() -> None:
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader
            # makes interpreter shutdown abort ("could not acquire lock").
            pending = b""
            while True:
                try:
                    chunk = os.read(0, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                *lines, pending = pending.split(b"\n")
                if any(line.strip() == b"cancel" for line in lines):
                    self.cancel_requested.set()
                    return
                pending = pending[-64:]

        threading.Thread(target=reader, daemon=True).start()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: self.cancel_requested.set())

    def run(self, argv: Sequence[str]) -> int:
        """Run ``argv``; returns its exit status (128 + signal if it was killed)."""
        exe = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0], path=self.env["PATH"])
        if exe is None or not os.access(exe, os.X_OK):
            print(f"nixos-settings-helper: {argv[0]} not found", file=sys.stderr)
            return EXIT_NOT_FOUND
        if sys.stdout is not None:
            sys.stdout.flush()
        proc = subprocess.Popen(
            [exe, *argv[1:]], env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        return self._wait(proc)

    def _wait(self, proc: subprocess.Popen[bytes]) -> int:
        # SIGINT first (what Ctrl-C does, nixos-rebuild cleans up), then harder.
        steps = [
            (signal.SIGINT, ESCALATE_AFTER[0]),
            (signal.SIGTERM, ESCALATE_AFTER[1]),
            (signal.SIGKILL, 0.0),
        ]
        next_step_at = 0.0
        while True:
            try:
                code = proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                code = None
            if code is not None:
                return code if code >= 0 else 128 - code
            now = time.monotonic()
            if self.cancel_requested.is_set() and steps and now >= next_step_at:
                sig, delay = steps.pop(0)
                _killpg(proc.pid, sig)
                next_step_at = now + delay


def _killpg(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
