"""strMatching patterns are POSIX regexes (Nix's builtins.match): our translation must agree
with Nix itself."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from nixos_settings.core.options.types import parse_type, posix_to_python, validate_literal

HOSTNAME = r"^$|^[[:alpha:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$"
CASES = [
    (HOSTNAME, ["biga", "my-host", "-bad", "", "a_b", "x" * 63, "x" * 64, "a.b", "9lives"]),
    (r"[[:digit:]]+(\.[[:digit:]]+)*", ["1", "1.2.3", "1.", "a", ""]),
    (r"[^[:space:]]+", ["abc", "a b", ""]),
    (r"[]a]+", ["]a]", "b"]),
    (r"[a\]+", ["a\\", "a]"]),
    (r"[[:upper:]][[:lower:]]*", ["Alice", "alice", "ALICE"]),
    (r"[[:xdigit:]]{2}(:[[:xdigit:]]{2}){5}", ["00:1a:2B:3c:4d:5e", "00:1g:2b:3c:4d:5e"]),
]


@pytest.mark.nix
@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="needs nix-instantiate")
def test_translation_agrees_with_nix_builtins_match() -> None:
    pairs = [(p, s) for p, strings in CASES for s in strings]
    expr = "[ " + " ".join(
        f"(builtins.match {json.dumps(p)} {json.dumps(s)} != null)".replace("${", "\\${")
        for p, s in pairs
    ) + " ]"
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                         capture_output=True, text=True, check=True)
    nix = json.loads(out.stdout)
    ours = [re.fullmatch(posix_to_python(p), s, re.DOTALL) is not None for p, s in pairs]
    assert ours == nix, [(p, s, o, n) for (p, s), o, n in zip(pairs, ours, nix, strict=True)
                         if o != n]


def test_classes_and_brackets_translate() -> None:
    assert posix_to_python(HOSTNAME) == r"^$|^[a-zA-Z]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$"
    assert posix_to_python(r"[]a]") == r"[\]a]"
    assert posix_to_python(r"[a\]") == r"[a\\]"
    assert posix_to_python(r"[^[:digit:]]") == r"[^0-9]"


def test_hostname_type_accepts_valid_names_and_rejects_bad_ones() -> None:
    t = parse_type(f"string matching the pattern {HOSTNAME}")
    assert validate_literal(t, '"biga"') is None
    assert validate_literal(t, '"my-host"') is None
    msg = validate_literal(t, '"-bad"')
    assert msg is not None and "-bad" in msg
