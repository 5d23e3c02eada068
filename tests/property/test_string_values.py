"""``--string`` values survive every layout: random text (every whitespace class, ``''``,
``${``, ``\\``, quotes, non-ASCII) is set in five contexts through the real planner, and the
files are evaluated back with the real ``nix-instantiate --eval``: the value must be the exact
text given."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.edit import planning

pytestmark = pytest.mark.skipif(shutil.which("nix-instantiate") is None,
                                reason="nix-instantiate not installed")

#: characters Python, Unicode or some editor call whitespace, and Nix's own special pieces
WHITESPACE = [" ", "\t", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\x85",
              "\xa0", "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f",
              "\u205f", "\u3000", "\ufeff", "\u200b"]
PIECES = [*WHITESPACE, "''", "'''", "${", "$${", "$", "'", "\\", "\\n", '"', "#", "a", "é", "😀",
          "x = 1;", "''${", "''\\"]

#: (file name, file text with "\n" line breaks, option to set)
CONTEXTS = [
    ("top.nix", '{ config, ... }:\n{\n  networking.hostName = "h";\n}\n',
     ("networking", "domain")),
    ("deep.nix", '{ config, ... }:\n{\n  services = {\n    foo = {\n'
     '      bar = "old";\n    };\n  };\n}\n', ("services", "foo", "bar")),
    ("nested-new.nix", "{ config, ... }:\n{\n  services = {\n    foo = {\n"
     "      enable = true;\n    };\n  };\n}\n", ("services", "foo", "text")),
    ("tabs.nix", '{ config, ... }:\n{\n\tusers = {\n\t\tmotd = "hi";\n\t};\n}\n',
     ("users", "motd")),
    ("crlf.nix", '{ config, ... }:\n{\n    environment = {\n'
     '        etc.note = "n";\n    };\n}\n', ("environment", "etc", "note")),
]

text_values = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=30),
)


def _evaluate(folder: Path, names: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    parts = []
    for name, loc in names:
        sel = ".".join(json.dumps(seg) for seg in loc)
        parts.append(f"((import ./{name} {{ config = {{ }}; }}).{sel})")
    expr = "[ " + " ".join(parts) + " ]"
    env = dict(os.environ, NIX_STATE_DIR=str(folder / ".nix-state"))
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                          cwd=folder, capture_output=True, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    result: list[str] = json.loads(proc.stdout)
    return result


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=text_values)
def test_string_set_in_five_contexts_evaluates_to_the_same_text(value: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        done = []
        for name, template, loc in CONTEXTS:
            nl = "\r\n" if name.startswith("crlf") else "\n"
            path = folder / name
            path.write_bytes(template.replace("\n", nl).encode())
            cfg = Configuration.load(path)
            cfg.apply(planning.plan_set_value(cfg, loc, value))
            path.write_bytes(cfg.documents[path].source)
            done.append((name, loc))
        assert _evaluate(folder, done) == [value] * len(done)


@pytest.mark.parametrize("odd", ["\xa0", "\v", "\f", "\u2028", "\x85", "\u3000", "\ufeff"])
def test_a_line_of_only_unusual_whitespace_keeps_the_value(odd: str) -> None:
    """The case found by the attack run: an indented option, a line holding only NBSP
    (or similar): ``str.strip()`` took it for blank and left it unindented."""
    value = f"first\n{odd}\nlast\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        name, template, loc = CONTEXTS[1]
        path = folder / name
        path.write_text(template)
        cfg = Configuration.load(path)
        cfg.apply(planning.plan_set_value(cfg, loc, value))
        path.write_bytes(cfg.documents[path].source)
        assert b"''" in path.read_bytes()  # the indented form, where the bug lived
        assert _evaluate(folder, [(name, loc)]) == [value]
