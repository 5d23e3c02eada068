"""What every benchmark shares: the quick (smoke) mode.

``NIXOS_SETTINGS_BENCH_QUICK=1`` (set by ``run_all.py --quick``) runs each benchmark with the
same data sizes but few repetitions, to show in CI that every benchmark still runs and prints
its figures.  Quick figures are noisy: in that mode a missed target is printed but does not
fail the run (only a crash does).
"""

from __future__ import annotations

import os

QUICK = os.environ.get("NIXOS_SETTINGS_BENCH_QUICK") == "1"


def reps(full: int, quick: int = 1) -> int:
    """How many times to repeat a measurement: ``full`` normally, ``quick`` in smoke mode."""
    return min(full, quick) if QUICK else full


def exit_code(ok: bool) -> int:
    """The process status for a run whose targets were ``ok``: a missed target fails a
    full run, never a quick one."""
    return 0 if ok or QUICK else 1
