"""Package catalogues and their index: the three input shapes, damaged files, ranked search,
did-you-mean, one index per catalogue revision.  Fixtures are generated in the real formats
(``tests/fixtures/make_packages.py``)."""

from __future__ import annotations

import gzip
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import brotli
import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

import make_packages

from nixos_settings.core.packages import catalogue, index, store
from nixos_settings.core.packages.catalogue import CatalogueError


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return make_packages.channel(3000)


@pytest.fixture(scope="module")
def idx(data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> index.PackageIndex:
    path = tmp_path_factory.mktemp("idx") / "i.sqlite"
    index.build(catalogue.rows(data), path, {"label": "the test list"})
    return index.PackageIndex(path)


def write(path: Path, data: object, how: str) -> Path:
    raw = orjson.dumps(data)
    packed = {"json": raw, "br": brotli.compress(raw, quality=4), "gz": gzip.compress(raw)}
    path.write_bytes(packed[how])
    return path


@pytest.mark.parametrize("how", ["json", "br", "gz"])
def test_channel_file_in_each_compression(tmp_path: Path, data: dict[str, Any],
                                          how: str) -> None:
    path = write(tmp_path / f"packages.json.{how}" if how != "json" else
                 tmp_path / "packages.json", data, how)
    rows = catalogue.read_file(path)
    assert len(rows) == len(data["packages"])
    steam = catalogue.Package.from_row(next(r for r in rows if r[0] == "steam"))
    assert steam.unfree and steam.license == "unfreeRedistributable"
    rg = catalogue.Package.from_row(next(r for r in rows if r[0] == "ripgrep"))
    assert rg.license == "MIT, Unlicense" and rg.main_program == "rg" and not rg.unfree
    assert rg.homepage == "https://ripgrep.example.org/"
    old = catalogue.Package.from_row(next(r for r in rows if r[0] == "oldssl"))
    assert old.insecure and not old.broken


def test_nix_search_format(tmp_path: Path, data: dict[str, Any]) -> None:
    path = write(tmp_path / "search.json", make_packages.nix_search(data), "json")
    rows = {r[0]: r for r in catalogue.read_file(path)}
    assert set(rows) == set(data["packages"])
    assert rows["git"][3] == "Distributed version control system"
    assert "python3Packages" in " ".join(rows)  # nested attributes keep their set


def test_nix_env_format() -> None:
    out = {"nixos.hello": {"name": "hello-2.12", "pname": "hello", "version": "2.12",
                           "meta": {"description": "Prints a greeting",
                                    "license": {"spdxId": "GPL-3.0-or-later", "free": True}}},
           "nixos.python3Packages.six": {"name": "python3.11-six-1.16.0", "version": "1.16.0",
                                         "meta": {}}}
    rows = {r[0]: r for r in catalogue.rows(out)}
    assert rows["hello"][1:4] == ("hello", "2.12", "Prints a greeting")
    assert rows["python3Packages.six"][1] == "python3.11-six"


@pytest.mark.parametrize("content, words", [
    (b"\x1f\x8b\x08\x00garbage", "damaged"),
    (b"{\"version\": 2, \"packages\": ", "not valid JSON"),
    (b"[1, 2]", "not a package list"),
    (b"{\"hello\": 1}", "holds no packages"),
])
def test_damaged_or_foreign_files_are_refused_in_words(tmp_path: Path, content: bytes,
                                                        words: str) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    with pytest.raises(CatalogueError, match=words):
        catalogue.read_file(path)


def test_truncated_brotli_is_refused(tmp_path: Path, data: dict[str, Any]) -> None:
    raw = brotli.compress(orjson.dumps(data), quality=4)
    path = tmp_path / "packages.json.br"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CatalogueError, match="damaged or incomplete"):
        catalogue.read_file(path)


# -- search ---------------------------------------------------------------------------------


def attrs(idx: index.PackageIndex, q: str, n: int = 10) -> list[str]:
    return [p.attr for p in idx.search(q, n)]


def test_exact_name_comes_first_then_prefix(idx: index.PackageIndex) -> None:
    found = attrs(idx, "git")
    assert found[0] == "git"
    assert found.index("gitg") < found.index("cgit") if "cgit" in found else True
    assert attrs(idx, "GIT")[0] == "git"  # case does not matter


def test_main_program_finds_the_package(idx: index.PackageIndex) -> None:
    assert attrs(idx, "rg")[0] == "ripgrep"
    assert attrs(idx, "nvim")[0] == "neovim"


def test_words_search_description_and_rank_names_first(idx: index.PackageIndex) -> None:
    found = attrs(idx, "version control")
    assert set(found[:3]) == {"git", "gitg", "cgit"}
    assert attrs(idx, "vers contr")[:3] == found[:3]  # word prefixes


