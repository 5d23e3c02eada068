"""The built search index, cached on disk and keyed by the hash of the option metadata, so
that ``nixos-settings search`` answers without parsing the metadata or building the index.

* ``metadata_key(data) -> str`` – the key of one metadata file's bytes (SHA-256 prefix).
* ``index_for_file(path, directory=None) -> SearchIndex`` – the index of an options file
  (``.json``, ``.json.gz``, ``.json.br``): from the cache when one was saved for the same
  bytes, else built from the file and saved.
* ``index_for_options(options, key, directory=None) -> SearchIndex`` – the same for an option
  set already loaded from elsewhere (a channel, the metadata cache), under a key the caller
  derives from that source's own hash or revision.
* ``save(index, key, directory=None)``, ``load(key, directory=None) -> SearchIndex | None``.

Files live beside the metadata cache (:func:`nixos_settings.core.options.cache.cache_dir`) as
``search-<key>.bin``: a magic header, then :mod:`marshal` data.  A loaded index unpacks an
option only when a query returns it (or a filter needs its type), so loading costs about the
size of the index, not of the metadata.  A missing, stale or corrupt file is a cache miss.

The CLI is expected to call :func:`index_for_file` when ``--options`` names a file (and
:func:`index_for_options` for other sources).
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import sys
from pathlib import Path

from nixos_settings.core.common.files import write_atomically
from nixos_settings.core.options.cache import cache_dir
from nixos_settings.core.options.model import OptionSet, load_file
from nixos_settings.core.options.search import SearchIndex
from nixos_settings.core.options.words import popularity

MAGIC = b"NSSEARCH1\n"
# Bump when SearchIndex's state changes; marshal's format may change between interpreters.
FORMAT = (3, sys.version_info[:2])


def _stamp() -> tuple[int, int]:
    """The popularity table the index was ranked with (it is baked into the option order)."""
    counts = popularity()
    return (len(counts), sum(counts.values()))


def metadata_key(data: bytes) -> str:
    """Key of one metadata file (its bytes as stored, compressed or not)."""
    return hashlib.sha256(data).hexdigest()[:32]


def _path(key: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / f"search-{key}.bin"


def save(index: SearchIndex, key: str, directory: Path | None = None) -> Path:
    """Write ``index`` under ``key`` atomically; returns the file path."""
    path = _path(key, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = MAGIC + marshal.dumps((FORMAT, _stamp(), index.state()))
    return write_atomically(path, data)


def load(key: str, directory: Path | None = None) -> SearchIndex | None:
    """The cached index for ``key``, or None (missing, other format, or corrupt)."""
    try:
        data = _path(key, directory).read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of acyclic lists: nothing for the collector
    try:
        fmt, stamp, state = marshal.loads(memoryview(data)[len(MAGIC):])
        if tuple(fmt) != (FORMAT[0], tuple(FORMAT[1])) or tuple(stamp) != _stamp():
            return None
        return SearchIndex.from_state(state)
    except (EOFError, ValueError, TypeError, KeyError):
        return None
    finally:
        if was_enabled:
            gc.enable()


def index_for_file(path: Path | str, directory: Path | None = None) -> SearchIndex:
    """The search index of the options file ``path`` (cached by the file's hash)."""
    p = Path(path)
    key = metadata_key(p.read_bytes())
    got = load(key, directory)
    if got is not None:
        return got
    index = SearchIndex(load_file(p))
    try:
        save(index, key, directory)
    except OSError:
        pass  # a read-only cache directory only costs speed
    return index


def index_for_options(options: OptionSet, key: str, directory: Path | None = None) -> SearchIndex:
    """The search index of ``options``, cached under ``key`` (which must change whenever the
    metadata does, e.g. :func:`metadata_key` of the bytes it was read from)."""
    got = load(key, directory)
    if got is not None and len(got) == len(options):
        return got
    index = SearchIndex(options)
    try:
        save(index, key, directory)
    except OSError:
        pass
    return index
