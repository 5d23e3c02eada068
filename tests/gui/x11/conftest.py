"""The X11 tier: the real window on a real X server (Xvfb under ``./dev test``) with the
``xcb`` platform, driven by key events sent to the focused widget, never by calling slots.

Qt's X11 key scheme differs from the offscreen platform's (Windows-like: Redo is Ctrl+Y
there), so clashes that only exist on Linux desktops show up only here.  ``./dev test``
runs this tier under ``xvfb-run`` with ``NIXOS_SETTINGS_REQUIRE_X11=1``: there a missing X
server is a failure.  A plain ``pytest`` run elsewhere skips the tier and says why."""

from __future__ import annotations

import os

import pytest


def _x11_ready() -> str | None:
    if os.environ.get("QT_QPA_PLATFORM") != "xcb":
        return "the X11 tier needs QT_QPA_PLATFORM=xcb (./dev test runs it under xvfb-run)"
    if not os.environ.get("DISPLAY"):
        return "the X11 tier needs an X server (DISPLAY is not set)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = _x11_ready()
    if problem is None:
        return
    if os.environ.get("NIXOS_SETTINGS_REQUIRE_X11"):
        raise pytest.UsageError(problem)
    skip = pytest.mark.skip(reason=problem)
    for item in items:
        if "/x11/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture
def xwindow(qtbot, config_dir, options_file):
    """The main window on the test configuration, shown and active on the X server."""
    from nixos_settings.core.options import model as options
    from nixos_settings.ui.mainwindow import MainWindow

    win = MainWindow()
    win._confirm_quit = False
    win.offer_git_commit = False
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    assert win.open_configuration(config_dir / "configuration.nix")
    win.controller.set_options(options.load_file(options_file))
    yield win
    win._confirm_quit = False
    win.close()
