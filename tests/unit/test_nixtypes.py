"""Type strings of every release → NixType; local validation of Nix literals."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from nixos_settings.core.options.types import (
    INT64_MAX,
    KINDS,
    TYPES,
    EditorKind,
    NixType,
    check_with_nix,
    kinds,
    make_type,
    parse_type,
    validate_literal,
)

PORT = "16 bit unsigned integer; between 0 and 65535 (both inclusive)"


def shape(t: NixType) -> str:
    """Compact structural rendering, to assert whole parse trees."""
    if t.kind in ("list", "attrs", "submodule", "function") and t.args:
        return f"{t.kind}[{shape(t.args[0])}]"
    if t.kind == "either":
        return "|".join(shape(a) for a in t.args)
    if t.kind == "enum":
        return "enum" + repr(t.values)
    if t.kind == "int" and t.maximum is not None and t.maximum < INT64_MAX:
        return f"int[{t.minimum},{t.maximum}]"
    if t.kind == "str" and t.pattern:
        return f"str/{t.pattern}/"
    return t.kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("boolean", "bool"),
        ("signed integer", "int"),
        (PORT, "int[0,65535]"),
        ("8 bit signed integer; between -128 and 127 (both inclusive)", "int[-128,127]"),
        ("integer between 0 and 100 (both inclusive)", "int[0,100]"),
        ("positive integer, meaning >0", "int"),
        ("floating point number", "float"),
        ("string", "str"),
        ("non-empty string", "str"),
        ("string (with check: non-empty)", "str"),
        ("string matching the pattern [0-9a-f]{8}", "str/[0-9a-f]{8}/"),
        ('one of "a", "b c", 3', "enum('a', 'b c', 3)"),
        ('one of <null>, "ssh"', "enum(None, 'ssh')"),
        ("path", "path"),
        ("absolute path", "path"),
        ("package", "package"),
        ("list of strings", "list[str]"),
        ("list of string", "list[str]"),
        ("attribute set of submodules", "attrs[submodule]"),
        ("attribute set of (submodule)", "attrs[submodule]"),
        ("attribute set", "attrs[any]"),
        ("submodule", "submodule"),
        ("null or string", "null|str"),
        ("null or (list of string)", "null|list[str]"),
        ("string or list of string", "str|list[str]"),
        ('strings concatenated with "\\n"', "lines"),
        ("JSON value", "format"),
        ("TOML value", "format"),
        ("YAML 1.1 value", "format"),
        ("unspecified", "any"),
        ("list of " + PORT + "s", "list[int[0,65535]]"),
        ("attribute set of attribute set of stringss", "attrs[attrs[str]]"),
        ("list of string or signed integers", "list[str|int]"),
        ("attribute set of null or paths", "attrs[null|path]"),
        ("null or string or list of strings", "null|str|list[str]"),
        ("(list of string) or string convertible to it", "list[str]|str"),
        ('positive integer, meaning >0, or value "never" (singular enum)', "int|enum('never',)"),
        (
            'null or one of "remote wins", "local wins" or list of string',
            "null|enum('remote wins', 'local wins')|list[str]",
        ),
        ("list of string matching the pattern ^[^\\.].+$s", "list[str/^[^\\.].+$/]"),
        (
            "null or (optionally newline-terminated) single-line string or absolute path",
            "null|str|path",
        ),
        (
            "null or (submodule) or unique (non-empty (list of (submodule)))",
            "null|submodule|list[submodule]",
        ),
        ("open submodule of (JSON value)", "submodule[format]"),
        ("Hyprland configuration value", "expression"),
        ("attribute set of systemd options", "attrs[expression]"),
    ],
)
def test_parse_type(text: str, expected: str) -> None:
    assert shape(parse_type(text)) == expected


def test_type_details() -> None:
    t = parse_type('strings concatenated with ","')
    assert t.separator == ","
    assert parse_type('strings concatenated with "\\n"').separator == "\n"
    assert parse_type("non-empty string").non_empty
    assert parse_type("absolute path").absolute and not parse_type("path").absolute
    assert parse_type("YAML 1.1 value").format == "yaml"
    n = parse_type("null or boolean")
    assert n.nullable and n.without_null().kind == "bool"
    assert not parse_type("boolean").nullable
    assert parse_type(PORT).label() == "port (0–65535)"
    assert kinds("null or (list of string)") == frozenset({"list"})
    assert kinds("string or signed integer") == frozenset({"str", "int"})


def test_every_real_type_string_parses(shared_dir: Path) -> None:
    """Every type string of the three files parses; only exotic ones stay opaque."""
    seen: dict[str, int] = {}
    for name in ("nixos-20.09pre", "home-manager", "nix-darwin"):
        path = shared_dir / "data" / "options" / f"{name}-options.json.gz"
        for rec in json.loads(gzip.decompress(path.read_bytes())).values():
            seen[rec["type"]] = seen.get(rec["type"], 0) + 1
    opaque = sum(n for t, n in seen.items() if parse_type(t).kind == "expression")
    total = sum(seen.values())
    assert opaque / total < 0.005, opaque
    for common in ("boolean", "string", "null or string", "list of strings", "package"):
        assert parse_type(common).kind != "expression"


@pytest.mark.parametrize(
    ("type_text", "nix", "message"),
    [
        (PORT, "70000", "70000 is above the maximum 65535 for a port (0–65535)"),
        (PORT, "-1", "-1 is below the minimum 0 for a port (0–65535)"),
        ("boolean", '"yes"', 'expected true or false, got the string "yes"'),
        ('one of "a", "b"', '"c"', 'the string "c" is not one of "a", "b"'),
        ("null or one of 0, 1, 2", "3", "the integer 3 is not one of 0, 1, 2"),
        (
            "list of " + PORT + "s",
            "[ 22 80 70000 ]",
            "element 3: 70000 is above the maximum 65535 for a port (0–65535)",
        ),
        ("null or string", "42", "expected null or string, got the integer 42"),
        ("positive integer, meaning >0", "0", "0 is below the minimum 1"),
        (
            "floating point number",
            "1",
            "expected a floating point number (write 1.0), got the integer 1",
        ),
        (
            "attribute set of string",
            '{ a = "x"; b = 1; }',
            "attribute b: expected a string (in quotes), got the integer 1",
        ),
        (
            "absolute path",
            '"rel/x"',
            'expected an absolute path (starting with /), got the string "rel/x"',
        ),
        ("package", "3", "expected a package (e.g. pkgs.hello), got the integer 3"),
        (
            "string matching the pattern [0-9a-f]{8}",
            '"zz"',
            '"zz" does not match the pattern [0-9a-f]{8}',
        ),
        ("boolean", "{", "not valid Nix: unexpected text at line 1, column 1"),
        ("non-empty string", '""', "expected a non-empty string"),
        ("signed integer", "1.5", "expected an integer, got the number 1.5"),
    ],
)
def test_validate_rejects_precisely(type_text: str, nix: str, message: str) -> None:
    assert validate_literal(parse_type(type_text), nix) == message


@pytest.mark.parametrize(
    ("type_text", "nix"),
    [
        (PORT, "22"),
        ("boolean", "true"),
        ("boolean", "lib.mkDefault true"),  # needs evaluation: not judged locally
        ('one of "a", "b"', '"a"'),
        ("null or string", "null"),
        ("string", '"a${b}"'),
        ("signed integer", "-5"),
        ("path", "./x"),
        ("package", "pkgs.hello"),
        ("list of strings", "[ \"a\" ''b'' ]"),
        ("attribute set of (submodule)", "{ alice = { isNormalUser = true; }; }"),
        ("string matching the pattern [0-9a-f]{8}", '"deadbeef"'),
        ("JSON value", "{ a = [ 1 2 ]; }"),
        ('one of false, "x"', "false"),
    ],
)
def test_validate_accepts(type_text: str, nix: str) -> None:
    assert validate_literal(type_text, nix) is None


def test_enum_bool_is_not_int() -> None:
    assert validate_literal("one of 0, 1", "false") == "a boolean is not one of 0, 1"


@pytest.mark.nix
@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="needs nix-instantiate")
def test_check_with_nix_uses_the_options_own_check(tmp_path: Path) -> None:
    # A tiny options tree of our own; type.check is a real Nix function evaluated by Nix.
    (tmp_path / "opts.nix").write_text(
        "{ services.demo.port.type.check = v: builtins.isInt v && v >= 0 && v <= 65535; }\n"
    )
    expr = f"import {tmp_path / 'opts.nix'}"
    assert check_with_nix(("services", "demo", "port"), "8080", options_expr=expr) is True
    assert check_with_nix(("services", "demo", "port"), "70000", options_expr=expr) is False
    # evaluation errors and placeholders give "don't know"
    assert check_with_nix(("services", "nope", "port"), "1", options_expr=expr) is None
    assert check_with_nix(("users", "<name>", "port"), "1", options_expr=expr) is None
    assert check_with_nix(("a",), "1", nix_instantiate="no-such-nix-binary") is None


@pytest.mark.parametrize(
    ("text", "editor"),
    [
        ("boolean", EditorKind.BOOL),
        (PORT, EditorKind.INT),
        ("null or signed integer", EditorKind.INT),
        ("string", EditorKind.STR),
        ("absolute path", EditorKind.STR),
        ("strings concatenated with \"\\n\"", EditorKind.LINES),
        ('one of "a", "b"', EditorKind.ENUM),
        ("list of string", EditorKind.LIST_STR),
        ("list of signed integer", EditorKind.LIST_INT),
        ("list of package", EditorKind.PACKAGE_LIST),
        ("list of packages", EditorKind.PACKAGE_LIST),
        ("list of (submodule)", EditorKind.LIST_SUBMODULE),
        ("attribute set of (submodule)", EditorKind.ATTRS_SUBMODULE),
        ("null or (attribute set of (submodule))", EditorKind.RAW),
        ("string or signed integer", EditorKind.RAW),
        ("package", EditorKind.RAW),
        ("floating point number", EditorKind.RAW),
        ("null", EditorKind.RAW),
    ],
)
def test_each_type_names_its_editor(text: str, editor: EditorKind) -> None:
    assert parse_type(text).editor is editor


def test_one_class_per_kind() -> None:
    with pytest.raises(TypeError):
        NixType("bool")  # the base class is never a type of its own
    assert make_type("list", "list of string", (parse_type("string"),)).editor == "list_str"
    assert set(KINDS) == set(TYPES) and len(KINDS) == 18
    for kind, cls in TYPES.items():
        t = cls("x")
        assert t.kind == kind and t.words() == t.label()
        assert t.words() or kind == "either"  # no alternatives, no words
        assert isinstance(t.editor, EditorKind)


@pytest.mark.parametrize(
    ("text", "empty"),
    [("boolean", "false"), (PORT, "0"), ("null or signed integer", "0"), ("string", '""'),
     ("lines", '""'), ("path", '""'), ('one of "a", "b"', "null"),
     ("list of string", "null"), ("null or string or signed integer", "null")],
)
def test_empty_value_to_start_from(text: str, empty: str) -> None:
    t = parse_type(text)
    assert t.empty_text() == empty
    assert empty == "null" or validate_literal(t, empty) is None  # a value that fits
