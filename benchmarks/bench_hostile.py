"""Bounded work on hostile shapes (issue 16 item 14): one line of many bindings, sets nested
thousands deep.

Each figure is printed beside a baseline measured in the same run, with the ratio:

* reading (load + map every definition) one line of 200,000 bindings, against the same for
  50,000 bindings: linear work gives a ratio near 4 (target: ≤ 6; quadratic work gives ~16);
  a second baseline is tree-sitter's own parse of the 200,000-binding line;
* loading and setting the innermost value of sets nested 2,400 deep (Nix accepts about that
  many; no RecursionError), against the same for sets nested 600 deep: linear work gives a
  ratio near 4 (target: ≤ 6).

Run: ``PYTHONPATH=gui python benchmarks/bench_hostile.py``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchkit import reps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "gui"))

from nixos_settings.core.config.configuration import Configuration  # noqa: E402
from nixos_settings.core.edit import planning  # noqa: E402
from nixos_settings.core.nix import syntax  # noqa: E402


def wide(n: int) -> bytes:
    return ("{ " + " ".join(f"a{i} = {i};" for i in range(n)) + " }\n").encode()


def deep(n: int) -> bytes:
    return ("{ " + "".join(f"a{i} = {{ " for i in range(n)) + "x = 1; " + "}; " * n
            + "}\n").encode()


def timed_load(path: Path, data: bytes) -> float:
    path.write_bytes(data)
    best = float("inf")
    for _ in range(reps(3)):
        t = time.perf_counter()
        cfg = Configuration.load(path)
        assert cfg.definitions
        best = min(best, time.perf_counter() - t)
    return best * 1000


def load_and_set_deep(path: Path, n: int) -> float:
    path.write_bytes(deep(n))
    loc = tuple(f"a{i}" for i in range(n)) + ("x",)
    best = float("inf")
    for _ in range(reps(3)):
        t = time.perf_counter()
        cfg = Configuration.load(path)
        cfg.apply(planning.plan_set(cfg, loc, "2"))
        best = min(best, time.perf_counter() - t)
    return best * 1000


def row(name: str, ms: float, base_name: str, base_ms: float, target: float) -> None:
    ratio = ms / base_ms
    print(f"{name:<40} {ms:9.1f} ms   baseline {base_name:<34} {base_ms:9.1f} ms"
          f"   ratio {ratio:5.2f}   target ≤ {target:<4} {'OK' if ratio <= target else 'MISSED'}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "configuration.nix"
        big = timed_load(path, wide(200_000))
        small = timed_load(path, wide(50_000))
        row("read 200,000 bindings on one line", big, "read 50,000 bindings", small, 6)
        data = wide(200_000)
        t = time.perf_counter()
        syntax.parse(data)
        parse_ms = (time.perf_counter() - t) * 1000
        row("read 200,000 bindings on one line", big, "tree-sitter parse of it", parse_ms, 60)

        deep_ms = load_and_set_deep(path, 2400)
        shallow_ms = load_and_set_deep(path, 600)
        row("load + set in sets nested 2,400 deep", deep_ms, "the same, nested 600 deep",
            shallow_ms, 6)


if __name__ == "__main__":
    main()
