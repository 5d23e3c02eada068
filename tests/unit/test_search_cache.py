"""The search index cached on disk, keyed by the metadata's hash (for the CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixos_settings.core.options import search_cache
from nixos_settings.core.options.search import SearchIndex

QUERIES = ["ssh server", "printer", "users.users.alice.description", "nfe", "services.openssh.",
           "zsh", "fierwall", "garbage collect", "time zone", "allowedTCP", "unfree"]


@pytest.fixture()
def nixos_file(shared_dir: Path, tmp_path: Path) -> Path:
    src = shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


def _hits(idx: SearchIndex, q: str, **kw: object) -> list[tuple[str, float, str]]:
    return [(h.option.name, h.score, h.why)
            for h in idx.search(q, 30, **kw)]  # type: ignore[arg-type]


def test_a_cached_index_answers_exactly_like_a_built_one(nixos_file: Path,
                                                         tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    built = search_cache.index_for_file(nixos_file, cache)
    assert type(built.options) is list  # built from the file
    files = list(cache.glob("search-*.bin"))
    assert len(files) == 1
    loaded = search_cache.index_for_file(nixos_file, cache)
    assert type(loaded.options) is not list  # from the cache, options still packed
    assert len(loaded) == len(built) == 9603
    for q in QUERIES:
        assert _hits(loaded, q) == _hits(built, q), q
    assert _hits(loaded, "openssh", kinds={"bool"}) == _hits(built, "openssh", kinds={"bool"})
    only = [("services", "openssh", "enable")]
    assert _hits(loaded, "enable", only=only) == _hits(built, "enable", only=only)
    assert loaded.did_you_mean("fierwall") == built.did_you_mean("fierwall")
    # a hit's option is the whole record
    opt = loaded.search("services.openssh.enable", 1)[0].option
    assert opt.type == "boolean" and opt.declarations and opt.description
    assert [o.name for o in loaded.options[:3]] == [o.name for o in built.options[:3]]


def test_the_key_is_the_metadata_hash(nixos_file: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    search_cache.index_for_file(nixos_file, cache)
    key = search_cache.metadata_key(nixos_file.read_bytes())
    assert (cache / f"search-{key}.bin").is_file()
    # other bytes, other key: a changed file is never answered from the old index
    other = tmp_path / "other.json"
    other.write_text('{"a.b": {"loc": ["a", "b"], "type": "boolean", "description": "x"}}')
    idx = search_cache.index_for_file(other, cache)
    assert [h.option.name for h in idx.search("a.b")] == ["a.b"]
    assert len(list(cache.glob("search-*.bin"))) == 2


def test_a_corrupt_or_foreign_cache_file_is_a_miss(nixos_file: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    key = search_cache.metadata_key(nixos_file.read_bytes())
    cache.mkdir()
    (cache / f"search-{key}.bin").write_bytes(search_cache.MAGIC + b"\x00garbage")
    assert search_cache.load(key, cache) is None
    (cache / f"search-{key}.bin").write_bytes(b"something else")
    assert search_cache.load(key, cache) is None
    assert search_cache.load("nokey", cache) is None
    idx = search_cache.index_for_file(nixos_file, cache)  # rebuilt and saved again
    assert idx.search("ssh server", 1)[0].option.name == "services.openssh.enable"
    assert search_cache.load(key, cache) is not None


def test_an_option_set_from_elsewhere_is_cached_under_the_callers_key(
        nixos_file: Path, tmp_path: Path) -> None:
    from nixos_settings.core.options.model import load_file

    cache = tmp_path / "cache"
    options = load_file(nixos_file)
    first = search_cache.index_for_options(options, "channel-20.09-abc", cache)
    assert (cache / "search-channel-20.09-abc.bin").is_file()
    again = search_cache.index_for_options(options, "channel-20.09-abc", cache)
    assert type(again.options) is not list  # loaded, not rebuilt
    assert _hits(again, "printer") == _hits(first, "printer")
