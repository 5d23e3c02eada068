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
        return self._at_width(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._at_width(super().minimumSizeHint())

    def _at_width(self, hint: QSize) -> QSize:
        """``hint`` with the height the wrapped text takes at the label's current width."""
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


# -- colours: WCAG contrast, derived from the widget's palette ------------------------------

#: the least contrast of text against its background (WCAG 2, level AA, normal text)
MIN_CONTRAST = 4.5


def _channel(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def luminance(c: QColor) -> float:
    """Relative luminance of an opaque colour (WCAG 2)."""
    return (0.2126 * _channel(c.redF()) + 0.7152 * _channel(c.greenF())
            + 0.0722 * _channel(c.blueF()))


def over(c: QColor, background: QColor) -> QColor:
    """``c`` drawn on ``background`` (its transparency resolved)."""
    a = c.alphaF()
    if a >= 1.0:
        return QColor(c.red(), c.green(), c.blue())
    return QColor.fromRgbF(c.redF() * a + background.redF() * (1 - a),
                           c.greenF() * a + background.greenF() * (1 - a),
                           c.blueF() * a + background.blueF() * (1 - a))


def contrast(text: QColor, background: QColor) -> float:
    """WCAG contrast ratio of ``text`` on ``background`` (1 to 21)."""
    a, b = luminance(over(text, background)), luminance(over(background, QColor("black")))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


_READABLE: dict[tuple[int, tuple[int, ...], float], QColor] = {}


def readable(colour: QColor | str, *backgrounds: QColor,
             ratio: float = MIN_CONTRAST) -> QColor:
    """``colour`` if it reaches ``ratio`` on every background, else the nearest mix of it
    with black (light backgrounds) or white (dark ones) that does: the hue stays."""
    key = (QColor(colour).rgba(), tuple(b.rgba() for b in backgrounds), ratio)
    found = _READABLE.get(key)
    if found is None:
        if len(_READABLE) > 512:
            _READABLE.clear()
        found = _READABLE[key] = _readable(QColor(colour), backgrounds, ratio)
    return QColor(found)


def _readable(colour: QColor, backgrounds: tuple[QColor, ...], ratio: float) -> QColor:
    c = over(colour, backgrounds[0]) if backgrounds else colour
    if all(contrast(c, b) >= ratio for b in backgrounds):
        return c
    light = sum(luminance(over(b, QColor("black"))) for b in backgrounds) / len(backgrounds)
    target = QColor("black") if light > 0.18 else QColor("white")
    for step in range(1, 21):
        t = step / 20
        mix = QColor.fromRgbF(c.redF() + (target.redF() - c.redF()) * t,
                              c.greenF() + (target.greenF() - c.greenF()) * t,
                              c.blueF() + (target.blueF() - c.blueF()) * t)
        if all(contrast(mix, b) >= ratio for b in backgrounds):
            return mix
    return target


def text_backgrounds(palette: QPalette) -> tuple[QColor, ...]:
    """What text of a page, list or tree may stand on: base, alternate rows, window."""
    role = QPalette.ColorRole
    return (palette.color(role.Base), palette.color(role.AlternateBase),
            palette.color(role.Window))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def warn_colour(w: QWidget) -> str:
    """Red for warnings, readable on the widget's palette."""
    return warn_colour_for(w.palette())


def warn_colour_for(pal: QPalette) -> str:
    """Red for warnings, readable on ``pal``."""
    return readable("#ff7b72" if is_dark(pal) else "#b31d28", *text_backgrounds(pal)).name()


def dim(w: QWidget) -> str:
    """A muted text colour: halfway between text and background, darkened (or lightened)
    as far as needed to stay readable."""
    pal = w.palette()
    t, b = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
    mid = QColor((t.red() + b.red()) // 2, (t.green() + b.green()) // 2,
                 (t.blue() + b.blue()) // 2)
    return readable(mid, *text_backgrounds(pal)).name()