def test_top_level_before_nested_and_shorter_first(idx: index.PackageIndex,
                                                   data: dict[str, Any]) -> None:
    top = next(a for a in data["packages"] if "." not in a and len(a) > 6)
    prefix = top[:3]
    found = idx.search(prefix, 50)
    nested = [i for i, p in enumerate(found) if "." in p.attr]
    plain = [i for i, p in enumerate(found) if "." not in p.attr]
    assert plain and (not nested or max(plain) < min(nested))
    lengths = [len(p.attr) for p in found if "." not in p.attr]
    starting = [n for p, n in zip(found, lengths, strict=False) if p.attr.startswith(prefix)]
    assert starting == sorted(starting)


def test_search_odd_input(idx: index.PackageIndex) -> None:
    assert idx.search("", 10) == []
    assert idx.search("   ", 10) == []
    assert idx.search("zzzzqqq", 10) == []
    assert idx.search('"*(^', 10) == []  # FTS syntax characters are not an error
    assert len(idx.search("tool", 7)) == 7


def test_get_and_similar(idx: index.PackageIndex) -> None:
    pkg = idx.get("firefox")
    assert pkg is not None and pkg.description.startswith("Web browser")
    assert idx.get("no-such-thing") is None
    assert idx.similar("fierfox")[0] == "firefox"
    assert "ripgrep" in idx.similar("ripgrap")
    assert idx.similar("qqqqqqqq") == []


# -- the store ------------------------------------------------------------------------------


def test_file_index_is_built_once_and_rebuilt_when_the_file_changes(
        tmp_path: Path, data: dict[str, Any]) -> None:
    src = write(tmp_path / "packages.json.br", data, "br")
    cache = tmp_path / "cache"
    first = store.index_for_file(src, directory=cache)
    built = sorted(cache.glob("*.sqlite"))
    assert len(built) == 1 and first.count == len(data["packages"])
    stamp = built[0].stat().st_mtime_ns
    again = store.index_for_file(src, directory=cache)
    assert again.path == first.path and built[0].stat().st_mtime_ns == stamp
    smaller = make_packages.channel(100, seed=3)
    write(src, smaller, "br")
    os.utime(src, ns=(stamp + 10**9, stamp + 10**9))
    changed = store.index_for_file(src, directory=cache)
    assert changed.path != first.path and changed.count == 100
    assert store.latest_index(cache) is not None


def test_unreadable_index_is_rebuilt(tmp_path: Path, data: dict[str, Any]) -> None:
    src = write(tmp_path / "p.json", make_packages.channel(50), "json")
    cache = tmp_path / "cache"
    built = store.index_for_file(src, directory=cache)
    built.close()
    built.path.write_bytes(b"not a database")
    again = store.index_for_file(src, directory=cache)
    assert again.count == 50
    con = sqlite3.connect(again.path)
    assert con.execute("SELECT count(*) FROM pkg").fetchone() == (50,)


def test_open_source_without_anything_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="--packages channel:NAME"):
        store.open_source(None, directory=tmp_path)
    with pytest.raises(CatalogueError, match="unknown package source"):
        store.open_source("ftp:thing", directory=tmp_path)
    with pytest.raises(CatalogueError, match="cannot read the package list"):
        store.open_source(str(tmp_path / "missing.json"), directory=tmp_path)


# -- asking the installed Nix (a stand-in script on PATH prints the real output format) -------


def _script(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_nix_source_asks_nix_search(tmp_path: Path, data: dict[str, Any],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "search.json"
    out.write_bytes(orjson.dumps(make_packages.nix_search(data)))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv"
    _script(bin_dir, "nix", f'echo "$@" >> {log}\ncat {out}\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    idx = store.open_source("nix", directory=tmp_path / "cache")
    assert idx.count == len(data["packages"]) and idx.search("ripgrep")[0].attr == "ripgrep"
    assert "search nixpkgs --json" in log.read_text()
    again = store.open_source("nix", directory=tmp_path / "cache")
    assert again.path == idx.path  # same answer: the same index, not built twice


def test_nix_source_falls_back_to_nix_env_then_says_why(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script(bin_dir, "nix", "echo 'error: experimental Nix feature is disabled' >&2\nexit 1\n")
    env_out = tmp_path / "env.json"
    env_out.write_bytes(orjson.dumps({"nixos.hello": {"pname": "hello", "version": "2.12",
                                                      "meta": {"description": "Greets"}}}))
    _script(bin_dir, "nix-env", f"cat {env_out}\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert store.open_source("nix", directory=tmp_path / "c1").get("hello") is not None
    _script(bin_dir, "nix-env", "echo 'error: no channels' >&2\nexit 1\n")
    with pytest.raises(CatalogueError) as info:
        store.open_source("nix", directory=tmp_path / "c2")
    assert "nix failed: error: experimental Nix feature is disabled" in str(info.value)
    assert "nix-env failed: error: no channels" in str(info.value)
