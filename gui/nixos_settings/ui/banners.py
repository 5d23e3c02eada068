"""The two bars above the window's panes: missing option metadata, and files changed on
disk (fed by a file watcher)."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from nixos_settings.ui.pagewidgets import readable

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration


#: background and text of each banner, for light and for dark palettes
_BANNER = {
    ("note", False): ("#fff4ce", "#3b2f00"), ("note", True): ("#4d3b00", "#fff3c4"),
    ("alarm", False): ("#ffe3e3", "#5a0000"), ("alarm", True): ("#5a1d1d", "#ffe1e1"),
}


def banner_colours(kind: str, palette: QPalette) -> tuple[str, str]:
    """``(background, text)`` of a ``"note"`` or ``"alarm"`` banner on ``palette``; the
    text is always readable on the background."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    bg, fg = _BANNER[(kind, dark)]
    return bg, readable(fg, QColor(bg)).name()


def _style(widget: QWidget, kind: str) -> None:
    bg, fg = banner_colours(kind, widget.palette())
    name = widget.objectName()
    widget.setStyleSheet(f"#{name} {{ background: {bg}; }} #{name} QLabel {{ color: {fg}; }}")


class MetadataBanner(QWidget):
    """"No option metadata" with a button to load an options file."""

    def __init__(self, load_options: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metadataBanner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton("Load options file…")
        self.button.clicked.connect(load_options)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.hide()

    def show_message(self, text: str, loaded: bool = False) -> None:
        """Say ``text`` about the metadata: there is none (``loaded`` False), or what is
        loaded may not fit this configuration."""
        text = text.strip()
        if text and text[-1] not in ".!?":
            text += "."
        _style(self, "note")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        if loaded:
            self.label.setText(f"<b>About the option metadata.</b> {html.escape(text)} Load "
                               "another options file if you have one that fits.")
        else:
            self.label.setText(
                f"<b>No option metadata.</b> {html.escape(text)} Your configuration is still "
                "shown and can be edited as Nix expressions; load an options file to get "
                "descriptions, types and search.")
        self.show()


class DiskBanner(QWidget):
    """"A file changed on disk" bar with Reload / Compare; watches the opened files."""

    def __init__(self, cfg: Callable[[], Configuration | None],
                 changed_on_disk: Callable[[Path], bool],
                 display_name: Callable[[Path], str],
                 reload: Callable[[], None], compare: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cfg = cfg
        self._changed_on_disk = changed_on_disk
        self._display_name = display_name
        self.setObjectName("diskBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        reload_b = QPushButton("Reload")
        reload_b.clicked.connect(reload)
        compare_b = QPushButton("Compare…")
        compare_b.clicked.connect(compare)
        lay.addWidget(self.label, 1)
        lay.addWidget(compare_b)
        lay.addWidget(reload_b)
        self.hide()
        #: the opened files that changed on disk since they were read, in the order seen
        self.changed: list[Path] = []
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)

    def watch(self) -> None:
        """Watch the files of the configuration just opened (and forget older changes)."""
        old = self.watcher.files()
        if old:
            self.watcher.removePaths(old)
        cfg = self._cfg()
        if cfg is not None:
            self.watcher.addPaths([str(p) for p in cfg.documents])
        self.changed = []
        self.hide()

    def forget(self, paths: list[Path]) -> None:
        """``paths`` were just written: they no longer differ from what is shown."""
        for p in paths:
            if p in self.changed:
                self.changed.remove(p)
        if not self.changed:
            self.hide()

    def _file_changed(self, name: str) -> None:
        path = Path(name)
        if path.exists() and name not in self.watcher.files():
            self.watcher.addPath(name)  # an atomic replace drops the watch
        cfg = self._cfg()
        if cfg is None or path not in cfg.documents:
            return
        if not self._changed_on_disk(path):
            return  # our own save, or a touch without changes
        if path not in self.changed:
            self.changed.append(path)
        names = ", ".join(self._display_name(p) for p in self.changed)
        _style(self, "alarm")
        self.label.setText(
            f"<b>{html.escape(names)} changed on disk</b> since it was opened. Reload to see "
            "the new content (pending changes are dropped), or compare first. Saving will not "
            "overwrite it without asking.")
        self.show()
