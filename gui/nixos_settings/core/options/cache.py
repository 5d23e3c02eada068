"""Per-source, per-revision cache of option metadata.

Files live in ``$XDG_CACHE_HOME/nixos-settings/`` (``~/.cache/nixos-settings/`` without
the variable) as ``options-<key>.bin``: a magic header, then :mod:`marshal` data made only
of tuples, strings, numbers and JSON-like values.  marshal was chosen after measuring: it
loads these builtin-only structures 2–3x faster than pickle and than orjson on the
equivalent JSON, and the cache is private to this program and version-tagged, so marshal's
lack of a stable cross-version format is harmless (a mismatch is just a cache miss).

Public API
==========

* ``cache_dir() -> Path``
* ``cache_key(kind, label, revision) -> str`` – a file-name-safe key.
* ``save(options, key, directory=None) -> Path`` – atomic write (temp file + rename).
* ``load(key, directory=None) -> OptionSet | None`` – None when missing, stale format or
  corrupt (a corrupt cache is never an error the user has to deal with; it is rebuilt).
* ``entries(directory=None) -> list[CacheEntry]`` – newest first; ``latest(...)``
  returns the newest loadable set (the "best available" source when offline).
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nixos_settings.core.common.files import write_atomically
from nixos_settings.core.options.model import (
    Declaration,
    Literal,
    OptionInfo,
    OptionSet,
    SourceInfo,
)

MAGIC = b"NSOPTCACHE2\n"
# Bump when the tuple layout changes; the Python version is included because marshal's
# format may change between interpreter versions.
# 3: JSON defaults/examples rendered by core.nix.render.to_nix.
FORMAT = (3, sys.version_info[:2])


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/nixos-settings`` (created on demand by :func:`save`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nixos-settings"


def cache_key(kind: str, label: str, revision: str | None) -> str:
    """A readable, file-name-safe key unique for (kind, label, revision)."""
    raw = f"{kind}\0{label}\0{revision or ''}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{kind}-{revision or label}")[:60].strip("-")
    return f"{slug}-{hashlib.sha256(raw.encode()).hexdigest()[:10]}"


def _path(key: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / f"options-{key}.bin"


def _lit(v: Literal | None) -> tuple[str, str, Any] | None:
    return None if v is None else (v.kind, v.text, v.value)


def _pack(o: OptionInfo) -> tuple[Any, ...]:
    return (
        o.name,
        o.loc,
        o.type,
        o.description,
        o.description_format,
        _lit(o.default),
        _lit(o.example),
        tuple((d.name, d.url) for d in o.declarations),
        o.read_only,
        o.internal,
        o.visible,
        o.related_packages,
    )


def _source_tuple(s: SourceInfo) -> tuple[Any, ...]:
    return (s.kind, s.label, s.revision, str(s.path) if s.path else None, s.fetched_at)


def save(options: OptionSet, key: str, directory: Path | None = None) -> Path:
    """Write ``options`` under ``key`` atomically; returns the file path."""
    path = _path(key, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = (
        FORMAT,
        _source_tuple(options.source),
        options.problem,
        [_pack(o) for o in [*options.options, *options.retired.values()]],
    )
    data = MAGIC + marshal.dumps(payload)
    return write_atomically(path, data)


def _unpack_all(rows: list[tuple[Any, ...]]) -> list[OptionInfo]:
    decl_cache: dict[tuple[str, str | None], Declaration] = {}
    out: list[OptionInfo] = []
    append = out.append
    for name, loc, typ, desc, fmt, dflt, ex, decls, ro, internal, visible, rel in rows:
        ds = []
        for d in decls:
            got = decl_cache.get(d)
            if got is None:
                got = decl_cache[d] = Declaration(d[0], d[1])
            ds.append(got)
        append(
            OptionInfo(
                name,
                loc,
                typ,
                desc,
                fmt,
                None if dflt is None else Literal(dflt[0], dflt[1], dflt[2]),
                None if ex is None else Literal(ex[0], ex[1], ex[2]),
                tuple(ds),
                ro,
                internal,
                visible,
                rel,
            )
        )
    return out


def load(key: str, directory: Path | None = None) -> OptionSet | None:
    """The cached set for ``key``, or None (missing, other format, or corrupt)."""
    path = _path(key, directory)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _decode(data)


def _decode(data: bytes) -> OptionSet | None:
    if not data.startswith(MAGIC):
        return None
    # Creating ~100k objects triggers many cyclic-GC passes that find nothing (these are
    # acyclic records); pausing the collector halves the load time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode_body(data)
    finally:
        if was_enabled:
            gc.enable()


def _decode_body(data: bytes) -> OptionSet | None:
    try:
        fmt, src, problem, rows = marshal.loads(data[len(MAGIC) :])
        if tuple(fmt) != (FORMAT[0], tuple(FORMAT[1])):
            return None
        kind, label, revision, spath, fetched = src
        source = SourceInfo(kind, label, revision, Path(spath) if spath else None, fetched)
        return OptionSet(_unpack_all(rows), source, problem)
    except (EOFError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class CacheEntry:
    """One cache file: its key, path and modification time."""

    key: str
    path: Path
    mtime: float


def entries(directory: Path | None = None) -> list[CacheEntry]:
    """Cache files, newest first."""
    d = directory or cache_dir()
    out: list[CacheEntry] = []
    try:
        files = list(d.glob("options-*.bin"))
    except OSError:
        return out
    for p in files:
        try:
            out.append(CacheEntry(p.name[len("options-") : -len(".bin")], p, p.stat().st_mtime))
        except OSError:
            continue
    out.sort(key=lambda e: e.mtime, reverse=True)
    return out


def latest(
    directory: Path | None = None,
    kinds: tuple[str, ...] | None = None,
    label: str | None = None,
) -> OptionSet | None:
    """The newest loadable cached set (optionally only of given source kinds / label)."""
    for e in entries(directory):
        got = load(e.key, directory)
        if got is None:
            continue
        if kinds is not None and got.source.kind not in kinds:
            continue
        if label is not None and got.source.label != label:
            continue
        return got
    return None
