"""Highlighting as data: categories of byte spans, without the faces seeing a node."""

from __future__ import annotations

from nixos_settings.core.nix import syntax
from nixos_settings.core.nix.highlight import highlight_spans

SOURCE = (
    b'{ pkgs, ... }:\n'
    b'# a comment\n'
    b'let x = 1.5; in {\n'
    b'  networking.hostName = "oak-${pkgs.x}";\n'
    b'  boot.tmp = ./tmp; y = null; z = 42; inherit x;\n'
    b'}\n'
)


def _cats(source: bytes, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    return [(source[s:e].decode(), c) for s, e, c in spans]


def test_categories() -> None:
    cats = _cats(SOURCE, highlight_spans(SOURCE))
    assert ("# a comment", "comment") in cats
    assert ("1.5", "number") in cats and ("42", "number") in cats
    assert ("./tmp", "path") in cats
    assert ("null", "constant") in cats
    assert ("let", "keyword") in cats and ("inherit", "keyword") in cats
    assert ("networking", "attribute") in cats and ("hostName", "attribute") in cats
    assert ("oak-", "string") in cats
    # what is interpolated in a string is read as code, not coloured as string
    assert ("pkgs", "string") not in cats
    assert ("x", "attribute") in cats


def test_spans_are_in_document_order_and_given_tree_is_used() -> None:
    spans = highlight_spans(SOURCE, syntax.parse(SOURCE))
    assert spans == highlight_spans(SOURCE)
    assert [s for s, _, _ in spans] == sorted(s for s, _, _ in spans)


def test_unexpected_text_is_an_error_span() -> None:
    source = b"{ a = 1; ) }"
    assert [(s, e) for s, e, c in highlight_spans(source) if c == "error"] == [(9, 10)]
