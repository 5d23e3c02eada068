"""What the window imports before its first paint: none of the metadata machinery (search,
types, suggestions, evaluation), which the first paint does not need and which cost tens of
milliseconds of start-up when a row's colour or a reset of the Value column pulled them in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
from nixos_settings.ui import app as appmod
w = appmod.create_window(sys.argv[1], None)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() in (QEvent.Type.Paint, QEvent.Type.Expose):
            print(" ".join(sorted(m for m in sys.modules if m.startswith("nixos_settings"))))
            app.quit()
        return False
f = F()
w.installEventFilter(f)
app.exec()
"""
NOT_BEFORE_PAINT = ("nixos_settings.core.options.suggest", "nixos_settings.core.options.locs",
                    "nixos_settings.core.options.search", "nixos_settings.core.options.types",
                    "nixos_settings.core.options.describe", "nixos_settings.core.system.evaluate")


def test_no_metadata_machinery_before_the_first_paint(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"), QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", SCRIPT,
                           str(REPO / "examples" / "configuration.nix")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(proc.stdout.split())
    assert "nixos_settings.ui.mainwindow" in loaded  # the window was painted
    assert sorted(loaded & set(NOT_BEFORE_PAINT)) == []
