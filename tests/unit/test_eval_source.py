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
    assert opts.get(("services", "demo", "listenPort")) is None  # a hidden alias


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
