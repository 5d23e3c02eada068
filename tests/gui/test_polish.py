"""Issue 9 items 17 and 18: docks and the tree's columns keep sensible sizes, the branch
arrow only opens a branch, quitting is quick; the option page lists every declaration and
gives the type in words only."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel

from nixos_settings.core.options import model as core_options
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _clean_settings() -> object:
    """Window states saved here (huge docks on purpose) stay out of other tests."""
    QSettings("nixos-settings", "nixos-settings").clear()
    yield None
    QSettings("nixos-settings", "nixos-settings").clear()


def _page_text(window: MainWindow) -> str:
    return "\n".join(lab.text() for lab in window.page.findChildren(QLabel))


def _visible_docks(window: MainWindow) -> list[QDockWidget]:
    return [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]


# -- docks --------------------------------------------------------------------------------------

def _fresh_window(qtbot) -> MainWindow:
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    QApplication.processEvents()
    return win


def _within_limits(win: MainWindow) -> None:
    for d in _visible_docks(win):
        if win.dockWidgetArea(d) in (Qt.DockWidgetArea.LeftDockWidgetArea,
                                     Qt.DockWidgetArea.RightDockWidgetArea):
            assert d.width() <= win.width() // 3 + 1, d.objectName()
        else:
            assert d.height() <= int(win.height() * 0.4) + 1, d.objectName()


def test_restored_docks_are_clamped(qtbot) -> None:
    """A state saved with a side dock at 3/4 of the window and the bottom dock at 2/3 of
    its height comes back with both at their share (1/3 wide, 40 % high)."""
    first = _fresh_window(qtbot)
    first.resize(780, 700)  # the offscreen screen is 800×800
    first.problems_dock.show()
    first.tasks_dock.show()
    QApplication.processEvents()
    first.resizeDocks([first.tasks_dock], [590], Qt.Orientation.Horizontal)
    first.resizeDocks([first.problems_dock], [460], Qt.Orientation.Vertical)
    QApplication.processEvents()
    assert first.tasks_dock.width() > 780 // 2  # the state to restore is a bad one
    assert first.problems_dock.height() > 700 // 2
    first.close()
    second = _fresh_window(qtbot)
    assert (second.width(), second.height()) == (780, 700)
    assert second.tasks_dock.isVisible() and second.problems_dock.isVisible()
    _within_limits(second)
    assert second.tasks_dock.width() >= 780 // 3 - 20  # clamped, not collapsed


def test_first_run_docks_are_modest(qtbot) -> None:
    win = _fresh_window(qtbot)  # 90 % of the small offscreen screen
    assert win.tasks_dock.isVisible()
    _within_limits(win)
    qtbot.wait(20)
    tree, right = win.main_split.sizes()  # the room the dock left is shared 2:3
    assert tree <= right and right > 0


# -- the tree ------------------------------------------------------------------------------------

def test_value_column_stays_visible_in_a_narrow_tree(window, qtbot) -> None:
    """What QT_SCALE_FACTOR=2 does to a normal window, a narrow one does at scale 1: the
    name column must leave room for the values."""
    window.resize(700, 600)
    window.main_split.setSizes([300, 400])
    QApplication.processEvents()
    tree = window.tree
    root = window.model.index_for(("networking",))
    tree.expand(root)
    QApplication.processEvents()
    viewport = tree.viewport().width()
    value_left = tree.header().sectionPosition(1) - tree.header().offset()
    assert value_left < viewport * 0.75
    assert tree.header().sectionSize(1) >= viewport * 0.25 - 2
    assert tree.header().length() <= viewport  # nothing pushed out sideways
    assert tree.horizontalScrollBar().maximum() == 0
    window.resize(1300, 850)  # room again: the name column gets its width back
    window.main_split.setSizes([600, 700])
    QApplication.processEvents()
    assert tree.columnWidth(0) == tree.NAME_WIDTH


def _arrow_point(tree, index) -> QPoint:
    rect = tree.visualRect(index)
    return QPoint(rect.left() - tree.indentation() // 2, rect.center().y())


def test_branch_arrow_only_expands(window, qtbot) -> None:
    tree = window.tree
    index = window.model.index_for(("services",))
    tree.scrollTo(index)
    QApplication.processEvents()
    before = window.page.loc
    current = tree.currentIndex()
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, _arrow_point(tree, index))
    QApplication.processEvents()
    assert tree.isExpanded(index)
    assert tree.currentIndex() == current
    assert window.page.loc == before
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, _arrow_point(tree, index))
    QApplication.processEvents()
    assert not tree.isExpanded(index)
    assert window.page.loc == before


def test_branch_arrow_on_a_fresh_tree_opens_nothing(qtbot, config_dir, options_file) -> None:
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(core_options.load_file(options_file))
    QApplication.processEvents()
    tree = win.tree
    # the tree takes the focus the way window activation or Ctrl+1 gives it: Qt then makes
    # the first row current (without selecting it); that must not open a page
    tree.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    QApplication.processEvents()
    assert win.page.loc is None
    index = win.model.index_for(("boot",))
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, _arrow_point(tree, index))
    QApplication.processEvents()
    assert tree.isExpanded(index)
    assert win.controller.current is None
    assert win.page.loc is None
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, _arrow_point(tree, index))
    QApplication.processEvents()
    assert win.controller.current is None and win.page.loc is None


# -- quitting -------------------------------------------------------------------------------------

def test_closing_is_quick(qtbot, config_dir, options_file) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(core_options.load_file(options_file))
    QApplication.processEvents()
    start = time.perf_counter()
    win.close()
    QApplication.processEvents()
    assert not win.isVisible()
    assert time.perf_counter() - start < 1.0


# -- the option page (item 18) -------------------------------------------------------------------

@pytest.fixture
def multi_declared(tmp_path: Path, options_file: Path) -> Path:
    data = json.loads(options_file.read_text(encoding="utf-8"))
    data["users.users"]["declarations"] = [
        "nixos/modules/config/users-groups.nix", "nixos/modules/security/pam.nix",
        "nixos/modules/programs/shadow.nix"]
    p = tmp_path / "multi.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_every_declaration_is_a_link(window, multi_declared) -> None:
    window.controller.set_options(core_options.load_file(multi_declared))
    window.controller.open_option(("users", "users"))
    QApplication.processEvents()
    text = _page_text(window)
    for name in ("users-groups.nix", "pam.nix", "shadow.nix"):
        assert ">nixos/modules/" in text and name + "</a>" in text, name


def test_raw_type_is_not_beside_the_words(window) -> None:
    window.controller.open_option(("services", "openssh", "ports"))
    QApplication.processEvents()
    text = _page_text(window)
    assert "list of port (0–65535)" in text
    assert "16 bit unsigned integer" not in text


def _quit_seconds(mode: str, options: Path, config: Path, tmp_path: Path) -> float:
    """Seconds from closing the window to the end of the real app's process."""
    import os
    import subprocess
    import sys

    gui = Path(__file__).resolve().parents[2] / "gui"
    env = dict(os.environ, PYTHONPATH=str(gui), QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / mode),
               NIXOS_SETTINGS_SHOWN_STAMP=mode)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nixos_settings", "--file", str(config), "--options",
         str(options)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    closing = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("closing "):
            closing = float(line.split()[1])
    proc.wait(timeout=60)
    ended = time.time()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert closing is not None
    return ended - closing


