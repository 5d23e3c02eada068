"""Text layout of edits: lines, indentation, comments, line endings.

Pure byte arithmetic on a file's source, no syntax tree: where a line starts and ends, how
deep it is indented, which comment belongs to an item, what the file's indentation step and
line break are, and which bytes to take away with an item so that no gap is left.
"""

from __future__ import annotations

import functools
import re


def line_start(src: bytes, pos: int) -> int:
    """Offset of the start of the line of ``pos``."""
    return src.rfind(b"\n", 0, pos) + 1


def line_end(src: bytes, pos: int) -> int:
    """Offset of the line break ending the line of ``pos`` (``\\r`` of CRLF), or EOF."""
    nl = src.find(b"\n", pos)
    if nl == -1:
        return len(src)
    return nl - 1 if nl > 0 and src[nl - 1 : nl] == b"\r" else nl


def after_newline(src: bytes, pos: int) -> int:
    """Offset of the start of the line after the one of ``pos`` (or EOF)."""
    nl = src.find(b"\n", pos)
    return len(src) if nl == -1 else nl + 1


def indent_at(src: bytes, pos: int) -> bytes:
    """The spaces and tabs starting the line of ``pos`` (up to ``pos``)."""
    ls = line_start(src, pos)
    m = re.match(rb"[ \t]*", src[ls:pos])
    return m.group(0) if m else b""


def first_on_line(src: bytes, pos: int) -> bool:
    """Whether only blanks come before ``pos`` on its line."""
    return src[line_start(src, pos) : pos].strip(b" \t") == b""


def skip_trailing_comment(src: bytes, pos: int) -> int:
    """End of a comment that follows ``pos`` on the same line, else ``pos``."""
    i = pos
    while i < len(src) and src[i : i + 1] in (b" ", b"\t"):
        i += 1
    if src[i : i + 1] == b"#":
        return line_end(src, i)
    if src[i : i + 2] == b"/*":
        close = src.find(b"*/", i + 2)
        if close != -1:
            return close + 2
    return pos


def rest_of_line_blank(src: bytes, pos: int) -> bool:
    """Whether only blanks follow ``pos`` on its line."""
    return src[pos : line_end(src, pos)].strip(b" \t") == b""


@functools.lru_cache(maxsize=16)
def indent_unit(src: bytes) -> bytes:
    """The file's indentation step: a tab, or the most common space step (default two)."""
    tabs = spaces = 0
    widths: dict[int, int] = {}
    prev = 0
    # The style shows in the first few hundred lines; scanning a whole large file on every
    # edit would cost more than the edit itself.
    for line in src[:24_000].splitlines():
        stripped = line.lstrip(b" \t")
        if not stripped:
            continue
        lead = line[: len(line) - len(stripped)]
        if lead.startswith(b"\t"):
            tabs += 1
        elif lead:
            spaces += 1
            step = len(lead) - prev
            if step > 0:
                widths[step] = widths.get(step, 0) + 1
        prev = len(lead) if not lead.startswith(b"\t") else prev
    if tabs > spaces:
        return b"\t"
    if not widths:
        return b"  "
    best = max(widths.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return b" " * max(1, min(best, 8))


def reindent(text: str, indent: bytes) -> str:
    """Indent every line of ``text`` after the first by ``indent``.

    Only lines split at ``\n`` count (as for Nix, not ``str.splitlines``), and every line
    that is not empty gets the indentation, whatever it holds: inside a ``''`` string Nix
    strips the smallest indentation in *spaces* of the lines that hold anything but spaces,
    so a line of NBSP, ``\v``, ``\f`` or U+2028 is content there, and shifting every such
    line by the same spaces keeps the string's value.  Empty lines stay empty (they count
    for nothing) and lines of spaces only may take the indentation too (Nix strips them
    the same way).
    """
    if "\n" not in text:
        return text
    ind = indent.decode()
    first, *rest = text.split("\n")
    return "\n".join([first] + [ind + ln if ln else ln for ln in rest])


def with_newlines(text: str, newline: bytes) -> bytes:
    """``text`` as UTF-8 with the file's line break (``\\n`` or ``\\r\\n``)."""
    data = text.encode("utf-8")
    if newline == b"\r\n":
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data


def removal_span(src: bytes, start: int, end: int) -> tuple[int, int]:
    """Bytes to delete to remove the item at ``start:end`` with its own line(s)."""
    if first_on_line(src, start):
        after = skip_trailing_comment(src, end)
        if rest_of_line_blank(src, after):
            s = line_start(src, start)
            s = leading_comments(src, s)
            e = after_newline(src, after)
            return _with_gap(src, s, e)
        # more on this line after the item: take the item and the spaces after it
        e = end
        while src[e : e + 1] in (b" ", b"\t"):
            e += 1
        return start, e
    s = start
    while s > 0 and src[s - 1 : s] in (b" ", b"\t"):
        s -= 1
    return s, end


def _with_gap(src: bytes, s: int, e: int) -> tuple[int, int]:
    """The whole lines ``s:e`` with the blank line that removing them would leave out of
    rhythm: one of two blank lines around them (no double gap), a blank line above them
    when a closing bracket follows, below them when an opening one comes before."""
    above = s > 0 and _blank_line_before(src, s)
    below = src[e : after_newline(src, e)].strip() if e < len(src) else None
    if below == b"" and (above or _opens_above(src, s)):
        return s, after_newline(src, e)
    if above and below is not None and below[:1] in (b"}", b"]"):
        return line_start(src, s - 1), e
    return s, e


def _opens_above(src: bytes, ls: int) -> bool:
    """Whether the line above ``ls`` ends with an opening ``{`` or ``[``."""
    return ls > 0 and src[line_start(src, ls - 1) : ls].rstrip()[-1:] in (b"{", b"[")


def _blank_line_before(src: bytes, ls: int) -> bool:
    prev = line_start(src, ls - 1)
    return src[prev:ls].strip() == b""


def leading_comments(src: bytes, ls: int) -> int:
    """Extend a line start upwards over a block of ``#`` comment lines directly above."""
    while ls > 0:
        prev = line_start(src, ls - 1)
        text = src[prev:ls].strip()
        if text.startswith(b"#") or (text.startswith(b"/*") and text.endswith(b"*/")):
            ls = prev
            continue
        break
    return ls


def blank_line_between(src: bytes, end: int, start: int) -> bool:
    """Whether an empty (or blank) line separates the item ending at ``end`` (with its
    same-line comment) from the one starting at ``start``: the spacing of two neighbours."""
    gap = src[after_newline(src, skip_trailing_comment(src, end)) : line_start(src, start)]
    return any(not ln.strip() for ln in gap.splitlines())


def parenthesized(src: bytes, start: int, end: int) -> bool:
    """Whether ``start:end`` sits directly inside parentheses."""
    before = src[:start].rstrip()
    return before.endswith(b"(") and src[end:].lstrip().startswith(b")")
