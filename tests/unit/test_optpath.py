"""Option paths: parsing what users type and showing locs the way nixpkgs' showOption does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nixos_settings.core.common.errors import NixSettingsError, OptionPathError
from nixos_settings.core.nix import optpath


@pytest.mark.parametrize(
    ("text", "loc"),
    [
        ("services.openssh.enable", ("services", "openssh", "enable")),
        ('networking.hosts."127.0.0.1"', ("networking", "hosts", "127.0.0.1")),
        ('a."b.c".d', ("a", "b.c", "d")),
        ('a."b"', ("a", "b")),
        ('users.users."with space".uid', ("users", "users", "with space", "uid")),
        ('x."quote\\"inside"', ("x", 'quote"inside')),
        ('x."back\\\\slash"', ("x", "back\\slash")),
        ('x."line\\nbreak\\ttab\\rcr"', ("x", "line\nbreak\ttab\rcr")),
        ('x."${y}"', ("x", "${y}")),
        ('x."if"', ("x", "if")),
        ('x."é"', ("x", "é")),
        ('x.""', ("x", "")),
        ("services.nginx.virtualHosts.<name>.root", ("services", "nginx", "virtualHosts",
                                                      "<name>", "root")),
        ("fileSystems.*.device", ("fileSystems", "*", "device")),
        ("a-b.c_d.e'", ("a-b", "c_d", "e'")),
    ],
)
def test_parse_examples(text: str, loc: tuple[str, ...]) -> None:
    assert optpath.parse(text) == loc


@pytest.mark.parametrize(
    ("loc", "shown"),
    [
        (("services", "openssh", "enable"), "services.openssh.enable"),
        (("networking", "hosts", "127.0.0.1"), 'networking.hosts."127.0.0.1"'),
        (("a", "b.c"), 'a."b.c"'),
        (("x", "if"), 'x."if"'),  # keywords must be quoted to be an attribute name
        (("x", "rec"), 'x."rec"'),
        (("x", 'say "hi"'), 'x."say \\"hi\\""'),
        (("x", "a\\b"), 'x."a\\\\b"'),
        (("x", "${y}"), 'x."\\${y}"'),  # a computed name is quoted and escaped
        (("x", "new\nline"), 'x."new\\nline"'),
        (("x", "<name>"), "x.<name>"),
        (("x", "*"), "x.*"),
        (("x", "1abc"), 'x."1abc"'),
        (("x", ""), 'x.""'),
    ],
)
def test_show_examples(loc: tuple[str, ...], shown: str) -> None:
    assert optpath.show(loc) == shown


@pytest.mark.parametrize("keyword", ["assert", "else", "if", "in", "inherit", "let", "or",
                                     "rec", "then", "with"])
def test_keywords_are_not_identifiers(keyword: str) -> None:
    assert not optpath.is_identifier(keyword)
    with pytest.raises(OptionPathError, match="must be quoted"):
        optpath.parse(f"a.{keyword}")
    assert optpath.parse(optpath.show(("a", keyword))) == ("a", keyword)


# Segments that a user can type: anything but the "${…}" computed-name form, which show()
# writes verbatim (it is not a round-trippable string).
_segment = st.text(min_size=0, max_size=12).filter(
    lambda s: not (s.startswith("${") and s.endswith("}"))
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_segment, min_size=1, max_size=5))
def test_show_parse_round_trip(loc: list[str]) -> None:
    shown = optpath.show(loc)
    assert optpath.parse(shown) == tuple(loc)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_'\-]{0,8}", fullmatch=True),
                min_size=1, max_size=5))
def test_identifiers_are_shown_unquoted(loc: list[str]) -> None:
    shown = optpath.show(loc)
    keywords = {"assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with"}
    if not keywords.intersection(loc):
        assert shown == ".".join(loc)
        assert '"' not in shown


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty option name"),
        ("   ", "empty option name"),
        ("a..b", "empty segment at position 3"),
        (".a", "empty segment at position 1"),
        ("a.", "ends with '.'"),
        ('a."b', "unterminated quote"),
        ('a.b"c"', "unexpected quote at position 4"),
        ('a."b"c', "expected '.' at position 6"),
        ("a.127.0.0.1", "must be quoted"),
        ("a.b c", "must be quoted"),
        ("a.if", "must be quoted"),
    ],
)
def test_malformed_names_raise_clear_errors(text: str, fragment: str) -> None:
    with pytest.raises(OptionPathError) as info:
        optpath.parse(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    # Part of the core's error family, so the CLI reports it as one line.
    assert isinstance(info.value, NixSettingsError)


def test_must_be_quoted_message_names_the_segment_and_the_fix() -> None:
    with pytest.raises(OptionPathError) as info:
        optpath.parse("networking.hosts.127.0.0.1")
    # the first bad segment is "127" (dots split segments); the hint shows the quoting
    assert "'127'" in str(info.value)
    assert '"127"' in str(info.value)


@pytest.mark.parametrize("text", ["@args", "users.users.@alice", "a.@b.c"])
def test_at_segment_is_not_offered_quoting(text: str) -> None:
    """A segment written with @ is a function-argument pattern, not a name to quote."""
    with pytest.raises(OptionPathError) as info:
        optpath.parse(text)
    message = str(info.value)
    assert "must be quoted" not in message
    assert '"@' not in message
    assert "not part of an option name" in message


def test_quoted_at_segment_is_a_name() -> None:
    assert optpath.parse('a."@b"') == ("a", "@b")
