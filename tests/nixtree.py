"""A small nixpkgs-shaped tree over nixpkgs' real ``lib`` (../shared/vendor/nixpkgs-lib), so
tests run the real NixOS module system with Debian's ``nix-instantiate``.

``<nixpkgs/nixos>`` has the real interface (``{ configuration ? …, system ? … }:`` returning
``config`` and ``options`` from ``lib.evalModules``); a few modules declare options of the
common types.  Nothing here is recorded output: every answer comes from Nix.

The vendored lib is a test dependency by path; it is never copied into the project.  Tests
that need it fail loudly (they do not skip) when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

NIXOS_DEFAULT = """\
{ configuration ? import <nixos-config>, system ? builtins.currentSystem }:
let
  lib = import ../lib;
  pkgs = {
    inherit lib;
    hello = { type = "derivation"; name = "hello-2.12"; outPath = "/nix/store/aaaa-hello-2.12"; };
    hostapd = { type = "derivation"; name = "hostapd-2.10"; outPath = "/nix/store/bbbb-hostapd"; };
  };
  eval = lib.evalModules {
    modules = [
      configuration
      ./modules/demo.nix
      ./modules/net.nix
      ./modules/renamed.nix
      ./modules/assertions.nix
      { _module.args = { inherit pkgs; }; }
    ];
    specialArgs = { modulesPath = ./modules; };
  };
in
{ inherit (eval) config options; inherit pkgs system; }
"""

DEMO_MODULE = """\
{ lib, ... }:
let inherit (lib) mkOption types; in
{
  options.services.demo = {
    enable = lib.mkEnableOption "the demo service";
    port = mkOption { type = types.port; default = 8080; description = "Port."; };
    threads = mkOption { type = types.int; default = 4; description = "Threads."; };
    name = mkOption { type = types.str; default = "demo"; description = "Name."; };
    mode = mkOption {
      type = types.enum [ "fast" "safe" ]; default = "safe"; description = "Mode.";
    };
    tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags."; };
    handler = mkOption { type = types.functionTo types.str; default = x: x; description = "F."; };
  };
}
"""

NET_MODULE = """\
{ lib, pkgs, ... }:
let inherit (lib) mkOption types; in
{
  options.networking.hostName = mkOption {
    type = types.str; default = "nixos"; description = "Host.";
  };
  options.users.accounts = mkOption {
    type = types.attrsOf (types.submodule {
      options.uid = mkOption { type = types.int; description = "UID."; };
      options.shell = mkOption { type = types.str; default = "bash"; description = "Shell."; };
    });
    default = { };
    description = "Accounts.";
  };
  options.environment.package = mkOption {
    type = types.package; default = pkgs.hello; description = "A package.";
  };
}
"""

RENAMED_MODULE = """\
{ lib, ... }:
{
  imports = [
    (lib.mkRenamedOptionModule [ "services" "demo" "listenPort" ] [ "services" "demo" "port" ])
    (lib.mkRemovedOptionModule [ "services" "demo" "legacy" ] "It did nothing.")
  ];
}
"""

ASSERTIONS_MODULE = """\
{ lib, ... }:
{
  options.assertions = lib.mkOption {
    type = lib.types.listOf lib.types.unspecified; internal = true; default = [ ];
  };
  options.warnings = lib.mkOption {
    type = lib.types.listOf lib.types.str; internal = true; default = [ ];
  };
}
"""


def vendored_lib() -> Path:
    """nixpkgs' real lib beside the repository (or under $NIXOS_SETTINGS_SHARED); fails loudly."""
    env = os.environ.get("NIXOS_SETTINGS_SHARED")
    shared = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    lib = shared / "vendor" / "nixpkgs-lib" / "lib"
    if not (lib / "default.nix").is_file():
        raise RuntimeError(
            f"nixpkgs' lib is missing at {lib}: these tests need the shared folder "
            "(set NIXOS_SETTINGS_SHARED to the folder holding vendor/nixpkgs-lib)")
    return lib


def make_nixpkgs(root: Path) -> Path:
    """Build the tree under ``root/nixpkgs``; returns that folder (for NIX_PATH)."""
    top = root / "nixpkgs"
    (top / "nixos" / "modules").mkdir(parents=True)
    (top / "lib").symlink_to(vendored_lib())
    (top / "nixos" / "default.nix").write_text(NIXOS_DEFAULT)
    (top / "nixos" / "modules" / "demo.nix").write_text(DEMO_MODULE)
    (top / "nixos" / "modules" / "net.nix").write_text(NET_MODULE)
    (top / "nixos" / "modules" / "renamed.nix").write_text(RENAMED_MODULE)
    (top / "nixos" / "modules" / "assertions.nix").write_text(ASSERTIONS_MODULE)
    return top


def nix_path_env(nixpkgs: Path) -> dict[str, str]:
    """The environment variables pointing ``<nixpkgs>`` at the tree."""
    return {"NIX_PATH": f"nixpkgs={nixpkgs}"}
