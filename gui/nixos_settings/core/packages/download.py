"""A channel's ``packages.json.br``: downloaded with progress, resumed, cached, offline after.

The file goes to ``$XDG_CACHE_HOME/nixos-settings/packages/`` as ``NAME-REVISION.json.br``;
while it arrives it is ``….part``, and a later attempt asks the server only for the missing
bytes (an HTTP range request; a server that ignores it sends the whole file again).  A
download that turns out damaged is deleted, so the next attempt starts afresh.  The
channel's ``git-revision`` says whether the cached copy is still current; when the server
cannot be reached, the newest index of that channel is used.
"""

from __future__ import annotations

import http.client
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from nixos_settings.core.packages.catalogue import CatalogueError
from nixos_settings.core.packages.files import Progress, cache_dir, open_or_build, say
from nixos_settings.core.packages.index import PackageIndex

DEFAULT_BASE = "https://channels.nixos.org"
CHUNK = 256 * 1024


class Cancelled(CatalogueError):
    """The user cancelled the download."""


def base_url(base: str | None = None) -> str:
    return (base or os.environ.get("NIXOS_SETTINGS_CHANNEL_URL") or DEFAULT_BASE).rstrip("/")


def system_channel() -> str:
    """The channel of the running NixOS release (``nixos-24.05``, ``nixos-unstable``)."""
    from nixos_settings.core.common.errors import OptionsError
    from nixos_settings.core.options.sources import channel_for_system

    try:
        return channel_for_system()
    except OptionsError as err:
        raise CatalogueError(str(err)) from None


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"the server answered {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return str(err.reason)
    return str(err)


def _revision(base: str) -> str:
    req = urllib.request.Request(f"{base}/git-revision", headers={"User-Agent": "nixos-settings"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read(200).decode("ascii", "replace").strip()
    if not re.fullmatch(r"[0-9a-zA-Z._-]{1,64}", text):
        raise CatalogueError(f"{base}/git-revision does not hold a revision")
    return str(text[:40])


def fetch(url: str, dest: Path, progress: Progress | None = None,
          cancel: Callable[[], bool] | None = None) -> Path:
    """Download ``url`` to ``dest``, resuming from ``dest.part`` when it exists."""
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "nixos-settings"}
    if have:
        headers["Range"] = f"bytes={have}-"
    req = urllib.request.Request(url, headers=headers)
    got = have
    total: int | None = None
    try:
        got, total = _receive(req, part, have, progress, cancel)
    except http.client.HTTPException as err:
        raise CatalogueError(f"the download stopped ({type(err).__name__}); try again to "
                             "continue it") from None
    if total is not None and got < total:
        raise CatalogueError(f"the download stopped after {got} of {total} bytes; try again "
                             "to continue it")
    os.replace(part, dest)
    return dest


def _receive(req: urllib.request.Request, part: Path, have: int, progress: Progress | None,
             cancel: Callable[[], bool] | None) -> tuple[int, int | None]:
    with urllib.request.urlopen(req, timeout=30) as resp:
        if have and resp.status != 206:
            have = 0  # the server sends the whole file
        size = resp.headers.get("Content-Length")
        total = have + int(size) if size and size.isdigit() else None
        with open(part, "ab" if have else "wb") as out:
            got = have
            while chunk := resp.read(CHUNK):
                if cancel is not None and cancel():
                    raise Cancelled("the download was cancelled; it continues where it "
                                    "stopped next time")
                out.write(chunk)
                got += len(chunk)
                say(progress, f"Downloading the package list: {got // 1024} KiB",
                     got / total if total else None)
    return got, total


def channel_index(channel: str, progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None, *, base: str | None = None,
                  directory: Path | None = None) -> PackageIndex:
    """The index of ``channel``'s packages: cached for its current revision, else
    downloaded; offline, the newest cached index of that channel."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", channel):
        raise CatalogueError(f"{channel!r} is not a channel name (for example nixos-24.05)")
    folder = directory or cache_dir()
    url = f"{base_url(base)}/{channel}"
    try:
        revision = _revision(url)
    except (urllib.error.URLError, OSError) as err:
        cached = sorted(folder.glob(f"channel-{channel}-*.sqlite"),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        if cached:
            return PackageIndex(cached[0])
        raise CatalogueError(f"cannot reach {url} ({_reason(err)}) and no package list of "
                             f"{channel} was downloaded before; connect and try again") from None

    def build(path: Path) -> None:
        from nixos_settings.core.packages import catalogue, index

        folder.mkdir(parents=True, exist_ok=True)
        file = folder / f"{channel}-{revision}.json.br"
        if not file.exists():
            try:
                fetch(f"{url}/packages.json.br", file, progress, cancel)
            except (urllib.error.URLError, OSError) as err:
                raise CatalogueError(f"the package list of {channel} could not be downloaded "
                                     f"({_reason(err)}); try again to continue") from None
        say(progress, "Reading the package list …")
        try:
            rows = catalogue.read_file(file)
        except CatalogueError:
            file.unlink(missing_ok=True)
            raise CatalogueError(f"the downloaded package list of {channel} is damaged; it "
                                 "was deleted, try again to download it afresh") from None
        say(progress, f"Indexing {len(rows)} packages …")
        index.build(rows, path, {"label": f"NixOS channel {channel}", "kind": "channel",
                                 "revision": revision})
        for old in folder.glob(f"{channel}-*.json.br"):
            if old != file:
                old.unlink(missing_ok=True)

    return open_or_build(folder / f"channel-{channel}-{revision}.sqlite", build)
