"""Where package catalogues come from and where their indexes live.

Sources (the CLI's ``--packages SRC``):

* a local file: ``.json``, ``.json.br`` or ``.json.gz`` in the channel format or the
  ``nix search --json`` format;
* ``channel:NAME`` (``channel`` alone: the running system's release): the channel's
  ``packages.json.br``, downloaded with progress, resumed after an interruption, cached, and
  used offline afterwards; downloaded again only when the channel's revision changes;
* ``nix``: asks the installed Nix (``nix search nixpkgs --json``, else
  ``nix-env -qaP --json --meta``), for flakes and unusual set-ups.

Every catalogue revision gets one index file in ``$XDG_CACHE_HOME/nixos-settings/packages/``,
built once.  Without a source, the newest index there is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from nixos_settings.core.packages.catalogue import CatalogueError
from nixos_settings.core.packages.files import Progress, cache_dir, key, open_or_build, say
from nixos_settings.core.packages.index import PackageIndex

NO_CATALOGUE = ("no package list yet: give --packages channel:NAME (for example "
                "channel:nixos-24.05), --packages FILE or --packages nix")


def index_for_file(file: Path | str, progress: Progress | None = None,
                   directory: Path | None = None) -> PackageIndex:
    """The index of a local package list, built on first use (and when the file changes)."""
    file = Path(file).expanduser()
    try:
        st = file.stat()
    except OSError as err:
        raise CatalogueError(f"cannot read the package list {file}: {err.strerror}") from None
    revision = key(f"{file.resolve()}|{st.st_size}|{st.st_mtime_ns}")
    target = (directory or cache_dir()) / f"file-{revision}.sqlite"

    def build(path: Path) -> None:
        from nixos_settings.core.packages import catalogue, index

        say(progress, f"Reading {file.name} …")
        rows = catalogue.read_file(file)
        say(progress, f"Indexing {len(rows)} packages …")
        index.build(rows, path, {"label": str(file), "kind": "file", "revision": revision})

    return open_or_build(target, build)


def latest_index(directory: Path | None = None) -> PackageIndex | None:
    """The most recently built index in the cache, or None."""
    folder = directory or cache_dir()
    try:
        found = sorted(folder.glob("*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for path in found:
        try:
            return PackageIndex(path)
        except CatalogueError:
            continue
    return None


def open_source(source: str | None, progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None,
                directory: Path | None = None) -> PackageIndex:
    """The index for ``--packages SRC`` (None: the newest built one)."""
    if not source:
        found = latest_index(directory)
        if found is None:
            raise CatalogueError(NO_CATALOGUE)
        return found
    if source == "channel" or source.startswith("channel:"):
        from nixos_settings.core.packages import download

        name = source.partition(":")[2] or download.system_channel()
        return download.channel_index(name, progress, cancel, directory=directory)
    if source == "nix":
        from nixos_settings.core.packages import fromnix

        return fromnix.nix_index(progress, directory=directory)
    if re.match(r"^[a-z]+:", source) and not Path(source).exists():
        raise CatalogueError(f"unknown package source {source!r}: give a file, "
                             "channel:NAME or nix")
    return index_for_file(source, progress, directory)
