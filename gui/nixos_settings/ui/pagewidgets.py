"""Building blocks of the option page: labels that wrap, colours, HTML for descriptions,
declarations and lists of option links, the reference form, and dropping widgets."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget

from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.optpath import Loc

if TYPE_CHECKING:
    from nixos_settings.core.options.model import Declaration, OptionInfo

# core.describe (markdown-it) is imported on first use: it is not needed to show the
# window, and start-up time matters.

#: makes a label for the page: ``(text, rich=True, selectable=True)``
LabelFactory = Callable[..., QLabel]


def describe_html(info: OptionInfo) -> str:
    """Description of ``info`` as HTML (rendered by core.describe)."""
    if not info.description:
        return "<p><i>No description.</i></p>"
    from nixos_settings.core.options import describe

    return describe.render_option(info)


#: link scheme of a place in a local file (``source:/etc/nixos/wifi.nix:12``)
SOURCE_SCHEME = "source:"


def declaration_link(decl: Declaration, revision: str | None) -> str:
    """A link to where ``decl`` is: its URL, the file in nixpkgs at ``revision``, or (a
    module of the configuration: ``/path/file.nix:LINE``) a ``source:`` link to it."""
    name = decl.name
    url = decl.url
    if url is None and name.startswith("<nixpkgs/") and name.endswith(">"):
        name = name[len("<nixpkgs/"):-1]
    if url is None and name.startswith("/"):
        url = SOURCE_SCHEME + name
    elif url is None and not name.startswith("<"):
        url = f"https://github.com/NixOS/nixpkgs/blob/{revision or 'master'}/{name}"
    if url:
        return f'<a href="{html.escape(url)}">{html.escape(decl.name)}</a>'
    return html.escape(name)


def source_place(href: str) -> tuple[str, int] | None:
    """``(file, line)`` of a ``source:FILE:LINE`` link (line 1 when it names none)."""
    if not href.startswith(SOURCE_SCHEME):
        return None
    place = href[len(SOURCE_SCHEME):]
    file, _, line = place.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (place, 1)


def wrap_name(name: str) -> str:
    """Let long dotted names wrap after dots (zero-width spaces)."""
    return html.escape(name).replace(".", ".\u200b")


def links_html(locs: list[Loc], limit: int = 60) -> str:
    """``option:`` links to ``locs``, one a line, at most ``limit``."""
    items = [f'<a href="option:{html.escape(optpath.show(x))}">'
             f"{wrap_name(optpath.show(x))}</a>"
             for x in locs[:limit]]
    more = f"<br>… and {len(locs) - limit} more" if len(locs) > limit else ""
    return "<br>".join(items) + more


class WrapLabel(QLabel):
    """A word-wrapped label whose size hint is its height at its current width.

    QLabel's own hint assumes an arbitrary narrower width, so layouts grow wrapped labels to
    two or three times the height they need whenever there is spare room.
    """

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.wordWrap() and self.width() > 40:
            h = self.heightForWidth(self.width())
            if h > 0:
                return QSize(hint.width(), h)
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.wordWrap() and self.width() > 40:
            h = self.heightForWidth(self.width())
            if h > 0:
                return QSize(hint.width(), h)
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        old = event.oldSize().width()
        super().resizeEvent(event)
        if old != event.size().width():
            self.updateGeometry()


def reference_form(info: OptionInfo, revision: str | None, label: LabelFactory) -> QFormLayout:
    """Default, example and declarations of ``info``."""
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    mono = QFont("monospace")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    for title, lit in (("Default:", info.default), ("Example:", info.example)):
        if lit is None:
            if title == "Default:":
                form.addRow(title, label("<i>none given in the metadata</i>"))
            continue
        text = lit.text if lit.text is not None else ""
        if lit.is_code():
            lab = label(text, rich=False)
            lab.setFont(mono)
        else:
            from nixos_settings.core.options import describe

            lab = label(describe.render_literal(lit))
        form.addRow(title, lab)
    if info.declarations:
        links = "<br>".join(declaration_link(d, revision) for d in info.declarations)
        form.addRow("Declared in:", label(links))
    return form


def drop_widget(w: QWidget) -> None:
    # hide and unparent now: deleteLater alone leaves it painted until the loop runs again
    w.hide()
    w.setParent(None)
    w.deleteLater()


def drop_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            drop_widget(widget)
        elif inner is not None:
            drop_layout(inner)


def warn_colour(w: QWidget) -> str:
    return "#ff7b72" if w.palette().color(QPalette.ColorRole.Base).lightness() < 128 else "#b31d28"


def dim(w: QWidget) -> str:
    """A muted text colour: halfway between text and background (readable on both)."""
    pal = w.palette()
    t, b = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
    return QColor((t.red() + b.red()) // 2, (t.green() + b.green()) // 2,
                  (t.blue() + b.blue()) // 2).name()
