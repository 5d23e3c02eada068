"""``nixos-settings value`` and the evaluation behind it, against the real module system:
nixpkgs' real lib in a small nixpkgs-shaped tree, evaluated by the real nix-instantiate.
Definitions are spread over imported files with mkIf, mkForce, mkDefault, mkOverride and
mkMerge; nothing is recorded output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.nixtree import make_nixpkgs

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.session import Session
from nixos_settings.core.system import evaluate
from nixos_settings.core.system.evaluate import EvaluationCancelled, EvaluationFailed

ROOT = """\
{ lib, ... }:
{
  imports = [ ./desktop.nix ./extra.nix ];
  services.demo.port = 9000;
  services.demo.threads = lib.mkDefault 2;
  services.demo.tags = [ "a" ];
  services.demo.name = lib.mkOverride 900 "root";
}
"""
DESKTOP = """\
{ lib, config, ... }:
{
  # the desktop wins the port
  services.demo.port = lib.mkForce 9100;
  services.demo.tags = [ "b" ];
  services.demo.mode = lib.mkIf (config.services.demo.threads > 100) "fast";
}
"""
EXTRA = """\
{ lib, ... }:
{
  config = lib.mkMerge [
    { services.demo.threads = lib.mkOverride 900 3; }
    { users.accounts.alice.uid = 1000; }
    { services.demo.name = "extra"; }
  ];
}
"""


@pytest.fixture(scope="module")
def nixpkgs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_nixpkgs(tmp_path_factory.mktemp("tree"))


@pytest.fixture
def env(nixpkgs: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs}")
    return {**os.environ, "NIX_PATH": f"nixpkgs={nixpkgs}"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "desktop.nix").write_text(DESKTOP)
    (tmp_path / "extra.nix").write_text(EXTRA)
    root = tmp_path / "configuration.nix"
    root.write_text(ROOT)
    return root


def _value(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", "value", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_json_names_every_definition_and_the_mkforce_winner(env: dict[str, str],
                                                             config: Path) -> None:
    out = _value(env, "services.demo.port", "--file", str(config), "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["option"] == "services.demo.port" and got["value"] == 9100
    assert got["default"] == 8080
    defs = got["definitions"]
    assert {(Path(d["file"]).name, d["line"], d["value"], d["priority"]) for d in defs} == {
        ("configuration.nix", 4, 9000, 100), ("desktop.nix", 4, 9100, 50)}
    assert Path(defs[got["winner"]]["file"]).name == "desktop.nix"


def test_mkoverride_in_an_mkmerge_beats_mkdefault(env: dict[str, str], config: Path) -> None:
    got = json.loads(_value(env, "services.demo.threads", "--file", str(config),
                            "--json").stdout)
    assert got["value"] == 3
    winner = got["definitions"][got["winner"]]
    assert (Path(winner["file"]).name, winner["priority"], winner["line"]) == (
        "extra.nix", 900, 4)
    assert sorted(d["priority"] for d in got["definitions"]) == [900, 1000]


def test_plain_definition_in_an_mkmerge_beats_mkoverride(env: dict[str, str],
                                                          config: Path) -> None:
    got = json.loads(_value(env, "services.demo.name", "--file", str(config),
                            "--json").stdout)
    assert got["value"] == "extra"
    assert got["definitions"][got["winner"]]["priority"] == 100


def test_lists_merge_so_no_single_winner(env: dict[str, str], config: Path) -> None:
    got = json.loads(_value(env, "services.demo.tags", "--file", str(config),
                            "--json").stdout)
    assert sorted(got["value"]) == ["a", "b"]
    assert got["winner"] is None and len(got["definitions"]) == 2


def test_false_mkif_leaves_the_default(env: dict[str, str], config: Path) -> None:
    effective = Session.open(config).effective(("services", "demo", "mode"))
    assert effective.value == "safe" and effective.winner is None
    assert [d.status for d in effective.definitions] == ["inactive"]
    assert effective.definitions[0].value == "fast"  # read from the file
    out = _value(env, "services.demo.mode", "--file", str(config))
    assert "mkIf condition is false" in out.stdout and "desktop.nix:6" in out.stdout


def test_unset_option_reports_its_default(env: dict[str, str], config: Path) -> None:
    got = json.loads(_value(env, "networking.hostName", "--file", str(config),
                            "--json").stdout)
    assert got == {"option": "networking.hostName", "value": "nixos", "definitions": [],
                   "winner": None, "default": "nixos"}


def test_functions_and_packages_are_not_representable(env: dict[str, str],
                                                      config: Path) -> None:
    got = json.loads(_value(env, "environment.package", "--file", str(config),
                            "--json").stdout)
    assert got["value"] == {"_type": "derivation", "name": "hello-2.12",
                            "path": "/nix/store/aaaa-hello-2.12"}
    text = _value(env, "services.demo.handler", "--file", str(config)).stdout
    assert "not representable: a function" in text


def test_attribute_set_entries_have_values(env: dict[str, str], config: Path) -> None:
    got = json.loads(_value(env, "users.accounts.alice", "--file", str(config),
                            "--json").stdout)
    assert got["value"] == {"uid": 1000, "shell": "bash"}
    inside = Session.open(config).effective(("users", "accounts", "alice", "uid"))
    assert inside.value == 1000 and not inside.is_option and inside.winner is None
    assert [(Path(d.file).name, d.line, d.status) for d in inside.definitions] == [
        ("extra.nix", 5, "defined")]
    text = _value(env, "users.accounts.alice.uid", "--file", str(config)).stdout
    assert "defined in" in text and "extra.nix:5" in text and "overridden" not in text


def test_type_error_exits_1_with_the_definition_place(env: dict[str, str],
                                                      config: Path) -> None:
    (config.parent / "desktop.nix").write_text(DESKTOP.replace("mkForce 9100", 'mkForce "x"'))
    out = _value(env, "services.demo.port", "--file", str(config), "--json")
    assert out.returncode == 1 and out.stdout == ""
    line = out.stderr.strip()
    assert "\n" not in line
    assert f"{config.parent / 'desktop.nix'}:4" in line and "not of type" in line


def test_throw_is_located_at_its_definition(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.nix"
    bad.write_text('{ ... }:\n{\n  services.demo.port = throw "port is gone";\n}\n')
    out = _value(env, "services.demo.port", "--file", str(bad))
    assert out.returncode == 1
    assert f"{bad}:3" in out.stderr and "port is gone" in out.stderr


def test_syntax_error_names_file_and_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "configuration.nix"
    bad.write_text("{ ... }:\n{\n  services.demo.port = ;\n}\n")
    out = _value(env, "services.demo.port", "--file", str(bad))
    assert out.returncode == 1 and f"{bad}:3" in out.stderr


def test_results_are_cached_by_file_content(env: dict[str, str], config: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Configuration.load(config)
    first = evaluate.evaluate_option(cfg, ("services", "demo", "port"))
    calls: list[list[str]] = []
    real_run = evaluate.run
    monkeypatch.setattr(evaluate, "run", lambda argv, **kw: calls.append(list(argv)) or
                        real_run(argv, **kw))
    again = evaluate.evaluate_option(cfg, ("services", "demo", "port"))
    assert again.as_json() == first.as_json() and calls == []
    (config.parent / "desktop.nix").write_text(DESKTOP.replace("9100", "9200"))
    changed = evaluate.evaluate_option(Configuration.load(config), ("services", "demo", "port"))
    assert changed.value == 9200 and len(calls) == 1


def test_include_path_is_honoured(nixpkgs: Path, config: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NIX_PATH"}
    out = _value(env, "services.demo.port", "--file", str(config), "-I",
                 f"nixpkgs={nixpkgs}", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["value"] == 9100


def test_cancel_and_timeout_stop_the_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    argv = ["sh", "-c", f"echo $$ > {pidfile}; exec sleep 30"]
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    with pytest.raises(EvaluationCancelled):
        evaluate.run(argv, cancel=stop.is_set)
    assert time.monotonic() - started < 5
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(EvaluationFailed, match="longer than"):
        evaluate.run(argv, timeout=0.3)


def test_priority_of_wrappers() -> None:
    cfg_text = "{ lib, ... }: { a = lib.mkForce 1; b = lib.mkOverride 70 2; c = lib.mkIf true 3; }"
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "c.nix"
        p.write_text(cfg_text)
        cfg = Configuration.load(p)
        prios = {dd.loc[0]: evaluate.priority_of(dd.wrappers) for dd in cfg.definitions}
    assert prios == {"a": 50, "b": 70, "c": 100}


FLAKE = """\
{
  outputs = { self }:
    let
      lib = (import ./nixpkgs/lib) // {
        nixosSystem = args: import ./nixpkgs/nixos {
          configuration = { imports = args.modules; };
        };
      };
    in {
      nixosConfigurations.box = lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ./hosts/box.nix ];
      };
    };
}
"""


@pytest.fixture
def flake(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A flake whose nixosSystem is the tree's nixos/default.nix; Nix copies it into a
    store under tmp_path (never the system's /nix/store)."""
    top = tmp_path / "flake"
    top.mkdir()
    make_nixpkgs(top)
    (top / "flake.nix").write_text(FLAKE)
    (top / "configuration.nix").write_text(
        "{ lib, ... }:\n{\n  services.demo.port = lib.mkForce 7000;\n}\n")
    (top / "hosts").mkdir()
    (top / "hosts" / "box.nix").write_text(
        "{ lib, ... }:\n{\n  services.demo.port = lib.mkDefault 7100;\n}\n")
    env = {**os.environ, "NIX_CONFIG": f"store = local?root={tmp_path / 'store'}",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("NIX_PATH", None)
    return top, env


def test_flake_host_is_evaluated_with_nix_eval(flake: tuple[Path, dict[str, str]]) -> None:
    top, env = flake
    out = _value(env, "services.demo.port", "--flake", f"{top}#box", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["value"] == 7000
    # the store copy's files are mapped back to the flake's own files
    assert [(d["file"], d["line"], d["priority"]) for d in got["definitions"]] == [
        (str(top / "configuration.nix"), 3, 50), (str(top / "hosts" / "box.nix"), 3, 1000)]
    assert got["winner"] == 0


def test_flake_error_points_at_the_flake_file(flake: tuple[Path, dict[str, str]]) -> None:
    top, env = flake
    (top / "hosts" / "box.nix").write_text(
        "{ lib, ... }:\n{\n  services.demo.port = lib.mkForce \"high\";\n}\n")
    (top / "configuration.nix").write_text("{ ... }:\n{\n}\n")
    out = _value(env, "services.demo.port", "--flake", f"{top}#box")
    assert out.returncode == 1
    assert f"{top / 'hosts' / 'box.nix'}:3" in out.stderr and "/nix/store" not in out.stderr


def test_many_values_in_one_evaluation(env: dict[str, str], config: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session.open(config)
    locs = [d.loc for d in session.cfg.definitions] + [("networking", "hostName"),
                                                       ("no", "such")]
    runs: list[int] = []
    real_run = evaluate.run
    monkeypatch.setattr(evaluate, "run", lambda argv, **kw: runs.append(1) or
                        real_run(argv, **kw))
    got = session.effective_values(locs)
    assert runs == [1]
    assert got[("services", "demo", "port")] == 9100
    assert got[("services", "demo", "threads")] == 3
    assert sorted(got[("services", "demo", "tags")]) == ["a", "b"]
    assert got[("services", "demo", "name")] == "extra"
    assert got[("users", "accounts", "alice", "uid")] == 1000
    assert got[("networking", "hostName")] == "nixos"
    assert ("no", "such") not in got
    assert session.effective_values(locs) == got and runs == [1]  # cached


def test_many_values_report_a_broken_configuration(env: dict[str, str],
                                                   config: Path) -> None:
    (config.parent / "extra.nix").write_text("{ lib, ... }:\n{\n  config = lib.mkMerge [ ;\n}\n")
    with pytest.raises(EvaluationFailed) as err:
        Session.open(config).effective_values([("services", "demo", "port")])
    assert err.value.location == f"{config.parent / 'extra.nix'}:3"


def test_describe_value_words() -> None:
    assert evaluate.describe_value({"_type": "error"}).startswith("cannot be evaluated")
    assert evaluate.describe_value({"_type": "function"}) == "not representable: a function"
    assert evaluate.describe_value({"_type": "derivation", "name": "hello-2.12", "path":
                                    "/nix/store/x-hello"}) == (
        "not representable: package hello-2.12 (/nix/store/x-hello)")
    assert evaluate.describe_value(list(range(100)), 20).endswith("…")
    assert len(evaluate.describe_value(list(range(100)), 20)) == 20


def test_no_nixpkgs_is_said_plainly_with_what_to_do(config: Path, tmp_path: Path) -> None:
    """The real nix-instantiate without nixpkgs in NIX_PATH: the one-line error says what is
    missing and what to do, not Nix's "search path" words; Nix's text stays in the details."""
    env = {k: v for k, v in os.environ.items() if k != "NIX_PATH"}
    env["NIX_PATH"] = ""
    env["HOME"] = str(tmp_path)  # no user channels either
    proc = _value(env, "services.demo.port", "--file", str(config))
    assert proc.returncode != 0
    assert "Nix cannot find nixpkgs on this machine" in proc.stderr
    assert "nix-channel --update" in proc.stderr and "search path" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_known_nix_errors_in_plain_words() -> None:
    assert evaluate.plain_failure("infinite recursion encountered").startswith(
        "Nix found an infinite recursion")
    assert "Nix cannot find <secrets>" in evaluate.plain_failure(
        "file 'secrets' was not found in the Nix search path (add it using $NIX_PATH or -I)")
    other = "attribute 'foo' missing"
    assert evaluate.plain_failure(other) == other  # unknown errors stay Nix's words
