"""Option descriptions and literal values rendered to HTML (pure; no Qt).

Public API
==========

* ``render_description(text, fmt="markdown") -> str`` – HTML for a description.
  ``fmt`` is ``"markdown"`` (2023+ and ``mdDoc``) or ``"docbook"`` (older releases).
  Markdown goes through markdown-it-py (CommonMark + tables, raw HTML disabled) with:

  - roles ``{option}`x.y``` → ``<a href="option:x.y"><code>x.y</code></a>`` (the GUI follows
    ``option:`` links), ``{var}``, ``{command}``, ``{file}``, ``{env}`` → ``<code
    class="ROLE">``, ``{manpage}`sshd_config(5)``` → ``<code class="manpage">``;
  - admonitions ``::: {.note}`` … ``:::`` (note, warning, tip, important, caution) →
    ``<div class="admonition note"><p class="admonition-title">Note</p>…</div>``.

  DocBook fragments are converted element by element (para, literal, option, link,
  citerefentry, filename, itemizedlist/listitem, programlisting, note, warning, ...), so no
  raw tag ever reaches the output.
* ``render_literal(lit) -> str`` – a default/example: code in ``<pre><code>``, literalMD as
  Markdown, literalDocBook as DocBook.
* ``render_option(opt) -> str`` – description of an :class:`OptionInfo` in its own format.
* ``html_to_text(html) -> str`` and ``description_text(opt) -> str`` – plain text for the
  CLI (lists as "- ", code blocks indented, links as "text <url>").
* ``first_sentence(text, limit=140) -> str`` and ``summary(opt, limit=140) -> str`` – the
  first sentence of a plain-text description (never past its first paragraph; "e.g.",
  "i.e." and version numbers do not end it), for search results.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from nixos_settings.core.options.model import DOCBOOK, MARKDOWN, Literal, OptionInfo

OPTION_SCHEME = "option:"

ADMONITIONS = ("note", "warning", "tip", "important", "caution")

# --------------------------------------------------------------------------- Markdown

_ROLE = re.compile(r"\{([a-z][a-z-]*)\}(`+)(.+?)\2", re.DOTALL)


def _role_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    m = _ROLE.match(state.src, state.pos)
    if m is None:
        return False
    if not silent:
        tok = state.push("nix_role", "", 0)
        tok.meta = {"role": m.group(1)}
        tok.content = m.group(3).strip()
    state.pos = m.end()
    return True


def _render_role(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tok = tokens[idx]
    role = str(tok.meta.get("role", ""))
    text = html.escape(tok.content)
    if role == "option":
        href = html.escape(OPTION_SCHEME + tok.content, quote=True)
        return f'<a href="{href}"><code class="option">{text}</code></a>'
    return f'<code class="{html.escape(role, quote=True)}">{text}</code>'


def _make_md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.inline.ruler.before("backticks", "nix_role", _role_rule)
    md.add_render_rule("nix_role", _render_role)
    return md


_MD = _make_md()

_ADMON_OPEN = re.compile(r"^\s*:::\s*\{\.([A-Za-z]+)[^}]*\}\s*$")
_ADMON_CLOSE = re.compile(r"^\s*:::\s*$")


def _admonition(kind: str, inner_html: str) -> str:
    k = kind.lower()
    title = html.escape(k.capitalize())
    return (
        f'<div class="admonition {html.escape(k, quote=True)}">'
        f'<p class="admonition-title">{title}</p>\n{inner_html}</div>\n'
    )


_MD_DOCBOOK_LINK = re.compile(r'<link\s+xlink:href="([^"]+)"\s*/>')
_MD_DOCBOOK_LINK_TEXT = re.compile(r'<link\s+xlink:href="([^"]+)"\s*>(.*?)</link>', re.DOTALL)
_MD_DOCBOOK_CODE = re.compile(r"<(literal|filename|command|option|varname)>(.*?)</\1>", re.DOTALL)


def _docbook_leftovers(text: str) -> str:
    """A few DocBook tags survive in some Markdown descriptions; turn them into Markdown."""
    if "<link" in text:
        text = _MD_DOCBOOK_LINK.sub(r"<\1>", text)
        text = _MD_DOCBOOK_LINK_TEXT.sub(r"[\2](\1)", text)
    if "</" in text:
        text = _MD_DOCBOOK_CODE.sub(lambda m: f"`{m.group(2)}`", text)
    return text


def render_markdown(text: str) -> str:
    """Markdown (with NixOS roles and ``:::`` admonitions) to HTML."""
    text = _docbook_leftovers(text)
    out: list[str] = []
    buf: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _ADMON_OPEN.match(lines[i])
        if m is None:
            buf.append(lines[i])
            i += 1
            continue
        # Find the matching close, allowing nested ::: blocks.
        depth, j = 1, i + 1
        while j < len(lines):
            if _ADMON_OPEN.match(lines[j]):
                depth += 1
            elif _ADMON_CLOSE.match(lines[j]):
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if buf:
            out.append(_MD.render("\n".join(buf)))
            buf = []
        out.append(_admonition(m.group(1), render_markdown("\n".join(lines[i + 1 : j]))))
        i = j + 1
    if buf:
        out.append(_MD.render("\n".join(buf)))
    return "".join(out)


# --------------------------------------------------------------------------- DocBook

_XLINK = "{http://www.w3.org/1999/xlink}"
_CODE_TAGS = frozenset(
    """literal code varname envar filename command function constant userinput computeroutput
    package systemitem uri prompt keycap type parameter property classname methodname
    errorcode markup tag token application""".split()
)
_BLOCK_TAGS = frozenset(
    """para simpara formalpara itemizedlist orderedlist variablelist simplelist programlisting
    screen literallayout note warning tip important caution example informalexample
    blockquote section title table informaltable""".split()
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


class _DocBook:
    """Converts a parsed DocBook fragment to HTML."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def text(self, s: str | None) -> None:
        if s:
            self.out.append(html.escape(s, quote=False))

    def children(self, el: ET.Element) -> None:
        self.text(el.text)
        for child in el:
            self.element(child)
            self.text(child.tail)

    def inner(self, el: ET.Element) -> str:
        saved = self.out
        self.out = []
        self.children(el)
        got = "".join(self.out)
        self.out = saved
        return got

    def element(self, el: ET.Element) -> None:
        tag = _local(el.tag)
        o = self.out
        if tag in ("para", "simpara"):
            o.append(f"<p>{_paragraphs_inline(self.inner(el))}</p>\n")
        elif tag == "option":
            name = "".join(el.itertext()).strip()
            href = html.escape(OPTION_SCHEME + name, quote=True)
            o.append(f'<a href="{href}"><code class="option">{html.escape(name)}</code></a>')
        elif tag in _CODE_TAGS:
            o.append(f'<code class="{tag}">{self.inner(el)}</code>')
        elif tag == "replaceable":
            o.append(f"<code><i>{self.inner(el)}</i></code>")
        elif tag == "emphasis":
            strong = el.get("role") in ("strong", "bold")
            t = "strong" if strong else "em"
            o.append(f"<{t}>{self.inner(el)}</{t}>")
        elif tag in ("link", "ulink"):
            href = el.get(_XLINK + "href") or el.get("url") or el.get("href") or ""
            body = self.inner(el) or html.escape(href)
            o.append(f'<a href="{html.escape(href, quote=True)}">{body}</a>')
        elif tag == "xref":
            o.append(f"<em>{html.escape(el.get('linkend') or '')}</em>")
        elif tag == "citerefentry":
            title = _descendant_text(el, "refentrytitle")
            vol = _descendant_text(el, "manvolnum")
            label = f"{title}({vol})" if vol else title
            o.append(f'<code class="manpage">{html.escape(label)}</code>')
        elif not self.block(tag, el):
            self.children(el)

    def block(self, tag: str, el: ET.Element) -> bool:
        """Lists, code blocks, admonitions and other block elements; False for a tag that
        is none of them (its children are rendered in its place)."""
        o = self.out
        if tag in ("itemizedlist", "simplelist"):
            o.append(f"<ul>\n{self.inner(el).strip()}\n</ul>\n")
        elif tag == "orderedlist":
            o.append(f"<ol>\n{self.inner(el).strip()}\n</ol>\n")
        elif tag in ("listitem", "member"):
            o.append(f"<li>{self.inner(el).strip()}</li>\n")
        elif tag == "variablelist":
            o.append(f"<dl>\n{self.inner(el).strip()}\n</dl>\n")
        elif tag == "varlistentry":
            for child in el:
                ct = _local(child.tag)
                if ct == "term":
                    o.append(f"<dt>{self.inner(child)}</dt>\n")
                elif ct == "listitem":
                    o.append(f"<dd>{self.inner(child).strip()}</dd>\n")
        elif tag in ("programlisting", "screen", "literallayout", "synopsis"):
            code = "".join(el.itertext()).strip("\n")
            o.append(f"<pre><code>{html.escape(code, quote=False)}</code></pre>\n")
        elif tag in ADMONITIONS:
            o.append(_admonition(tag, self.inner(el).strip() + "\n"))
        elif tag == "title":
            o.append(f"<p><strong>{self.inner(el)}</strong></p>\n")
        elif tag == "quote":
            o.append(f"“{self.inner(el)}”")
        elif tag == "footnote":
            o.append(f" ({self.inner(el).strip()})")
        else:
            return False
        return True


