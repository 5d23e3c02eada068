"""Rendering Python values to Nix text, checked against the real ``nix-instantiate --eval``.

Every hypothesis example evaluates a whole batch of rendered values in ONE Nix process, so
the suite stays fast while covering many strings.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nixos_settings.core.nix import render
from nixos_settings.core.nix.render import NixExpr, NixPath

NIX = shutil.which("nix-instantiate")
needs_nix = pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")

LAYOUTS = [("", "  "), ("    ", "  "), ("  ", "    "), ("\t", "\t"), ("", "\t"),
           ("\t\t", "\t")]


def nix_eval(expr: str) -> object:
    """Evaluate one Nix expression strictly and return its JSON value."""
    assert NIX is not None
    env = dict(os.environ)
    env.setdefault("NIX_STATE_DIR", tempfile.gettempdir() + "/nixos-settings-nix-state")
    proc = subprocess.run(
        [NIX, "--eval", "--strict", "--json", "-E", expr],
        capture_output=True, env=env, timeout=60, check=False,
    )
    assert proc.returncode == 0, (
        f"nix-instantiate rejected:\n{expr}\n{proc.stderr.decode(errors='replace')}"
    )
    return json.loads(proc.stdout)


def nix_list(items: list[str]) -> str:
    """A Nix list literal of already-rendered expressions, each in parentheses."""
    return "[\n" + "\n".join(f"({text})" for text in items) + "\n]"


# Nix strings cannot hold NUL; everything else (any unicode) is fair game, with the
# characters that need escaping made frequent.
_special = st.sampled_from(['"', "\\", "${", "''", "$", "'", "\n", "\t", "\r", " ", "}",
                            "{", "$${", "''${", "\\n", "é", "🎉", "\u2028"])
_chunks = st.one_of(_special, st.text(alphabet=st.characters(blacklist_characters="\x00",
                                                             blacklist_categories=("Cs",))))


nix_text = st.lists(_chunks, max_size=8).map("".join)


@pytest.mark.nix
@needs_nix
@pytest.mark.parametrize(("indent", "unit"), LAYOUTS)
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(strings=st.lists(nix_text, min_size=1, max_size=40))
def test_strings_evaluate_to_themselves(indent: str, unit: str, strings: list[str]) -> None:
    rendered = [render.to_nix(s, indent, unit) for s in strings]
    assert nix_eval(nix_list(rendered)) == strings


@pytest.mark.nix
@needs_nix
@settings(max_examples=10, deadline=None)
@given(strings=st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00",
                                                       blacklist_categories=("Cs",))),
                        min_size=1, max_size=60))
def test_plain_text_strategy_evaluates_to_itself(strings: list[str]) -> None:
    rendered = [render.to_nix(s, "  ", "  ") for s in strings]
    assert nix_eval(nix_list(rendered)) == strings


@pytest.mark.nix
@needs_nix
def test_tricky_strings_exact() -> None:
    cases = [
        "", "$", "$$", "${", "$${", "\\${", "''", "'''", "''${", "'", "a'", "a$", "\\",
        "\\\\", '"', '\\"', "\n", "\n\n", "a\n", "\na", "a\nb\n", "  a\nb", " a\n b",
        "a\n  \nb", "a\n\tb", "\ta\nb", "a\r\nb", "\r", "tab\there", "x${y}z",
        "line1\n${a}\n''b''", "x\n''${y}", "é\n🎉\n", "a\n'", "a\n$", "${\n}", "''\n''",
    ]
    for indent, unit in LAYOUTS:
        rendered = [render.to_nix(s, indent, unit) for s in cases]
        assert nix_eval(nix_list(rendered)) == cases, (indent, unit)


@pytest.mark.nix
@needs_nix
def test_quote_before_dollar_curly_multiline() -> None:
    cases = ["'${\n", "a'${b}\nc", "\n'''${"]
    rendered = [render.to_nix(s, "  ", "  ") for s in cases]
    assert nix_eval(nix_list(rendered)) == cases


@pytest.mark.nix
@needs_nix
def test_negative_zero_in_list() -> None:
    text = render.to_nix([-0.0])
    assert nix_eval(f'builtins.fromJSON "[-0.0]" == {text}') is True


def test_single_line_strings_use_double_quotes_and_escapes() -> None:
    assert render.to_nix('say "hi"') == '"say \\"hi\\""'
    assert render.to_nix("a\\b") == '"a\\\\b"'
    assert render.to_nix("${x}") == '"\\${x}"'
    assert render.to_nix("tab\tcr\r") == '"tab\\tcr\\r"'
    assert render.to_nix("cost $5 ''") == "\"cost $5 ''\""
    assert render.to_nix("héllo 🎉") == '"héllo 🎉"'


def test_multi_line_string_uses_indented_form_with_spaces() -> None:
    text = render.to_nix("first\n\nsecond ${x} ''\n", "  ", "  ")
    assert text == "''\n    first\n\n    second ''${x} '''\n  ''"


def test_multi_line_string_with_tab_indentation_falls_back_to_double_quotes() -> None:
    assert render.to_nix("a\nb", "\t", "\t") == '"a\\nb"'


# -- numbers, bools, null ---------------------------------------------------------------------

INT64 = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)


@pytest.mark.nix
@needs_nix
@settings(max_examples=10, deadline=None)
@given(ints=st.lists(INT64, min_size=1, max_size=50))
def test_ints_evaluate_exactly_alone_and_inside_lists(ints: list[int]) -> None:
    alone = [render.to_nix(i) for i in ints]
    as_list = render.to_nix(ints)  # negatives must be parenthesised inside a list
    result = nix_eval(f"[ {nix_list(alone)} {as_list} ]")
    assert result == [ints, ints]


def test_negative_ints_in_lists_are_parenthesised() -> None:
    assert render.to_nix([1, -2, 3]) == "[ 1 (-2) 3 ]"
    assert render.to_nix([-1.5]) == "[ (-1.5) ]"


# Subnormal doubles are excluded: render refuses them (Nix 2.8 rejects their literals,
# see test_subnormal_float_renders_to_something_nix_accepts).
_floats = st.floats(allow_nan=False, allow_infinity=False, width=64).filter(
    lambda f: f == 0.0 or abs(f) >= 2.2250738585072014e-308
)


@pytest.mark.nix
@needs_nix
@settings(max_examples=10, deadline=None)
@given(floats=st.lists(_floats, min_size=1, max_size=50))
def test_floats_are_exact(floats: list[float]) -> None:
    # Nix 2.8 prints floats with 6 significant digits, so compare inside Nix against an
    # exact double parsed from JSON (builtins.fromJSON uses a full-precision parser).
    checks = [
        f"(builtins.fromJSON {json.dumps(json.dumps(f))} == ({render.to_nix(f)}))"
        for f in floats
    ]
    as_list = render.to_nix(floats)
    exact = f"builtins.fromJSON {json.dumps(json.dumps(floats))}"
    result = nix_eval(f"[ [ {' '.join(checks)} ] ({exact} == {as_list}) ]")
    assert result == [[True] * len(floats), True]


@pytest.mark.nix
@needs_nix
def test_subnormal_float_renders_to_something_nix_accepts() -> None:
    f = 2.2250738585e-313
    try:
        text = render.to_nix(f)
    except ValueError:
        return  # refusing clearly is acceptable too
    assert nix_eval(f"builtins.fromJSON {json.dumps(json.dumps(f))} == ({text})") is True


def test_nan_and_infinity_are_refused() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="NaN or infinity"):
            render.to_nix(bad)


@pytest.mark.nix
@needs_nix
def test_scalars_bools_null() -> None:
    values: list[object] = [True, False, None, 0, -0.0, 1.0, 1e-5, 1e16, 2.5e-300]
    rendered = [render.to_nix(v) for v in values]
    assert rendered[:3] == ["true", "false", "null"]
    checks = nix_eval(nix_list([
        "true", "false", "null", "0",
        f"builtins.fromJSON \"-0.0\" == ({rendered[4]})",
        f"builtins.fromJSON \"1.0\" == ({rendered[5]})",
        f"builtins.fromJSON \"1e-05\" == ({rendered[6]})",
        f"builtins.fromJSON \"1e16\" == ({rendered[7]})",
        f"builtins.fromJSON \"2.5e-300\" == ({rendered[8]})",
    ]))
    assert checks == [True, False, None, 0, True, True, True, True, True]
    assert nix_eval(nix_list(rendered[:4])) == [True, False, None, 0]


# -- nested values ---------------------------------------------------------------------------

_key = st.one_of(
    st.sampled_from(["*", "<name>", "<>", "${x}", "a.b", "if", ""]),
    st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
            max_size=8),
)
_leaf = st.one_of(st.none(), st.booleans(), INT64, nix_text)
nested = st.recursive(
    _leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(_key, inner, max_size=5)),
    max_leaves=25,
)


@pytest.mark.nix
@needs_nix
@pytest.mark.parametrize(("indent", "unit"), [("", "  "), ("    ", "    "), ("\t", "\t")])
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(nested, min_size=1, max_size=15))
def test_nested_lists_and_attrsets_evaluate_back(indent: str, unit: str,
                                                 values: list[object]) -> None:
    rendered = [render.to_nix(v, indent, unit) for v in values]
    assert nix_eval(nix_list(rendered)) == values


def test_nested_layout_follows_indent_and_unit() -> None:
    value = {"enable": True, "ports": [22, 2222], "extra": {"x": "y"}}
    assert render.to_nix(value, "\t", "\t") == (
        "{\n\t\tenable = true;\n\t\tports = [ 22 2222 ];\n\t\textra = {\n\t\t\tx = \"y\";\n"
        "\t\t};\n\t}"
    )
    assert render.to_nix({}, "  ") == "{ }"
    assert render.to_nix([], "  ") == "[ ]"
    assert render.to_nix({"127.0.0.1": ["localhost"]}) == (
        '{\n  "127.0.0.1" = [ "localhost" ];\n}'
    )


@pytest.mark.nix
@needs_nix
def test_placeholder_shaped_keys_are_quoted() -> None:
    values = [{"<>": 1}, {"<name>": 2}, {"*": 3}, {"${x}": 4}]
    rendered = [render.to_nix(v) for v in values]
    assert nix_eval(nix_list(rendered)) == values


def test_long_lists_are_written_one_per_line() -> None:
    items = [f"package-number-{i}" for i in range(8)]
    text = render.to_nix(items, "  ", "  ")
    lines = text.split("\n")
    assert lines[0] == "["
    assert lines[-1] == "  ]"
    assert lines[1:-1] == [f'    "{s}"' for s in items]


# -- paths and raw expressions ----------------------------------------------------------------


@pytest.mark.nix
@needs_nix
def test_paths_render_as_path_literals() -> None:
    paths = ["/etc/nixos/hardware.nix", "./hardware.nix", "../x/y.nix", "sub/dir/", "/a+b/c-d"]
    rendered = [render.to_nix(NixPath(p)) for p in paths]
    assert rendered == ["/etc/nixos/hardware.nix", "./hardware.nix", "../x/y.nix",
                        "./sub/dir", "/a+b/c-d"]
    # a path is a path for Nix (not a string), and absolute ones are kept as written
    # (toString: a path in JSON output would be copied to the store)
    result = nix_eval(nix_list([f"builtins.typeOf ({r})" for r in rendered]
                               + [f"toString {rendered[0]}", f"toString {rendered[4]}"]))
    assert result == ["path"] * 5 + ["/etc/nixos/hardware.nix", "/a+b/c-d"]


def test_paths_that_cannot_be_literals_are_refused() -> None:
    for bad in ("/with space", "/dollar$", "", "/a/${x}"):
        with pytest.raises(ValueError, match="cannot be written as a Nix path literal"):
            render.to_nix(NixPath(bad))


def test_nix_expr_inserted_verbatim_and_parenthesised_in_lists() -> None:
    assert render.to_nix(NixExpr("pkgs.hello")) == "pkgs.hello"
    assert render.to_nix([NixExpr("pkgs.hello"), NixExpr("f x")]) == "[ pkgs.hello (f x) ]"


def test_unsupported_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="cannot render"):
        render.to_nix(object())
