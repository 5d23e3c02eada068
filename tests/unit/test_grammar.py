"""The grammar vocabulary's node helpers."""

from __future__ import annotations

from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import syntax


def _expr(text: str) -> tuple[bytes, g.Node]:
    src = text.encode()
    return src, g.top_expression(syntax.parse(src))


def test_strip_parens_and_text() -> None:
    src, node = _expr("((f x))")
    inner = g.strip_parens(node)
    assert inner.type == g.APPLY and g.text(src, inner) == "f x"
    assert g.span(inner) == (2, 5)


def test_function_name_of_plain_and_selected_calls() -> None:
    for text in ("mkIf c v", "lib.mkIf c v", "(lib.modules.mkIf) c v"):
        src, node = _expr(text)
        fn, args = g.flatten_apply(node)
        assert g.function_name(src, fn) == "mkIf" and len(args) == 2
    src, node = _expr("(a.b or c) x")
    assert g.function_name(src, g.flatten_apply(node)[0]) is None


def test_bindings_and_comments() -> None:
    _src, node = _expr("{ a = 1; inherit b; inherit (c) d; }")
    assert [b.type for b in g.bindings(node)] == [g.BINDING, g.INHERIT, g.INHERIT_FROM]
    assert not g.has_comments(node)
    assert g.has_comments(_expr("{ a = 1; # note\n}")[1])
    assert g.bindings(_expr("{ }")[1]) == [] and g.binding_set(_expr("{ }")[1]) is None


def test_list_literals_look_through_scopes_and_concatenation() -> None:
    src, node = _expr("with pkgs; ([ a ] ++ (let x = 1; in [ b c ]))")
    lists = g.list_literals(node)
    assert [[g.text(src, e) for e in g.elements(lst)] for lst in lists] == [["a"], ["b", "c"]]
    assert g.list_literals(_expr("[ a ] + [ b ]")[1]) == []
    assert g.list_literals(None) == []
