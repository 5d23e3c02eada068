"""The edit session: check → plan → apply → save, the one path of both faces."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.gui.conftest import CONFIG, DESKTOP, OPTIONS, USERS

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.options import model as options_model
from nixos_settings.core.session import Refused, Session


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    d = tmp_path / "etc-nixos"
    d.mkdir()
    (d / "configuration.nix").write_bytes(CONFIG)
    (d / "users.nix").write_bytes(USERS)
    (d / "desktop.nix").write_bytes(DESKTOP)
    return d / "configuration.nix"


@pytest.fixture
def options(tmp_path: Path) -> options_model.OptionSet:
    p = tmp_path / "options.json"
    p.write_text(json.dumps(OPTIONS), encoding="utf-8")
    return options_model.load_file(str(p))


@pytest.fixture
def session(conf: Path, options: options_model.OptionSet) -> Session:
    return Session.open(conf, options)


def test_check_says_why_in_one_sentence(session: Session) -> None:
    assert session.check(("services", "opensh", "enable"), "true") == (
        "unknown option services.opensh.enable (did you mean services.openssh.enable?)")
    assert "read-only" in (session.check(("system", "nixos", "release"), '"1"') or "")
    assert "65535" in (session.check(("services", "openssh", "ports"), "[ 22 70000 ]") or "")
    assert "true or false" in (session.check(("services", "printing", "enable"), '"y"') or "")
    assert session.check(("services", "openssh", "enable"), "true") is None
    assert Session.open(session.root).check(("services", "opensh", "enable"), "true") is None


def test_refusal_plans_nothing_and_no_check_plans_anyway(session: Session, conf: Path) -> None:
    with pytest.raises(Refused, match=r"did you mean services\.openssh\.enable"):
        session.plan_set(("services", "opensh", "enable"), "true")
    assert session.dirty_paths() == []
    change = session.plan_set(("services", "opensh", "enable"), "true", check=False)
    assert change and change.locs == [("services", "opensh", "enable")]
    assert session.dirty_paths() == []  # planned, not applied
    assert conf.read_bytes() == CONFIG


def test_an_unknown_option_the_files_already_set_can_be_changed(session: Session,
                                                               conf: Path) -> None:
    loc = ("services", "opensh", "enable")
    session.apply(session.plan_set(loc, "true", check=False))
    # now the files set it: changing the value adds no new unknown name …
    assert session.check(loc, "false") is None
    change = session.plan_set(loc, "false")
    assert change and change.locs == [loc]
    # … while a new unknown name next to it is still refused
    assert "unknown option services.opensh.enabled" in (
        session.check(("services", "opensh", "enabled"), "true") or "")


def test_a_broken_value_is_reported_before_the_metadata(session: Session) -> None:
    with pytest.raises(EditError) as err:
        session.plan_set(("services", "opensh", "enable"), "[ 1")
    assert not isinstance(err.value, Refused)


def test_apply_and_inverse_track_dirty_state_and_diff(session: Session, conf: Path) -> None:
    change = session.plan_set(("services", "openssh", "enable"), "true")
    assert change.description == "Set services.openssh.enable = true"
    session.apply(change)
    assert session.dirty_paths() == [conf]
    diff = session.diff()
    assert diff.startswith("--- a/configuration.nix\n+++ b/configuration.nix\n")
    assert "+  services.openssh.enable = true;\n" in diff
    assert session.diff(conf) == diff
    session.apply(change.inverse())
    assert session.dirty_paths() == [] and session.diff() == ""


def test_save_writes_and_marks_saved(session: Session, conf: Path) -> None:
    session.apply(session.plan_set(("time", "timeZone"), '"Europe/Paris"'))
    out = session.save()
    assert out.ok and out.written == [conf] and out.saved == [conf]
    assert conf.read_bytes() == CONFIG.replace(b'"UTC"', b'"Europe/Paris"')
    assert session.dirty_paths() == [] and session.original(conf) == conf.read_bytes()
    assert not session.changed_on_disk(conf)


def test_changed_on_disk_is_reported_then_overwritten_on_request(session: Session,
                                                                 conf: Path) -> None:
    session.apply(session.plan_set(("services", "openssh", "enable"), "true"))
    conf.write_bytes(CONFIG + b"# edited elsewhere\n")
    assert session.changed_on_disk(conf)
    out = session.save()
    assert out.changed_on_disk == [conf] and not out.ok and out.written == []
    assert conf.read_bytes().endswith(b"# edited elsewhere\n")
    out = session.save(overwrite=[conf])
    assert out.written == [conf]
    assert b"services.openssh.enable = true;" in conf.read_bytes()
    assert not session.changed_on_disk(conf)


def _helper(tmp_path: Path, body: str) -> tuple[str, ...]:
    script = tmp_path / "fake-helper.sh"
    script.write_text(body)
    return ("sh", str(script))


def test_files_we_cannot_write_go_through_the_helper(session: Session, conf: Path,
                                                     tmp_path: Path) -> None:
    session.can_write = lambda p: False
    session.helper_command = _helper(tmp_path, 'cat > "$1"\n')
    session.apply(session.plan_set(("services", "openssh", "enable"), "true"))
    out = session.save()
    assert out.errors == [] and out.privileged == [conf] and out.written == []
    assert b"services.openssh.enable = true;" in conf.read_bytes()
    assert session.dirty_paths() == [] and not session.changed_on_disk(conf)


def test_a_refused_helper_is_an_error_and_keeps_the_change(session: Session, conf: Path,
                                                          tmp_path: Path) -> None:
    session.can_write = lambda p: False
    session.helper_command = _helper(tmp_path, "echo 'Not authorized' >&2\nexit 127\n")
    session.apply(session.plan_set(("services", "openssh", "enable"), "true"))
    out = session.save()
    assert out.privileged == [] and len(out.errors) == 1
    assert "not saved: you are not allowed to save it as administrator (Not authorized)" \
        in out.errors[0]
    assert session.dirty_paths() == [conf] and conf.read_bytes() == CONFIG
    # without the helper (the command line) the file is tried directly
    assert session.save(helper=False).written == [conf]


def test_entries_add_rename_remove(session: Session, conf: Path) -> None:
    users = ("users", "users")
    with pytest.raises(EditError, match="already exists"):
        session.plan_add_entry(users, "alice")
    with pytest.raises(EditError, match="must not be empty"):
        session.plan_add_entry(users, "")
    add = session.plan_add_entry(users, "bob")
    assert add.description == "Add users.users.bob" and add.locs == [users, (*users, "bob")]
    session.apply(add)
    assert session.definitions((*users, "bob"), containers=True)
    assert not session.plan_rename_entry((*users, "bob"), "bob")  # same name: no change
    session.apply(session.plan_rename_entry((*users, "bob"), "carol"))
    assert not session.definitions((*users, "bob"), containers=True)
    session.apply(session.plan_remove_entry((*users, "carol")))
    assert session.dirty_paths() == []


def test_list_verbs_check_elements(session: Session, conf: Path) -> None:
    ports = ("networking", "firewall", "allowedTCPPorts")
    with pytest.raises(Refused, match="65535"):
        session.plan_list_add(ports, "70000")
    session.apply(session.plan_list_add(ports, "443"))
    (d,) = session.definitions(ports)
    assert session.element_texts(d) == ["80", "443"]
    with pytest.raises(Refused, match="65535"):
        session.plan_list_set_at(ports, 0, "99999")
    session.apply(session.plan_list_set_at(ports, 0, "8080"))
    session.apply(session.plan_list_remove(ports, "443"))
    session.apply(session.plan_list_remove_at(ports, 0))
    assert session.element_texts(session.definitions(ports)[0]) == []


def test_queries(session: Session, conf: Path) -> None:
    assert session.suggest(("services", "printing", "enabel")) == [
        ("services", "printing", "enable")]
    assert session.suggest(()) == []
    assert {"git", "vim", "firefox", "thunderbird"} <= session.package_names()
    info = session.info(("users", "users", "zoe", "isNormalUser"))
    assert info is not None and info.type == "boolean"
    assert session.display_name(conf.parent / "users.nix") == "users.nix"
    assert session.display_name(Path("/elsewhere/x.nix")) == "/elsewhere/x.nix"
    (d,) = session.definitions(("networking", "hostName"))
    assert session.definition_at(("networking", "hostName"), conf, d.line) == d
    assert session.definition_at(("networking", "hostName"), conf, d.line + 1) is None


def test_plan_set_value_renders_and_checks(session: Session) -> None:
    change = session.plan_set_value(("networking", "hostName"), 'my "box"')
    assert change.description == 'Set networking.hostName = "my \\"box\\""'
    with pytest.raises(Refused, match="true or false"):
        session.plan_set_value(("services", "printing", "enable"), "yes")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_in_a_repository_only(session: Session, conf: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in (("GIT_AUTHOR_NAME", "T"), ("GIT_AUTHOR_EMAIL", "t@example.invalid"),
                       ("GIT_COMMITTER_NAME", "T"), ("GIT_COMMITTER_EMAIL", "t@example.invalid"),
                       ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(var, value)
    assert session.git_repo() is None
    assert session.commit([conf], ["services.openssh.enable"]) is None
    repo = conf.parent
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    assert session.git_repo() == repo.resolve()
    session.apply(session.plan_set(("services", "openssh", "enable"), "true"))
    message = session.commit(session.save().saved, ["services.openssh.enable"])
    assert message is not None and message.startswith("nixos-settings: set services.openssh")
    log = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout
    assert log == message + "\n"


def test_a_refused_list_element_is_named_by_its_place(session: Session) -> None:
    """Adding one element is checked alone: the message names the value, not "element 1";
    changing element N names N."""
    loc = ("services", "openssh", "ports")
    session.apply(session.plan_set(loc, "[ 22 2222 ]"))
    with pytest.raises(Refused) as added:
        session.plan_list_add(loc, "70000")
    assert "70000 is above the maximum 65535" in str(added.value)
    assert "element" not in str(added.value)
    with pytest.raises(Refused) as changed:
        session.plan_list_set_at(loc, 1, "70000")
    assert "element 2: 70000 is above the maximum 65535" in str(changed.value)


def test_options_of_a_namespace_the_metadata_lacks_are_warned_about_not_refused(
        session: Session) -> None:
    """home-manager.users.… with NixOS metadata: the metadata cannot check it (a module it
    does not describe); a misspelt first name is still refused as a typo."""
    loc = ("home-manager", "users", "jane", "programs", "git", "enable")
    assert session.check(loc, "true") is None
    assert "was not checked" in (session.warning(loc) or "")
    session.apply(session.plan_set(loc, "true"))  # not refused
    assert "unknown option servces.openssh.enable" in (
        session.check(("servces", "openssh", "enable"), "true") or "")
