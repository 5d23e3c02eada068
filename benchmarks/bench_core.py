"""Benchmarks of the core engine (issue 2, section 7).

Each figure is printed beside a baseline measured in the same run, with the ratio:

* set/add/unset + reparse + re-map on a 2,000-line configuration: p99 ≤ 5 ms and
  ≤ 3× a plain tree-sitter parse of the same file;
* loading a 50-file import tree (~10,000 lines): ≤ 150 ms (baseline: read + parse only);
* ``nixos-settings list`` on a 1,000-line file, whole process: ≤ 2× starting Python,
  importing tree-sitter and parsing the file.

Run: ``PYTHONPATH=gui python benchmarks/bench_core.py``
"""

from __future__ import annotations

import importlib.util
import os
import random
import statistics
import subprocess
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


def _fixtures():  # the deterministic generators the tests use
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", ROOT / "tests" / "fixtures" / "make_fixtures.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def row(name: str, value_ms: float, base_name: str, base_ms: float, target: str, ok: bool) -> None:
    ratio = value_ms / base_ms if base_ms else float("inf")
    print(f"{name:<44} {value_ms:8.2f} ms   baseline {base_name:<34} {base_ms:8.2f} ms"
          f"   ratio {ratio:5.2f}   target {target:<22} {'OK' if ok else 'MISSED'}")


def bench_edits(tmp: Path, fx) -> None:
    path = tmp / "large-2000.nix"
    path.write_bytes(fx.large_config(2000))
    data = path.read_bytes()
    parse_times = []
    for _ in range(reps(50, 5)):
        t = time.perf_counter()
        syntax.parse(data)
        parse_times.append((time.perf_counter() - t) * 1000)
    base = statistics.median(parse_times)
    cfg = Configuration.load(path)
    # warm-up, not timed: the first edit imports the planner (one-time, like any app)
    warm = planning.plan_set(cfg, ("services", "warmup", "enable"), "true")
    cfg.apply(warm)
    cfg.apply(planning.plan_unset(cfg, ("services", "warmup", "enable")))
    rnd = random.Random(7)
    times: dict[str, list[float]] = {"set": [], "add": [], "unset": []}
    for i in range(reps(200, 30)):
        kind = ("set", "add", "unset")[i % 3]
        # choosing what to edit is the user's part, not timed
        d = rnd.choice([d for d in cfg.definitions if d.editable and d.value_text in
                        ("true", "false")] or cfg.definitions)
        t = time.perf_counter()
        if kind == "set":
            cs = planning.plan_set(cfg, d.loc, "false" if d.value_text == "true" else "true", at=d)
        elif kind == "add":
            cs = planning.plan_set(cfg, ("services", f"bench{i}", "enable"), "true")
        else:
            cs = planning.plan_unset(cfg, ("services", f"bench{i - 1}", "enable"))
        cfg.apply(cs)
        times[kind].append((time.perf_counter() - t) * 1000)
    allt = [x for v in times.values() for x in v]
    for kind, vals in times.items():
        p99 = pct(vals, 99)
        row(f"{kind} + reparse + remap, 2,000 lines, p99", p99, "tree-sitter full parse (median)",
            base, "<= 5 ms and <= 3x", p99 <= 5 and p99 <= 3 * base)
    p99 = pct(allt, 99)
    row("all edits, p99", p99, "tree-sitter full parse (median)", base, "<= 5 ms and <= 3x",
        p99 <= 5 and p99 <= 3 * base)
    row("all edits, median", statistics.median(allt), "tree-sitter full parse (median)", base,
        "(info)", True)


def bench_load(tmp: Path, fx) -> None:
    root = fx.write_import_tree(tmp / "tree-50", 50, 10_000)
    files = sorted(root.parent.rglob("*.nix"))
    nlines = sum(p.read_bytes().count(b"\n") for p in files)
    loads, bases = [], []
    for _ in range(reps(15)):
        t = time.perf_counter()
        cfg = Configuration.load(root)
        loads.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for p in files:
            syntax.parse(p.read_bytes())
        bases.append((time.perf_counter() - t) * 1000)
    assert len(cfg.files) == len(files), (len(cfg.files), len(files))
    v = statistics.median(loads)
    row(f"load {len(files)}-file tree ({nlines} lines), median", v, "read + parse all files",
        statistics.median(bases), "<= 150 ms", v <= 150)


def bench_list_process(tmp: Path, fx) -> None:
    path = tmp / "large-1000.nix"
    path.write_bytes(fx.large_config(1000))
    # An installed app is byte-compiled (pip and Nix compile at install time); this machine
    # sets PYTHONDONTWRITEBYTECODE, so compile once here instead of on every start.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "gui"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "gui")], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    cmd = [sys.executable, "-m", "nixos_settings", "list", "--file", str(path)]
    base_cmd = [sys.executable, "-c",
                "import sys, tree_sitter, tree_sitter_nix as n; "
                "tree_sitter.Parser(tree_sitter.Language(n.language()))"
                ".parse(open(sys.argv[1],'rb').read())", str(path)]
    runs, bases = [], []
    for _ in range(reps(10)):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        runs.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        subprocess.run(base_cmd, env=env, check=True)
        bases.append((time.perf_counter() - t) * 1000)
    v, b = statistics.median(runs), statistics.median(bases)
    row("`nixos-settings list`, 1,000 lines, process", v,
        "python + import tree_sitter + parse", b, "<= 2x", v <= 2 * b)


def main() -> None:
    fx = _fixtures()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_edits(tmp, fx)
        bench_load(tmp, fx)
        bench_list_process(tmp, fx)


if __name__ == "__main__":
    main()
