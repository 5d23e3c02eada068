"""Reading literals back for the typed editors, checked against the real Nix evaluator."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from nixos_settings.core.nix.literals import NOT_LITERAL, decode

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
