"""Contrast of the app's own colours (WCAG 2, at least 4.5:1 for text) on a light and on a
dark palette: the tree's names and values, warnings and muted text on the option page, the
banners and the source view's highlighting (on plain text, the current line and a marked
definition)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from nixos_settings.ui.banners import banner_colours
from nixos_settings.ui.optiontree import ENTRY, GROUP, OPTION, TEMPLATE, UNKNOWN, tree_colour
from nixos_settings.ui.pagewidgets import (
    MIN_CONTRAST,
    contrast,
    dim,
    readable,
    text_backgrounds,
    warn_colour,
)
from nixos_settings.ui.sourceview import _formats, _line_colour, _mark_colour

pytestmark = pytest.mark.gui

Role = QPalette.ColorRole


def _palette(window: str, base: str, alternate: str, text: str, placeholder: QColor) -> QPalette:
    pal = QPalette()
    for role, colour in ((Role.Window, window), (Role.Base, base),
                         (Role.AlternateBase, alternate), (Role.Text, text),
                         (Role.WindowText, text), (Role.ButtonText, text)):
        pal.setColor(role, QColor(colour))
    pal.setColor(Role.PlaceholderText, placeholder)
    return pal


def _light() -> QPalette:  # Fusion's light colours; placeholders half-transparent text
    return _palette("#efefef", "#ffffff", "#f7f7f7", "#000000", QColor(0, 0, 0, 128))


def _dark() -> QPalette:  # a common dark scheme
    return _palette("#2b2b2b", "#1e1e1e", "#2a2a2a", "#e6e6e6", QColor(230, 230, 230, 128))


def _breeze_dark() -> QPalette:
    return _palette("#202326", "#141618", "#1d1f22", "#fcfcfc", QColor("#6e7175"))


PALETTES = {"light": _light, "dark": _dark, "breeze-dark": _breeze_dark}


@pytest.fixture(params=sorted(PALETTES))
def palette(request: pytest.FixtureRequest) -> QPalette:
    return PALETTES[request.param]()


def _ok(text: QColor | str, *grounds: QColor | str) -> None:
    for g in grounds:
        ratio = contrast(QColor(text), QColor(g))
        assert ratio >= MIN_CONTRAST, f"{QColor(text).name()} on {QColor(g).name()}: {ratio:.2f}"


def test_contrast_formula() -> None:
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast(QColor(0, 0, 0, 128), QColor("white")) < 4.5  # the light placeholder


def test_readable_keeps_good_colours_and_fixes_bad_ones() -> None:
    assert readable("#0b57d0", QColor("white")).name() == "#0b57d0"
    fixed = readable("#ffcc00", QColor("white"))
    _ok(fixed, "white")
    assert fixed.red() > fixed.blue()  # still a yellowish colour, darkened


def test_tree_colours(palette: QPalette) -> None:
    rows = (palette.color(Role.Base), palette.color(Role.AlternateBase))
    for kind in (UNKNOWN, OPTION, GROUP, TEMPLATE, ENTRY):
        for is_set in (False, True):
            for col in (0, 1):
                node = SimpleNamespace(kind=kind, is_set=is_set)
                for unchecked in (False, True):
                    colour = tree_colour(node, col, palette, unchecked)  # type: ignore[arg-type]
                    _ok(colour if colour is not None else palette.color(Role.Text), *rows)


def test_page_colours(qtbot, palette: QPalette) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setPalette(palette)
    _ok(warn_colour(label), *text_backgrounds(palette))
    _ok(dim(label), *text_backgrounds(palette))


def test_banner_colours(palette: QPalette) -> None:
    for kind in ("note", "alarm"):
        bg, fg = banner_colours(kind, palette)
        _ok(fg, bg)


def test_source_highlighting(palette: QPalette) -> None:
    grounds = (palette.color(Role.Base), _line_colour(palette), _mark_colour(palette))
    for cat, fmt in _formats(palette).items():
        if cat == "error":  # an underline, not a text colour
            continue
        _ok(fmt.foreground().color(), *grounds)
    _ok(palette.color(Role.Text), *grounds)  # plain text on the marks too


def test_rebuild_log_colours(palette: QPalette) -> None:
    from nixos_settings.core.system.rebuild import Kind
    from nixos_settings.ui.rebuild_output import line_colour

    coloured = [k for k in Kind if line_colour(k, palette) is not None]
    assert {Kind.ERROR, Kind.WARNING, Kind.BUILDING, Kind.FETCHING, Kind.PLAN} <= set(coloured)
    for kind in coloured:
        _ok(line_colour(kind, palette) or "", *text_backgrounds(palette))


def test_unknown_package_colour(qtbot, palette: QPalette) -> None:
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from nixos_settings.ui.packagecompleter import flag_unknown

    lst = QListWidget()
    qtbot.addWidget(lst)
    lst.setPalette(palette)
    item = QListWidgetItem("fierfox", lst)
    flag_unknown(item)
    _ok(item.foreground().color(), *text_backgrounds(palette))
