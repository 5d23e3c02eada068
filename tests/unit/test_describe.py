"""Description rendering: Markdown with roles/admonitions, DocBook without raw tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nixos_settings.core.options.describe import (
    description_text,
    html_to_text,
    render_description,
    render_literal,
    render_option,
)
from nixos_settings.core.options.model import DOCBOOK, Literal, load_file

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "options"
ALLOWED = {
    "p",
    "a",
    "code",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "pre",
    "div",
    "dl",
    "dt",
    "dd",
    "i",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "img",
}


def tags(html: str) -> set[str]:
    return set(re.findall(r"</?([A-Za-z][\w:-]*)", html))


def test_markdown_basics() -> None:
    h = render_description("Use `foo` here.\n\n- one\n- two\n\nSee [docs](https://x.invalid/d).")
    assert "<code>foo</code>" in h
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in h
    assert '<a href="https://x.invalid/d">docs</a>' in h


def test_roles() -> None:
    h = render_description(
        "Set {option}`services.a.enable`, {var}`x`, run {command}`ls -l`, read "
        "{manpage}`ssh(1)`, edit {file}`/etc/hosts`, export {env}`PATH`."
    )
    assert (
        '<a href="option:services.a.enable"><code class="option">services.a.enable</code></a>' in h
    )
    assert '<code class="var">x</code>' in h
    assert '<code class="command">ls -l</code>' in h
    assert '<code class="manpage">ssh(1)</code>' in h
    assert '<code class="file">/etc/hosts</code>' in h
    assert '<code class="env">PATH</code>' in h
    assert "{option}" not in h


def test_option_role_with_placeholder_is_escaped() -> None:
    h = render_description("{option}`users.users.<name>.home`")
    assert 'href="option:users.users.&lt;name&gt;.home"' in h


def test_admonitions() -> None:
    h = render_description("Intro.\n\n::: {.warning}\nDanger **here**.\n:::\n\nAfter.")
    assert '<div class="admonition warning"><p class="admonition-title">Warning</p>' in h
    assert "<strong>here</strong>" in h and h.index("Intro") < h.index("Danger") < h.index("After")
    assert ":::" not in h


def test_raw_html_in_markdown_is_escaped() -> None:
    assert "<script>" not in render_description("a <script>x</script> b")


def test_docbook_fragment() -> None:
    s = load_file(FIX / "legacy-2020.json")
    name = s.get(("machine", "name"))
    assert name is not None and name.description_format == DOCBOOK
    h = render_option(name)
    assert '<a href="https://example.invalid/names">https://example.invalid/names</a>' in h
    assert '<a href="option:machine.domain">' in h
    assert '<code class="filename">/etc/nixos/configuration.nix</code>' in h
    ports = render_option(s.get(("machine", "ports")))  # type: ignore[arg-type]
    assert "<ul>" in ports and "<li><p>one</p></li>" in ports
    extra = render_option(s.get(("machine", "extra")))  # type: ignore[arg-type]
    assert "<pre><code>make all</code></pre>" in extra
    assert 'class="admonition note"' in extra
    home = render_option(s.get(("members", "<name?>", "home")))  # type: ignore[arg-type]
    assert '<code class="manpage">passwd(5)</code>' in home
    for o in s:
        assert tags(render_option(o)) <= ALLOWED


def test_docbook_reopened_para_and_broken_markup() -> None:
    h = render_description("First.</para>\n<para>Second <literal>x</literal>.", DOCBOOK)
    assert h == '<p>First.</p>\n<p>Second <code class="literal">x</code>.</p>\n'
    broken = render_description("a <literal>b c", DOCBOOK)
    assert broken == "<p>a b c</p>\n"


def test_blank_lines_make_paragraphs_in_docbook() -> None:
    h = render_description("One\nline.\n\nTwo <emphasis>b</emphasis>.", DOCBOOK)
    assert h == "<p>One\nline.</p>\n<p>Two <em>b</em>.</p>\n"


def test_literals() -> None:
    assert render_literal(None) == ""
    assert render_literal(Literal("expression", "[ 1 <a> ]")) == (
        '<pre><code class="nix">[ 1 &lt;a&gt; ]</code></pre>\n'
    )
    assert "<em>x</em>" in render_literal(Literal("markdown", "*x*"))
    assert '<code class="literal">h</code>' in render_literal(
        Literal("docbook", "<literal>h</literal>")
    )


def test_plain_text() -> None:
    t = html_to_text(render_description("Hi `x`.\n\n- a\n- b\n\n[l](https://u.invalid)"))
    assert t == "Hi `x`.\n\n- a\n- b\n\nl <https://u.invalid>"
    s = load_file(FIX / "legacy-2020.json")
    assert "<" not in description_text(s.get(("machine", "extra")))  # type: ignore[arg-type]
    assert "    make all" in description_text(s.get(("machine", "extra")))  # type: ignore[arg-type]


def test_no_description() -> None:
    assert "No description" in render_description(None)


@pytest.mark.parametrize("name", ["nixos-20.09pre-options.json.gz", "home-manager-options.json.gz"])
def test_real_descriptions_have_no_raw_markup(shared_dir: Path, name: str) -> None:
    s = load_file(shared_dir / "data" / "options" / name)
    for o in s:
        h = render_option(o)
        assert tags(h) <= ALLOWED, (o.name, tags(h) - ALLOWED)
        assert "&lt;literal" not in h and "&lt;/para" not in h and "{option}`" not in h
        assert "&lt;link" not in h and "&lt;citerefentry" not in h


def test_nested_code_gets_one_pair_of_backticks() -> None:
    h = render_description("<literal>/home/<replaceable>user</replaceable></literal>", DOCBOOK)
    assert html_to_text(h) == "`/home/user`"