def test_quitting_the_app_is_quick(config_dir, tmp_path, shared_dir) -> None:
    """The real app, on the 20,000 options of NixOS 20.09: closed once everything is loaded,
    and closed while the metadata is still loading (no cache yet); either way the process
    is gone well within a second (it used to wait for the loader and tear down every
    object: seconds)."""
    options = shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"
    config = config_dir / "configuration.nix"
    assert _quit_seconds("quit", options, config, tmp_path) < 1.0
    assert _quit_seconds("quit-shown", options, config, tmp_path) < 1.0


SLOW_JOB = """
import sys, time
from PySide6.QtCore import QRunnable, QThreadPool, QTimer
from nixos_settings.ui import app

class Slow(QRunnable):
    def run(self):
        time.sleep(8)  # a Nix evaluation that does not end soon

real = app.create_window

def create(*args, **kwargs):
    window = real(*args, **kwargs)
    window._confirm_quit = False
    def close():
        QThreadPool.globalInstance().start(Slow())
        time.sleep(0.2)
        print(f"closing {time.time():.6f}", flush=True)
        window.close()
    QTimer.singleShot(200, close)
    return window

app.create_window = create
sys.exit(app.run(sys.argv[1], sys.argv[2]))
"""


def test_quitting_does_not_wait_for_background_jobs(config_dir, options_file, tmp_path) -> None:
    """A job still running on Qt's thread pool (an evaluation, a metadata load) no longer
    holds the process: Qt's application object used to wait for it at exit."""
    import os
    import subprocess
    import sys

    gui = Path(__file__).resolve().parents[2] / "gui"
    env = dict(os.environ, PYTHONPATH=str(gui), QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-c", SLOW_JOB, str(config_dir / "configuration.nix"),
         str(options_file)], env=env, capture_output=True, text=True, timeout=60)
    ended = time.time()
    assert proc.returncode == 0, proc.stderr[-2000:]
    closing = next(float(x.split()[1]) for x in proc.stdout.splitlines()
                   if x.startswith("closing "))
    assert ended - closing < 1.0


def test_own_declarations_link_to_the_source(window, config_dir) -> None:
    """An option the configuration declares in two modules: both places, each a link that
    opens the file at the line in the source view."""
    from nixos_settings.core.options.declared import with_declared

    (config_dir / "extra.nix").write_text(
        "{ lib, ... }:\n{\n  options.custom.port = lib.mkOption { type = lib.types.port; };\n}\n")
    (config_dir / "more.nix").write_text(
        "{ lib, ... }:\n{\n\n\n  options.custom.port = lib.mkOption { type = lib.types.port; };\n}"
        "\n")
    conf = config_dir / "configuration.nix"
    conf.write_bytes(conf.read_bytes().replace(b"./desktop.nix", b"./desktop.nix ./extra.nix "
                                               b"./more.nix"))
    assert window.open_configuration(conf)
    cfg = window.controller.cfg
    assert cfg is not None
    joined = with_declared(window.controller.options, cfg)
    assert joined is not None
    window.controller.set_options(joined)
    window.controller.open_option(("custom", "port"))
    QApplication.processEvents()
    text = _page_text(window)
    assert f'href="source:{config_dir / "extra.nix"}:3"' in text
    assert f'href="source:{config_dir / "more.nix"}:5"' in text
    window.page._on_link(f"source:{config_dir / 'more.nix'}:5")
    assert window.source.current_path() == config_dir / "more.nix"
    assert "line 5" in window.source._where.text()


def test_tree_tooltip_gives_the_type_in_words(window) -> None:
    index = window.model.index_for(("services", "openssh", "ports"))
    tip = window.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert tip == "services.openssh.ports (list of port (0–65535))"
