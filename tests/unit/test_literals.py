"""Reading literals back for the typed editors, checked against the real Nix evaluator."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from nixos_settings.core.common.errors import ParseError
from nixos_settings.core.nix.literals import (
    NOT_LITERAL,
    Opaque,
    PathValue,
    StringValue,
    decode,
    read_literal,
)

CASES = [
    "true", "false", "null", "42", "-7", "( 5 )", '"plain"', r'"a\${b}c"', '"a$${b}"',
    r'"tab\tnew\nquote\" back\\"', '[ "x" "y" ]', "[ 1 2 3 ]",
    "''\n  hello\n    world\n''", "''\n  a '''quoted''' ''${x}\n''", "''\n  one\\n''\\n\n''",
    "''\n  ''\\t tab\n''", "''\n  price ''$5\n''",
]


@pytest.mark.parametrize("text", CASES)
def test_decode_matches_nix(text: str) -> None:
    value = decode(text)
    assert value is not NOT_LITERAL
    if shutil.which("nix-instantiate") is None:
        pytest.skip("nix-instantiate not installed")
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", f"(\n{text}\n)"],
                         capture_output=True, text=True, check=True).stdout
    assert value == json.loads(out)


@pytest.mark.parametrize("text", ['"${x}"', "pkgs.zsh", "[ pkgs.git ]", "a + b", '"x" + "y"'])
def test_non_literals_are_refused(text: str) -> None:
    assert decode(text) is NOT_LITERAL


def test_read_literal_keeps_kinds_and_marks_what_needs_evaluation() -> None:
    assert read_literal("[ 1 (-2) 2.5 true null ]") == [1, -2, 2.5, True, None]
    assert read_literal('{ a = "x"; b.c = ./p; }') == {"a": StringValue("x"),
                                                        "b.c": PathValue("./p")}
    assert read_literal('"a${b}"') == StringValue(None)
    assert read_literal("''\n  two\n''") == StringValue("two\n")
    assert read_literal("<nixpkgs>") == PathValue("<nixpkgs>")
    assert read_literal("pkgs.hello") == Opaque("pkgs.hello")
    assert read_literal("-x") == Opaque("-x")
    assert read_literal("{ inherit a; }") == Opaque("{ inherit a; }")
    assert read_literal("( 5 )") == 5


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected one Nix expression"),
    ("# only a comment", "expected one Nix expression"),
    ("[ 1", "not valid Nix: missing ] at line 1, column 4"),
])
def test_read_literal_refuses_what_is_not_one_expression(text: str, message: str) -> None:
    with pytest.raises(ParseError) as err:
        read_literal(text)
    assert str(err.value) == message
