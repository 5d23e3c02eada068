"""Run deployments of several hosts at once, with a parallel limit, live lines per host,
cancel (one or all), and a summary; one host's failure never stops the others."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

from nixos_settings.core.common.records import field, record

WAITING, RUNNING, OK, FAILED, CANCELLED = "waiting", "running", "ok", "failed", "cancelled"

#: the phase a line of nixos-rebuild, colmena or deploy-rs output announces
_PHASES = (
    (re.compile(r"evaluat", re.I), "evaluating"),
    (re.compile(r"\bbuild(ing)?\b|derivations? will be built", re.I), "building"),
    (re.compile(r"copying|\bpush(ing)?\b|upload", re.I), "copying"),
    (re.compile(r"activat|switching to|restarting|starting the following|setting up", re.I),
     "activating"),
)


@record(eq=False)
class Deployment:
    """One host's deployment: the command exactly as run, its state and its log."""

    host: str
    engine: str
    command: list[str]
    status: str = WAITING
    phase: str = WAITING
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _cancelled: bool = field(default=False, repr=False)

    def log_tail(self, lines: int = 20) -> list[str]:
        return self.log[-lines:]

    def cancel(self) -> None:
        """Stop this host's deployment (or make sure it never starts)."""
        self._cancelled = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                proc.terminate()


LineHandler = Callable[[Deployment, str], None]


def _phase(line: str, current: str) -> str:
    for pattern, phase in _PHASES:
        if pattern.search(line):
            return phase
    return current


def _run_one(d: Deployment, on_line: LineHandler | None, env: dict[str, str] | None) -> None:
    if d._cancelled:
        d.status = d.phase = CANCELLED
        return
    start = time.monotonic()
    d.status = RUNNING
    try:
        proc = subprocess.Popen(d.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as err:
        d.log.append(f"{d.command[0]} could not be started: {err.strerror or err}; is it "
                     "installed?")
        d.status, d.phase = FAILED, FAILED
        return
    d._proc = proc
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        d.log.append(line)
        d.phase = _phase(line, d.phase if d.phase != WAITING else "evaluating")
        if on_line is not None:
            on_line(d, line)
    code = proc.wait()
    d.seconds = time.monotonic() - start
    if d._cancelled:
        d.status = CANCELLED
    else:
        d.status = OK if code == 0 else FAILED
    d.phase = "done" if d.status == OK else d.status


def run_all(deployments: Sequence[Deployment], parallel: int = 4,
            on_line: LineHandler | None = None, env: dict[str, str] | None = None,
            cancel_all: threading.Event | None = None) -> list[Deployment]:
    """Run every deployment, at most ``parallel`` at a time; returns them when all ended."""
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    slots = threading.Semaphore(parallel)
    threads: list[threading.Thread] = []

    def worker(d: Deployment) -> None:
        with slots:
            if cancel_all is not None and cancel_all.is_set():
                d.cancel()
            _run_one(d, on_line, env)

    for d in deployments:
        t = threading.Thread(target=worker, args=(d,), name=f"deploy-{d.host}", daemon=True)
        threads.append(t)
        t.start()
    watcher_stop = threading.Event()
    if cancel_all is not None:
        def watch() -> None:
            while not watcher_stop.is_set():
                if cancel_all.wait(0.05):
                    for d in deployments:
                        d.cancel()
                    return
        threading.Thread(target=watch, daemon=True).start()
    for t in threads:
        t.join()
    watcher_stop.set()
    return list(deployments)


def summary(deployments: Sequence[Deployment]) -> str:
    """``3 hosts: 2 ok, 1 failed (pi)``."""
    by: dict[str, list[str]] = {}
    for d in deployments:
        by.setdefault(d.status, []).append(d.host)
    parts = []
    for status in (OK, FAILED, CANCELLED, WAITING, RUNNING):
        names = by.get(status)
        if names:
            tail = "" if status == OK else f" ({', '.join(names)})"
            parts.append(f"{len(names)} {status}{tail}")
    n = len(deployments)
    return f"{n} host{'s' if n != 1 else ''}: " + ", ".join(parts)
