"""Benchmark: the package catalogue at channel scale (issue 11).

120,000 packages are generated in the real channel format (``packages.json.br``) by
``tests/fixtures/make_packages.py``.  Each figure is printed beside a baseline measured in
the same run, with the ratio and the issue's target:

* index build, once per catalogue revision      <= 20 s
  (baseline: only reading the file: brotli + orjson)
* search p50/p99 over name, prefix and word queries   p99 <= 20 ms
  (baseline: a plain substring scan over the 120,000 attribute names, the old completion)
* CLI ``packages search`` whole process, index built   <= 0.5 s
  (baseline: ``python -c pass``, the interpreter's own start-up)

    python benchmarks/bench_packages.py [--runs N] [--count N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import reps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "gui"))
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

import brotli  # noqa: E402
import make_packages  # noqa: E402
import orjson  # noqa: E402

from nixos_settings.core.packages import catalogue, store  # noqa: E402

QUERIES = [
    "firefox", "git", "fi", "fire", "vim", "python", "python3Packages", "rg", "steam",
    "version control", "web browser", "network audio", "secure file sync", "tool", "lib",
    "ka", "kalo", "mitor", "zorvex", "text editor", "nvim", "docker", "curl", "ripgrep",
    "haskellPackages.ka", "game", "font", "music player", "terminal", "fierfox", "a", "x",
    "compiler", "database server", "vimPlugins", "photo", "chat client", "backup",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(label: str, value: float, unit: str, base_label: str, base: float,
         target: float) -> None:
    ratio = value / base if base else float("nan")
    verdict = "OK" if value <= target else "OVER"
    print(f"{label:<34}{value:10.2f} {unit:<3} baseline {base_label:<24}{base:10.2f} {unit:<3}"
          f" ratio {ratio:7.2f}   target <= {target:g} {unit}  {verdict}")


def main() -> int:
    ap = argparse.ArgumentParser(description="package catalogue benchmark")
    ap.add_argument("--runs", type=int, default=reps(5))
    ap.add_argument("--count", type=int, default=120_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nixos-settings-bench-packages-"))
    src = tmp / "packages.json.br"
    src.write_bytes(brotli.compress(orjson.dumps(make_packages.channel(args.count)),
                                    quality=5))
    print(f"data: {args.count} packages, {src.stat().st_size / 1e6:.1f} MB brotli in {tmp}\n")

    # -- index build --------------------------------------------------------------------
    t0 = time.perf_counter()
    rows = catalogue.read_file(src)
    read = time.perf_counter() - t0
    assert len(rows) == args.count
    cache = tmp / "cache"
    t0 = time.perf_counter()
    index = store.index_for_file(src, directory=cache)
    build = time.perf_counter() - t0
    line("index build (read + index)", build, "s", "read only", read, 20)

    # -- search ---------------------------------------------------------------------------
    names = [r[0] for r in rows]
    times: list[float] = []
    base: list[float] = []
    by_query: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for q in QUERIES:
            t0 = time.perf_counter()
            index.search(q, 20)
            times.append((time.perf_counter() - t0) * 1000)
            by_query.setdefault(q, []).append(times[-1])
            t0 = time.perf_counter()
            low = q.lower()
            [n for n in names if low in n.lower()][:20]
            base.append((time.perf_counter() - t0) * 1000)
    line("search p50", statistics.median(times), "ms", "substring scan p50",
         statistics.median(base), 20)
    line("search p99", pct(times, 99), "ms", "substring scan p99", pct(base, 99), 20)
    slow = sorted(by_query.items(), key=lambda kv: -max(kv[1]))[:3]
    print("  slowest queries (ms per run): " + "; ".join(
        f"{q!r} " + " ".join(f"{t:.1f}" for t in ts) for q, ts in slow))

    # -- CLI whole process ---------------------------------------------------------------------
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"), XDG_CACHE_HOME=str(tmp / "xdg"))
    (tmp / "xdg" / "nixos-settings").mkdir(parents=True)
    os.symlink(cache, tmp / "xdg" / "nixos-settings" / "packages")
    conf = tmp / "configuration.nix"
    conf.write_text("{ pkgs, ... }:\n{\n  environment.systemPackages = with pkgs; [\n"
                    "    firefox\n    git\n  ];\n}\n")
    cli = [sys.executable, "-m", "nixos_settings", "packages", "search", "web browser",
           "--file", str(conf)]
    cli_t: list[float] = []
    py_t: list[float] = []
    for _ in range(args.runs * 2):
        t0 = time.perf_counter()
        proc = subprocess.run(cli, env=env, capture_output=True, check=False)
        cli_t.append(time.perf_counter() - t0)
        assert proc.returncode == 0, proc.stderr
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        py_t.append(time.perf_counter() - t0)
    line("CLI packages search (median)", statistics.median(cli_t), "s", "python -c pass",
         statistics.median(py_t), 0.5)
    line("CLI packages search (max)", max(cli_t), "s", "python -c pass (max)", max(py_t), 0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
