"""Option paths: tuples of segments, and their dotted display form.

A *loc* is a tuple of strings, exactly as nixpkgs' ``loc``.  The display form quotes every
segment that is not a plain Nix identifier, the way nixpkgs' ``showOption`` does:
``networking.hosts."127.0.0.1"``.  Placeholders (``<name>``, ``*``) stay unquoted.
"""

from __future__ import annotations

import re

from nixos_settings.core.common.errors import OptionPathError

Loc = tuple[str, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_'\-]*\Z")
_KEYWORDS = frozenset(
    {"assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with"}
)


_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_\-]*\??>\Z")


def _bare_placeholder(segment: str) -> bool:
    """``*``, ``<name>``, ``<name?>`` and the like: written without quotes in option names."""
    return segment == "*" or bool(_PLACEHOLDER.match(segment))


def is_identifier(segment: str) -> bool:
    """True when ``segment`` can be written unquoted as an attribute name."""
    return bool(_IDENT.match(segment)) and segment not in _KEYWORDS


def quote_segment(segment: str) -> str:
    """A Nix string literal for ``segment`` (escaping ``"``, ``\\`` and ``${``)."""
    out = segment.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def show_segment(segment: str) -> str:
    if is_identifier(segment) or _bare_placeholder(segment):
        return segment
    return quote_segment(segment)


def is_placeholder(segment: str) -> bool:
    """``<name>``, ``<name?>``, ``*`` or any other ``<...>`` segment: a template's stand-in
    for the names a user chooses (``users.users.<name>.shell``)."""
    return segment == "*" or (len(segment) > 2 and segment[0] == "<" and segment[-1] == ">")


def show(loc: Loc | list[str]) -> str:
    """Display form of a loc: ``a.b."c.d"``."""
    return ".".join(show_segment(s) for s in loc)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def parse(text: str) -> Loc:
    """Parse a dotted option name typed by a user into its segments.

    ``a."b.c".d`` → ``("a", "b.c", "d")``.  Raises :class:`OptionPathError` on bad input.
    """
    segments: list[str] = []
    i, n = 0, len(text)
    if not text.strip():
        raise OptionPathError("empty option name")
    while i < n:
        if text[i] == '"':
            i += 1
            buf: list[str] = []
            while True:
                if i >= n:
                    raise OptionPathError(f"unterminated quote in option name {text!r}")
                c = text[i]
                if c == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    buf.append(_ESCAPES.get(nxt, nxt))
                    i += 2
                    continue
                if c == '"':
                    i += 1
                    break
                buf.append(c)
                i += 1
            segments.append("".join(buf))
        else:
            j = i
            while j < n and text[j] != ".":
                if text[j] == '"':
                    raise OptionPathError(
                        f"unexpected quote at position {j + 1} in option name {text!r}"
                    )
                j += 1
            seg = text[i:j]
            if not seg:
                raise OptionPathError(f"empty segment at position {i + 1} in {text!r}")
            if seg.startswith("@"):
                raise OptionPathError(
                    f"{seg!r} in {text!r} is not part of an option name: in Nix, @ names a "
                    "function's whole argument set ({ … }@args); give the option's dotted "
                    "name, such as services.openssh.enable"
                )
            if not (is_identifier(seg) or _bare_placeholder(seg)):
                raise OptionPathError(
                    f"segment {seg!r} in {text!r} must be quoted (\"{seg}\")"
                )
            segments.append(seg)
            i = j
        if i < n:
            if text[i] != ".":
                raise OptionPathError(f"expected '.' at position {i + 1} in {text!r}")
            i += 1
            if i == n:
                raise OptionPathError(f"option name {text!r} ends with '.'")
    return tuple(segments)
