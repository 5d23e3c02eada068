"""Every control a keyboard can reach has a name a screen reader can say."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

pytestmark = pytest.mark.gui

PAGES = [("services", "openssh", "ports"), ("environment", "systemPackages"),
         ("users", "users", "<name>"), ("users", "users", "alice"), ("boot", "kernel", "sysctl"),
         ("time", "timeZone"), ("services", "xserver", "layout"), ("networking", "hostName"),
         ("services", "printing", "enable"), ("services", "openssh", "listenPort")]


def unnamed(window) -> list[str]:
    out = []
    for w in window.findChildren(QWidget):
        if not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isVisibleTo(window):
            continue
        if isinstance(w, QLabel):  # a label's text is its accessible name
            continue
        name = w.accessibleName() or (w.text() if isinstance(w, QAbstractButton) else "")
        if not name.strip():
            out.append(f"{type(w).__name__} in {type(w.parent()).__name__}")
    return out


def test_every_reachable_control_has_a_name(window) -> None:
    assert unnamed(window) == []
    for loc in PAGES:
        window.controller.open_option(loc)
        QApplication.processEvents()
        assert unnamed(window) == [], loc
