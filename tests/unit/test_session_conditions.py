"""The session's interface for conditional places (issue 9 item 3), as the desktop app uses
it: ``plan_set(..., inside_condition=...)`` and :class:`InsideCondition`."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.core.common.errors import EditError, InsideCondition
from nixos_settings.core.session import Session

MODULE = (
    b"{ config, lib, ... }:\n"
    b"{\n"
    b"  options.my.desktop = lib.mkEnableOption \"desktop\";\n"
    b"\n"
    b"  config = lib.mkIf (config.my.desktop && true) {\n"
    b"    services.xserver.enable = true;\n"
    b"  };\n"
    b"}\n"
)


def _session(tmp_path: Path, data: bytes) -> tuple[Session, Path]:
    path = tmp_path / "desktop.nix"
    path.write_bytes(data)
    return Session.open(path), path


def test_inside_condition_carries_condition_and_place(tmp_path: Path) -> None:
    session, path = _session(tmp_path, MODULE)
    with pytest.raises(InsideCondition) as info:
        session.plan_set(("services", "xserver", "libinput", "enable"), "true", check=False)
    err = info.value
    assert isinstance(err, EditError)
    assert err.condition == "(config.my.desktop && true)"
    assert err.where == f"{path}:5"
    assert err.where() == f"{path}:5"  # like every located error
    assert "only apply when (config.my.desktop && true) holds" in str(err)
    assert "\n" not in str(err)
    assert session.dirty_paths() == []


def test_choosing_the_conditional_place(tmp_path: Path) -> None:
    session, path = _session(tmp_path, MODULE)
    change = session.plan_set(("services", "xserver", "libinput", "enable"), "true",
                              check=False, inside_condition=True)
    session.apply(change)
    assert session.cfg.documents[path].source == MODULE.replace(
        b"    services.xserver.enable = true;\n",
        b"    services.xserver.enable = true;\n    services.xserver.libinput.enable = true;\n")
    (d,) = session.definitions(("services", "xserver", "libinput", "enable"))
    assert [w.name for w in d.wrappers] == ["mkIf"]


def test_editing_an_existing_conditional_definition_needs_no_choice(tmp_path: Path) -> None:
    session, path = _session(tmp_path, MODULE)
    session.apply(session.plan_set(("services", "xserver", "enable"), "false", check=False))
    assert b"services.xserver.enable = false;" in session.cfg.documents[path].source


def test_list_add_and_new_entries_take_the_same_choice(tmp_path: Path) -> None:
    session, _ = _session(tmp_path, MODULE)
    with pytest.raises(InsideCondition):
        session.plan_list_add(("environment", "systemPackages"), "pkgs.xterm")
    with pytest.raises(InsideCondition):
        session.plan_add_entry(("users", "users"), "alice")
    assert session.plan_list_add(("environment", "systemPackages"), "pkgs.xterm",
                                 inside_condition=True)
    assert session.plan_add_entry(("users", "users"), "alice", inside_condition=True)
