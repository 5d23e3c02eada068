"""The benchmark runner's smoke mode (``benchmarks/run_all.py --quick``, run by ``./dev test``):
a benchmark that crashes or prints no figure with a ratio fails the run; a missed timing
target fails a full run but not a quick one."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _script(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "bench_fake.py"
    p.write_text(body)
    return p


def test_every_benchmark_is_found() -> None:
    names = {p.name for p in _load("run_all").benchmarks()}
    assert {"bench_core.py", "bench_gui.py", "bench_rebuild.py", "bench_search.py"} <= names
    assert "benchkit.py" not in names and "run_all.py" not in names


@pytest.mark.parametrize(("body", "ok", "why"), [
    ("print('x 1.0 ms baseline y 2.0 ms ratio 0.50 OK')\n", True, "1 figures"),
    ("print('starting')\nraise SystemExit(3)\n", False, "exit status 3"),
    ("print('figures without a baseline')\n", False, "no figure with a ratio"),
])
def test_runner_judges_a_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   body: str, ok: bool, why: str) -> None:
    got_ok, _took, what = _load("run_all").run_one(_script(tmp_path, body), quick=True)
    assert (got_ok, why in what) == (ok, True)
    assert capsys.readouterr().out  # the benchmark's own output is shown


@pytest.mark.parametrize(("quick", "status"), [("1", 0), ("0", 1)])
def test_missed_target_fails_only_a_full_run(tmp_path: Path, quick: str, status: int) -> None:
    body = (f"import sys\nsys.path.insert(0, {str(BENCH)!r})\n"
            "from benchkit import exit_code, reps\nprint(reps(7, 2))\nsys.exit(exit_code(False))\n")
    env = {"NIXOS_SETTINGS_BENCH_QUICK": quick, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, str(_script(tmp_path, body))], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == status, proc.stderr
    assert proc.stdout.strip() == ("2" if quick == "1" else "7")
