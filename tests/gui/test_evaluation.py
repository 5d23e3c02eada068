""""Evaluate with Nix" fills the tree's Value column with effective values, and puts an
evaluation error in Problems at its place (the real module system: nixpkgs' real lib in a
small nixpkgs-shaped tree, the real nix-instantiate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.nixtree import make_nixpkgs

from nixos_settings.ui.mainwindow import MainWindow
from nixos_settings.ui.optiontree import OptionTreeModel

pytestmark = pytest.mark.gui

ROOT = """\
{ lib, ... }:
{
  imports = [ ./desktop.nix ];
  services.demo.port = 9000;
  services.demo.threads = lib.mkDefault 2;
}
"""


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    nixpkgs = make_nixpkgs(tmp_path / "tree")
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "desktop.nix").write_text("{ lib, ... }:\n{\n  services.demo.port = "
                                          "lib.mkForce 9100;\n}\n")
    (tmp_path / "configuration.nix").write_text(ROOT)
    win = MainWindow()
    win._confirm_quit = False
    qtbot.addWidget(win)
    win.show()
    assert win.open_configuration(tmp_path / "configuration.nix")
    return win


def _value(win: MainWindow, loc: tuple[str, ...]) -> str:
    index = win.model.index_for(loc)
    return str(win.model.data(win.model.index(index.row(), 1, index.parent())))


def test_the_value_column_shows_what_nix_says(qtbot, window) -> None:
    loc = ("services", "demo", "port")
    assert _value(window, loc) == "9000  [2 definitions]"
    window.evaluation.action.trigger()
    qtbot.waitUntil(lambda: bool(window.model.effective), timeout=60000)
    assert _value(window, loc) == "9000  [2 definitions]  ⇒ 9100"  # mkForce in desktop.nix
    assert _value(window, ("services", "demo", "threads")).endswith("⇒ 2")
    # an edit makes the answer stale: it is dropped, not shown wrong
    assert window.controller.set_nix(("services", "demo", "threads"), "8", check=False)
    assert window.model.effective == {}


def test_an_evaluation_error_is_a_problem_at_its_place(qtbot, window, tmp_path: Path) -> None:
    # a name Nix does not know: the configuration as a whole cannot be evaluated
    (tmp_path / "configuration.nix").write_text(ROOT.replace("= 9000;", "= noSuchThing;"))
    window.controller.reload()
    window.evaluation.action.trigger()
    qtbot.waitUntil(lambda: bool(window.problems_dock.extra), timeout=60000)
    (problem,) = window.problems_dock.extra
    assert problem.severity == "error" and "noSuchThing" in problem.message
    assert problem.path == tmp_path / "configuration.nix" and problem.line == 4
    assert problem.message.startswith("Nix could not evaluate the configuration:")
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("Nix could not evaluate" in t for t in texts)
    # the status bar counts it (it does not say "No problems" beside an error)
    assert window.status.problems.text() == "1 error"
    assert window.model.effective == {}
    assert isinstance(window.model, OptionTreeModel)
