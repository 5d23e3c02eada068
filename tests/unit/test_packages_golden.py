"""Golden before/after cases for installing and removing packages in every list style.

Each directory of ``packages_cases/`` holds ``before.nix``, ``op.json`` (``add`` with
``attrs`` and ``to``, ``remove`` with ``attrs``, ``allow-unfree`` with an optional
``pname``) and either ``after.nix`` (the exact bytes after saving) or ``error.txt`` (part of
the refusal; no file changes).  Every ``after.nix`` and every saved file is checked with the
real ``nix-instantiate --parse``; planning goes through the session, as both faces do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.packages import advice
from nixos_settings.core.packages.catalogue import Package
from nixos_settings.core.session import Session

CASES_DIR = Path(__file__).resolve().parent / "packages_cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())
NIX = shutil.which("nix-instantiate")


def parse_with_nix(path: Path) -> None:
    assert NIX is not None, "nix-instantiate is needed (apt-get install nix-bin)"
    proc = subprocess.run([NIX, "--parse", str(path)], capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode()


def run_op(session: Session, op: dict[str, object]) -> None:
    kind = op["op"]
    if kind == "add":
        change = session.plan_packages_add(op["attrs"], str(op.get("to", "system")))  # type: ignore[arg-type]
    elif kind == "remove":
        change = session.plan_packages_remove(op["attrs"])  # type: ignore[arg-type]
    else:
        pname = op.get("pname")
        pkg = Package(attr=str(pname), pname=str(pname), unfree=True) if pname else None
        change = advice.plan_allow_unfree(session.cfg, pkg)
    assert change, "the operation planned no change"
    session.apply(change)
    out = session.save(helper=False)
    assert out.ok, out


def test_there_are_cases_of_every_kind() -> None:
    kinds = {json.loads((c / "op.json").read_text())["op"] for c in CASES}
    assert kinds == {"add", "remove", "allow-unfree"}
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    before = (case / "before.nix").read_bytes()
    root = tmp_path / "configuration.nix"
    root.write_bytes(before)
    op = json.loads((case / "op.json").read_text())
    session = Session.open(root)
    error = case / "error.txt"
    if error.exists():
        with pytest.raises(NixSettingsError) as info:
            run_op(session, op)
        assert error.read_text().strip() in str(info.value)
        assert root.read_bytes() == before
        return
    run_op(session, op)
    assert root.read_bytes() == (case / "after.nix").read_bytes()
    parse_with_nix(root)
    # read back: what was added is now listed, what was removed is gone
    listed = {r.attr for r in Session.open(root).installed_packages()}
    if op["op"] == "add":
        assert set(op["attrs"]) <= listed
    elif op["op"] == "remove":
        assert not set(op["attrs"]) & listed


@pytest.mark.parametrize("case", [c for c in CASES if (c / "after.nix").exists()],
                         ids=lambda c: c.name)
def test_after_is_valid_nix(case: Path) -> None:
    parse_with_nix(case / "after.nix")
