"""Option page cases: non-editable definitions, wrappers with conditions, computed values,
typing into an option that is not set yet, keyboard search navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.gui.conftest import CONFIG, open_window

from nixos_settings.ui.editors import RawEditor, StrEditor

pytestmark = pytest.mark.gui

ODD = b"""{ lib, ... }:
let name = lib.toLower "PRINTING"; in
{
  services.${name}.enable = true;
  networking.hostName = lib.mkIf (name != "") "box";
  time.timeZone = if name == "x" then "UTC" else "CET";
}
"""


@pytest.fixture
def odd_window(qtbot, tmp_path: Path, options_file: Path):
    (tmp_path / "configuration.nix").write_bytes(ODD)
    return open_window(qtbot, tmp_path / "configuration.nix", options_file)


def test_dynamic_name_is_shown_with_reason_and_not_editable(qtbot, odd_window) -> None:
    c = odd_window.controller
    loc = ("services", "${name}", "enable")
    c.open_option(loc)
    qtbot.wait(5)
    page = odd_window.page
    assert "not editable here" in page.where.label.text() and "dynamic" in page.where.label.text()
    assert page.editor is not None and not page.editor.isEnabled()
    assert not page._reset.isEnabled()


def test_a_name_from_a_let_constant_is_the_entry_it_names(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         options_file: Path) -> None:
    """``let svc = "printing"; in { services.${svc}.enable = true; }``: the page of
    services.printing.enable edits it, and the name stays written as ``${svc}``."""
    from PySide6.QtCore import Qt as _Qt

    from nixos_settings.ui.editors import BoolEditor

    conf = tmp_path / "configuration.nix"
    conf.write_bytes(b'{ lib, ... }:\nlet svc = "printing"; in\n{\n'
                     b"  services.${svc}.enable = true;\n}\n")
    win = open_window(qtbot, conf, options_file)
    win.controller.open_option(("services", "printing", "enable"))
    ed = win.page.editor
    assert isinstance(ed, BoolEditor) and ed.isEnabled() and ed.box.isChecked()
    ed.box.setFocus()
    qtbot.keyClick(ed.box, _Qt.Key.Key_Space)
    assert win.save()
    assert conf.read_bytes() == (b'{ lib, ... }:\nlet svc = "printing"; in\n{\n'
                                 b"  services.${svc}.enable = false;\n}\n")


def test_mkif_condition_shown_and_kept(qtbot, odd_window, tmp_path) -> None:
    c = odd_window.controller
    c.open_option(("networking", "hostName"))
    page = odd_window.page
    assert "mkIf" in page.where.label.text() and "name != &quot;&quot;" in page.where.label.text()
    ed = page.editor
    assert isinstance(ed, StrEditor) and ed.edit.text() == "box"
    ed.edit.setFocus()
    ed.edit.selectAll()
    qtbot.keyClicks(ed.edit, "lab")
    assert odd_window.save()
    assert (tmp_path / "configuration.nix").read_bytes() == ODD.replace(b'"box"', b'"lab"')


def test_computed_value_gets_the_raw_editor(qtbot, odd_window, tmp_path) -> None:
    c = odd_window.controller
    c.open_option(("time", "timeZone"))
    ed = odd_window.page.editor
    assert isinstance(ed, RawEditor)
    assert ed.edit.toPlainText() == 'if name == "x" then "UTC" else "CET"'
    ed.edit.setPlainText('"Europe/Oslo"')
    ed.apply.click()
    assert b'  time.timeZone = "Europe/Oslo";\n' in c.cfg.documents[c.root].source


def test_typing_into_an_unset_option_keeps_focus(qtbot, window, config_dir) -> None:
    c = window.controller
    c.open_option(("i18n", "defaultLocale"))
    ed = window.page.editor
    assert isinstance(ed, StrEditor) and ed.edit.text() == ""
    ed.edit.setFocus()
    qtbot.keyClicks(ed.edit, "de_DE.UTF-8")
    assert window.page.editor is ed and ed.edit.hasFocus()  # not rebuilt under the cursor
    assert ed.edit.text() == "de_DE.UTF-8"
    assert c.undo_stack.count() == 1
    assert window.save()
    saved = (config_dir / "configuration.nix").read_bytes()
    assert b'  i18n.defaultLocale = "de_DE.UTF-8";\n' in saved
    c.undo_stack.undo()
    assert ed.edit.text() == "" or window.page.editor is not ed
    assert window.save()
    assert (config_dir / "configuration.nix").read_bytes() == CONFIG


def test_search_keyboard_navigation(qtbot, window) -> None:
    window.search.focus_field()
    qtbot.keyClicks(window.search.field, "enable")
    model = window.search.model
    assert model.rowCount() >= 3
    assert window.search.results.currentIndex().row() == 0
    qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    chosen = model.data(window.search.results.currentIndex())
    assert window.search.results.currentIndex().row() == 2
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    assert ".".join(window.page.loc) == chosen
    qtbot.keyClick(window.search.field, Qt.Key.Key_Escape)
    assert window.search.field.text() == "" and window.tree.isVisibleTo(window)
