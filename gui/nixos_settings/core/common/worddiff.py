"""Which words of a changed line changed: for highlighting inside a unified diff.

A unified diff says which lines went (``-``) and came (``+``); within a hunk, a run of removed
lines followed by a run of added lines is read as the old and new version of the same lines,
paired in order.  For each pair, :func:`changed_spans` compares the lines word by word (a
word: a run of letters, digits and ``_``; a run of white space; or one other character) and
gives the character ranges of the words that differ on each side.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int]  # [start, end) in characters

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

#: lines longer than this are not compared word by word (the comparison grows with the
#: product of their lengths); the whole line stays marked
LONGEST = 5000


def tokens(line: str) -> list[Span]:
    """The words of ``line`` as character ranges (together they cover the whole line)."""
    return [m.span() for m in _TOKEN.finditer(line)]


def _merge(spans: list[Span], line: str) -> list[Span]:
    """Join ranges that only white space separates; trim white space off their ends (a
    range of white space alone, an indentation change, stays)."""
    out: list[Span] = []
    for s, e in spans:
        if out and (out[-1][1] == s or line[out[-1][1]:s].isspace()):
            out[-1] = (out[-1][0], e)
        elif s < e:
            out.append((s, e))
    trimmed = []
    for s, e in out:
        piece = line[s:e]
        if piece.strip():
            s, e = s + len(piece) - len(piece.lstrip()), e - (len(piece) - len(piece.rstrip()))
        trimmed.append((s, e))
    return trimmed


def changed_spans(old: str, new: str) -> tuple[list[Span], list[Span]]:
    """The character ranges of the words that differ between ``old`` and ``new``: (ranges in
    ``old``, ranges in ``new``), ranges only white space separates joined.  Lines with no
    word in common (besides white space) give no ranges: the whole line changed, nothing to
    point at; so do lines longer than :data:`LONGEST`."""
    from difflib import SequenceMatcher  # only when a diff is shown

    if len(old) > LONGEST or len(new) > LONGEST:
        return [], []
    a, b = tokens(old), tokens(new)
    wa = [old[s:e] for s, e in a]
    wb = [new[s:e] for s, e in b]
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    shared = any(wa[blk.a + k].strip() for blk in matcher.get_matching_blocks()
                 for k in range(blk.size))
    if not shared:
        return [], []
    in_old: list[Span] = []
    in_new: list[Span] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if i1 < i2:
            in_old.append((a[i1][0], a[i2 - 1][1]))
        if j1 < j2:
            in_new.append((b[j1][0], b[j2 - 1][1]))
    return _merge(in_old, old), _merge(in_new, new)


def diff_word_spans(diff: str) -> dict[int, list[Span]]:
    """For the unified diff ``diff``: row (0-based line of ``diff``) → character ranges of
    the changed words on that row (offsets count the leading ``-``/``+``).  Rows not paired
    with a counterpart, and pairs with nothing in common, have no entry."""
    rows = list(_rows(diff))
    out: dict[int, list[Span]] = {}
    i = 0
    while i < len(rows):
        if rows[i][1] != "-":
            i += 1
            continue
        start = i
        while i < len(rows) and rows[i][1] == "-":
            i += 1
        middle = i
        while i < len(rows) and rows[i][1] == "+":
            i += 1
        for k in range(min(middle - start, i - middle)):
            (o, _, old, _, _), (n, _, new, _, _) = rows[start + k], rows[middle + k]
            old_spans, new_spans = changed_spans(old[1:], new[1:])
            if old_spans:
                out[o] = [(s + 1, e + 1) for s, e in old_spans]
            if new_spans:
                out[n] = [(s + 1, e + 1) for s, e in new_spans]
    return out


_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _rows(diff: str) -> Iterator[tuple[int, str, str, int, int]]:
    """Each row of a unified diff: (row, kind, text, old line, new line); kind is ``-``,
    ``+``, ``" "`` (context) inside hunks (the line numbers are the row's, 1-based), else
    ``h`` (file headers, hunk headers, "no newline" notes)."""
    old_left = new_left = 0
    o = n = 0
    for row, text in enumerate(diff.split("\n")):
        m = _HUNK.match(text) if old_left <= 0 and new_left <= 0 else None
        if m:
            o, n = int(m.group(1)), int(m.group(3))
            old_left = int(m.group(2) or 1)
            new_left = int(m.group(4) or 1)
        kind = text[:1] if (old_left > 0 or new_left > 0) and not m else "h"
        if kind not in ("-", "+", " "):
            yield row, "h", text, 0, 0
            continue
        yield row, kind, text, o, n
        if kind != "+":
            o, old_left = o + 1, old_left - 1
        if kind != "-":
            n, new_left = n + 1, new_left - 1


def row_kinds(diff: str) -> list[str]:
    """The kind of each row of ``diff``: ``-``, ``+`` or ``" "`` inside hunks, ``@`` for a
    hunk header, ``h`` for a file header (``---``/``+++``), ``""`` for anything else."""
    out = []
    for _, kind, text, _, _ in _rows(diff):
        if kind == "h":
            kind = "@" if _HUNK.match(text) else "h" if text.startswith(("--- ", "+++ ")) else ""
        out.append(kind)
    return out


def row_of(diff: str, line: int, *, old: bool = False) -> int | None:
    """The row (0-based) of ``diff`` that shows line ``line`` (1-based) of the new file (of
    the old one with ``old``), or None when no hunk shows it."""
    for row, kind, _, o, n in _rows(diff):
        if kind == " " and line == (o if old else n):
            return row
        if kind == ("-" if old else "+") and line == (o if old else n):
            return row
    return None
