"""The channel download, against a real HTTP server on localhost (http.server in a thread):
progress, cache per revision, offline use, a download cut off half-way and resumed with a
range request, a damaged file, a new revision."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

import make_packages

from nixos_settings.core.packages import download, store
from nixos_settings.core.packages.catalogue import CatalogueError


class Channel:
    """What the server serves and what it was asked."""

    def __init__(self) -> None:
        self.revision = "aaaa1111"
        self.body = brotli.compress(orjson.dumps(make_packages.channel(400)), quality=4)
        self.cut_after: int | None = None  # close the connection after so many bytes, once
        self.ranges = True  # honour range requests
        self.requests: list[tuple[str, str | None]] = []


def make_handler(ch: Channel) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            rng = self.headers.get("Range")
            ch.requests.append((self.path, rng))
            if self.path == "/nixos-test/git-revision":
                self._send(200, ch.revision.encode())
            elif self.path == "/nixos-test/packages.json.br":
                body, status = ch.body, 200
                if rng and ch.ranges:
                    start = int(rng.removeprefix("bytes=").rstrip("-"))
                    body, status = body[start:], 206
                cut, ch.cut_after = ch.cut_after, None
                self._send(status, body, cut)
            else:
                self._send(404, b"not here")

        def _send(self, status: int, body: bytes, cut: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])
            self.wfile.flush()
            if cut is not None:
                self.close_connection = True

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Channel]]:
    ch = Channel()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(ch))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", ch
    finally:
        httpd.shutdown()
        httpd.server_close()


def downloads(ch: Channel) -> list[str | None]:
    return [rng for path, rng in ch.requests if path.endswith("packages.json.br")]


def test_download_with_progress_then_cached_then_offline(server: tuple[str, Channel],
                                                         tmp_path: Path) -> None:
    base, ch = server
    seen: list[tuple[str, float | None]] = []
    idx = download.channel_index("nixos-test", lambda m, f: seen.append((m, f)), base=base,
                                 directory=tmp_path)
    assert idx.count == 400 and idx.get("firefox") is not None
    assert idx.meta["revision"] == "aaaa1111"
    fractions = [f for _m, f in seen if f is not None]
    assert fractions and fractions[-1] == 1.0
    assert any("Indexing 400 packages" in m for m, _f in seen)
    # the same revision again: no second download
    download.channel_index("nixos-test", base=base, directory=tmp_path)
    assert downloads(ch) == [None]
    # offline: the cached index
    offline = download.channel_index("nixos-test", base="http://127.0.0.1:9", directory=tmp_path)
    assert offline.count == 400
    assert store.latest_index(tmp_path) is not None


def test_interrupted_download_resumes_with_a_range_request(server: tuple[str, Channel],
                                                           tmp_path: Path) -> None:
    base, ch = server
    ch.cut_after = len(ch.body) // 3
    with pytest.raises(CatalogueError, match="try again"):
        download.channel_index("nixos-test", base=base, directory=tmp_path)
    part = tmp_path / "nixos-test-aaaa1111.json.br.part"
    assert part.exists() and 0 < part.stat().st_size < len(ch.body)
    have = part.stat().st_size
    idx = download.channel_index("nixos-test", base=base, directory=tmp_path)
    assert idx.count == 400
    assert downloads(ch) == [None, f"bytes={have}-"]
    assert not part.exists()


def test_damaged_download_is_deleted_and_fetched_afresh(server: tuple[str, Channel],
                                                        tmp_path: Path) -> None:
    base, ch = server
    good = ch.body
    ch.body = b"\x00garbage that is not brotli at all" * 100
    with pytest.raises(CatalogueError, match="damaged; it was deleted"):
        download.channel_index("nixos-test", base=base, directory=tmp_path)
    assert list(tmp_path.glob("*.json.br*")) == [] and list(tmp_path.glob("*.sqlite")) == []
    ch.body = good
    assert download.channel_index("nixos-test", base=base, directory=tmp_path).count == 400
    assert downloads(ch) == [None, None]


def test_new_revision_is_downloaded_and_the_old_file_dropped(server: tuple[str, Channel],
                                                             tmp_path: Path) -> None:
    base, ch = server
    download.channel_index("nixos-test", base=base, directory=tmp_path)
    ch.revision = "bbbb2222"
    ch.body = brotli.compress(orjson.dumps(make_packages.channel(120, seed=5)), quality=4)
    idx = download.channel_index("nixos-test", base=base, directory=tmp_path)
    assert idx.count == 120 and idx.meta["revision"] == "bbbb2222"
    assert [p.name for p in tmp_path.glob("*.json.br")] == ["nixos-test-bbbb2222.json.br"]


def test_unreachable_without_cache_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="connect and try again"):
        download.channel_index("nixos-test", base="http://127.0.0.1:9", directory=tmp_path)
    with pytest.raises(CatalogueError, match="not a channel name"):
        download.channel_index("../etc", directory=tmp_path)


def test_missing_channel_file_is_reported(server: tuple[str, Channel], tmp_path: Path) -> None:
    base, _ch = server
    with pytest.raises(CatalogueError, match="404"):
        download.channel_index("nixos-nothing", base=base, directory=tmp_path)


def test_a_server_that_ignores_ranges_sends_the_whole_file_again(
        server: tuple[str, Channel], tmp_path: Path) -> None:
    base, ch = server
    ch.cut_after, ch.ranges = len(ch.body) // 2, False
    with pytest.raises(CatalogueError):
        download.channel_index("nixos-test", base=base, directory=tmp_path)
    idx = download.channel_index("nixos-test", base=base, directory=tmp_path)
    assert idx.count == 400  # the part was replaced, not appended to
    assert len(downloads(ch)) == 2 and downloads(ch)[1] is not None


def test_cancel_keeps_the_part_for_later(server: tuple[str, Channel], tmp_path: Path) -> None:
    base, ch = server
    with pytest.raises(download.Cancelled, match="continues where it stopped"):
        download.channel_index("nixos-test", None, lambda: True, base=base, directory=tmp_path)
    assert list(tmp_path.glob("*.sqlite")) == []
    assert download.channel_index("nixos-test", base=base, directory=tmp_path).count == 400
    assert len(downloads(ch)) == 2
