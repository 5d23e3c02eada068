"""The command line and the desktop app refuse the same edits with the same words, and place
the accepted ones the same way: both go through the one edit session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixos_settings.cli.main import main
from nixos_settings.core.options import model as options_model
from nixos_settings.ui.controller import Controller

pytestmark = pytest.mark.gui

SUFFIX = "; nothing was changed (--no-check sets it anyway)"

REFUSED = [
    # an unknown option with a typo: refused, with the suggestion
    ("services.opensh.enable", "true"),
    # an option NixOS sets itself
    ("system.nixos.release", '"21.03"'),
    # a port list with a number above 65535 (the app used to accept it)
    ("services.openssh.ports", "[ 22 70000 ]"),
    # a value of the wrong type
    ("services.printing.enable", '"yes"'),
    ("services.openssh.listenPort", "70000"),
]
ACCEPTED = [
    ("services.openssh.enable", "true"),
    ("services.openssh.ports", "[ 22 2222 ]"),
    ("networking.hostName", '"workshop"'),
]


def _cli(capsys: pytest.CaptureFixture[str], conf: Path, options_file: Path, option: str,
         value: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["set", option, value, "--file", str(conf), "--options", str(options_file)])
    return code, capsys.readouterr().err


@pytest.fixture
def controller(qtbot, config_dir: Path, options_file: Path) -> Controller:
    c = Controller()
    c.open(config_dir / "configuration.nix")
    c.set_options(options_model.load_file(options_file))
    return c


@pytest.mark.parametrize(("option", "value"), REFUSED)
def test_refused_by_both_in_the_same_words(qtbot, capsys, controller: Controller,
                                          config_dir: Path, options_file: Path,
                                          option: str, value: str) -> None:
    conf = config_dir / "configuration.nix"
    before = conf.read_bytes()
    code, err = _cli(capsys, conf, options_file, option, value)
    assert code == 1
    assert conf.read_bytes() == before
    with qtbot.waitSignal(controller.edit_refused) as refused:
        assert not controller.set_nix(tuple(option.split(".")), value)
    gui = refused.args[0]
    assert gui and option in gui
    assert err == f"nixos-settings: error: {gui}{SUFFIX}\n"
    # the app recorded nothing
    assert controller.undo_stack.count() == 0
    assert controller.dirty_paths() == []


@pytest.mark.parametrize(("option", "value"), ACCEPTED)
def test_accepted_by_both_with_the_same_bytes(qtbot, capsys, controller: Controller,
                                             config_dir: Path, tmp_path: Path,
                                             options_file: Path, option: str,
                                             value: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(config_dir, copy)
    code, err = _cli(capsys, copy / "configuration.nix", options_file, option, value)
    assert code == 0, err
    assert controller.set_nix(tuple(option.split(".")), value)
    assert controller.undo_stack.count() == 1
    for path in controller.dirty_paths():
        assert (copy / path.name).read_bytes() == controller.cfg.documents[path].source
    assert [p.name for p in controller.dirty_paths()] == [
        p.name for p in copy.iterdir() if p.read_bytes() != (config_dir / p.name).read_bytes()]


def test_the_list_editor_refuses_an_element_the_type_rules_out(qtbot, controller: Controller
                                                               ) -> None:
    ports = ("networking", "firewall", "allowedTCPPorts")
    with qtbot.waitSignal(controller.edit_refused) as refused:
        assert not controller.list_add(ports, "70000")
    assert "70000 is above the maximum 65535" in refused.args[0]
    assert controller.undo_stack.count() == 0 and controller.dirty_paths() == []
    assert controller.list_add(ports, "443")
    assert controller.pending_changes() == ["Add 443 to networking.firewall.allowedTCPPorts"]
