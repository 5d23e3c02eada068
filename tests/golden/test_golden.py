"""Golden edit cases: hand-written before / operation / after bytes (see README.md here).

For every directory in ``cases/``:

* ``test_golden_case`` copies ``before`` into a temporary directory, loads it with
  ``Configuration.load``, applies each operation of ``op.json`` (``cfg.apply`` after each),
  saves, and compares every ``.nix`` file with ``after`` byte for byte.  Error cases expect a
  ``NixSettingsError`` whose message contains ``error.txt`` and no changed file.
* ``test_after_is_valid_nix`` checks the oracle itself with the real ``nix-instantiate --parse``.
* ``test_string_cases_evaluate_back`` evaluates every value set with ``"string"`` from the
  ``after`` files with ``nix-instantiate --eval`` and requires exactly the Python string.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nixos_settings.core.edit import planning
from nixos_settings.core.edit.save import save_configuration

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())
NIX_INSTANTIATE = shutil.which("nix-instantiate")
ROOT_NAME = "configuration.nix"


# ----------------------------------------------------------------------------- helpers


def _tree(case: Path, kind: str) -> dict[str, bytes]:
    """The files of ``before`` / ``after`` of a case: relative path → bytes."""
    single = case / f"{kind}.nix"
    if single.is_file():
        return {ROOT_NAME: single.read_bytes()}
    base = case / kind
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def _disk_nix_files(root_dir: Path) -> dict[str, bytes]:
    """Every ``*.nix`` file under ``root_dir`` (backups with other suffixes are ignored)."""
    return {
        p.relative_to(root_dir).as_posix(): p.read_bytes()
        for p in sorted(root_dir.rglob("*.nix"))
        if p.is_file()
    }


def _materialise(files: dict[str, bytes], dest: Path) -> Path:
    for rel, data in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest / ROOT_NAME


def _ops(case: Path) -> list[dict[str, Any]]:
    data = json.loads((case / "op.json").read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def _apply_op(cfg: Any, op: dict[str, Any]) -> None:
    """Run one op.json operation through the public API and apply its change set."""
    from nixos_settings.core.nix import optpath

    loc = optpath.parse(op["option"])
    kind = op["op"]
    inside = bool(op.get("inside_condition", False))
    if kind == "set":
        if "string" in op:
            changes = planning.plan_set_value(cfg, loc, op["string"], inside_condition=inside)
        else:
            changes = planning.plan_set(cfg, loc, op["value"], inside_condition=inside)
    elif kind == "unset":
        changes = planning.plan_unset(cfg, loc)
    elif kind == "list_add":
        changes = planning.plan_list_add(cfg, loc, op["element"], inside_condition=inside)
    elif kind == "list_remove":
        changes = planning.plan_list_remove(cfg, loc, op["element"])
    elif kind == "list_remove_at":
        changes = planning.plan_list_remove_at(cfg, loc, op["index"])
    elif kind == "list_set_at":
        changes = planning.plan_list_set_at(cfg, loc, op["index"], op["element"])
    elif kind == "rename":
        changes = planning.plan_rename(cfg, loc, op["new_name"])
    else:  # pragma: no cover - a malformed case file
        raise AssertionError(f"unknown op {kind!r}")
    cfg.apply(changes)


def _run_case(root: Path, ops: list[dict[str, Any]]) -> Any:
    from nixos_settings.core.config.configuration import Configuration

    cfg = Configuration.load(root)
    for op in ops:
        _apply_op(cfg, op)
    save_configuration(cfg)
    return cfg


def _first_difference(expected: bytes, actual: bytes) -> str:
    """A short description of where two byte strings first differ (for failure messages)."""
    n = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    line = expected.count(b"\n", 0, n) + 1
    return (
        f"first difference at byte {n} (line {line}):\n"
        f"  expected {expected[max(0, n - 40) : n + 40]!r}\n"
        f"  actual   {actual[max(0, n - 40) : n + 40]!r}"
    )


# ----------------------------------------------------------------------------- the cases


def test_case_directories_are_well_formed() -> None:
    assert len(CASES) >= 60
    for case in CASES:
        assert (case / "op.json").is_file(), case.name
        has_after = (case / "after.nix").is_file() or (case / "after").is_dir()
        has_error = (case / "error.txt").is_file()
        assert has_after != has_error, f"{case.name}: needs exactly one of after / error.txt"
        assert ROOT_NAME in _tree(case, "before"), case.name
        for op in _ops(case):
            assert op["op"] in {"set", "unset", "list_add", "list_remove", "list_remove_at",
                                 "list_set_at", "rename"}, case.name
            assert set(op) <= {"op", "option", "value", "string", "element", "index",
                               "new_name", "inside_condition"}, case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: Path, tmp_path: Path) -> None:
    from nixos_settings.core.common.errors import NixSettingsError

    before = _tree(case, "before")
    root = _materialise(before, tmp_path)
    ops = _ops(case)

    if (case / "error.txt").is_file():
        expected_text = (case / "error.txt").read_text(encoding="utf-8").strip()
        with pytest.raises(NixSettingsError) as info:
            _run_case(root, ops)
        message = str(info.value)
        assert "\n" not in message.strip(), f"error message is not one line: {message!r}"
        assert expected_text.lower() in message.lower(), (
            f"{case.name}: error {message!r} does not mention {expected_text!r}"
        )
        assert _disk_nix_files(tmp_path) == before, f"{case.name}: a file changed on error"
        return

    cfg = _run_case(root, ops)
    expected = _tree(case, "after")
    actual = _disk_nix_files(tmp_path)
    assert sorted(actual) == sorted(expected), f"{case.name}: different set of files"
    for rel, want in expected.items():
        got = actual[rel]
        assert got == want, f"{case.name}/{rel}: {_first_difference(want, got)}"
    assert list(cfg.dirty_paths()) == [], f"{case.name}: still dirty after save()"


# ----------------------------------------------------------------------------- the oracle


def _nix_parses(path: Path) -> tuple[bool, str]:
    assert NIX_INSTANTIATE is not None
    proc = subprocess.run(
        [NIX_INSTANTIATE, "--parse", str(path)], capture_output=True, text=True, check=False
    )
    return proc.returncode == 0, proc.stderr.strip()


AFTER_CASES = [c for c in CASES if not (c / "error.txt").is_file()]


@pytest.mark.nix
@pytest.mark.skipif(NIX_INSTANTIATE is None, reason="nix-instantiate is not installed")
@pytest.mark.parametrize("case", AFTER_CASES, ids=[c.name for c in AFTER_CASES])
def test_after_is_valid_nix(case: Path, tmp_path: Path) -> None:
    """Every expected file parses with Nix, except files left untouched that never did."""
    before = _tree(case, "before")
    after = _tree(case, "after")
    _materialise(after, tmp_path / "after")
    _materialise(before, tmp_path / "before")
    checked = 0
    for rel, data in after.items():
        ok, err = _nix_parses(tmp_path / "after" / rel)
        if not ok and before.get(rel) == data:
            # An intentionally broken import that the case leaves alone.
            assert not _nix_parses(tmp_path / "before" / rel)[0]
            continue
        assert ok, f"{case.name}/{rel}: {err}"
        checked += 1
    assert checked >= 1


_STUB_LIB = (
    "let id = x: x; in { mkDefault = id; mkForce = id; mkBefore = id; mkAfter = id;"
    " mkIf = c: x: x; mkOverride = n: x: x; mkOrder = n: x: x; mkMerge = id;"
    " mkEnableOption = id; mkOption = id; types = { str = null; port = null; path = null; }; }"
)


def _string_ops(case: Path) -> list[tuple[tuple[str, ...], str]]:
    """Final Python string per option for the case's ``string`` operations."""
    from nixos_settings.core.nix import optpath

    final: dict[tuple[str, ...], str | None] = {}
    for op in _ops(case):
        loc = optpath.parse(op["option"])
        final[loc] = op.get("string") if op["op"] == "set" else None
    return [(loc, s) for loc, s in final.items() if s is not None]


