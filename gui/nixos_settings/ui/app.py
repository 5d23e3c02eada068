"""Start the desktop app: ``run(file, options_spec, flake, *, home_manager=None) -> exit
status`` (``home_manager``: ``--home-manager-options``).

The window is shown before anything slow happens: the configuration is read right after the
first show (it is fast), and option metadata is loaded on a pool thread.  With the
environment variable ``NIXOS_SETTINGS_SHOWN_STAMP`` set, the app prints
``shown <unix time>`` on stdout when the window is first painted, and ``options <unix time>``
when the metadata is in (used by the benchmark); with the value ``quit`` it then closes the
window, with ``quit-shown`` it closes it right after the first paint (metadata still
loading), each printing ``closing <unix time>`` first (tests time quitting with these).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from nixos_settings.ui.mainwindow import MainWindow

DEFAULT_FILE = Path("/etc/nixos/configuration.nix")
#: how long quitting waits for background jobs that were told to stop
GRACE_MS = 150


class _FirstPaint(QObject):
    """Prints a timestamp on the first paint of the window (benchmark hook)."""

    def __init__(self, window: MainWindow, mode: str) -> None:
        super().__init__(window)
        self._done = False
        self._window, self._mode = window, mode
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self._done and event.type() in (QEvent.Type.Paint, QEvent.Type.Expose):
            self._done = True
            # after this paint is delivered: the window is on screen and takes input
            QTimer.singleShot(0, self._shown)
        return False

    def _shown(self) -> None:
        print(f"shown {time.time():.6f}", flush=True)
        if self._mode == "quit-shown":
            _close(self._window)


def _close(window: MainWindow) -> None:
    window._confirm_quit = False

    def close() -> None:
        print(f"closing {time.time():.6f}", flush=True)
        window.close()

    QTimer.singleShot(0, close)


def _options_stamp(window: MainWindow, mode: str) -> None:
    print(f"options {time.time():.6f}", flush=True)
    if mode == "quit":
        print(f"maxrss_kb {peak_rss_kb()}", flush=True)
        _close(window)


def peak_rss_kb() -> int:
    """Peak resident memory of this process in KiB.

    ``VmHWM`` from /proc belongs to the process image after ``exec``; ``ru_maxrss`` would also
    count the memory of the parent the process was forked from.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _flake_parts(flake: str | None) -> tuple[str | None, str | None]:
    if not flake:
        return None, None
    path, _, host = flake.partition("#")
    return path or ".", host or None


def create_window(file: str | Path | None, options_spec: str | None = None,
                  flake: str | None = None, home_manager: str | None = None) -> MainWindow:
    """Build and show the window; opening and loading start on the next event loop turn.
    ``home_manager``: Home Manager option metadata (``--home-manager-options``)."""
    window = MainWindow()
    stamp = os.environ.get("NIXOS_SETTINGS_SHOWN_STAMP")
    if stamp:
        _FirstPaint(window, stamp)
        window.controller.options_loaded.connect(lambda: _options_stamp(window, stamp))
        window.controller.options_failed.connect(lambda _m: _options_stamp(window, stamp))
    window.show()

    def start() -> None:
        flake_path, host = _flake_parts(flake)
        if flake_path is not None:
            window.open_configuration(flake_path if flake_path.endswith(".nix")
                                      else str(Path(flake_path) / "flake.nix"), host)
        elif file is not None or DEFAULT_FILE.exists():
            window.open_configuration(file or DEFAULT_FILE)
        window.load_options(options_spec, home_manager)

    QTimer.singleShot(0, start)
    return window


def run(file: str | Path | list[str] | tuple[str, ...] | None = None,
        options_spec: str | None = None, flake: str | None = None,
        argv: Sequence[str] | None = None, *, home_manager: str | None = None) -> int:
    """Run the app until the window closes; returns the exit status.

    ``run(argv_list, file, options_spec)`` (argv first) is accepted as well.
    """
    if isinstance(file, (list, tuple)):
        argv, file, options_spec, flake = file, options_spec, flake, None
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        list(argv or sys.argv[:1]))
    app.setApplicationName("NixOS Settings")
    app.setOrganizationName("nixos-settings")
    app.setDesktopFileName("org.nixos_settings.NixOSSettings")
    window = create_window(file, options_spec, flake, home_manager)
    app.setWindowIcon(window.windowIcon())
    window.raise_()
    status = int(app.exec())
    if existing is None:
        leave(window, status)
    return status


def leave(window: MainWindow, status: int) -> NoReturn:
    """End the process at once after the window closed.

    What is left then is no one's work: the metadata loader or a page's evaluation that
    were told to stop (:meth:`MainWindow.stop_background_work`), and tearing down the
    interpreter: PySide's exit handler deletes the application object, whose destructor waits
    for every job of Qt's thread pool for as long as it takes (a metadata load, a Nix
    evaluation: seconds), then every object is freed one by one (a quarter of a second for
    the option set, its index and the widgets).  So: settings written, a short grace for
    jobs about to end (the options cache is written atomically: one cut off leaves no half
    file), logs and output flushed, and the process ends without the exit handlers (the app
    registers none of its own)."""
    import logging

    from PySide6.QtCore import QThreadPool

    window.settings.sync()
    QThreadPool.globalInstance().waitForDone(GRACE_MS)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
