"""Layering: which modules may import tree-sitter and Qt (AST scan + import-linter)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "gui" / "nixos_settings"
TREE_SITTER = {"tree_sitter", "tree_sitter_nix"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, wherever the import statement is
    (function bodies and ``if TYPE_CHECKING`` blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                out.add(str(node.args[0].value).split(".")[0])
    return out


def python_files() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def test_scan_sees_the_package() -> None:
    files = {p.relative_to(PKG).as_posix() for p in python_files()}
    assert {"core/syntax.py", "core/config.py", "cli.py"} <= files
    # the scanner itself works: syntax.py really imports tree-sitter
    assert TREE_SITTER <= imported_roots(PKG / "core" / "syntax.py")


def test_only_core_syntax_imports_tree_sitter() -> None:
    offenders = [
        p.relative_to(PKG).as_posix()
        for p in python_files()
        if p != PKG / "core" / "syntax.py" and imported_roots(p) & TREE_SITTER
    ]
    assert offenders == []


def test_core_cli_and_helper_never_import_pyside6() -> None:
    paths = [*sorted((PKG / "core").rglob("*.py")), PKG / "cli.py"]
    if (PKG / "helper.py").exists():
        paths.append(PKG / "helper.py")
    offenders = [p.relative_to(PKG).as_posix() for p in paths
                 if {"PySide6", "shiboken6"} & imported_roots(p)]
    assert offenders == []


def test_core_never_imports_ui_or_cli() -> None:
    offenders = []
    for p in sorted((PKG / "core").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.startswith(("nixos_settings.ui", "nixos_settings.cli")) for n in names):
                offenders.append(p.name)
    assert offenders == []


def test_cli_import_does_not_load_qt() -> None:
    """At run time too: importing the CLI and using the core pulls in no Qt module."""
    code = (
        "import sys, nixos_settings.cli as c, nixos_settings.core.config, "
        "nixos_settings.core.edits, nixos_settings.core.save\n"
        "c.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"))
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env,
                         check=True, timeout=60)
    assert out.stdout.strip() == b"[]"


def _lint_imports() -> str | None:
    found = shutil.which("lint-imports")
    venv = Path("/tmp/venv/bin/lint-imports")
    return found or (str(venv) if venv.exists() else None)


@pytest.mark.skipif(_lint_imports() is None, reason="import-linter is not installed")
def test_import_linter_contracts_hold() -> None:
    exe = _lint_imports()
    assert exe is not None
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"))
    proc = subprocess.run([exe], cwd=REPO, capture_output=True, env=env, timeout=120,
                          check=False)
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, out
    assert "broken" not in out.lower().replace("0 broken", "")
