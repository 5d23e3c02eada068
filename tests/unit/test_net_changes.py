"""Net changes: what saving would change, per option and file, not the edit history."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.gui.conftest import write_config_dir

from nixos_settings.core.config.changes import ADDED, CHANGED, LIST, REMOVED
from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.core.session import Session


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path) / "configuration.nix"


@pytest.fixture
def session(conf: Path) -> Session:
    return Session.open(conf)


def _rewrite(session: Session, path: Path, old: bytes, new: bytes) -> None:
    """An edit by hand (what a task or another tool might write): replace ``old`` once."""
    doc = session.cfg.documents[path]
    assert doc.source.count(old) == 1
    session.apply(ChangeSet(files={path: (doc.source, doc.source.replace(old, new))}))


def _summary(session: Session) -> list[tuple[str, str, str]]:
    return [(c.file.name, c.option, c.describe()) for c in session.net_changes().options]


def test_nothing_edited_is_no_change(session: Session) -> None:
    net = session.net_changes()
    assert not net and net.options == [] and net.text_only == []


def test_set_and_set_back_is_no_change(session: Session) -> None:
    host = ("networking", "hostName")
    session.apply(session.plan_set(host, '"box"'))
    assert _summary(session) == [("configuration.nix", "networking.hostName",
                                  'changed from "lab" to "box"')]
    session.apply(session.plan_set(host, '"lab"'))
    assert not session.net_changes()


def test_adding_then_removing_an_option_is_no_change(session: Session) -> None:
    loc = ("services", "openssh", "enable")
    session.apply(session.plan_set(loc, "true"))
    assert [c.kind for c in session.net_changes().options] == [ADDED]
    session.apply(session.plan_unset(loc))
    assert session.net_changes().options == []


def test_sixteen_edits_on_seven_options_are_seven_changes(session: Session) -> None:
    s = session
    edits = 0
    for name in ("b", "bo", "box", "boxy", "boxe", "boxes"):  # typed letter by letter
        s.apply(s.plan_set(("networking", "hostName"), f'"{name}"'))
        edits += 1
    for zone in ("Europe/Paris", "Europe/Oslo"):
        s.apply(s.plan_set(("time", "timeZone"), f'"{zone}"'))
        edits += 1
    s.apply(s.plan_set(("services", "openssh", "enable"), "true"))
    s.apply(s.plan_set(("services", "openssh", "enable"), "false"))
    s.apply(s.plan_set(("services", "printing", "enable"), "false"))
    s.apply(s.plan_set(("sound", "enable"), "false"))
    s.apply(s.plan_set(("hardware", "pulseaudio", "enable"), "false"))
    s.apply(s.plan_list_add(("environment", "systemPackages"), "htop"))
    s.apply(s.plan_list_add(("environment", "systemPackages"), "firefox"))
    s.apply(s.plan_list_remove(("environment", "systemPackages"), "htop"))
    edits += 8
    assert edits == 16
    got = _summary(s)
    assert got == [
        ("configuration.nix", "networking.hostName", 'changed from "lab" to "boxes"'),
        ("configuration.nix", "services.printing.enable", "changed from true to false"),
        ("configuration.nix", "services.openssh.enable", "set to false"),  # line 8, new
        ("configuration.nix", "time.timeZone", 'changed from "UTC" to "Europe/Oslo"'),
        ("configuration.nix", "environment.systemPackages", "added firefox"),
        ("desktop.nix", "sound.enable", "changed from true to false"),
        ("desktop.nix", "hardware.pulseaudio.enable",
         "changed from mkForce true to mkForce false"),
    ]


def test_added_removed_changed_in_two_files(session: Session, conf: Path) -> None:
    s = session
    s.apply(s.plan_unset(("time", "timeZone")))
    s.apply(s.plan_set(("services", "openssh", "enable"), "true"))
    s.apply(s.plan_set(("users", "users", "alice", "description"), '"Alice Liddell"'))
    net = s.net_changes()
    assert [f.path.name for f in net.files] == ["configuration.nix", "users.nix"]
    main, users = net.files
    assert {(c.option, c.kind, c.old, c.new) for c in main.options} == {
        ("time.timeZone", REMOVED, '"UTC"', None),
        ("services.openssh.enable", ADDED, None, "true"),
    }
    assert [(c.option, c.kind, c.old, c.new) for c in users.options] == [
        ("users.users.alice.description", CHANGED, '"Alice"', '"Alice Liddell"')]
    removed = next(c for c in main.options if c.kind == REMOVED)
    assert removed.describe() == 'removed (was "UTC")'
    assert removed.line == 8  # where it was
    assert main.text_changed and users.text_changed and net.text_only == []
    assert net.file(conf.parent / "desktop.nix") is None


def test_list_elements_added_and_removed(session: Session) -> None:
    s = session
    pkgs = ("environment", "systemPackages")
    s.apply(s.plan_list_add(pkgs, "firefox"))
    s.apply(s.plan_list_remove(pkgs, "git"))
    s.apply(s.plan_list_add(("networking", "firewall", "allowedTCPPorts"), "443"))
    net = s.net_changes()
    got = {c.option: (c.kind, c.added, c.removed) for c in net.options}
    assert got == {
        "environment.systemPackages": (LIST, ["firefox"], ["git"]),
        "networking.firewall.allowedTCPPorts": (LIST, ["443"], []),
    }
    assert net.options[0].describe() == "added firefox; removed git"
    s.apply(s.plan_list_add(pkgs, "git"))  # back, at the end
    s.apply(s.plan_list_remove(pkgs, "firefox"))  # the same elements, in another order
    reordered = next(c for c in s.net_changes().options if c.loc == pkgs)
    assert reordered.kind == CHANGED
    assert reordered.describe() == ("changed from with pkgs; [ git vim ] "
                                    "to with pkgs; [ vim git ]")


def test_a_comment_only_change_is_a_file_with_no_option(session: Session, conf: Path) -> None:
    _rewrite(session, conf, b"  time.timeZone", b"  # the clock\n  time.timeZone")
    net = session.net_changes()
    assert net.options == []
    assert net.text_only == [conf]
    assert net.files[0].text_only


def test_layout_inside_a_value_is_no_option_change(session: Session, conf: Path) -> None:
    _rewrite(session, conf, b"    git\n    vim\n", b"    git   vim  # editors\n")
    net = session.net_changes()
    assert net.options == [] and net.text_only == [conf]


def test_a_comment_plus_a_change_reports_the_option_only(session: Session, conf: Path) -> None:
    _rewrite(session, conf, b"  time.timeZone", b"  # the clock\n  time.timeZone")
    session.apply(session.plan_set(("networking", "hostName"), '"box"'))
    net = session.net_changes()
    assert [c.option for c in net.options] == ["networking.hostName"]
    assert net.text_only == []


def test_nested_sets_and_conditions(tmp_path: Path) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes(b"""{ config, lib, ... }:
{
  services.openssh = {
    enable = true;
    ports = [ 22 ];
  };
  services.printing = lib.mkIf config.services.openssh.enable {
    enable = true;
  };
}
""")
    s = Session.open(path)
    s.apply(s.plan_set(("services", "openssh", "enable"), "false"))
    s.apply(s.plan_list_add(("services", "openssh", "ports"), "2222"))
    s.apply(s.plan_set(("services", "printing", "enable"), "false"))
    got = [(c.option, c.describe()) for c in s.net_changes().options]
    assert got == [
        ("services.openssh.enable", "changed from true to false"),
        ("services.openssh.ports", "added 2222"),
        ("services.printing.enable", "changed from true (if config.services.openssh.enable) "
                                     "to false (if config.services.openssh.enable)"),
    ]


def test_a_file_an_edit_imports_brings_its_options(session: Session, conf: Path) -> None:
    extra = conf.parent / "extra.nix"
    extra.write_bytes(b"{ ... }:\n{\n  services.openssh.enable = true;\n}\n")
    _rewrite(session, conf, b"./desktop.nix ]", b"./desktop.nix ./extra.nix ]")
    net = session.net_changes()
    assert [(f.path.name, f.text_changed) for f in net.files] == [
        ("configuration.nix", True), ("extra.nix", False)]
    assert [(c.option, c.kind) for c in net.file(extra).options] == [  # type: ignore[union-attr]
        ("services.openssh.enable", ADDED)]
    assert net.file(conf).text_only  # type: ignore[union-attr]  # imports are no option


def test_a_file_no_longer_imported_loses_its_options(session: Session, conf: Path) -> None:
    _rewrite(session, conf, b" ./desktop.nix", b"")
    net = session.net_changes()
    desktop = net.file(conf.parent / "desktop.nix")
    assert desktop is not None and not desktop.text_changed
    assert {(c.option, c.kind) for c in desktop.options} == {
        ("sound.enable", REMOVED), ("hardware.pulseaudio.enable", REMOVED),
        ("networking.firewall.allowedTCPPorts", REMOVED)}


def test_after_saving_nothing_is_pending(session: Session, conf: Path) -> None:
    session.apply(session.plan_set(("networking", "hostName"), '"box"'))
    assert session.net_changes()
    assert session.save().ok
    assert not session.net_changes()
    session.apply(session.plan_set(("networking", "hostName"), '"lab"'))
    assert _summary(session) == [("configuration.nix", "networking.hostName",
                                  'changed from "box" to "lab"')]


def test_the_edited_configuration_is_left_as_it_is(session: Session, conf: Path) -> None:
    session.apply(session.plan_set(("networking", "hostName"), '"box"'))
    before = session.cfg.documents[conf].source
    defs = [(d.loc, d.value_text) for d in session.cfg.definitions]
    session.net_changes()
    assert session.cfg.documents[conf].source == before
    assert [(d.loc, d.value_text) for d in session.cfg.definitions] == defs
    session.apply(session.plan_set(("networking", "hostName"), '"lab"'))  # still editable
    assert not session.net_changes()


def test_long_values_are_cut_in_sentences_not_in_data(session: Session) -> None:
    long = '"' + "x" * 200 + '"'
    session.apply(session.plan_set(("networking", "hostName"), long))
    change = session.net_changes().options[0]
    assert change.new == long
    assert len(change.describe()) < 150 and change.describe().endswith("…")


def test_a_module_written_inside_a_flake(tmp_path: Path) -> None:
    import shutil

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "configs" / "flake"
    flake = shutil.copytree(fixture, tmp_path / "flake") / "flake.nix"
    s = Session.open_flake(flake, "borealis")
    s.apply(s.plan_set(("networking", "hostName"), '"aurora"'))
    s.apply(s.plan_list_add(("environment", "systemPackages"), "pkgs.git"))
    _rewrite(s, flake, b'"Machines of a small household"', b'"Our machines"')  # no option
    net = s.net_changes()
    assert [f.path for f in net.files] == [flake]
    assert [(c.option, c.describe()) for c in net.options] == [
        ("networking.hostName", 'changed from "borealis" to "aurora"'),
        ("environment.systemPackages", "added pkgs.git"),
    ]
    _rewrite(s, flake, b'"aurora"', b'"borealis"')
    assert [c.option for c in s.net_changes().options] == ["environment.systemPackages"]
