"""Benchmark: option metadata load, cache, search index and queries at scale.

Each figure is printed beside a baseline measured in the same run (orjson/json loading the
same data) with the ratio and the target from issue 3:

* load 20,000 options from the cache            <= 150 ms
* search index build from the cache (25,000)    <= 300 ms
* query p50/p99, 1-3 word queries (25,000)      p99 <= 10 ms
* index memory (25,000)                         <= 150 MB

    PYTHONPATH=gui python benchmarks/bench_metadata.py [--runs N]

The 25k set is made by ``make_scale_options.py`` in a temporary directory.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from benchkit import reps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "gui"))
sys.path.insert(0, str(REPO / "benchmarks"))

import make_scale_options  # noqa: E402

from nixos_settings.core.options import cache as optcache  # noqa: E402
from nixos_settings.core.options.model import load_bytes  # noqa: E402
from nixos_settings.core.options.search import SearchIndex  # noqa: E402

QUERIES = [
    "ssh",
    "ssh server",
    "firewall ports",
    "time zone",
    "keyboard layout",
    "sudo password",
    "openssh.enable",
    "allowedTCP",
    "nfe",
    "networking.hostName",
    "hostname",
    "nginx virtual host",
    "boot loader grub",
    "git",
    "programs.git.enable",
    "fonts",
    "docker",
    "sound",
    "printing",
    "users.users",
    "enable",
    "s",
    "se",
    "ser",
    "serv",
    "servi",
    "services.",
    "x11 keyboard",
    "fierwall",
    "postgresql package",
    "automatic upgrade",
    "swap",
    "kernel modules",
    "environment variables",
    "system packages",
    "wifi",
    "bluetooth enable",
    "zsh",
    "locale",
]


def ms(seconds: float) -> float:
    return seconds * 1000.0


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    out: list[float] = []
    result: Any = None
    for _ in range(runs):
        result = None  # free the previous result outside the timed window
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return out, result


def line(
    label: str, value: float, unit: str, base_label: str, base: float, target: float | None
) -> None:
    ratio = value / base if base else float("nan")
    verdict = ""
    if target is not None:
        verdict = f"target <= {target:g} {unit}  " + ("OK" if value <= target else "OVER")
    print(
        f"{label:<38}{value:9.1f} {unit:<3} baseline {base_label} {base:8.1f} {unit:<3}"
        f" ratio {ratio:6.2f}   {verdict}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="option metadata benchmark")
    ap.add_argument("--runs", type=int, default=reps(7, 2))
    args = ap.parse_args()
    runs = args.runs

    tmp = Path(tempfile.mkdtemp(prefix="nixos-settings-bench-"))
    p25 = make_scale_options.write(25_000, tmp)
    p20 = make_scale_options.write(20_000, tmp)
    raw25, raw20 = p25.read_bytes(), p20.read_bytes()
    print(
        f"data: {p25.name} {len(raw25) / 1e6:.1f} MB, {p20.name} {len(raw20) / 1e6:.1f} MB "
        f"in {tmp}; {runs} runs, medians\n"
    )

    t_or20, _ = timed(lambda: orjson.loads(raw20), runs)
    t_js20, _ = timed(lambda: json.loads(raw20), runs)
    t_or25, _ = timed(lambda: orjson.loads(raw25), runs)
    t_js25, _ = timed(lambda: json.loads(raw25), runs)
    or20, js20 = ms(statistics.median(t_or20)), ms(statistics.median(t_js20))
    or25, js25 = ms(statistics.median(t_or25)), ms(statistics.median(t_js25))

    t_full20, s20 = timed(lambda: load_bytes(raw20, p20), runs)
    line(
        "load 20k from JSON (orjson + objects)",
        ms(statistics.median(t_full20)),
        "ms",
        "orjson.loads",
        or20,
        None,
    )

    cache = tmp / "cache"
    optcache.save(s20, "bench20", cache)
    s25 = load_bytes(raw25, p25)
    optcache.save(s25, "bench25", cache)
    t_c20, c20 = timed(lambda: optcache.load("bench20", cache), runs)
    assert c20 is not None and len(c20) == 20_000
    line("load 20k from cache", ms(statistics.median(t_c20)), "ms", "orjson.loads", or20, 150)
    line("load 20k from cache (max of runs)", ms(max(t_c20)), "ms", "json.loads  ", js20, 150)
    t_c25, c25 = timed(lambda: optcache.load("bench25", cache), runs)
    line("load 25k from cache", ms(statistics.median(t_c25)), "ms", "orjson.loads", or25, None)

    t_idx, idx = timed(lambda: SearchIndex(c25), runs)
    line(
        "index build from cache (25k)",
        ms(statistics.median(t_idx)),
        "ms",
        "orjson.loads",
        or25,
        300,
    )
    line("index build, max of runs (25k)", ms(max(t_idx)), "ms", "json.loads  ", js25, 300)
    line(
        "cache load + index build (25k)",
        ms(statistics.median(t_c25) + statistics.median(t_idx)),
        "ms",
        "json.loads  ",
        js25,
        None,
    )

    t0 = time.perf_counter()
    idx.prepare()
    t_prep = time.perf_counter() - t0
    line("prepare (initials table, once, in the app's loader)", ms(t_prep), "ms",
         "orjson.loads", or25, None)
    lat: list[float] = []
    for q in QUERIES:
        for _ in range(5):
            t0 = time.perf_counter()
            idx.search(q, 50)
            lat.append(time.perf_counter() - t0)
    lat.sort()
    p50 = ms(lat[len(lat) // 2])
    p99 = ms(lat[min(len(lat) - 1, int(len(lat) * 0.99))])
    one = ms(statistics.median(t_or25)) / 25_000 * 1000  # orjson per 1000 options
    line(f"query p50 ({len(QUERIES)} queries x5)", p50, "ms", "orjson/1k opts", one, None)
    line("query p99", p99, "ms", "orjson/1k opts", one, 10)
    index = idx
    worst = {q: min(_lat(index, q) for _ in range(3)) for q in QUERIES}
    slowest = max(worst, key=worst.__getitem__)
    print(f"{'':38}slowest query: {slowest!r} {ms(worst[slowest]):.2f} ms (best of 3)")

    del idx, index
    gc.collect()
    tracemalloc.start()
    idx2 = SearchIndex(c25)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    parsed = orjson.loads(raw25)
    base_mem, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del parsed
    line(
        "index memory (25k, tracemalloc)", current / 1e6, "MB", "orjson objs ", base_mem / 1e6, 150
    )
    assert len(idx2) == 25_000
    return 0


def _lat(idx: SearchIndex, q: str) -> float:
    t0 = time.perf_counter()
    idx.search(q, 50)
    return time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
