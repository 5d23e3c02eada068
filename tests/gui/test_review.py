"""The review dialog: net changes per option and file (not the edit history), changed words
marked within diff lines, long lines wrapped; driven through its real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QTreeWidget, QTreeWidgetItem
from tests.gui.conftest import CONFIG

from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.ui.reviewdialog import ReviewDialog

pytestmark = pytest.mark.gui

HOST = ("networking", "hostName")


def _dialog(qtbot, window) -> ReviewDialog:  # type: ignore[no-untyped-def]
    dlg = ReviewDialog(window.controller, window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def _tree(tree: QTreeWidget) -> list[tuple[str, list[str]]]:
    out = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        out.append((top.text(0), [top.child(k).text(0) for k in range(top.childCount())]))
    return out


def _click(tree: QTreeWidget, item: QTreeWidgetItem) -> None:
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _row(view: QPlainTextEdit, text: str) -> int:
    return view.toPlainText().split("\n").index(text)


def _backgrounds(view: QPlainTextEdit, row: int) -> list[tuple[str, QColor]]:
    """(covered text, background) of each format range on row ``row``, in order."""
    block = view.document().findBlockByNumber(row)
    ranges = sorted(block.layout().formats(), key=lambda r: r.start)
    return [(block.text()[r.start:r.start + r.length], r.format.background().color())
            for r in ranges]


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_summary_counts_net_changes_and_edits_only_in_passing(qtbot, window) -> None:
    c = window.controller
    for name in ("b", "bo", "box"):  # three edits of one option
        assert c.set_nix(HOST, f'"{name}"')
    assert c.set_nix(("time", "timeZone"), '"Europe/Oslo"')
    assert c.set_nix(("time", "timeZone"), '"UTC"')  # and back: no change
    assert c.set_nix(("sound", "enable"), "false")  # desktop.nix
    dlg = _dialog(qtbot, window)
    assert dlg.summary.text() == ("2 options changed in 2 files (from 6 edits). "
                                  "Nothing is written until you save.")
    assert _tree(dlg.net_list) == [
        ("configuration.nix", ['networking.hostName: changed from "lab" to "box"']),
        ("desktop.nix", ["sound.enable: changed from true to false"]),
    ]
    assert dlg.changes.count() == 6  # the edit history is still there, below
    assert dlg.save_button.isEnabled()


def test_edits_that_cancel_out_say_so_and_cannot_be_saved(qtbot, window,
                                                          config_dir: Path) -> None:
    c = window.controller
    assert c.set_nix(HOST, '"box"')
    assert c.set_nix(HOST, '"lab"')
    assert c.pending_changes()  # two undo steps …
    dlg = _dialog(qtbot, window)
    assert dlg.summary.text() == "Your edits cancel out: nothing would change."  # … no change
    assert dlg.net_list.topLevelItemCount() == 0
    assert not dlg.save_button.isEnabled()
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible()  # a disabled button does nothing
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG


def test_a_comment_only_change_is_named_and_can_be_saved(qtbot, window,
                                                         config_dir: Path) -> None:
    path = config_dir / "configuration.nix"
    c = window.controller
    new = CONFIG.replace(b"  time.timeZone", b"  # the clock\n  time.timeZone")
    assert c.record(ChangeSet(files={path: (CONFIG, new)}))
    dlg = _dialog(qtbot, window)
    assert dlg.summary.text().startswith(
        "No option changed; 1 file changed only in text that sets no option")
    assert _tree(dlg.net_list) == [("configuration.nix — no option changed (comments, layout)",
                                    [])]
    assert dlg.save_button.isEnabled()
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == ReviewDialog.DialogCode.Accepted


def test_clicking_a_change_shows_its_file_at_its_line(qtbot, window) -> None:
    c = window.controller
    assert c.set_nix(HOST, '"box"')
    assert c.set_nix(("sound", "enable"), "false")
    dlg = _dialog(qtbot, window)
    assert "--- a/configuration.nix" in dlg.diff.toPlainText()  # every file at first
    sound = dlg.net_list.topLevelItem(1).child(0)
    _click(dlg.net_list, sound)
    text = dlg.diff.toPlainText()
    assert text.startswith("--- a/desktop.nix")
    assert "configuration.nix" not in text
    cursor_row = dlg.diff.textCursor().blockNumber()
    assert text.split("\n")[cursor_row] == "+  sound.enable = false;"
    _click(dlg.net_list, dlg.net_list.topLevelItem(0))  # the file's own row
    assert dlg.diff.toPlainText().startswith("--- a/configuration.nix")


def test_a_removed_option_points_at_the_line_that_goes(qtbot, window) -> None:
    c = window.controller
    assert c.unset(("time", "timeZone"))
    dlg = _dialog(qtbot, window)
    item = dlg.net_list.topLevelItem(0).child(0)
    assert item.text(0) == 'time.timeZone: removed (was "UTC")'
    _click(dlg.net_list, item)
    rows = dlg.diff.toPlainText().split("\n")
    assert rows[dlg.diff.textCursor().blockNumber()] == '-  time.timeZone = "UTC";'


def test_the_changed_words_stand_out_within_the_lines(qtbot, window) -> None:
    assert window.controller.set_nix(HOST, '"box"')
    dlg = _dialog(qtbot, window)
    view = dlg.diff
    minus = _backgrounds(view, _row(view, '-  networking.hostName = "lab"; # our test machine'))
    plus = _backgrounds(view, _row(view, '+  networking.hostName = "box"; # our test machine'))
    for ranges, word in ((minus, "lab"), (plus, "box")):
        words = [(t, bg) for t, bg in ranges if t == word]
        rest = [(t, bg) for t, bg in ranges if t != word]
        assert len(words) == 1 and rest, ranges
        line_bg, word_bg = rest[0][1], words[0][1]
        base = view.palette().color(QPalette.ColorRole.Base)
        # stronger: further from the base colour than the line's own tint
        assert _contrast(word_bg, base) > _contrast(line_bg, base)
        assert _contrast(word_bg, view.palette().color(QPalette.ColorRole.Text)) >= 4.5
    assert minus[0][1] != plus[0][1]  # removed and added lines differ in colour


def test_dark_palette_keeps_the_changed_words_readable(qtbot, window) -> None:
    assert window.controller.set_nix(HOST, '"box"')
    dlg = _dialog(qtbot, window)
    view = dlg.diff
    light_rows = _backgrounds(view, _row(view, '+  networking.hostName = "box"; '
                                               '# our test machine'))
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    dark.setColor(QPalette.ColorRole.Text, QColor(235, 235, 235))
    view.setPalette(dark)
    row = _row(view, '+  networking.hostName = "box"; # our test machine')
    ranges = _backgrounds(view, row)
    word_bg = next(bg for t, bg in ranges if t == "box")
    line_bg = next(bg for t, bg in ranges if t != "box")
    assert word_bg != next(bg for t, bg in light_rows if t == "box")  # recoloured
    assert _luminance(line_bg) < 0.2  # still a dark background
    for bg in (word_bg, line_bg):
        assert _contrast(bg, QColor(235, 235, 235)) >= 4.5
    assert _contrast(word_bg, QColor(30, 30, 30)) > _contrast(line_bg, QColor(30, 30, 30))


def test_long_lines_wrap_instead_of_scrolling(qtbot, window) -> None:
    long = " ".join(f"word{i}" for i in range(80))
    assert window.controller.set_nix(HOST, f'"{long}"', check=False)
    dlg = _dialog(qtbot, window)
    view = dlg.diff
    assert view.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    block = view.document().findBlockByNumber(_row(view, f'+  networking.hostName = "{long}"; '
                                                         "# our test machine"))
    one_line = view.fontMetrics().lineSpacing()
    assert view.blockBoundingRect(block).height() > 2 * one_line
    assert view.horizontalScrollBar().maximum() == 0
    item = dlg.net_list.topLevelItem(0).child(0)
    assert item.text(0).endswith("…")  # the list shows it cut, its tip in full
    assert item.toolTip(0).endswith(f'to "{long}"')


def test_an_edit_history_longer_than_the_net_list_saves_the_net_result(
        qtbot, window, config_dir: Path) -> None:
    c = window.controller
    for name in ("x", "xy", "lab"):
        assert c.set_nix(HOST, f'"{name}"')
    assert c.set_nix(("services", "printing", "enable"), "false")
    dlg = _dialog(qtbot, window)
    assert dlg.summary.text().startswith("1 option changed in 1 file (from 4 edits)")
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == ReviewDialog.DialogCode.Accepted
    assert window.save()
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG.replace(
        b"services.printing.enable = true;", b"services.printing.enable = false;")
