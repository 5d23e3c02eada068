"""The user's own options, read statically: known, typed with the strings nixpkgs' real
``lib.types`` gives (checked against the real lib with nix-instantiate), edited with the
right widget kind, and checked by the session."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.nixtree import vendored_lib

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.options.declared import (
    declared_options,
    type_description,
    with_declared,
)
from nixos_settings.core.options.model import OptionInfo, OptionSet, SourceInfo
from nixos_settings.core.options.types import parse_type
from nixos_settings.core.session import Refused, Session

MODULE = """\
{ config, lib, pkgs, ... }:
with lib;
let cfg = config.custom.hotspot; in
{
  options.custom.hotspot = {
    enable = mkEnableOption "the Wi-Fi hotspot";
    ssid = mkOption { type = types.str; default = "home"; description = "Network name."; };
    channel = lib.mkOption {
      type = lib.types.ints.between 1 13;
      default = 6;
      description = lib.mdDoc ''
        Radio channel.
      '';
    };
    port = mkOption { type = types.port; default = 8080; example = literalExpression "443"; };
    band = mkOption { type = types.enum [ "2.4" "5" ]; default = "5"; };
    tags = mkOption { type = with types; listOf str; default = [ ]; };
    clients = mkOption {
      type = types.attrsOf (types.submodule ({ name, ... }: {
        options.mac = mkOption { type = types.nullOr types.str; default = null; };
        options.limit = mkOption { type = types.int; default = 0; };
      }));
      default = { };
    };
    rules = mkOption {
      type = types.listOf (types.submodule {
        options = { port = mkOption { type = types.port; }; };
      });
      default = [ ];
    };
    daemon = mkPackageOption pkgs "hostapd" { };
  };
  options.custom.stamp = mkOption { type = types.str; readOnly = true; };

  config = mkIf cfg.enable { networking.hostName = "ap"; };
}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "hotspot.nix").write_text(MODULE)
    root = tmp_path / "configuration.nix"
    root.write_text("{ ... }:\n{\n  imports = [ ./hotspot.nix ];\n"
                    "  custom.hotspot.enable = true;\n}\n")
    return root


def _by_name(root: Path) -> dict[str, OptionInfo]:
    return {o.name: o for o in declared_options(Configuration.load(root))}


def test_every_declaration_in_an_imported_module_becomes_an_option(config: Path) -> None:
    got = _by_name(config)
    assert set(got) == {
        "custom.hotspot.enable", "custom.hotspot.ssid", "custom.hotspot.channel",
        "custom.hotspot.port", "custom.hotspot.band", "custom.hotspot.tags",
        "custom.hotspot.clients", "custom.hotspot.clients.<name>.mac",
        "custom.hotspot.clients.<name>.limit", "custom.hotspot.rules",
        "custom.hotspot.rules.*.port", "custom.hotspot.daemon", "custom.stamp"}
    assert got["custom.hotspot.enable"].type == "boolean"
    assert got["custom.hotspot.enable"].description == "Whether to enable the Wi-Fi hotspot."
    assert got["custom.hotspot.ssid"].default is not None
    assert got["custom.hotspot.ssid"].default.text == '"home"'
    assert got["custom.hotspot.ssid"].description == "Network name."
    assert got["custom.hotspot.channel"].description == "Radio channel.\n"
    assert got["custom.hotspot.port"].example is not None
    assert got["custom.hotspot.port"].example.text == "443"
    assert got["custom.hotspot.daemon"].type == "package"
    assert got["custom.hotspot.daemon"].default is not None
    assert got["custom.hotspot.daemon"].default.text == "pkgs.hostapd"
    assert got["custom.stamp"].read_only
    decl = got["custom.hotspot.rules"].declarations[0].name
    assert decl == f"{config.parent / 'hotspot.nix'}:25"


def test_editor_kinds_follow_the_declared_types(config: Path) -> None:
    got = _by_name(config)
    kinds = {name: parse_type(got[name].type).kind for name in got}
    assert kinds["custom.hotspot.enable"] == "bool"
    assert kinds["custom.hotspot.port"] == "int"
    assert kinds["custom.hotspot.band"] == "enum"
    assert kinds["custom.hotspot.tags"] == "list"
    assert kinds["custom.hotspot.clients"] == "attrs"
    assert kinds["custom.hotspot.clients.<name>.mac"] == "either"