STRING_CASES = [c for c in AFTER_CASES if any("string" in op for op in _ops(c))]


@pytest.mark.nix
@pytest.mark.skipif(NIX_INSTANTIATE is None, reason="nix-instantiate is not installed")
@pytest.mark.parametrize("case", STRING_CASES, ids=[c.name for c in STRING_CASES])
def test_string_cases_evaluate_back(case: Path, tmp_path: Path) -> None:
    """A string set from Python evaluates, in the expected file, to exactly that string."""
    from nixos_settings.core.nix import optpath

    before = _tree(case, "before")
    after = _tree(case, "after")
    _materialise(after, tmp_path)
    changed = [rel for rel, data in after.items() if before.get(rel) != data]
    assert changed, case.name
    for loc, want in _string_ops(case):
        select = optpath.show(loc)
        found: list[Any] = []
        for rel in changed:
            expr = (
                f"let f = import {tmp_path / rel}; lib = {_STUB_LIB};"
                " args = { config = { }; pkgs = { }; inherit lib; modulesPath = /x; };"
                " m = if builtins.isFunction f"
                " then f (builtins.intersectAttrs (builtins.functionArgs f) args) else f;"
                " r = if m ? options && m ? config then m.config else m;"
                f" in r.{select} or null"
            )
            proc = subprocess.run(
                [str(NIX_INSTANTIATE), "--eval", "--strict", "--json", "-E", expr],
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode == 0, f"{case.name}/{rel}: {proc.stderr.strip()}"
            value = json.loads(proc.stdout)
            if value is not None:
                found.append(value)
        assert found == [want], f"{case.name}: {select} evaluates to {found!r}, want {want!r}"
