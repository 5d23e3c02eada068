"""``python -m build`` makes a wheel and an sdist that install and run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _source_copy(dest: Path) -> Path:
    """The project's sources, copied: building writes build/ and *.egg-info beside the
    sources, and the suite must leave the work tree it runs from as it was."""
    skip = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                  "__pycache__", ".mypy_cache", ".ruff_cache")
    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


def test_wheel_and_sdist_build_install_and_run(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    before = sorted(p.name for p in ROOT.iterdir())
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist",
         "--outdir", str(dist), str(_source_copy(tmp_path / "src"))],
        check=True, capture_output=True, cwd=tmp_path,
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before  # nothing written into the tree
    wheels = list(dist.glob("nixos_settings-*.whl"))
    sdists = list(dist.glob("nixos_settings-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    # every module of the source tree is in the wheel (every layer package, ui included)
    source = sorted(p.relative_to(ROOT / "gui").as_posix()
                    for pattern in ("*.py", "*.toml")  # modules and the task definitions
                    for p in (ROOT / "gui" / "nixos_settings").rglob(pattern))
    assert len(source) > 30
    missing = [m for m in source if m not in names]
    assert missing == []
    assert not any("options.json" in n for n in names)  # no option metadata is shipped
    with tarfile.open(sdists[0]) as tar:
        members = tar.getnames()
    assert any(m.endswith("/pyproject.toml") for m in members)
    assert any(m.endswith("/gui/nixos_settings/core/session.py") for m in members)

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheels[0])],
        check=True, capture_output=True,
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for script in ("nixos-settings", "nixos-settings-helper"):
        assert (target / "bin" / script).exists(), script
    out = subprocess.run([sys.executable, str(target / "bin" / "nixos-settings"), "--version"],
                         check=True, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.stdout.strip() == "nixos-settings 0.1.0"
    where = subprocess.run(
        [sys.executable, "-c", "import nixos_settings; print(nixos_settings.__file__)"],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert where.stdout.startswith(str(target))  # the installed copy, not the source tree