def _descendant_text(el: ET.Element, tag: str) -> str:
    return "".join(t for x in el.iter() if _local(x.tag) == tag for t in x.itertext())


def _paragraphs_inline(s: str) -> str:
    """Blank lines inside a paragraph-level run start new paragraphs."""
    return re.sub(r"\n[ \t]*\n\s*", "</p>\n<p>", s.strip())


def _wrap_top_level(converted: list[tuple[bool, str]]) -> str:
    """Join converted top-level pieces, wrapping loose inline text into paragraphs."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run).strip()
        run.clear()
        if text:
            for para in re.split(r"\n[ \t]*\n\s*", text):
                if para.strip():
                    out.append(f"<p>{para.strip()}</p>\n")

    for is_block, piece in converted:
        if is_block:
            flush()
            out.append(piece)
        else:
            run.append(piece)
    flush()
    return "".join(out)


_TAG_RE = re.compile(r"<[^>]+>")


def render_docbook(text: str) -> str:
    """A DocBook description fragment to HTML (tolerant of malformed markup)."""
    head = (
        '<root xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:db="http://docbook.org/ns/docbook">'
    )
    root = None
    # Descriptions were spliced into a <para> by the manual build, so authors close and reopen
    # paragraphs inside them ("...</para><para>..."): retry with that wrapper.
    for wrapped in (head + text + "</root>", head + "<para>" + text + "</para></root>"):
        try:
            root = ET.fromstring(wrapped)
            break
        except ET.ParseError:
            continue
    if root is None:
        # Not well-formed: drop the tags, keep the words.
        plain = html.unescape(_TAG_RE.sub("", text))
        return _wrap_top_level([(False, html.escape(plain, quote=False))])
    conv = _DocBook()
    pieces: list[tuple[bool, str]] = []
    if root.text:
        pieces.append((False, html.escape(root.text, quote=False)))
    for child in root:
        conv.out = []
        conv.element(child)
        pieces.append((_local(child.tag) in _BLOCK_TAGS, "".join(conv.out)))
        if child.tail:
            pieces.append((False, html.escape(child.tail, quote=False)))
    return _wrap_top_level(pieces)


# --------------------------------------------------------------------------- public


def render_description(text: str | None, fmt: str = MARKDOWN) -> str:
    """HTML for a description; an explicit note when there is none."""
    if not text or not text.strip():
        return '<p class="no-description">No description.</p>\n'
    # Some modern files still carry a whole DocBook description (leftover from the migration).
    if fmt == DOCBOOK or "</para>" in text or text.lstrip().startswith("<para>"):
        return render_docbook(text)
    return render_markdown(text)


def render_option(opt: OptionInfo) -> str:
    """HTML description of ``opt`` in its own format."""
    return render_description(opt.description, opt.description_format)


def render_literal(lit: Literal | None) -> str:
    """HTML for a default/example value ("" when there is none)."""
    if lit is None:
        return ""
    if lit.kind == MARKDOWN:
        return render_markdown(lit.text)
    if lit.kind == DOCBOOK:
        return render_docbook(lit.text)
    return f'<pre><code class="nix">{html.escape(lit.text, quote=False)}</code></pre>\n'


# --------------------------------------------------------------------------- plain text


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre = 0
        self.href: list[tuple[str | None, int]] = []
        self.list_depth = 0
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a: dict[str, Any] = dict(attrs)
        if tag in ("p", "div", "dl", "ul", "ol"):
            # the first paragraph of a list item stays on the bullet's line
            if not (self.parts and self.parts[-1].endswith("- ")):
                self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "li":
            self.parts.append("\n" + "  " * (self.list_depth - 1) + "- ")
        elif tag == "dt":
            self.parts.append("\n")
        elif tag == "dd":
            self.parts.append("\n    ")
        elif tag == "pre":
            self.pre += 1
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.href.append((a.get("href"), len(self.parts)))
        elif tag == "code" and not self.pre:
            self.code += 1
            if self.code == 1:  # nested code (<literal><replaceable>) gets one pair
                self.parts.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.list_depth -= 1
        elif tag == "pre":
            self.pre -= 1
            self.parts.append("\n\n")
        elif tag == "code" and not self.pre:
            self.code -= 1
            if self.code == 0:
                self.parts.append("`")
        elif tag == "a":
            href, start = self.href.pop() if self.href else (None, 0)
            shown = "".join(self.parts[start:]).strip()
            if href and not href.startswith(OPTION_SCHEME) and shown != href:
                self.parts.append(f" <{href}>")
        elif tag in ("p", "div"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.parts.append("\n".join("    " + ln for ln in data.split("\n")))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Readable plain text of rendered HTML (for terminals)."""
    p = _Text()
    p.feed(markup)
    p.close()
    text = "".join(p.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text)
    # consecutive list items stay together
    text = re.sub(r"(^|\n)([ \t]*- [^\n]*)\n\n(?=[ \t]*- )", r"\1\2\n", text)
    text = re.sub(r"(^|\n)([ \t]*- [^\n]*)\n\n(?=[ \t]*- )", r"\1\2\n", text)
    return text.strip()


