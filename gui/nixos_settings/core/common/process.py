"""One way to run a long external command (Nix evaluations): in its own process group,
output into temporary files (no pipe to fill), stopped on cancel or after a time limit."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence


class Stopped(Exception):
    """The command was stopped: ``timed_out`` says whether by the time limit (else: cancel)."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "cancelled")
        self.timed_out = timed_out


def run_stoppable(argv: Sequence[str], *, cancel: Callable[[], bool] | None = None,
                  timeout: float | None = None) -> tuple[int, bytes, str]:
    """``(exit status, stdout, stderr)`` of ``argv``; raises :class:`Stopped` (the whole
    process group is killed) or ``OSError`` when it cannot start."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        start = time.monotonic()
        try:
            while True:
                try:
                    rc = proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if cancel is not None and cancel():
                    raise Stopped(timed_out=False)
                if timeout is not None and time.monotonic() - start > timeout:
                    raise Stopped(timed_out=True)
        finally:
            if proc.poll() is None:
                stop_group(proc)
        out.seek(0)
        err.seek(0)
        return rc, out.read(), err.read().decode("utf-8", "replace")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it does not end within 2 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue
