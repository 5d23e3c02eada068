"""The controller: Qt signals and the undo stack over the edit session."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.gui.conftest import CONFIG

from nixos_settings.core.options import model as options_model
from nixos_settings.ui.controller import Controller

pytestmark = pytest.mark.gui

FLAKE = Path(__file__).resolve().parents[1] / "fixtures" / "configs" / "flake" / "flake.nix"


@pytest.fixture
def controller(qtbot, config_dir: Path, options_file: Path) -> Controller:
    c = Controller()
    c.open(config_dir / "configuration.nix")
    c.set_options(options_model.load_file(options_file))
    return c


def test_undo_redo_apply_through_the_session(qtbot, controller: Controller,
                                             config_dir: Path) -> None:
    root = config_dir / "configuration.nix"
    changed: list[object] = []
    controller.config_changed.connect(changed.append)
    with qtbot.waitSignal(controller.dirty_changed) as dirty:
        assert controller.set_nix(("services", "openssh", "enable"), "true")
    assert dirty.args == [True]
    assert controller.pending_changes() == ["Set services.openssh.enable = true"]
    assert controller.pending_options() == ["services.openssh.enable"]
    assert changed == [(("services", "openssh", "enable"),)]
    controller.undo_stack.undo()
    assert controller.dirty_paths() == [] and controller.cfg.documents[root].source == CONFIG
    controller.undo_stack.redo()
    assert controller.dirty_paths() == [root]
    out = controller.save()
    assert out.written == [root] and controller.undo_stack.isClean()
    assert controller.pending_changes() == []


def test_merged_typing_is_one_step_and_back_to_start_is_none(controller: Controller) -> None:
    loc = ("networking", "hostName")
    key = controller.new_edit_session()
    for text in ('"l"', '"la"', '"lab2"'):
        assert controller.set_nix(loc, text, merge_key=key)
    assert controller.undo_stack.count() == 1
    assert controller.set_nix(loc, '"lab"', merge_key=key)  # the original value again
    assert controller.dirty_paths() == []


def test_a_refused_entry_records_nothing(qtbot, controller: Controller) -> None:
    with qtbot.waitSignal(controller.edit_refused) as refused:
        assert not controller.add_entry(("users", "users"), "alice")
    assert refused.args == ["users.users.alice already exists"]
    assert controller.undo_stack.count() == 0
    assert controller.add_entry(("users", "users"), "bob")
    assert controller.pending_options() == ["users.users", "users.users.bob"]


def test_without_a_configuration_everything_is_empty_and_edits_are_refused(qtbot) -> None:
    c = Controller()
    assert (c.cfg, c.root, c.definitions(("a",)), c.dirty_paths(), c.diff()) == (
        None, None, [], [], "")
    assert not c.changed_on_disk(Path("/nonexistent.nix"))
    with qtbot.waitSignal(c.edit_refused) as refused:
        assert not c.set_nix(("a",), "1")
    assert refused.args == ["no configuration is open"]


def test_changed_on_disk_asks_the_session(controller: Controller, config_dir: Path) -> None:
    root = config_dir / "configuration.nix"
    assert not controller.changed_on_disk(root)
    root.touch()  # a touch without changes is no change
    assert not controller.changed_on_disk(root)
    root.write_bytes(CONFIG + b"\n")
    assert controller.changed_on_disk(root)


def test_reload_keeps_the_flake_host(qtbot) -> None:
    c = Controller()
    c.open_flake(FLAKE, "borealis")
    files = sorted(c.cfg.documents)
    c.reload()
    assert c.cfg.flake_host == "borealis" and sorted(c.cfg.documents) == files
