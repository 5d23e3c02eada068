"""Options of a namespace the metadata does not describe (home-manager.* with NixOS
metadata) are "not checked" in the tree, coloured as set names, not red like a typo; the
Problems list says so once instead of once per option."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.gui.conftest import open_window

pytestmark = pytest.mark.gui

CONFIG = b"""{ config, pkgs, ... }:
{
  home-manager.users.jane = { pkgs, ... }: {
    programs.git.enable = true;
    home.stateVersion = "23.11";
  };
  servces.openssh.enable = true;
}
"""


def test_unchecked_namespace_in_tree_and_problems(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                  options_file: Path) -> None:
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG)
    win = open_window(qtbot, conf, options_file)
    model = win.model
    hm = model.index_for(("home-manager",))
    typo = model.index_for(("servces",))
    value = Qt.ItemDataRole.DisplayRole
    assert model.index(hm.row(), 1, hm.parent()).data(value) == "not checked"
    assert model.index(typo.row(), 1, typo.parent()).data(value) == "not a known option"
    fg = Qt.ItemDataRole.ForegroundRole
    hm_colour = hm.data(fg).color()
    typo_colour = typo.data(fg).color()
    assert hm_colour != typo_colour  # a set name's blue, not the typo's red
    assert typo_colour.red() > typo_colour.blue()
    assert hm_colour.blue() > hm_colour.red()
    win.problems_dock.refresh()
    texts = [win.problems.item(i).text() for i in range(win.problems.count())]
    assert sum("home-manager" in t for t in texts) == 1
    assert any("2 home-manager options not checked" in t for t in texts), texts
    assert any("unknown option servces.openssh.enable" in t for t in texts), texts


def test_the_status_counts_notes_as_notes(qtbot, tmp_path: Path, options_file: Path) -> None:  # type: ignore[no-untyped-def]
    conf = tmp_path / "configuration.nix"
    conf.write_bytes(CONFIG.replace(b"  servces.openssh.enable = true;\n", b""))
    win = open_window(qtbot, conf, options_file)
    win.problems_dock.refresh()
    assert win.status.problems.text() == "1 note"  # not "0 errors, 1 warning"
