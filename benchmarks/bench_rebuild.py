"""Benchmarks of rebuild output handling (issue 5).  Each figure is printed beside a
baseline measured in the same run, with the ratio and the target.

1. Classifier throughput on a 100,000-line log (built from the hand-written transcripts in
   ``tests/fixtures/rebuild``), fed in 64 KiB chunks and in 4 KiB chunks (what a pipe
   delivers under load).  Baseline: ``bytes.decode().splitlines()`` of the same log, the
   least any line-based consumer has to do.  Target: ≤ 400 ms, i.e. a big build's whole
   log is classified faster than it can scroll by.
2. The Qt panel: the same log pushed through ``RebuildPanel`` (classification, HTML
   rendering, appending to the log view, progress bar) in 64 KiB chunks.  Baseline:
   ``QPlainTextEdit.appendPlainText`` of the raw lines in the same chunks.  Target: ≤ 5 s
   per 100,000 lines (≥ 20,000 lines/s, far above what nix prints).

Run: ``QT_QPA_PLATFORM=offscreen PYTHONPATH=gui python benchmarks/bench_rebuild.py``
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchkit import QUICK, reps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "gui"))

from nixos_settings.core.system.rebuild import OutputClassifier  # noqa: E402

LINES = 100_000
_APP: object = None


def make_log(lines: int = LINES) -> bytes:
    parts = sorted((ROOT / "tests" / "fixtures" / "rebuild").glob("*.log"))
    blob = b"".join(p.read_bytes() for p in parts)
    per = blob.count(b"\n")
    data = blob * (lines // per + 1)
    # Cut at exactly `lines` newlines.
    idx = -1
    for _ in range(lines):
        idx = data.index(b"\n", idx + 1)
    return data[: idx + 1]


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(reps(repeat)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def classify(parts: list[bytes]) -> int:
    c = OutputClassifier()
    n = 0
    for part in parts:
        n += len(c.feed(part))
    return n + len(c.finish())


def row(name: str, ms: float, base_name: str, base_ms: float, target_ms: float) -> None:
    ok = "OK" if ms <= target_ms else "MISS"
    print(
        f"{name:<40} {ms:9.1f} ms   baseline {base_name:<30} {base_ms:8.1f} ms"
        f"   ratio {ms / base_ms:6.2f}   target <= {target_ms:.0f} ms  {ok}"
    )


def bench_classifier(data: bytes) -> None:
    base = best_of(lambda: data.decode("utf-8", "replace").splitlines())
    for size in (65536, 4096):
        parts = chunks(data, size)
        assert classify(parts) >= LINES - 100  # transient lines are folded, not lost
        ms = best_of(lambda parts=parts: classify(parts))
        row(f"classify 100k lines, {size // 1024} KiB chunks", ms, "decode+splitlines", base, 400)


def bench_panel(data: bytes) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from nixos_settings.ui.rebuild_panel import RebuildPanel

    global _APP  # the application must outlive every widget made here
    _APP = app = QApplication.instance() or QApplication([])
    parts = chunks(data, 65536)

    def plain() -> None:
        view = QPlainTextEdit()
        for part in parts:
            view.appendPlainText(part.decode("utf-8", "replace"))
        app.processEvents()

    def panel() -> None:
        p = RebuildPanel()
        for part in parts:
            p._show(p.classifier.feed(part))  # what readyRead does
            p.flush()  # as if the 50 ms timer fired once per chunk
        p._show(p.classifier.finish())
        p.flush()
        app.processEvents()

    base = best_of(plain, repeat=1)
    ms = best_of(panel, repeat=1)
    row("panel: show 100k lines, 64 KiB chunks", ms, "QPlainTextEdit.append", base, 5000)


def main() -> None:
    data = make_log()
    print(f"log: {LINES} lines, {len(data) / 1e6:.1f} MB")
    bench_classifier(data)
    try:
        bench_panel(data)
    except ImportError as err:
        if QUICK:  # the smoke run must exercise every figure
            raise
        print(f"panel benchmark skipped: {err}")


if __name__ == "__main__":
    main()
