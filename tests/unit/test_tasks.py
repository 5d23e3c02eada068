"""Tasks: definitions as data, reading the current state, applying through the session
(only what differs), release-aware option names, warnings, and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nixos_settings.core.common.errors import InsideCondition
from nixos_settings.core.nix import optpath
from nixos_settings.core.options import model as options_model
from nixos_settings.core.session import Session
from nixos_settings.core.tasks import engine
from nixos_settings.core.tasks.model import TaskError, get_task, load_tasks, task_from_data
from nixos_settings.core.tasks.values import plain

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "configs"

REQUIRED_IDS = {
    "ssh-server", "add-user", "remove-user", "hostname", "time-zone", "locale", "keyboard",
    "firewall-port", "networkmanager", "desktop", "sound", "printing", "bluetooth",
    "auto-upgrade", "garbage-collection", "docker", "virtual-machines", "flatpak",
    "automatic-login", "zram-swap", "nvidia", "install-package",
}

#: what a person would type for each task
SAMPLES: dict[str, list[str]] = {
    "ssh-server": ["port=2222,22", "password-login=no", "root-login=no", "user=alice",
                   "authorized-key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@laptop"],
    "add-user": ["name=bob", "full-name=Bob \"the\" Builder", "groups=wheel,networkmanager",
                 "shell=zsh", "initial-password=change-me"],
    "hostname": ["name=workshop"],
    "time-zone": ["zone=Europe/Berlin"],
    "locale": ["locale=de_DE.UTF-8"],
    "keyboard": ["layout=de", "variant=nodeadkeys", "console-keymap=de"],
    "firewall-port": ["port=8080"],
    "networkmanager": ["user=alice"],
    "desktop": ["desktop=gnome"],
    "sound": [],
    "printing": ["find-network-printers=yes"],
    "bluetooth": ["on-at-start=yes"],
    "auto-upgrade": ["schedule=weekly", "allow-reboot=yes"],
    "garbage-collection": ["schedule=weekly", "keep-days=30", "optimise=yes"],
    "docker": ["user=alice"],
    "virtual-machines": ["user=alice"],
    "flatpak": [],
    "automatic-login": ["user=alice"],
    "zram-swap": ["percent=50"],
    "nvidia": ["modesetting=yes"],
    "install-package": ["package=firefox"],
}

#: fixture configurations of different shapes every task must work on
SHAPES = ["comments.nix", "crlf.nix", "tabs.nix", "with-pkgs.nix", "nested-sets.nix",
          "mkif.nix", "let-in.nix"]


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> options_model.OptionSet:
    return options_model.load_file(
        str(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"))


def _parses(path: Path) -> None:
    out = subprocess.run(["nix-instantiate", "--parse", str(path)], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, (path, out.stderr)


def _apply(path: Path, options: options_model.OptionSet | None, task_id: str,
           args: list[str]) -> engine.TaskPlan:
    session = Session.open(path, options)
    task = get_task(task_id)
    result = engine.plan(session, task, engine.parse_assignments(task, args))
    session.apply(result.change)
    outcome = session.save(helper=False)
    assert outcome.ok, outcome.errors
    return result


def _check_read_back(path: Path, options: options_model.OptionSet, task_id: str,
                     args: list[str]) -> None:
    """Every field given reads back as what was given (through ``read_state``, or as an
    element of the list it was added to)."""
    task = get_task(task_id)
    values = engine.parse_assignments(task, args)
    session = Session.open(path, options)
    states = {s.name: s for s in engine.read_state(session, task, values)}
    for name, value in values.items():
        f = task.get_field(name)
        simple = [w for w in f.writes if w.nix == "{value}" and w.mode == "set"]
        adds = [w for w in f.writes if w.mode == "add" and engine._applies(w, values)]
        if f.type == "enum" and any(w.when for w in f.writes):
            assert states[name].value == value, (task_id, name, states[name])
        elif simple:
            assert states[name].set and plain(states[name].value) == plain(value), (
                task_id, name, states[name])
        for w in adds:
            loc = engine.resolve(session, w, values)
            (d,) = session.definitions(loc)
            texts = session.element_texts(d) or []
            assert any(engine._same(t, engine._fill_nix(w, value, values)) for t in texts), (
                task_id, name, texts)


# -- definitions ------------------------------------------------------------------------


def test_every_task_the_issue_names_is_defined_as_data() -> None:
    tasks = load_tasks()
    assert REQUIRED_IDS <= set(tasks)
    for t in tasks.values():
        assert t.title and t.description and t.fields, t.id
        for opt in t.options():
            optpath.parse(opt.replace("{", "").replace("}", ""))  # every name parses


def test_a_broken_definition_is_refused_in_plain_words() -> None:
    good = {"id": "x", "title": "X", "category": "Software", "description": "d"}
    with pytest.raises(TaskError, match="unknown type 'colour'"):
        task_from_data({**good, "fields": [{"name": "a", "type": "colour"}]}, "x.toml")
    with pytest.raises(TaskError, match="unknown category"):
        task_from_data({**good, "category": "Misc"}, "x.toml")
    with pytest.raises(TaskError, match="depends on unknown field b"):
        task_from_data({**good, "fields": [{"name": "a", "type": "bool", "writes": [
            {"options": ["x.y"], "when": {"b": "1"}}]}]}, "x.toml")


def test_values_are_checked_with_plain_messages() -> None:
    ssh = get_task("ssh-server")
    with pytest.raises(TaskError, match=r"at most 65535 \(you gave 70000\)"):
        engine.parse_assignments(ssh, ["port=70000"])
    with pytest.raises(TaskError, match="password-login is yes or no"):
        engine.parse_assignments(ssh, ["password-login=maybe"])
    with pytest.raises(TaskError, match="has no field 'colour'"):
        engine.parse_assignments(ssh, ["colour=red"])
    with pytest.raises(TaskError, match="root-login is one of yes, prohibit-password, no"):
        engine.parse_assignments(ssh, ["root-login=sometimes"])
    with pytest.raises(TaskError, match="not a valid name"):
        engine.parse_assignments(get_task("add-user"), ["name=Bob Smith"])
    with pytest.raises(TaskError, match=r"no task 'ssh-sever'.*did you mean ssh-server"):
        get_task("ssh-sever")


def test_every_write_resolves_against_real_metadata(nixos: options_model.OptionSet) -> None:
    """Release-aware: each write finds the name this release (20.09) uses, or the task
    says it cannot (only programs.virt-manager, which 20.09 does not have)."""
    session = Session.open(FIXTURES / "comments.nix", nixos)
    values = {"user": "alice", "name": "alice"}
    missing = []
    for t in load_tasks().values():
        for f in t.fields:
            for w in f.writes:
                try:
                    engine.resolve(session, w, {**values, f.name: "x"})
                except TaskError:
                    missing.append(w.options[0])
    assert missing == ["programs.virt-manager.enable"]
    ssh = get_task("ssh-server")
    loc = engine.resolve(session, ssh.get_field("password-login").writes[0], {})
    assert optpath.show(loc) == "services.openssh.passwordAuthentication"  # the 20.09 name
    with pytest.raises(TaskError, match=r"this NixOS release has none of programs\.virt-manager"):
        engine.plan(session, get_task("virtual-machines"), {"manager": True})


# -- applying -----------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", sorted(SAMPLES))
def test_each_task_on_every_shape_parses_reads_back_and_is_idempotent(
        task_id: str, nixos: options_model.OptionSet, tmp_path: Path) -> None:
    changed = 0
    for shape in SHAPES:
        path = tmp_path / shape
        shutil.copyfile(FIXTURES / shape, path)
        before = path.read_bytes()
        try:
            result = _apply(path, nixos, task_id, SAMPLES[task_id])
        except InsideCondition as err:
            # the options' only place is inside an mkIf block: refused, nothing written
            assert shape == "mkif.nix" and "conditional block" in str(err), (task_id, err)
            assert path.read_bytes() == before
            continue
        # a configuration that already says so is left alone; any other changes
        assert (path.read_bytes() != before) == bool(result.writes), (task_id, shape)
        changed += bool(result.writes)
        _parses(path)
        _check_read_back(path, nixos, task_id, SAMPLES[task_id])
        # the same values again: nothing to change
        again = engine.plan(Session.open(path, nixos), get_task(task_id),
                            engine.parse_assignments(get_task(task_id), SAMPLES[task_id]))
        assert not again.change and again.writes == [], (task_id, shape, again.writes)
    assert changed >= len(SHAPES) - 2, task_id


def test_only_what_differs_is_written(tmp_path: Path, nixos: options_model.OptionSet) -> None:
    path = tmp_path / "c.nix"
    path.write_text("{ config, pkgs, ... }:\n{\n  # remote access\n"
                    "  services.openssh.enable = true;\n  services.openssh.ports = [ 22 ];\n}\n")
    result = _apply(path, nixos, "ssh-server", ["port=22,2222"])
    assert result.writes == [("set", "services.openssh.ports", "[ 22 2222 ]")]
    assert path.read_text() == ("{ config, pkgs, ... }:\n{\n  # remote access\n"
                                "  services.openssh.enable = true;\n"
                                "  services.openssh.ports = [ 22 2222 ];\n}\n")


def test_the_plan_is_one_change_and_leaves_the_session_as_it_was(
        tmp_path: Path, nixos: options_model.OptionSet) -> None:
    path = tmp_path / "c.nix"
    shutil.copyfile(FIXTURES / "comments.nix", path)
    session = Session.open(path, nixos)
    result = engine.plan(session, get_task("garbage-collection"),
                         {"schedule": "weekly", "keep-days": 14})
    assert session.dirty_paths() == []  # planned, not applied
    assert list(result.change.files) == [path]
    session.apply(result.change)
    text = session.cfg.documents[path].source.decode()
    assert 'nix.gc.options = "--delete-older-than 14d";' in text
    session.apply(result.change.inverse())  # one undo step takes it all back
    assert session.dirty_paths() == []


def test_remove_user_and_firewall_close(tmp_path: Path, nixos: options_model.OptionSet) -> None:
    path = tmp_path / "c.nix"
    path.write_text("{ ... }:\n{\n  users.users.alice = {\n    isNormalUser = true;\n  };\n"
                    "  users.users.bob.isNormalUser = true;\n"
                    "  networking.firewall.allowedTCPPorts = [ 80 8080 443 ];\n}\n")
    _apply(path, nixos, "remove-user", ["name=alice"])
    _apply(path, nixos, "firewall-port", ["port=8080", "action=close"])
    assert path.read_text() == ("{ ... }:\n{\n  users.users.bob.isNormalUser = true;\n"
                                "  networking.firewall.allowedTCPPorts = [ 80 443 ];\n}\n")
    _parses(path)


def test_warnings_say_what_a_change_may_break(tmp_path: Path,
                                              nixos: options_model.OptionSet) -> None:
    path = tmp_path / "c.nix"
    path.write_text("{ ... }:\n{\n  networking.firewall.enable = false;\n}\n")
    s = Session.open(path, nixos)
    ssh = get_task("ssh-server")
    lockout = engine.plan(s, ssh, {"password-login": False}).warnings
    assert any("nobody will be able to log in" in w for w in lockout)
    with_key = engine.plan(s, ssh, {"password-login": False, "user": "alice",
                                    "authorized-key": "ssh-ed25519 AAAA x"}).warnings
    assert with_key == []
    fw = engine.plan(s, get_task("firewall-port"), {"port": 80}).warnings
    assert fw == ["The firewall is turned off in this configuration, so every port is "
                  "already open."]


# -- the real module system ---------------------------------------------------------------

_NIX_TYPES = {
    "boolean": "types.bool", "string": "types.str", "signed integer": "types.int",
    "list of strings": "types.listOf types.str", "null or string": "types.nullOr types.str",
    "list of 16 bit unsigned integer; between 0 and 65535 (both inclusive)s":
        "types.listOf types.port",
}


def _declarations(nixos: options_model.OptionSet, locs: list[tuple[str, ...]]) -> str:
    """Option declarations (real lib.types) for exactly ``locs``, with ``users.users.<name>``
    as an attribute set of submodules, as NixOS declares it."""
    top: dict[str, Any] = {}
    for loc in locs:
        info = nixos.match(loc)
        assert info is not None, loc
        kind = _NIX_TYPES.get(info.type, "types.anything")
        node = top
        tmpl = info.loc
        for seg in tmpl[:-1]:
            node = node.setdefault(seg, {})
        node[tmpl[-1]] = f"mkOption {{ type = {kind}; }}"
    return _render_decl(top)


def _render_decl(tree: dict[str, Any]) -> str:
    parts = []
    for key, val in tree.items():
        name = optpath.show((key,))
        if isinstance(val, str):
            parts.append(f"{name} = {val};")
        elif any(optpath.is_placeholder(k) for k in val):
            (inner,) = val.values()
            parts.append(f"{name} = mkOption {{ default = {{ }}; type = types.attrsOf "
                         f"(types.submodule {{ options = {{ {_render_decl(inner)} }}; }}); }};")
        else:
            parts.append(f"{name} = {{ {_render_decl(val)} }};")
    return " ".join(parts)


@pytest.mark.parametrize("task_id", sorted(SAMPLES))
def test_each_task_evaluates_with_the_real_module_system(
        task_id: str, nixos: options_model.OptionSet, shared_dir: Path, tmp_path: Path) -> None:
    lib = shared_dir / "vendor" / "nixpkgs-lib" / "lib"
    assert lib.is_dir(), lib
    path = tmp_path / "configuration.nix"
    path.write_text("{ config, pkgs, lib, ... }:\n{\n}\n")
    result = _apply(path, nixos, task_id, SAMPLES[task_id])
    locs = sorted({optpath.parse(opt) for _mode, opt, _nix in result.writes})
    decls = _declarations(nixos, list(locs))
    wanted = " ".join(f"{json.dumps(optpath.show(loc))} = lib.attrByPath {_nix_list(loc)} "
                      "null cfg;" for loc in locs)
    expr = (f"let lib = import {lib}; inherit (lib) types mkOption; "
            "pkgs = { zsh = \"zsh-package\"; firefox = \"firefox-package\"; }; "
            f"cfg = (lib.evalModules {{ modules = [ {{ options = {{ {decls} }}; }} {path} "
            "{ _module.args.pkgs = pkgs; } ]; }).config; "
            f"in {{ {wanted} }}")
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                         capture_output=True, text=True, check=False,
                         env=dict(os.environ, NIX_PATH=""))
    assert out.returncode == 0, out.stderr
    evaluated = json.loads(out.stdout)
    assert set(evaluated) == {optpath.show(loc) for loc in locs}
    for mode, opt, nix in result.writes:
        got = evaluated[opt]
        if mode == "add":
            assert _json_of(nix) in got, (opt, got)
        else:
            assert got == _json_of(nix), (opt, got, nix)


def _nix_list(loc: tuple[str, ...]) -> str:
    return "[ " + " ".join(json.dumps(s) for s in loc) + " ]"


def _json_of(nix: str) -> Any:
    """What a written Nix text evaluates to, through nix-instantiate itself."""
    expr = f"let pkgs = {{ zsh = \"zsh-package\"; firefox = \"firefox-package\"; }}; in {nix}"
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# -- the command line ----------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "gui"))
    return subprocess.run([sys.executable, "-m", "nixos_settings", *args], capture_output=True,
                          text=True, env=env, check=False)


def test_cli_list_show_and_apply(tmp_path: Path, shared_dir: Path) -> None:
    opts = str(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    listed = json.loads(_cli("task", "list", "--json").stdout)
    ssh = next(t for t in listed if t["id"] == "ssh-server")
    assert {f["name"] for f in ssh["fields"]} >= {"port", "password-login"}
    assert "services.openssh.ports" in ssh["options"]
    assert all({"id", "title", "fields", "options"} <= set(t) for t in listed)
    conf = tmp_path / "configuration.nix"
    shutil.copyfile(FIXTURES / "comments.nix", conf)
    before = conf.read_bytes()
    dry = _cli("task", "apply", "ssh-server", "port=2222", "password-login=false", "--file",
               str(conf), "--options", opts, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "ports = [ 2222 ];" in dry.stdout and "passwordAuthentication = false;" in dry.stdout
    assert conf.read_bytes() == before  # --dry-run writes nothing
    bad = _cli("task", "apply", "ssh-server", "port=70000", "--file", str(conf))
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1, bad.stderr
    assert "port must be at most 65535" in bad.stderr and conf.read_bytes() == before
    done = _cli("task", "apply", "ssh-server", "port=2222", "--file", str(conf),
                "--options", opts)
    assert done.returncode == 0, done.stderr
    shown = json.loads(_cli("task", "show", "ssh-server", "--file", str(conf), "--options",
                            opts, "--json").stdout)
    port = next(f for f in shown["fields"] if f["name"] == "port")
    assert port["value"] == [2222] and port["where"].startswith(conf.name + ":")
    enable = next(f for f in shown["fields"] if f["name"] == "enable")
    assert enable["value"] is True and enable["set"]


def test_tasks_for_an_option() -> None:
    from nixos_settings.core.tasks.model import tasks_for

    assert [t.id for t in tasks_for(("time", "timeZone"))] == ["time-zone"]
    assert {t.id for t in tasks_for(("users", "users", "alice", "extraGroups"))} >= {
        "add-user", "docker", "networkmanager", "virtual-machines"}
    assert tasks_for(("boot", "loader", "timeout")) == []


@pytest.mark.parametrize(("listing", "added"), [
    ("with pkgs; [\n    git\n    vim\n  ]", "    vim\n    htop\n"),  # bare names under with
    ("[ pkgs.git pkgs.vim ]", "pkgs.vim pkgs.htop ]"),
])
def test_install_package_writes_in_the_lists_style(tmp_path: Path,
                                                   nixos: options_model.OptionSet,
                                                   listing: str, added: str) -> None:
    path = tmp_path / "c.nix"
    path.write_text("{ pkgs, ... }:\n{\n  environment.systemPackages = " + listing + ";\n}\n")
    result = _apply(path, nixos, "install-package", ["package=htop"])
    assert added in path.read_text()
    assert result.writes == [("add", "environment.systemPackages", "pkgs.htop")]
    again = engine.plan(Session.open(path, nixos), get_task("install-package"),
                        {"package": "htop"})
    assert not again.change  # installed already: nothing to write
