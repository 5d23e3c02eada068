"""No key bound twice under any desktop's key scheme.

Which sequences a standard key means depends on the platform theme (on GNOME, Refresh is
Ctrl+R as well as F5, and "Apply changes" is Ctrl+R too).  Each scheme is a fresh process,
the real window built under that theme on the X server; it lists every binding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

GUI = Path(__file__).resolve().parents[3] / "gui"

SCRIPT = r"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from nixos_settings.core.options import model as options
from nixos_settings.ui.mainwindow import MainWindow
from nixos_settings.ui.shortcuts import bound_keys, duplicates
win = MainWindow()
win._confirm_quit = False
win.show()
win.open_configuration(sys.argv[1])
win.controller.set_options(options.load_file(sys.argv[2]))
seen = {}
for loc in (("networking", "hostName"), ("boot", "kernel", "sysctl"),
            ("users", "users", "<name>"), ("services", "printing", "enable")):
    win.controller.open_option(loc)
    app.processEvents()
    seen.update(duplicates(win))
keys = {}
for key, owner in bound_keys(win):
    keys.setdefault(owner, []).append(key)
print(json.dumps({"duplicates": seen, "keys": keys}))
win.close()
"""


def bindings(theme: str, config_dir: Path, options_file: Path, tmp_path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(GUI), QT_QPA_PLATFORM="xcb",
               QT_QPA_PLATFORMTHEME=theme, XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("XDG_CURRENT_DESKTOP", None)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(config_dir / "configuration.nix"),
                           str(options_file)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Ambiguous shortcut" not in proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("theme", ["generic", "gnome", "kde"])
def test_no_key_bound_twice_in_any_key_scheme(theme, config_dir, options_file, tmp_path):
    found = bindings(theme, config_dir, options_file, tmp_path)
    assert found["duplicates"] == {}
    keys = found["keys"]
    assert "Ctrl+R" in keys["Apply changes (nixos-rebuild)…"]
    assert "F5" in keys["Reload from disk"]
    assert keys["Redo"].count("Ctrl+Shift+Z") == 1
    assert {"Ctrl+F", "Ctrl+K"} <= set(keys["Find option"])


def test_gnome_scheme_is_really_different(config_dir, options_file, tmp_path):
    """The check above means something: under GNOME's scheme Refresh does want Ctrl+R."""
    script = ("from PySide6.QtWidgets import QApplication\n"
              "from PySide6.QtGui import QKeySequence\n"
              "app = QApplication([])\n"
              "print([k.toString() for k in QKeySequence.keyBindings("
              "QKeySequence.StandardKey.Refresh)])\n")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_QPA_PLATFORMTHEME="gnome")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=60)
    assert "Ctrl+R" in out.stdout