# Type expressions compared with what the real lib says of them.
TYPE_EXPRESSIONS = [
    "types.bool", "types.int", "types.port", "types.str", "types.float", "types.package",
    "types.path", "types.lines", "types.attrs", "types.anything", "types.nonEmptyStr",
    'types.enum [ "ap" "mesh" ]', 'types.enum [ "one" ]', "types.listOf types.str",
    "types.attrsOf (types.submodule { })", "types.listOf (types.submodule { })",
    "types.nullOr types.str", "types.nullOr (types.listOf types.int)",
    "types.either types.str types.int", "types.oneOf [ types.str types.int types.bool ]",
    "types.ints.u8", "types.ints.s16", "types.ints.between 1 5", "types.ints.unsigned",
    "types.ints.positive", "types.attrsOf types.int", "types.lazyAttrsOf types.str",
    'types.strMatching "[a-z]+"', 'types.separatedString ","', "types.nullOr types.port",
    "types.listOf (types.attrsOf types.bool)", "types.attrsOf (types.nullOr types.str)",
    'types.listOf (types.strMatching "x")', 'types.listOf (types.enum [ "a" "b" ])',
    'types.nullOr (types.enum [ "a" "b" ])', "types.listOf (types.functionTo types.str)",
    "types.nullOr (types.either types.str types.int)",
    "types.either (types.listOf types.str) types.int",
    "types.listOf (types.either types.str types.int)",
    "types.attrsOf (types.ints.between 1 5)", "types.nullOr (types.submodule { })",
    "types.coercedTo types.int toString types.str",
    "types.nullOr (types.ints.between 1 99)",
]


def test_type_strings_match_the_real_lib() -> None:
    lib = vendored_lib()
    expr = "with import " + str(lib) + "; [ " + " ".join(
        f"({t}).description" for t in TYPE_EXPRESSIONS) + " ]"
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                         capture_output=True, check=True)
    real = json.loads(out.stdout)
    mine = [type_description(t) for t in TYPE_EXPRESSIONS]
    assert mine == real


def test_unknown_type_expressions_are_edited_as_nix_code() -> None:
    assert type_description("myTypes.special") == "unspecified value"
    assert parse_type(type_description("types.listOf myTypes.special")).kind == "list"


def test_joined_into_metadata_without_replacing_it(config: Path) -> None:
    cfg = Configuration.load(config)
    base = OptionSet([OptionInfo("networking.hostName", ("networking", "hostName"), "string",
                                 "Host name.")], SourceInfo("file", "options file x"))
    joined = with_declared(base, cfg)
    assert joined is not None
    assert joined.get(("networking", "hostName")) is base.options[0]
    assert joined.get(("custom", "hotspot", "port")) is not None
    assert joined.match(("custom", "hotspot", "clients", "laptop", "mac")) is not None
    assert joined.source is base.source
    alone = with_declared(None, cfg)
    assert alone is not None and alone.source.kind == "declared"
    plain = Configuration.load(_write(config.parent / "plain.nix", "{ a.b = 1; }\n"))
    assert with_declared(base, plain) is base


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_session_checks_values_of_the_users_own_options(config: Path) -> None:
    base = OptionSet([OptionInfo("networking.hostName", ("networking", "hostName"), "string",
                                 "Host name.")], SourceInfo("file", "options file x"))
    session = Session.open(config, base)
    assert session.check(("custom", "hotspot", "port"), "8443") is None
    problem = session.check(("custom", "hotspot", "port"), "70000")
    assert problem is not None and "custom.hotspot.port" in problem
    assert session.check(("custom", "hotspot", "band"), '"6"') is not None
    assert session.check(("custom", "hotspot", "band"), '"5"') is None
    assert "read-only" in (session.check(("custom", "stamp"), '"x"') or "")
    with pytest.raises(Refused):
        session.plan_set(("custom", "hotspot", "channel"), '"six"')
    change = session.plan_set(("custom", "hotspot", "ssid"), '"cafe"')
    assert b'custom.hotspot.ssid = "cafe";' in change.files[config][1]


def test_every_declaration_of_an_option_is_kept(tmp_path: Path) -> None:
    """An option declared in two files (a submodule extended twice), or one the metadata
    knows and a file declares again, lists every place: none is dropped for the first."""
    from nixos_settings.core.options.model import Declaration

    (tmp_path / "a.nix").write_text(
        "{ lib, ... }:\n{\n  options.custom.x = lib.mkOption { type = lib.types.int; };\n"
        "  options.users.users = lib.mkOption { type = lib.types.attrs; };\n}\n")
    (tmp_path / "b.nix").write_text(
        "{ lib, ... }:\n{\n\n  options.custom.x = lib.mkOption { type = lib.types.int; };\n}\n")
    root = _write(tmp_path / "configuration.nix",
                  "{ ... }:\n{\n  imports = [ ./a.nix ./b.nix ];\n}\n")
    cfg = Configuration.load(root)
    upstream = Declaration("nixos/modules/config/users-groups.nix")
    base = OptionSet([OptionInfo("users.users", ("users", "users"), "attribute set",
                                 "Accounts.", declarations=(upstream,))],
                     SourceInfo("file", "options file x"))
    joined = with_declared(base, cfg)
    assert joined is not None
    x = joined.get(("custom", "x"))
    assert x is not None
    assert [d.name for d in x.declarations] == [f"{tmp_path / 'a.nix'}:3",
                                                f"{tmp_path / 'b.nix'}:4"]
    users = joined.get(("users", "users"))
    assert users is not None and users.description == "Accounts."
    assert [d.name for d in users.declarations] == [upstream.name, f"{tmp_path / 'a.nix'}:4"]
    assert with_declared(joined, cfg) is not None
