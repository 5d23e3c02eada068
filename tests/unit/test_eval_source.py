"""The ``eval`` metadata source against the real module system (nixpkgs' real lib, real
nix-instantiate): it holds nixpkgs' options and the user's own, and what the static reader
(declared.py) says of the user's options agrees with what Nix says."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.nixtree import make_nixpkgs

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.options.declared import declared_options
from nixos_settings.core.options.sources import resolve_options

MODULE = """\
{ config, lib, pkgs, ... }:
with lib;
{
  options.custom.hotspot = {
    enable = mkEnableOption "the hotspot";
    ssid = mkOption { type = types.str; default = "home"; description = "Name."; };
    port = mkOption { type = types.port; default = 8080; description = "Port."; };
    band = mkOption { type = types.enum [ "2.4" "5" ]; default = "5"; description = "Band."; };
    tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags."; };
    limit = mkOption { type = types.nullOr (types.ints.between 1 99); default = null;
                       description = "Limit."; };
    clients = mkOption {
      type = types.attrsOf (types.submodule {
        options.mac = mkOption {
          type = types.nullOr types.str; default = null; description = "M.";
        };
        options.vlans = mkOption {
          type = types.listOf types.int; default = [ ]; description = "V.";
        };
      });
      default = { };
      description = "Clients.";
    };
    rules = mkOption {
      type = types.listOf (types.submodule { options.port = mkOption { type = types.port; }; });
      default = [ ];
      description = "Rules.";
    };
    daemon = mkPackageOption pkgs "hostapd" { };
  };
  config = mkIf config.custom.hotspot.enable { services.demo.enable = true; };
}
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    nixpkgs = make_nixpkgs(tmp_path / "tree")
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={nixpkgs}")
    (tmp_path / "hotspot.nix").write_text(MODULE)
    root = tmp_path / "configuration.nix"
    root.write_text("{ ... }:\n{\n  imports = [ ./hotspot.nix ];\n"
                    "  custom.hotspot.enable = true;\n}\n")
    return root


def test_eval_source_holds_nixpkgs_and_user_options(config: Path) -> None:
    opts = resolve_options("eval", config, cache_directory=config.parent / "cache")
    assert opts.source.kind == "eval" and opts.release_note is None
    port = opts.get(("services", "demo", "port"))
    assert port is not None and port.type.startswith("16 bit unsigned integer")
    assert opts.get(("users", "accounts", "<name>", "uid")) is not None
    assert opts.get(("custom", "hotspot", "clients", "<name>", "vlans")) is not None
    # a renamed option's hidden trace is kept apart: no tree, search or join sees it
    assert opts.get(("services", "demo", "listenPort")) is None
    alias = opts.retired.get(("services", "demo", "listenPort"))
    assert alias is not None and not alias.visible
    assert all(o.visible for o in opts)
    assert opts.get(("assertions",)) is None  # internal options stay out


def test_static_reading_agrees_with_nix(config: Path) -> None:
    evaluated = resolve_options("eval", config, cache_directory=config.parent / "cache")
    static = declared_options(Configuration.load(config))
    assert len(static) == 12
    for opt in static:
        real = evaluated.get(opt.loc)
        assert real is not None, opt.name
        assert opt.type == real.type, opt.name
        if opt.description is not None and real.description is not None:
            assert opt.description == real.description, opt.name


RENAMED_CONFIG = """\
{ lib, ... }:
{
  networking.hostName = "h";
  services.demo.listenPort = 81;
  services.demo.legacy = true;
}
"""


def test_renamed_and_removed_options_are_said_so(config: Path) -> None:
    from nixos_settings.core.options.release import is_removed, renamed_to
    from nixos_settings.core.session import Refused, Session

    config.write_text(RENAMED_CONFIG)
    opts = resolve_options("eval", config, cache_directory=config.parent / "cache")
    alias = opts.retired.get(("services", "demo", "listenPort"))
    gone = opts.retired.get(("services", "demo", "legacy"))
    assert alias is not None and renamed_to(alias) == "services.demo.port"
    assert gone is not None and is_removed(gone)
    port = opts.get(("services", "demo", "port"))
    assert port is not None and renamed_to(port) is None and not is_removed(port)
    session = Session.open(config, opts)
    assert session.check(("services", "demo", "listenPort"), "82") == (
        "services.demo.listenPort was renamed to services.demo.port in NixOS; "
        "set services.demo.port instead")
    assert "was removed from NixOS" in (session.check(("services", "demo", "legacy"),
                                                      "false") or "")
    with pytest.raises(Refused, match=r"renamed to services\.demo\.port"):
        session.plan_set(("services", "demo", "listenPort"), "82")
    move = session.plan_move(("services", "demo", "listenPort"), ("services", "demo", "port"))
    old, new = move.files[config]
    assert old == config.read_bytes()
    assert new == RENAMED_CONFIG.replace("  services.demo.listenPort = 81;\n", "").replace(
        '  networking.hostName = "h";\n',
        '  networking.hostName = "h";\n').encode().replace(
        b"  services.demo.legacy = true;\n",
        b"  services.demo.legacy = true;\n  services.demo.port = 81;\n")
    assert session.cfg.documents[config].source == old  # planning changed nothing


def test_move_is_refused_where_it_would_lose_meaning(config: Path) -> None:
    from nixos_settings.core.common.errors import EditError
    from nixos_settings.core.session import Session

    config.write_text("{ lib, ... }:\n{\n  services.demo.listenPort = lib.mkForce 81;\n"
                      "  services.demo.threads = 2;\n  services.demo.port = 1;\n}\n")
    session = Session.open(config)
    with pytest.raises(EditError, match="wrapped in mkForce"):
        session.plan_move(("services", "demo", "listenPort"), ("services", "demo", "port"))
    with pytest.raises(EditError, match="already set"):
        session.plan_move(("services", "demo", "threads"), ("services", "demo", "port"))
    with pytest.raises(EditError, match="not set exactly once"):
        session.plan_move(("services", "demo", "name"), ("services", "demo", "mode"))


def test_evaluation_is_reused_until_a_file_or_nixpkgs_changes(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nixos_settings.core.options import sources

    cache = config.parent / "cache"
    first = resolve_options("eval", config, cache_directory=cache)
    runs: list[int] = []
    real = sources.run_nix
    monkeypatch.setattr(sources, "run_nix", lambda *a, **k: runs.append(1) or real(*a, **k))
    again = resolve_options("eval", config, cache_directory=cache)
    assert runs == [] and len(again) == len(first)
    assert set(again.retired) == set(first.retired) == {
        ("services", "demo", "listenPort"), ("services", "demo", "legacy")}
    # an imported file changes: evaluated again, and the new option is there
    module = config.parent / "hotspot.nix"
    module.write_text(module.read_text().replace(
        "    daemon =", "    extra = mkOption { type = types.bool; default = false; "
        "description = \"E.\"; };\n    daemon ="))
    changed = resolve_options("eval", config, cache_directory=cache)
    assert runs == [1] and changed.get(("custom", "hotspot", "extra")) is not None
    # another nixpkgs (NIX_PATH) is another evaluation
    other = make_nixpkgs(config.parent / "tree2")
    monkeypatch.setenv("NIX_PATH", f"nixpkgs={other}")
    resolve_options("eval", config, cache_directory=cache)
    assert runs == [1, 1]