def description_text(opt: OptionInfo) -> str:
    """Plain-text description of ``opt``."""
    return html_to_text(render_option(opt))


# --------------------------------------------------------------------------- first sentence

# a block ends at a blank line, before a list item and before an indented code block
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*- |    )")
# a full stop, question or exclamation mark followed by white space (or the end): a dot
# inside "1.2.3", "20.09" or "pkgs.hello" is followed by more text and ends nothing
_STOP = re.compile(r"[.!?](?=\s|$)")
# abbreviations that never end a sentence, and those that do before a capital letter
_NEVER_ENDS = re.compile(r"(?:^|[^\w.])(?:e\.g|i\.e|cf|vs|approx|resp|incl|esp|viz|a\.k\.a)\.$",
                         re.IGNORECASE)
_MAY_END = re.compile(r"(?:^|[^\w.])(?:etc|et al)\.$", re.IGNORECASE)


def first_sentence(text: str, limit: int = 140) -> str:
    """The first sentence of plain ``text`` (as :func:`html_to_text` gives), on one line.

    It never runs past the first paragraph (nor into a list or code block that follows),
    so two paragraphs are never joined; "e.g." and "i.e." do not end it, "etc." only
    before a capital letter, and dots inside version numbers or names never do.  Longer
    than ``limit`` characters: cut at a word with "…"."""
    block = _BLOCK_BREAK.split(text.strip(), maxsplit=1)[0]
    block = " ".join(block.split())
    cut = block
    for stop in _STOP.finditer(block):
        head = block[: stop.end()]
        if stop.group() == "." and _NEVER_ENDS.search(head):
            continue
        rest = block[stop.end():].lstrip()
        if stop.group() == "." and _MAY_END.search(head) and rest[:1].islower():
            continue
        cut = head
        break
    if len(cut) > limit:
        room = cut[: limit - 1]
        space = room.rfind(" ")
        cut = (room[:space] if space > limit // 2 else room).rstrip(" ,;:") + "…"
    return cut


def summary(opt: OptionInfo, limit: int = 140) -> str:
    """The first sentence of ``opt``'s description ("" when it has none)."""
    if not opt.description or not opt.description.strip():
        return ""
    return first_sentence(description_text(opt), limit)
