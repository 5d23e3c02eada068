"""The option metadata cache: round trip, XDG location, corruption, newest entry."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options.model import SourceInfo, load_file

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "options"


def test_round_trip_real_file(shared_dir: Path, tmp_path: Path) -> None:
    s = load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    s.source = SourceInfo("channel", "NixOS channel nixos-20.09", "abc123", None, 1700000000.0)
    path = optcache.save(s, "k1", tmp_path)
    assert path.name == "options-k1.bin" and path.read_bytes().startswith(optcache.MAGIC)
    back = optcache.load("k1", tmp_path)
    assert back is not None
    assert back.options == s.options  # every field of every option, in order
    assert back.source == s.source
    assert back.match(("users", "users", "x", "isNormalUser")) is not None


def test_fixture_shapes_round_trip(tmp_path: Path) -> None:
    for name in ("modern.json", "legacy-2020.json", "transition.json"):
        s = load_file(FIX / name)
        optcache.save(s, name.replace(".", "-"), tmp_path)
        back = optcache.load(name.replace(".", "-"), tmp_path)
        assert back is not None and back.options == s.options


def test_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert optcache.cache_dir() == tmp_path / "c" / "nixos-settings"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert optcache.cache_dir() == tmp_path / "home" / ".cache" / "nixos-settings"


def test_corrupt_or_foreign_files_are_misses(tmp_path: Path) -> None:
    s = load_file(FIX / "modern.json")
    p = optcache.save(s, "k", tmp_path)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    assert optcache.load("k", tmp_path) is None
    p.write_bytes(b"not a cache at all")
    assert optcache.load("k", tmp_path) is None
    assert optcache.load("missing", tmp_path) is None
    # an older format version is a miss too
    import marshal

    p.write_bytes(optcache.MAGIC + marshal.dumps(((1, (3, 11)), None, None, [])))
    assert optcache.load("k", tmp_path) is None


def test_entries_and_latest(tmp_path: Path) -> None:
    a = load_file(FIX / "modern.json")
    b = load_file(FIX / "legacy-2020.json")
    b.source = SourceInfo("channel", "NixOS channel x", "r1")
    pa = optcache.save(a, "a", tmp_path)
    pb = optcache.save(b, "b", tmp_path)
    now = time.time()
    os.utime(pa, (now - 100, now - 100))
    os.utime(pb, (now, now))
    assert [e.key for e in optcache.entries(tmp_path)] == ["b", "a"]
    latest = optcache.latest(tmp_path)
    assert latest is not None and latest.source.kind == "channel"
    only_files = optcache.latest(tmp_path, kinds=("file",))
    assert only_files is not None and len(only_files) == len(a)
    assert optcache.latest(tmp_path, label="nope") is None
    assert optcache.entries(tmp_path / "absent") == []


def test_cache_key_is_safe_and_distinct() -> None:
    k1 = optcache.cache_key("file", "/a b/../x.json", "1-2")
    k2 = optcache.cache_key("file", "/a b/../x.json", "1-3")
    assert k1 != k2 and "/" not in k1 and " " not in k1
