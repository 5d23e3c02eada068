"""POSIX extended regular expressions (Nix's ``builtins.match``) in Python's ``re`` syntax."""

from __future__ import annotations

_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "xdigit": "0-9A-Fa-f",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~",
    "print": " -~",
    "graph": "!-~",
    "cntrl": "\\x00-\\x1f\\x7f",
}


def posix_to_python(pattern: str) -> str:
    """Translate a POSIX extended regex (what Nix's ``builtins.match`` and so
    ``types.strMatching`` use) to Python's ``re`` syntax.

    Differences handled: character classes such as ``[[:alnum:]]``, a backslash inside a
    bracket expression (literal in POSIX), and a ``]`` first in a bracket expression.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        j = i + 1
        buf = ["["]
        if j < n and pattern[j] == "^":
            buf.append("^")
            j += 1
        if j < n and pattern[j] == "]":
            buf.append("\\]")
            j += 1
        while j < n and pattern[j] != "]":
            if pattern.startswith("[:", j):
                end = pattern.find(":]", j + 2)
                name = pattern[j + 2 : end] if end != -1 else ""
                if name in _POSIX_CLASSES:
                    buf.append(_POSIX_CLASSES[name])
                    j = end + 2
                    continue
            ch = pattern[j]
            buf.append("\\" + ch if ch in "\\[" else ch)
            j += 1
        if j >= n:  # unterminated: leave it for re to report
            out.append(pattern[i:])
            break
        buf.append("]")
        out.append("".join(buf))
        i = j + 1
    return "".join(out)


