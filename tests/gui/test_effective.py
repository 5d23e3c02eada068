"""The option page's effective-value section, against the real module system (nixpkgs' real
lib in a small nixpkgs-shaped tree, the real nix-instantiate) and real Qt widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from tests.nixtree import make_nixpkgs

from nixos_settings.core.options.sources import resolve_options
from nixos_settings.ui.effective import EffectiveSection, RetiredNote
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui

ROOT = """\
{ lib, ... }:
{
  imports = [ ./modules/desktop.nix ];
  services.demo.port = 9000;
  services.demo.threads = lib.mkDefault 2;
}
"""
DESKTOP = """\
{ lib, ... }:
{
  services.demo.port = lib.mkForce 9100;
}
"""


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    nixpkgs = make_nixpkgs(tmp_path / "tree")
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs}")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "desktop.nix").write_text(DESKTOP)
    root = tmp_path / "configuration.nix"
    root.write_text(ROOT)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(root)
    win.controller.set_options(resolve_options("eval", root,
                                               cache_directory=tmp_path / "cache"))
    return win


def _section(win: MainWindow) -> EffectiveSection:
    found = win.page.findChild(EffectiveSection)
    assert found is not None
    return found


def test_evaluate_shows_the_winner_and_the_overridden(qtbot, window, tmp_path: Path) -> None:
    window.controller.open_option(("services", "demo", "port"))
    section = _section(window)
    assert "not evaluated yet" in section.label.text()
    qtbot.mouseClick(section.evaluate_button, qtbot_left())
    qtbot.waitUntil(lambda: "9100" in section.label.text(), timeout=60000)
    text = section.label.text()
    assert "modules/desktop.nix:3" in text and "mkForce" in text
    assert "also defined in" in text and "configuration.nix:4" in text
    assert "(overridden)" in text
    revealed: list[tuple[Path, int]] = []
    window.controller.show_source.connect(lambda p, line, *_: revealed.append((p, line)))
    section.label.linkActivated.emit(f"at:{tmp_path / 'modules' / 'desktop.nix'}:3")
    assert revealed == [(tmp_path / "modules" / "desktop.nix", 3)]
    # the answer is cached for these files: the page shows it at once next time
    window.controller.open_option(("services", "demo", "threads"))
    window.controller.open_option(("services", "demo", "port"))
    assert "9100" in _section(window).label.text()


def test_failure_is_shown_with_its_place(qtbot, window, tmp_path: Path) -> None:
    (tmp_path / "modules" / "desktop.nix").write_text(DESKTOP.replace("9100", '"high"'))
    window.controller.open_option(("services", "demo", "port"))
    section = _section(window)
    section.evaluate()
    qtbot.waitUntil(lambda: "failed" in section.label.text(), timeout=60000)
    assert "desktop.nix:3" in section.label.text()
    assert "not of type" in section.label.text()
    assert section.evaluate_button.isEnabled() and not section.stop_button.isEnabled()


def test_stop_ends_the_evaluation(qtbot, window, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "nix-instantiate").write_text("#!/bin/sh\nexec sleep 60\n")
    (slow / "nix-instantiate").chmod(0o755)
    monkeypatch.setenv("NIXOS_SETTINGS_NIX_INSTANTIATE", str(slow / "nix-instantiate"))
    window.controller.open_option(("services", "demo", "threads"))
    section = _section(window)
    section.evaluate()
    assert section.stop_button.isEnabled()
    qtbot.mouseClick(section.stop_button, qtbot_left())
    qtbot.waitUntil(lambda: "stopped" in section.label.text(), timeout=10000)


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


OWN_MODULE = """\
{ lib, ... }:
with lib;
{
  options.custom.hotspot = {
    enable = mkEnableOption "the hotspot";
    port = mkOption { type = types.port; default = 8080; description = "Port."; };
    band = mkOption { type = types.enum [ "2.4" "5" ]; default = "5"; description = "Band."; };
    tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags."; };
  };
}
"""


def test_own_options_get_their_editors_and_are_saved(qtbot, tmp_path: Path) -> None:
    from nixos_settings.ui.controller import default_options_loader
    from nixos_settings.ui.editors.lists import ListEditor
    from nixos_settings.ui.editors.simple import BoolEditor, EnumEditor, IntEditor

    (tmp_path / "hotspot.nix").write_text(OWN_MODULE)
    root = tmp_path / "configuration.nix"
    root.write_text("{ ... }:\n{\n  imports = [ ./hotspot.nix ];\n"
                    "  custom.hotspot.port = 8081;\n}\n")
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(root)
    with qtbot.waitSignal(win.controller.options_loaded, timeout=20000):
        win.controller.load_options(default_options_loader(None, root))
    c = win.controller
    assert c.options is not None and c.options.get(("custom", "hotspot", "band")) is not None
    kinds = {}
    for name, cls in (("enable", BoolEditor), ("port", IntEditor), ("band", EnumEditor),
                      ("tags", ListEditor)):
        c.open_option(("custom", "hotspot", name))
        kinds[name] = isinstance(win.page.editor, cls)
    assert kinds == {"enable": True, "port": True, "band": True, "tags": True}
    c.open_option(("custom", "hotspot", "port"))
    editor = win.page.editor
    assert isinstance(editor, IntEditor)
    assert editor.spin.maximum() == 65535
    editor.spin.setValue(9000)
    qtbot.waitUntil(lambda: bool(c.dirty_paths()), timeout=5000)
    assert win.save()
    assert "custom.hotspot.port = 9000;" in root.read_text()


def _note(win: MainWindow) -> RetiredNote:
    found = win.page.findChild(RetiredNote, "retiredOption")
    assert found is not None
    return found


def _page_text(win: MainWindow) -> str:
    return " ".join(w.text() for w in win.page.findChildren(QLabel))


def test_renamed_option_page_offers_to_move_the_definition(qtbot, window,
                                                            tmp_path: Path) -> None:
    root = tmp_path / "configuration.nix"
    root.write_text(ROOT.replace("services.demo.port = 9000;", "services.demo.listenPort = 9000;"
                                 "\n  services.demo.legacy = 1;\n  services.demo.nonsense = 2;"))
    window.controller.reload()
    refused: list[str] = []
    window.controller.edit_refused.connect(refused.append)
    qtbot.waitUntil(lambda: bool(window.controller.definitions(
        ("services", "demo", "listenPort"))), timeout=5000)
    window.controller.open_option(("services", "demo", "listenPort"))
    note = _note(window)
    assert "renamed to services.demo.port" in note.label.text()
    assert "NixOS will refuse" not in _page_text(window)  # not called unknown
    assert note.move_button is not None
    qtbot.mouseClick(note.move_button, qtbot_left())
    # the desktop module already sets the new name (mkForce): moving would hide that
    assert refused == ["services.demo.port is already set; remove services.demo.listenPort "
                       "instead"]
    (tmp_path / "modules" / "desktop.nix").write_text("{ ... }:\n{\n}\n")
    window.controller.reload()
    window.controller.open_option(("services", "demo", "listenPort"))
    note = _note(window)
    assert note.move_button is not None
    qtbot.mouseClick(note.move_button, qtbot_left())
    assert window.save()
    text = root.read_text()
    assert "listenPort" not in text and "services.demo.port = 9000;" in text
    # a removed option is said so, with nothing to move
    window.controller.open_option(("services", "demo", "legacy"))
    gone = _note(window)
    assert "removed from NixOS" in gone.label.text() and gone.move_button is None
    # and an option that is merely unknown still gets the warning
    window.controller.open_option(("services", "demo", "nonsense"))
    assert window.page.findChild(RetiredNote, "retiredOption") is None
    assert "NixOS will refuse" in _page_text(window)
