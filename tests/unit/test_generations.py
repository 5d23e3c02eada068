"""Tests of core.generations against a fake profile directory of real symlinks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from nixos_settings.core.system.generations import (
    current_generation,
    list_generations,
    rollback_argv,
    switch_generation_argvs,
)


def make_profiles(root: Path, versions: dict[int, str | None], current: int) -> Path:
    """A fake ``/nix/var/nix/profiles`` with a fake store beside it."""
    store = root / "store"
    profiles = root / "profiles"
    store.mkdir()
    profiles.mkdir()
    for n, version in versions.items():
        target = store / f"{n:02d}hash-nixos-system-host"
        (target / "bin").mkdir(parents=True)
        if version is not None:
            (target / "nixos-version").write_text(version + "\n")
        link = profiles / f"system-{n}-link"
        link.symlink_to(target)
        stamp = 1_700_000_000 + n * 86_400
        os.utime(link, (stamp, stamp), follow_symlinks=False)
    (profiles / "system").symlink_to(f"system-{current}-link")
    return profiles


def test_lists_generations_sorted_with_current(tmp_path: Path) -> None:
    profiles = make_profiles(tmp_path, {3: "24.05.1", 10: "24.05.2", 9: None}, current=9)
    # Distractors: other profiles and non-links are not generations.
    (profiles / "default-1-link").symlink_to(tmp_path / "store")
    (profiles / "system-11-link").write_text("not a link")
    gens = list_generations(profiles)
    assert [g.number for g in gens] == [3, 9, 10]
    assert [g.current for g in gens] == [False, True, False]
    assert [g.nixos_version for g in gens] == ["24.05.1", None, "24.05.2"]
    assert gens[0].target == tmp_path / "store" / "03hash-nixos-system-host"
    assert gens[1].date == dt.datetime.fromtimestamp(1_700_000_000 + 9 * 86_400).astimezone()
    assert current_generation(profiles) == gens[1]


def test_date_is_the_links_own_mtime(tmp_path: Path) -> None:
    profiles = make_profiles(tmp_path, {1: "a"}, current=1)
    target = tmp_path / "store" / "01hash-nixos-system-host"
    os.utime(target, (5, 5))  # the store path's time (1970 in real stores) must not matter
    (gen,) = list_generations(profiles)
    assert gen.date.timestamp() == 1_700_000_000 + 86_400


def test_dangling_link_is_listed_without_version(tmp_path: Path) -> None:
    profiles = make_profiles(tmp_path, {1: "a", 2: "b"}, current=2)
    (profiles / "system-7-link").symlink_to(tmp_path / "gone")
    gens = list_generations(profiles)
    assert [(g.number, g.nixos_version) for g in gens] == [(1, "a"), (2, "b"), (7, None)]


def test_missing_profile_dir_and_no_current(tmp_path: Path) -> None:
    assert list_generations(tmp_path / "nope") == []
    profiles = make_profiles(tmp_path, {1: "a"}, current=1)
    (profiles / "system").unlink()
    assert [g.current for g in list_generations(profiles)] == [False]
    assert current_generation(profiles) is None


def test_describe(tmp_path: Path) -> None:
    profiles = make_profiles(tmp_path, {4: "24.11.20241109.76612b1"}, current=4)
    (gen,) = list_generations(profiles)
    text = gen.describe()
    assert text.startswith("4  ")
    assert text.endswith("24.11.20241109.76612b1  (current)")
    assert f"{gen.date:%Y-%m-%d}" in text


def test_commands(tmp_path: Path) -> None:
    assert rollback_argv() == ["nixos-rebuild", "switch", "--rollback"]
    assert switch_generation_argvs(12, tmp_path) == [
        ["nix-env", "--profile", f"{tmp_path}/system", "--switch-generation", "12"],
        [f"{tmp_path}/system-12-link/bin/switch-to-configuration", "switch"],
    ]
    with pytest.raises(ValueError):
        switch_generation_argvs(0, tmp_path)
