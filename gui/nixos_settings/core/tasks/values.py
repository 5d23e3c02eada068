"""What people type for a task's fields (``port=2222``, ``password-login=no``), checked
and turned into Python values, with one plain sentence when it does not fit."""

from __future__ import annotations

import re
from typing import Any

from nixos_settings.core.tasks.model import Field, TaskError

_TRUE = {"true", "yes", "on", "1", "enable", "enabled"}
_FALSE = {"false", "no", "off", "0", "disable", "disabled"}
_NAME = re.compile(r"[a-z_][a-z0-9_-]*\Z")
_ZONE = re.compile(r"[A-Za-z_+-]+(/[A-Za-z0-9_+-]+)*\Z")


def _bool(f: Field, text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise TaskError(f"{f.name} is yes or no (you gave {text!r})")


def _int(f: Field, text: str, lo: int | None, hi: int | None, what: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise TaskError(f"{f.name} is {what} (you gave {text!r})") from None
    if lo is not None and n < lo:
        raise TaskError(f"{f.name} must be at least {lo} (you gave {n})")
    if hi is not None and n > hi:
        raise TaskError(f"{f.name} must be at most {hi} (you gave {n})")
    return n


def _items(text: str) -> list[str]:
    return [p for p in re.split(r"[,\s]+", text.strip()) if p]


def _timezone(f: Field, text: str) -> str:
    zone = text.strip()
    known = available_timezones()
    if known and zone not in known:
        import difflib

        close = difflib.get_close_matches(zone, sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise TaskError(f"{zone!r} is not a time zone{hint}; write it like Europe/Berlin")
    if not known and not _ZONE.match(zone):
        raise TaskError(f"{zone!r} is not a time zone; write it like Europe/Berlin")
    return zone


def available_timezones() -> set[str]:
    """The IANA zone names this machine knows (empty when it has no zone data)."""
    try:
        import zoneinfo

        return set(zoneinfo.available_timezones())
    except Exception:  # no tzdata at all: checked by shape only
        return set()


def parse_value(f: Field, text: str) -> Any:
    """The Python value of ``text`` for field ``f`` (raises TaskError in plain words)."""
    kind = f.type
    if kind == "bool":
        return _bool(f, text)
    if kind == "int":
        return _int(f, text, f.minimum, f.maximum, "a whole number")
    if kind == "port":
        return _int(f, text, 1, 65535, "a port number (1–65535)")
    if kind == "ports":
        ports = [_int(f, p, 1, 65535, "a list of port numbers") for p in _items(text)]
        if not ports:
            raise TaskError(f"{f.name} needs at least one port number")
        return ports
    if kind == "strs":
        return _items(text)
    if kind == "name":
        name = text.strip()
        if not _NAME.match(name) or len(name) > 32:
            raise TaskError(f"{name!r} is not a valid name: use lower-case letters, digits, "
                            "'-' and '_', starting with a letter")
        return name
    if kind == "enum":
        low = text.strip()
        values = [c for c, _d in f.choices]
        if low not in values:
            raise TaskError(f"{f.name} is one of {', '.join(values)} (you gave {text!r})")
        return low
    if kind == "timezone":
        return _timezone(f, text)
    return text


def plain(value: Any) -> str:
    """A field value as people type it (and as ``when`` conditions compare it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(plain(v) for v in value)
    return str(value)
