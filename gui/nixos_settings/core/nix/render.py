"""Python values → Nix source text.

``to_nix(value, indent, unit, newline)`` renders bool, int, float, None, str, lists, dicts,
:class:`NixPath` and :class:`NixExpr` (raw Nix text).  Every string it writes evaluates back to
exactly the same string: single-line strings use ``"…"`` with ``\\``, ``"`` and ``${``
escaped; multi-line strings use ``''…''`` when that form can represent them exactly (its
indentation stripping is accounted for), else ``"…"`` with ``\\n``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nixos_settings.core.nix import optpath


@dataclass(frozen=True)
class NixExpr:
    """Nix text inserted as written."""

    text: str


@dataclass(frozen=True)
class NixPath:
    """A Nix path literal (``./hardware.nix``, ``/etc/foo``)."""

    path: str


_PATH_OK = re.compile(r"(\.{1,2}|~)?(/[A-Za-z0-9._+\-]+)+/?\Z")


def render_path(p: str) -> str:
    if p.endswith("/") and len(p) > 1:
        p = p[:-1]
    if _PATH_OK.match(p):
        return p
    if not p.startswith(("/", "./", "../", "~/")) and _PATH_OK.match("./" + p):
        return "./" + p
    raise ValueError(f"{p!r} cannot be written as a Nix path literal")


def escape_double(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def render_double(s: str) -> str:
    return f'"{escape_double(s)}"'


def _indented_ok(s: str) -> bool:
    if "\n" not in s or "\r" in s or s.endswith("'") or s.endswith("$"):
        return False
    lines = s.split("\n")
    content = [ln for ln in lines if ln.strip(" ")]
    if not content or not any(not ln.startswith(" ") for ln in content):
        return False
    if any(ln and not ln.strip(" \t") for ln in lines):
        return False  # whitespace-only lines: kept exact only by "…"
    # Some non-blank line must start without a space, else Nix strips more than the
    # indentation we add (a line starting with a tab counts as indentation 0).
    return True


def _indented_safe(s: str) -> bool:
    """No quote directly before a dollar-brace: escaped, it would read as an escaped ''."""
    return "'${" not in s


def escape_indented(s: str) -> str:
    return s.replace("''", "'''").replace("${", "''${")


def render_indented(s: str, indent: str, unit: str, newline: str) -> str:
    inner = indent + unit
    out = ["''"]
    for line in s.split("\n"):
        out.append(newline + (inner + escape_indented(line) if line else ""))
    if s.endswith("\n"):
        out[-1] = newline + indent + "''"
        return "".join(out)
    return "".join(out) + "''"


def render_string(s: str, indent: str = "", unit: str = "  ", newline: str = "\n") -> str:
    # Nix strips only spaces from ''-strings: with tab indentation, use "…" instead.
    # Nix 2.8 keeps the CR of CRLF line ends inside ''-strings: CRLF files get "..." too.
    if ("\t" not in indent + unit and newline == "\n" and _indented_ok(s)
            and _indented_safe(s)):
        return render_indented(s, indent, unit, newline)
    return render_double(s)


def render_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise ValueError("Nix has no literal for NaN or infinity")
    if f != 0 and abs(f) < 2.2250738585072014e-308:
        raise ValueError(f"{f!r} is too small for a Nix float literal")
    text = repr(f)
    if "e" in text:
        mant, exp = text.split("e")
        if "." not in mant:
            mant += ".0"
        text = f"{mant}e{exp}"
    return text


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, NixPath)) or (
        isinstance(value, str) and "\n" not in value
    ) or (isinstance(value, NixExpr) and "\n" not in value.text)


def to_nix(value: object, indent: str = "", unit: str = "  ", newline: str = "\n") -> str:
    """Nix text for ``value``, laid out to start at a line indented by ``indent``."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return render_float(value)
    if isinstance(value, str):
        return render_string(value, indent, unit, newline)
    if isinstance(value, NixExpr):
        return value.text
    if isinstance(value, NixPath):
        return render_path(value.path)
    if isinstance(value, Mapping):
        return _render_attrs(value, indent, unit, newline)
    if isinstance(value, Sequence):
        return _render_list(value, indent, unit, newline)
    raise TypeError(f"cannot render {type(value).__name__} as Nix")


def _element(value: object, indent: str, unit: str, newline: str) -> str:
    text = to_nix(value, indent, unit, newline)
    if (isinstance(value, (int, float)) and not isinstance(value, bool)
            and (value < 0 or math.copysign(1, value) < 0)) or (
        isinstance(value, NixExpr) and _needs_parens(value.text)
    ):
        return f"({text})"
    return text


def _needs_parens(text: str) -> bool:
    t = text.strip()
    if not t or (t[0] in "([{\"'" and t[-1] in ")]}\"'"):
        return False
    return bool(re.search(r"\s", t)) or t.startswith("-")


def _render_list(items: Sequence[object], indent: str, unit: str, newline: str) -> str:
    if not items:
        return "[ ]"
    if all(_scalar(v) for v in items):
        inline = "[ " + " ".join(_element(v, indent, unit, newline) for v in items) + " ]"
        if len(inline) + len(indent) <= 80:
            return inline
    inner = indent + unit
    parts = [newline + inner + _element(v, inner, unit, newline) for v in items]
    return "[" + "".join(parts) + newline + indent + "]"


def _render_attrs(attrs: Mapping[object, object], indent: str, unit: str, newline: str) -> str:
    if not attrs:
        return "{ }"
    inner = indent + unit
    parts = []
    for key, v in attrs.items():
        key = str(key)
        name = key if optpath.is_identifier(key) else optpath.quote_segment(key)
        parts.append(f"{newline}{inner}{name} = {to_nix(v, inner, unit, newline)};")
    return "{" + "".join(parts) + newline + indent + "}"
