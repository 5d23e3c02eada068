"""The definition mapper: module shapes, wrappers, paths, imports and flakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import INHERITED, Definition, list_elements, map_module
from nixos_settings.core.config.document import Document
from nixos_settings.core.config.imports import flake_hosts, import_target
from nixos_settings.core.edit import planning
from nixos_settings.core.nix.grammar import top_expression

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


def defs_of(source: str) -> list[Definition]:
    return map_module(Document.from_bytes(source.encode("utf-8"))).definitions


def values(source: str) -> dict[tuple[str, ...], str]:
    """loc → value text; fails if a loc is defined twice (tests below never do that)."""
    out: dict[tuple[str, ...], str] = {}
    for d in defs_of(source):
        assert d.loc not in out, d.loc
        out[d.loc] = d.value_text
    return out


BODY = 'networking.hostName = "oak";\n  services.openssh.enable = true;'
EXPECTED = {("networking", "hostName"): '"oak"', ("services", "openssh", "enable"): "true"}


@pytest.mark.parametrize(
    "source",
    [
        f"{{\n  {BODY}\n}}\n",
        f"{{ config, pkgs, lib, ... }}:\n{{\n  {BODY}\n}}\n",
        f"args@{{ config, pkgs, ... }}:\n{{\n  {BODY}\n}}\n",
        f"{{ config, ... }}@args:\n{{\n  {BODY}\n}}\n",
        f"{{ pkgs, ... }}:\nlet\n  x = 1;\nin\n{{\n  {BODY}\n}}\n",
        f"{{ pkgs, ... }}:\nwith pkgs;\n{{\n  {BODY}\n}}\n",
        f"{{ lib, ... }}:\nwith lib;\nlet y = 2; in\n({{\n  {BODY}\n}})\n",
        f"{{ config, lib, ... }}:\n{{\n  options = {{ my.flag = lib.mkOption {{ }}; }};\n"
        f"  config = {{\n  {BODY}\n  }};\n}}\n",
        "{ config, lib, ... }:\n{\n  options.x = lib.mkEnableOption \"x\";\n"
        "  config.networking.hostName = \"oak\";\n"
        "  config.services.openssh.enable = true;\n}\n",
        f"{{ config, ... }}:\n{{\n  imports = [ ];\n  disabledModules = [ \"a.nix\" ];\n"
        f"  meta.maintainers = [ ];\n  _file = ./x.nix;\n  key = \"k\";\n  {BODY}\n}}\n",
    ],
    ids=["plain", "function", "at-front", "at-back", "let-in", "with", "with-let-parens",
         "explicit-config", "explicit-config-dotted", "keywords-skipped"],
)
def test_module_shapes(source: str) -> None:
    assert values(source) == EXPECTED


def test_options_are_not_definitions() -> None:
    src = ("{ lib, ... }:\n{\n  options.services.foo.enable = lib.mkEnableOption \"foo\";\n"
           "  config.services.foo.enable = true;\n}\n")
    assert values(src) == {("services", "foo", "enable"): "true"}


def test_config_mkif_records_condition_on_every_inner_definition() -> None:
    src = ("{ config, lib, ... }:\n{\n  options.my.on = lib.mkEnableOption \"on\";\n"
           "  config = lib.mkIf config.my.on {\n    services.a.enable = true;\n"
           "    b = lib.mkForce 3;\n  };\n}\n")
    found = {d.loc: d for d in defs_of(src)}
    assert set(found) == {("services", "a", "enable"), ("b",)}
    assert [str(w) for w in found[("services", "a", "enable")].wrappers] == [
        "mkIf config.my.on"
    ]
    assert found[("b",)].wrapper_names == ["mkIf", "mkForce"]
    assert found[("b",)].value_text == "3"


def test_mkmerge_elements_are_collected() -> None:
    src = ("{ lib, cfg, ... }:\n{\n  config = lib.mkMerge [\n    { a.x = 1; }\n"
           "    (lib.mkIf cfg.on { a.y = 2; })\n  ];\n}\n")
    found = {d.loc: d for d in defs_of(src)}
    assert found[("a", "x")].value_text == "1"
    assert found[("a", "y")].value_text == "2"
    # mkMerge is a module shape, not a wrapper of the value (tests/fixtures mkmerge.expect.json)
    assert found[("a", "y")].wrapper_names == ["mkIf"]
    assert found[("a", "y")].wrappers[-1].arg == "cfg.on"


@pytest.mark.parametrize(
    ("value", "inner", "wrappers"),
    [
        ("lib.mkIf config.x.enable 80", "80", ["mkIf config.x.enable"]),
        ("mkForce false", "false", ["mkForce"]),
        ("lib.mkDefault \"a\"", '"a"', ["mkDefault"]),
        ("lib.mkOverride 90 [ 1 ]", "[ 1 ]", ["mkOverride 90"]),
        ("lib.mkBefore [ 1 ]", "[ 1 ]", ["mkBefore"]),
        ("lib.mkAfter [ 2 ]", "[ 2 ]", ["mkAfter"]),
        ("lib.mkOrder 500 [ 3 ]", "[ 3 ]", ["mkOrder 500"]),
        ("lib.mkForce (lib.mkDefault false)", "false", ["mkForce", "mkDefault"]),
        ("(lib.mkIf (a && b) (lib.modules.mkForce 1))", "1", ["mkIf (a && b)", "mkForce"]),
    ],
)
def test_wrappers_are_recorded_and_value_stays_editable(value: str, inner: str,
                                                        wrappers: list[str]) -> None:
    src = f"{{ lib, config, ... }}:\n{{\n  x.y = {value};\n}}\n"
    (d,) = defs_of(src)
    assert d.loc == ("x", "y")
    assert d.value_text == inner
    assert [str(w) for w in d.wrappers] == wrappers
    assert d.editable
    data = src.encode()
    assert data[d.value_span[0]:d.value_span[1]].decode() == inner
    assert data[d.binding_span[0]:d.binding_span[1]].decode() == f"x.y = {value};"


def test_dotted_nested_and_mixed_paths_give_the_same_locs() -> None:
    dotted = "{\n  a.b.c = 1;\n  a.b.d = 2;\n}\n"
    nested = "{\n  a = {\n    b = {\n      c = 1;\n      d = 2;\n    };\n  };\n}\n"
    mixed = "{\n  a = { b.c = 1; };\n  a.b = { d = 2; };\n}\n"
    expected = {("a", "b", "c"): "1", ("a", "b", "d"): "2"}
    assert values(dotted) == expected
    assert values(nested) == expected
    assert values(mixed) == expected


def test_quoted_segments() -> None:
    src = ('{\n  networking.hosts."127.0.0.1" = [ "localhost" ];\n  a."b".c = 1;\n'
           '  "x"."y.z" = 2;\n  d = { "e f" = 3; };\n}\n')
    v = values(src)
    assert v == {
        ("networking", "hosts", "127.0.0.1"): '[ "localhost" ]',
        ("a", "b", "c"): "1",
        ("x", "y.z"): "2",
        ("d", "e f"): "3",
    }
    shown = {d.option for d in defs_of(src)}
    assert 'networking.hosts."127.0.0.1"' in shown
    assert "a.b.c" in shown  # a."b" is a.b
    assert 'x."y.z"' in shown


def test_dynamic_names_are_not_editable() -> None:
    src = '{ name, ... }:\n{\n  users.users.${name}.isNormalUser = true;\n  a.${"b"} = 1;\n}\n'
    found = {d.loc: d for d in defs_of(src)}
    dyn = found[("users", "users", "${name}", "isNormalUser")]
    assert not dyn.editable
    assert dyn.reason is not None and "dynamic" in dyn.reason
    # a literal string inside ${ } is static: a.${"b"} is a.b
    assert found[("a", "b")].editable


def test_definition_positions_are_one_based_and_count_characters() -> None:
    src = '{\n  # café ☕\n  x = 1;  "é".z = 2;\n\tt = 3;\n}\n'
    found = {d.loc: d for d in defs_of(src)}
    assert (found[("x",)].line, found[("x",)].column) == (3, 3)
    assert (found[("é", "z")].line, found[("é", "z")].column) == (3, 11)
    assert (found[("t",)].line, found[("t",)].column) == (4, 2)


def test_inherit_is_recorded_but_not_editable() -> None:
    src = "{ pkgs, ... }:\nlet hostName = \"x\"; in\n{\n  networking = { inherit hostName; };\n}\n"
    (d,) = defs_of(src)
    assert d.loc == ("networking", "hostName")
    assert d.kind == INHERITED
    assert not d.editable


def test_empty_attrset_value_is_a_definition() -> None:
    assert values("{\n  services.foo = { };\n}\n") == {("services", "foo"): "{ }"}


def test_non_attrset_module_is_a_note() -> None:
    m = map_module(Document.from_bytes(b"import ./other.nix\n"))
    assert m.definitions == []
    assert any("the file is a call of import, not a NixOS module" in n for n in m.notes)


# -- imports ------------------------------------------------------------------------------


def test_imports_tree_fixture_follows_files_and_notes(tmp_path: Path) -> None:
    root = FIXTURES / "imports-tree" / "configuration.nix"
    cfg = Configuration.load(root)
    files = {p.relative_to(root.parent).as_posix() for p in cfg.files}
    assert {"configuration.nix", "hardware-configuration.nix", "modules/default.nix",
            "modules/ssh.nix", "modules/web.nix", "users/alice.nix"} <= files
    assert "machines/oak.nix" not in files  # a computed path is not followed
    notes = [n.message for n in cfg.notes]
    assert any("missing.nix" in m and "does not exist" in m for m in notes)
    assert any("computed" in m for m in notes)
    assert any("search-path" in m for m in notes)
    # definitions from imported files carry their own file
    by_file = {d.file.name for d in cfg.definitions}
    assert {"configuration.nix", "alice.nix"} <= by_file


def test_imports_are_not_fatal_and_directory_means_default(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "default.nix").write_text("{ a.fromDir = 1; }\n")
    (tmp_path / "loop.nix").write_text("{ imports = [ ./configuration.nix ]; b = 2; }\n")
    (tmp_path / "configuration.nix").write_text(
        "{ config, ... }:\n{\n  imports = [ ./sub ./nothing.nix ./loop.nix "
        "(import ./sub) <nixpkgs/x.nix> (f ./y.nix) ];\n  c = 3;\n}\n"
    )
    cfg = Configuration.load(tmp_path / "configuration.nix")
    locs = sorted(d.loc for d in cfg.definitions)
    assert locs == [("a", "fromDir"), ("b",), ("c",)]
    assert cfg.files[0] == tmp_path / "configuration.nix"
    assert tmp_path / "sub" / "default.nix" in cfg.files
    messages = [n.message for n in cfg.notes]
    assert sum("nothing.nix" in m for m in messages) == 1
    assert any("search-path" in m for m in messages)
    assert any("computed import" in m for m in messages)
    assert cfg.problems == []


def test_import_target_of_each_kind_of_element(tmp_path: Path) -> None:
    src = b"[ ./a.nix (import ./b.nix) ./dir/${x}.nix <nixpkgs/m.nix> (f ./c.nix) y ]"
    doc = Document.from_bytes(src, tmp_path / "configuration.nix")
    els = list_elements(top_expression(doc.tree))
    targets = [import_target(doc, el) for el in els]
    assert targets[:2] == [tmp_path / "a.nix", tmp_path / "b.nix"]
    assert targets[2:] == [
        "computed path; not followed",
        "search-path import (<…>) is outside the configuration; not followed",
        "computed import (a function call); not followed",
        "computed import; not followed",
    ]


def test_broken_import_reports_its_syntax_error(tmp_path: Path) -> None:
    cfg = Configuration.load(FIXTURES / "imports-broken" / "configuration.nix")
    errs = cfg.problems
    assert errs and all(p.path.name == "broken.nix" for p in errs)
    assert errs[0].line == 4  # where nix-instantiate --parse reports it too
    assert ("networking", "hostName") in {d.loc for d in cfg.definitions}


def test_missing_root_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NixSettingsError, match="file not found"):
        Configuration.load(tmp_path / "configuration.nix")


# -- flakes --------------------------------------------------------------------------------


def test_flake_hosts_are_listed_with_computed_host_reported() -> None:
    doc = Document.read(FIXTURES / "flake" / "flake.nix")
    hosts = {h.name: h for h in flake_hosts(doc)}
    assert set(hosts) == {"atlas", "borealis", "computed"}
    assert hosts["atlas"].problem is None
    assert [k for k, _ in hosts["atlas"].modules] == ["path", "path"]
    assert [k for k, _ in hosts["borealis"].modules] == ["path", "external", "inline"]
    assert hosts["computed"].problem is not None
    assert "nixosSystem" in hosts["computed"].problem


def test_flake_host_modules_are_followed() -> None:
    flake = FIXTURES / "flake" / "flake.nix"
    cfg = Configuration.load_flake(flake, "atlas")
    names = {p.relative_to(flake.parent).as_posix() for p in cfg.files}
    assert "hosts/atlas/configuration.nix" in names
    assert "modules/common.nix" in names
    assert cfg.definitions
    assert all(d.file != flake for d in cfg.definitions)


def test_flake_inline_module_and_external_module_note() -> None:
    flake = FIXTURES / "flake" / "flake.nix"
    cfg = Configuration.load_flake(flake, "borealis")
    inline = [d for d in cfg.definitions if d.file == flake]
    assert {d.loc: d.value_text for d in inline} == {
        ("networking", "hostName"): '"borealis"',
        ("environment", "systemPackages"): "[ pkgs.htop ]",
    }
    assert any("not a local file" in n.message for n in cfg.notes)


def test_flake_computed_host_and_unknown_host_are_clear_errors() -> None:
    flake = FIXTURES / "flake" / "flake.nix"
    with pytest.raises(NixSettingsError, match="computed"):
        Configuration.load_flake(flake, "computed")
    with pytest.raises(NixSettingsError, match="no host 'nope'"):
        Configuration.load_flake(flake, "nope")
    with pytest.raises(NixSettingsError, match="several hosts"):
        Configuration.load_flake(flake)


def test_escaped_interpolation_in_quoted_segment() -> None:
    # Nix: builtins.attrNames { a."\${x}" = 1; }.a  ==  [ "${x}" ]
    src = '{\n  a."\\${x}" = 1;\n  b = "p\\${q}";\n}\n'
    found = {d.loc: d for d in defs_of(src)}
    assert ("a", "${x}") in found
    assert found[("a", "${x}")].editable


def test_added_segment_with_dollar_curly_reads_back(tmp_path: Path) -> None:
    """What the bug above breaks in practice: add a name holding ${ and read it back."""
    path = tmp_path / "configuration.nix"
    path.write_text("{\n  environment.etc.x.text = \"\";\n}\n")
    cfg = Configuration.load(path)
    loc = ("environment", "etc", "a${b}", "text")
    cfg.apply(planning.plan_set(cfg, loc, '"hi"'))
    assert b'"a\\${b}".text = "hi";' in cfg.documents[path].source
    assert loc in [d.loc for d in cfg.definitions]


# -- names computed from let constants (users.users.${user}) -------------------------------

USER_LET = """{ config, pkgs, ... }:
let
  user = "jane";
  host = "oak";
in
{
  networking.hostName = host;
  users.users.${user} = {
    isNormalUser = true;
  };
  users.users."${user}-backup".isSystemUser = true;
  home.${unknown}.x = 1;
}
"""


def test_a_let_constant_names_an_entry() -> None:
    got = values(USER_LET)
    assert got[("users", "users", "jane", "isNormalUser")] == "true"
    assert got[("users", "users", "jane-backup", "isSystemUser")] == "true"
    assert got[("networking", "hostName")] == "host"  # a value is not a name: left as written
    dynamic = [k for k in got if k[0] == "home"]
    assert dynamic == [("home", "${unknown}", "x")]  # an unknown name stays dynamic


@pytest.mark.parametrize(("source", "expected"), [
    # an inner let hides an outer one
    ('let user = "a"; in let user = "b"; in { users.users.${user}.uid = 1; }\n', "b"),
    # a name bound to something that is not a plain string hides the constant
    ('let user = "a"; in let user = f "x"; in { users.users.${user}.uid = 1; }\n', None),
    ('{ ... }: with lib; let user = "c"; in ({ users.users.${user}.uid = 1; })\n', "c"),
])
def test_constants_follow_scoping(source: str, expected: str | None) -> None:
    names = {k[2] for k in values(source) if k[:2] == ("users", "users")}
    assert names == ({expected} if expected else {"${user}"})


def test_editing_under_a_computed_name_keeps_the_name_as_written(tmp_path: Path) -> None:
    from nixos_settings.core.common.errors import EditError
    from nixos_settings.core.session import Session

    conf = tmp_path / "configuration.nix"
    conf.write_text(USER_LET)
    session = Session.open(conf)
    session.apply(session.plan_set(("users", "users", "jane", "shell"), "pkgs.zsh"))
    session.apply(session.plan_set(("users", "users", "jane", "isNormalUser"), "false"))
    text = session.cfg.documents[conf].source.decode()
    assert ("  users.users.${user} = {\n    isNormalUser = false;\n    shell = pkgs.zsh;\n"
            "  };") in text
    with pytest.raises(EditError, match="computed from a let binding"):
        session.plan_rename_entry(("users", "users", "jane"), "bob")
    with pytest.raises(EditError, match="computed from a let binding"):
        session.plan_rename_entry(("users", "users", "jane-backup"), "bob")


# -- submodules written as module functions (home-manager.users.jane = { pkgs, ... }: …) ---

INLINE_MODULES = """{ config, pkgs, ... }:
{
  home-manager.users.jane = { pkgs, lib, ... }: {
    programs.git.enable = true;
    home.packages = with pkgs; [ ripgrep ];
  };
  home-manager.users.ann = { ... }: let name = "Ann"; in { programs.git.userName = name; };
  nixpkgs.config.packageOverrides = pkgs: { hello = pkgs.hello; };
  services.x.package = { stdenv, fetchurl }: { name = "x"; };
  services.y.make = { config, ... }: args: { z = 1; };
}
"""


def test_a_submodule_written_as_a_module_function_is_read_inside() -> None:
    got = values(INLINE_MODULES)
    assert got[("home-manager", "users", "jane", "programs", "git", "enable")] == "true"
    assert got[("home-manager", "users", "jane", "home", "packages")] == "with pkgs; [ ripgrep ]"
    assert got[("home-manager", "users", "ann", "programs", "git", "userName")] == "name"
    # functions that are values, not modules, stay one opaque value
    assert ("nixpkgs", "config", "packageOverrides") in got
    assert ("services", "x", "package") in got  # a package's arguments
    assert ("services", "y", "make") in got  # a function returning a function
    assert not any(k[:3] == ("nixpkgs", "config", "packageOverrides") and len(k) > 3
                   for k in got)


def test_new_options_go_inside_the_module_function(tmp_path: Path) -> None:
    from nixos_settings.core.session import Session

    conf = tmp_path / "configuration.nix"
    conf.write_text(INLINE_MODULES)
    session = Session.open(conf)
    session.apply(session.plan_set(
        ("home-manager", "users", "jane", "programs", "git", "userName"), '"Jane"'))
    session.apply(session.plan_unset(("home-manager", "users", "jane", "home", "packages")))
    text = session.cfg.documents[conf].source.decode()
    assert ("  home-manager.users.jane = { pkgs, lib, ... }: {\n"
            "    programs.git.enable = true;\n"
            '    programs.git.userName = "Jane";\n'
            "  };\n") in text


def test_a_module_of_nixos_itself_is_said_in_plain_words(tmp_path: Path) -> None:
    """``(modulesPath + "/installer/scan/not-detected.nix")``, in every generated
    hardware-configuration.nix, is NixOS's own module, not a "computed import"."""
    src = b'[ (modulesPath + "/installer/scan/not-detected.nix") ("${modulesPath}/x.nix") ]'
    doc = Document.from_bytes(src, tmp_path / "hardware-configuration.nix")
    els = list_elements(top_expression(doc.tree))
    assert [import_target(doc, el) for el in els] == [
        "a module that comes with NixOS, not one of your files; not opened",
        "a module that comes with NixOS, not one of your files; not opened",
    ]
