"""Options under a first name the metadata has none of (``home-manager.*`` with NixOS
metadata) are "not checked" in the option tree, in the words of ``list --unknown``, not
flagged as unknown like a typo."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.ui.optiontree import tree_colour

pytestmark = pytest.mark.gui

CONFIG = b"""{ ... }:
{
  services.openssh.enable = true;
  servces.openssh.enable = true;
  home-manager.users.jane.programs.git.enable = true;
}
"""


def test_a_namespace_the_metadata_lacks_is_not_checked_rather_than_unknown(  # type: ignore[no-untyped-def]
        window, tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes(CONFIG)
    assert window.open_configuration(path)
    model = window.model
    hm = model.index_for(("home-manager",))
    typo = model.index_for(("servces",))
    assert hm.isValid() and typo.isValid()
    value = model.data(hm.siblingAtColumn(1))
    assert value == "not checked"
    tip = model.data(hm, 3)  # ToolTipRole
    assert tip == ("home-manager: set in your configuration; the option metadata has no "
                   "home-manager options (they come from a module it does not describe), so "
                   "it was not checked")
    assert model.data(typo.siblingAtColumn(1)) == "not a known option"
    pal = window.palette()
    node = model.node(hm)
    red = tree_colour(model.node(typo), 0, pal)
    assert red is not None and tree_colour(node, 0, pal, unchecked=True) != red


def test_the_page_of_such_an_option_says_not_checked(  # type: ignore[no-untyped-def]
        window, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    path = tmp_path / "configuration.nix"
    path.write_bytes(CONFIG)
    assert window.open_configuration(path)
    window.controller.open_option(("home-manager", "users", "jane", "programs", "git",
                                   "enable"))
    text = " ".join(w.text() for w in window.page.findChildren(QLabel))
    assert "NixOS will refuse" not in text
    assert "was not checked: the option metadata has no home-manager options" in text
    window.controller.open_option(("servces", "openssh", "enable"))
    text = " ".join(w.text() for w in window.page.findChildren(QLabel))
    assert "NixOS will refuse" in text
