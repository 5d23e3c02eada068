"""The window with Home Manager metadata joined in (--home-manager-options): options under
home-manager.users.jane are options in the tree (not "not checked"), their page has the
editor of their type, and the status bar says which Home Manager metadata is used, or how
to give one."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nixos_settings.core.options.tree import OPTION, UNKNOWN
from nixos_settings.ui.editors import BoolEditor
from nixos_settings.ui.mainwindow import MainWindow

pytestmark = pytest.mark.gui

CONFIG = b"""{ config, pkgs, ... }:
{
  home-manager.users.jane = { pkgs, ... }: {
    programs.git.enable = true;
    programs.gti.enable = true;
    home.stateVersion = "23.11";
  };
}
"""

GIT = ("home-manager", "users", "jane", "programs", "git", "enable")
TYPO = ("home-manager", "users", "jane", "programs", "gti", "enable")


def _window(qtbot, tmp_path: Path, shared_dir: Path, hm: bool) -> MainWindow:  # type: ignore[no-untyped-def]
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(conf)
    d = shared_dir / "data" / "options"
    with qtbot.waitSignal(win.controller.options_loaded, timeout=60000):
        win.load_options(str(d / "nixos-20.09pre-options.json.gz"),
                         str(d / "home-manager-options.json.gz") if hm else None)
    return win


def test_hm_options_are_options_with_editors(qtbot, tmp_path: Path, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    win = _window(qtbot, tmp_path, shared_dir, hm=True)
    model = win.model
    value = Qt.ItemDataRole.DisplayRole
    idx = model.index_for(GIT)
    node = model.node(idx)
    assert node is not None and node.kind == OPTION
    assert model.index(idx.row(), 1, idx.parent()).data(value) == "true"
    top = model.index_for(("home-manager",))
    assert model.index(top.row(), 1, top.parent()).data(value) != "not checked"
    typo = model.node(model.index_for(TYPO))
    assert typo is not None and typo.kind == UNKNOWN and not model.tree.unchecked(typo)
    win.controller.open_option(GIT)
    editor = win.page.editor
    assert isinstance(editor, BoolEditor) and editor.box.isChecked()
    assert "Home Manager options" in win.statusBar().currentMessage()
    win.problems_dock.refresh()
    texts = [win.problems.item(i).text() for i in range(win.problems.count())]
    assert any("did you mean home-manager.users.jane.programs.git.enable" in t
               for t in texts), texts
    assert not any("not checked" in t for t in texts), texts


def test_without_hm_metadata_the_status_says_how_to_give_it(  # type: ignore[no-untyped-def]
        qtbot, tmp_path: Path, shared_dir: Path) -> None:
    win = _window(qtbot, tmp_path, shared_dir, hm=False)
    assert "--home-manager-options FILE" in win.statusBar().currentMessage()
    top = win.model.index_for(("home-manager",))
    assert win.model.index(top.row(), 1, top.parent()).data(
        Qt.ItemDataRole.DisplayRole) == "not checked"
