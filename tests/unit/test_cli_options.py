"""`search` and `show` sub-commands: through our own parser and through the real CLI."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nixos_settings.cli import options as cli_options
from nixos_settings.core.common.errors import OptionsError

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "options"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nixos-settings")
    sub = parser.add_subparsers(dest="command")
    cli_options.register(sub)
    return parser.parse_args(argv)


def test_search_json(capsys: pytest.CaptureFixture[str], shared_dir: Path) -> None:
    src = shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"
    args = parse(["search", "firewall ports", "--options", str(src), "--json", "--limit", "5"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 5
    assert "networking.firewall.allowedTCPPorts" in [o["option"] for o in out[:3]]
    first = out[0]
    assert first["loc"] == first["option"].split(".") and first["type"]
    assert set(first) >= {"option", "loc", "type", "description"}


def test_search_text_and_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["search", "sshd-like port", "--options", str(FIX / "modern.json")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("services.sshd-like.port  (16 bit unsigned integer;")
    args = parse(["search", "qqqqzzzz", "--options", str(FIX / "modern.json")])
    assert args.func(args) == 1
    assert "no option matches" in capsys.readouterr().err


def test_search_type_filter(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(
        ["search", "people", "--options", str(FIX / "modern.json"), "--json", "--type", "list"]
    )
    assert args.func(args) == 0
    assert [o["option"] for o in json.loads(capsys.readouterr().out)] == ["people.<name>.keys"]


def test_show_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["show", "services.sshd-like.port", "--options", str(FIX / "modern.json")])
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "services.sshd-like.port"
    assert out[1] == "Type:        16 bit unsigned integer; between 0 and 65535 (both inclusive)"
    assert "Default:     22" in out
    assert any(
        line.startswith("Declared in: <example/modules/sshd-like.nix> <https://") for line in out
    )
    text = "\n".join(out)
    assert "TCP port the daemon listens on." in text and "Note" in text


def test_show_definitions_from_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "configuration.nix"
    cfg.write_text('{ ... }:\n{\n  people.ann.keys = [ "k1" ];\n  people.bob.keys = [ ];\n}\n')
    args = parse(
        ["show", "people.<name>.keys", "--options", str(FIX / "modern.json"), "--file", str(cfg)]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert f'{cfg}:3: people.ann.keys = [ "k1" ]' in out
    assert f"{cfg}:4: people.bob.keys = [ ]" in out


def test_show_concrete_name_and_unknown() -> None:
    args = parse(["show", "people.zed.isAdmin", "--options", str(FIX / "modern.json")])
    assert args.func(args) == 0
    args = parse(["show", "services.sshd-like.prot", "--options", str(FIX / "modern.json")])
    with pytest.raises(OptionsError, match=r"did you mean services\.sshd-like\.port"):
        args.func(args)


def test_no_metadata_is_an_error() -> None:
    args = parse(["search", "x"])
    with pytest.raises(OptionsError, match="--options"):
        args.func(args)


def run_cli(*argv: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "gui"), XDG_CACHE_HOME=str(cache))
    return subprocess.run(
        [sys.executable, "-m", "nixos_settings", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_through_the_real_cli(tmp_path: Path) -> None:
    r = run_cli(
        "search", "sshd-like", "--options", str(FIX / "modern.json"), "--json", cache=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["option"].startswith("services.sshd-like.")
    bad = run_cli("show", "nope.nothing", "--options", str(FIX / "modern.json"), cache=tmp_path)
    assert bad.returncode != 0 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "unknown option nope.nothing" in bad.stderr
    # --options before the sub-command works too
    r2 = run_cli("--options", str(FIX / "modern.json"), "show", "system.stamp", cache=tmp_path)
    assert r2.returncode == 0 and "Read-only:" in r2.stdout
