"""Window integration: rebuild panel docked and pointed at the file, geometry remembered,
start-up entry point shows the window before metadata arrives."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


def test_rebuild_panel_is_docked_and_configured(window, config_dir) -> None:
    panel = window.rebuild_panel
    assert window.rebuild_dock.widget() is panel
    assert panel.config_file == config_dir / "configuration.nix"
    panel.locationActivated.emit(str(config_dir / "desktop.nix"), 3, 3)
    assert window.source.current_path() == config_dir / "desktop.nix"
    assert "line 3" in window.source._where.text()


def test_geometry_is_remembered(qtbot, config_dir) -> None:
    first = MainWindow()
    first._confirm_quit = False
    qtbot.addWidget(first)
    first.show()
    first.resize(701, 503)
    first.main_split.setSizes([250, 451])
    first.close()
    assert QSettings("nixos-settings", "nixos-settings").value("window/geometry") is not None
    second = MainWindow()
    second._confirm_quit = False
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (701, 503)
    assert abs(second.main_split.sizes()[0] - first.main_split.sizes()[0]) <= 1


def test_create_window_opens_then_loads_in_background(qtbot, config_dir, options_file) -> None:
    from nixos_settings.ui.app import create_window

    win = create_window(config_dir / "configuration.nix", str(options_file))
    win._confirm_quit = False
    qtbot.addWidget(win)
    assert win.isVisible()
    assert win.controller.options is None  # nothing slow before the window shows
    with qtbot.waitSignal(win.controller.options_loaded, timeout=10000):
        pass
    assert win.windowTitle().endswith(str(config_dir / "configuration.nix"))
    assert win.model.index_for(("services", "printing", "enable")).isValid()


def test_cli_without_subcommand_opens_the_window(config_dir, options_file, tmp_path) -> None:
    """The real entry point in a real process: window shown, metadata loaded, clean exit."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    gui = Path(__file__).resolve().parents[2] / "gui"
    env = dict(os.environ, PYTHONPATH=str(gui), QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               NIXOS_SETTINGS_SHOWN_STAMP="quit")
    proc = subprocess.run(
        [sys.executable, "-m", "nixos_settings", "--file", str(config_dir / "configuration.nix"),
         "--options", str(options_file)],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    keys = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert keys[:3] == ["shown", "options", "maxrss_kb"], proc.stdout


def test_generations_dock_lists_the_profile(window, qtbot, tmp_path) -> None:
    gens = window.generations
    assert gens.panel is window.rebuild_panel
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for n in (1, 2):
        target = tmp_path / f"store-system-{n}"
        target.mkdir()
        (target / "nixos-version").write_text(f"24.05.{n}\n")
        (profiles / f"system-{n}-link").symlink_to(target)
    (profiles / "system").symlink_to("system-2-link")
    gens.profiles = profiles
    window.show()
    window.generations_dock.show()  # showing the dock refreshes the list
    qtbot.waitUntil(lambda: gens.table.topLevelItemCount() == 2)
    assert gens.table.topLevelItem(0).text(0) == "2"
    assert gens.table.topLevelItem(0).text(3) == "current"
    assert gens.table.topLevelItem(1).text(2) == "24.05.1"


def test_default_size_fits_small_and_scaled_screens() -> None:
    from PySide6.QtCore import QSize

    from nixos_settings.ui.mainwindow import default_size

    assert default_size(QSize(1920, 1080)) == (1280, 820)
    assert default_size(QSize(800, 500)) == (720, 450)  # e.g. 1600×1000 at scale 2


def test_opening_a_flake_with_several_hosts_asks_which(qtbot, monkeypatch) -> None:
    from pathlib import Path

    from PySide6.QtWidgets import QInputDialog

    from nixos_settings.ui.mainwindow import MainWindow

    flake = Path(__file__).resolve().parents[1] / "fixtures" / "configs" / "flake" / "flake.nix"
    asked: list[list[str]] = []

    def pick(parent, title, label, items, current, editable):  # type: ignore[no-untyped-def]
        asked.append(list(items))
        assert "computed" in label  # the host that needs evaluation is named, not offered
        return "borealis", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    assert win.open_configuration(flake)
    assert asked == [["atlas", "borealis"]]
    assert win.controller.cfg.flake_host == "borealis"
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a: ("", False)))
    assert not win.open_configuration(flake)  # cancelled: nothing changes
    assert win.controller.cfg.flake_host == "borealis"


def test_menus_keep_their_entries_and_shortcuts(window) -> None:
    """The window is composed of parts; its menus stay what users know, each documented key
    on its action (whatever else the platform's key scheme adds)."""
    menus = {a.text(): [(x.text(), [k.toString() for k in x.shortcuts()])
                        for x in a.menu().actions()]
             for a in window.menuBar().actions()}
    assert list(menus) == ["&File", "&Edit", "&View", "&System"]
    texts = {m: [t for t, _ in acts] for m, acts in menus.items()}
    assert texts["&File"] == ["&Open configuration…", "Load &options file…", "",
                              "&Review changes…", "&Save", "Re&load from disk", "", "&Quit"]
    assert texts["&Edit"] == ["&Undo", "&Redo", "", "&Find option"]
    assert texts["&View"] == ["Only what my configuration &sets", "", "Go to &tree",
                              "Go to option &page", "Go to s&ource view", "Problems",
                              "&Tasks (plain-language settings)"]
    keys = {t: k for acts in menus.values() for t, k in acts}
    for text, key in (("&Open configuration…", "Ctrl+O"), ("&Save", "Ctrl+S"),
                      ("&Review changes…", "Ctrl+D"), ("Re&load from disk", "F5"),
                      ("&Quit", "Ctrl+Q"), ("&Undo", "Ctrl+Z"), ("&Redo", "Ctrl+Shift+Z"),
                      ("&Find option", "Ctrl+F"), ("&Find option", "Ctrl+K"),
                      ("Only what my configuration &sets", "Ctrl+Shift+S"),
                      ("Go to &tree", "Ctrl+1"), ("Go to option &page", "Ctrl+2"),
                      ("Go to s&ource view", "Ctrl+3"),
                      ("&Apply changes (nixos-rebuild)…", "Ctrl+R")):
        assert key in keys[text], (text, keys[text])
    assert menus["&System"] == [("&Apply changes (nixos-rebuild)…", ["Ctrl+R"]),
                                ("System &generations and rollback…", []),
                                ("&Evaluate with Nix (effective values)", [])]
