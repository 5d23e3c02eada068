"""Run every benchmark in turn and say which ran.

    python benchmarks/run_all.py            full runs: figures to compare with the targets
    python benchmarks/run_all.py --quick    smoke run (CI): same data, few repetitions

Each benchmark prints its figures beside a baseline measured in the same run, as a ratio.
A benchmark fails this run when it crashes, prints no ratio, or (full runs only) misses a
target it checks itself.  In quick mode no timing is judged: the figures are too noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RATIO = re.compile(r"\bratio\s+[0-9.]+", re.IGNORECASE)


def benchmarks() -> list[Path]:
    return sorted(HERE.glob("bench_*.py"))


def run_one(path: Path, quick: bool) -> tuple[bool, float, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"), QT_QPA_PLATFORM="offscreen",
               PYTHONUNBUFFERED="1")
    if quick:
        env["NIXOS_SETTINGS_BENCH_QUICK"] = "1"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(path)], env=env, cwd=REPO, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    took = time.perf_counter() - start
    out = proc.stdout
    sys.stdout.write(out)
    if proc.returncode != 0:
        return False, took, f"exit status {proc.returncode}"
    ratios = len(RATIO.findall(out))
    if ratios == 0:
        return False, took, "printed no figure with a ratio to its baseline"
    return True, took, f"{ratios} figures"


def main() -> int:
    ap = argparse.ArgumentParser(description="run every benchmark")
    ap.add_argument("--quick", action="store_true",
                    help="smoke mode: few repetitions, timing targets not judged")
    ap.add_argument("names", nargs="*", help="only these (e.g. bench_core)")
    args = ap.parse_args()
    chosen = [p for p in benchmarks() if not args.names or p.stem in args.names]
    if not chosen:
        print(f"run_all: no benchmark named {' '.join(args.names)}", file=sys.stderr)
        return 2
    results = []
    for path in chosen:
        print(f"\n=== {path.name}{' (quick)' if args.quick else ''}", flush=True)
        results.append((path.name, *run_one(path, args.quick)))
    print("\n=== summary")
    for name, ok, took, what in results:
        print(f"{name:<22} {'ran' if ok else 'FAILED':<7} {took:6.1f} s   {what}")
    failed = [name for name, ok, *_ in results if not ok]
    if failed:
        print(f"run_all: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
