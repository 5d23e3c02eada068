"""Documents: bytes, tree, problems, positions and incremental reparsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import map_module
from nixos_settings.core.config.document import Document, detect_newline, sha256
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.save import save_configuration
from nixos_settings.core.nix import syntax

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


@pytest.mark.parametrize(
    "source",
    [
        b"{ config, pkgs, }:\n{\n  a = 1;\n}\n",
        b"{\n  config,\n  lib,\n  pkgs,\n}:\n{\n  a = 1;\n}\n",
        b"{ config, pkgs, ... }@args:\n{\n  a = 1;\n}\n",
    ],
    ids=["inline-trailing-comma", "one-per-line-trailing-comma", "at-args"],
)
def test_trailing_comma_formals_are_benign(source: bytes) -> None:
    doc = Document.from_bytes(source)
    assert doc.problems == []
    assert not doc.has_syntax_errors
    assert [d.loc for d in map_module(doc).definitions] == [("a",)]


@pytest.mark.parametrize("name", ["formals-trailing-commas.nix",
                                  "formals-trailing-comma-no-ellipsis.nix"])
def test_trailing_comma_fixtures_have_no_problems_and_can_be_edited(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / "configuration.nix"
    path.write_bytes((FIXTURES / name).read_bytes())
    cfg = Configuration.load(path)
    assert cfg.notes == []
    d = cfg.definitions[0]
    cfg.apply(planning.plan_set(cfg, d.loc, "null"))
    assert save_configuration(cfg) == [path]


def test_real_syntax_errors_are_reported_with_position() -> None:
    doc = Document.from_bytes(b"{\n  a = 1;\n  b = ;\n}\n", "x.nix")
    assert doc.has_syntax_errors
    p = doc.problems[0]
    # tree-sitter puts the missing value right after "=" (Nix blames the ";" at column 7)
    assert p.line == 3 and 5 <= p.column <= 7
    assert str(p).startswith(f"x.nix:3:{p.column}: syntax error")


def test_a_missing_formal_comma_is_not_mistaken_for_the_benign_case() -> None:
    doc = Document.from_bytes(b"{ config pkgs }:\n{ a = 1; }\n")
    assert doc.has_syntax_errors


@pytest.mark.parametrize("source", [b"", b"   \n", b"# only a comment\n"])
def test_empty_file_is_reported(source: bytes) -> None:
    doc = Document.from_bytes(source)
    assert any("holds no Nix expression" in p.message for p in doc.problems)


def test_non_utf8_is_a_warning_not_an_error() -> None:
    doc = Document.from_bytes(b"{\n  # caf\xe9\n  a = 1;\n}\n")
    (warning,) = doc.problems
    assert warning.severity == "warning"
    assert (warning.line, warning.column) == (2, 8)
    assert not doc.has_syntax_errors


def test_newline_detection() -> None:
    assert detect_newline(b"a\r\nb\r\nc\n") == b"\r\n"
    assert detect_newline(b"a\nb\nc\r\n") == b"\n"
    assert detect_newline(b"no newline") == b"\n"
    assert Document.from_bytes((FIXTURES / "crlf.nix").read_bytes()).newline == b"\r\n"


def test_positions_count_characters_not_bytes() -> None:
    src = "{\n  é🎉 = 1;\n}\n".encode()
    doc = Document.from_bytes(src)
    offset = src.index(b"= 1")
    assert doc.position(offset) == (2, 6)


def test_read_sets_hash_and_modified_follows_source(tmp_path: Path) -> None:
    path = tmp_path / "c.nix"
    path.write_bytes(b"{ a = 1; }\n")
    doc = Document.read(path)
    assert doc.disk_sha256 == sha256(b"{ a = 1; }\n")
    assert not doc.modified
    doc.replace_source(b"{ a = 2; }\n", [(6, 7, b"2")])
    assert doc.modified
    doc.replace_source(b"{ a = 1; }\n", None)
    assert not doc.modified


@pytest.mark.parametrize(
    ("old", "splices"),
    [
        (b"{\n  a = 1;\n  b = [ 1 2 ];\n}\n", [(6, 7, b"\"multi\\nline\""), (17, 18, b"")]),
        (b"{\n  a = 1;\n}\n", [(10, 10, b"  b = {\n    c = 2;\n  };\n")]),
        (b"{\r\n  a = 1;\r\n  b = 2;\r\n}\r\n", [(2, 11, b""), (17, 18, b"[ 3 ]")]),
        ("{\n  é = \"ü\";\n}\n".encode(), [(12, 14, "ß€".encode())]),
    ],
)
def test_incremental_reparse_matches_full_parse(old: bytes, splices: list[tuple[int, int,
                                                                              bytes]]) -> None:
    from nixos_settings.core.edit.planning import apply_splices

    new = apply_splices(old, splices)
    doc = Document.from_bytes(old)
    doc.replace_source(new, splices)
    fresh = syntax.parse(new)
    assert str(doc.tree.root_node) == str(fresh.root_node)
    assert [(n.type, n.start_byte, n.end_byte) for n in syntax.walk(doc.tree.root_node)] == [
        (n.type, n.start_byte, n.end_byte) for n in syntax.walk(fresh.root_node)
    ]
