"""Home Manager's options joined under home-manager.users.<name> (core/options/home_manager.py):
the join itself, the checks that then apply to them, where the Home Manager metadata comes
from (given, remembered, missing) and the CLI end to end with the real shared files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options import home_manager as hmj
from nixos_settings.core.options import sources
from nixos_settings.core.options.locs import classify
from nixos_settings.core.options.model import OptionInfo, OptionSet, SourceInfo
from nixos_settings.core.options.search import SearchIndex
from nixos_settings.core.options.suggest import check_value, suggest, unchecked

USER = ("home-manager", "users", "jane")
GIT = (*USER, "programs", "git", "enable")

CONFIG = """{ config, pkgs, ... }:
{
  services.openssh.enable = true;
  home-manager.useGlobalPkgs = true;
  home-manager.users.jane = { pkgs, ... }: {
    programs.git.enable = true;
    programs.gti.enable = true;
    home.stateVersion = "23.11";
  };
}
"""


def _files(shared_dir: Path) -> tuple[Path, Path]:
    d = shared_dir / "data" / "options"
    return d / "nixos-20.09pre-options.json.gz", d / "home-manager-options.json.gz"


@pytest.fixture(scope="module")
def joined(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> OptionSet:
    nixos, hm = _files(shared_dir)
    cache = tmp_path_factory.mktemp("hmcache")
    return hmj.join(sources.load_local(nixos, cache_directory=cache),
                    sources.load_home_manager(hm, cache_directory=cache))


def test_every_hm_option_is_a_template_option_with_its_metadata(
        joined: OptionSet, shared_dir: Path, tmp_path: Path) -> None:
    hm = sources.load_home_manager(_files(shared_dir)[1], cache_directory=tmp_path)
    git = hm.get(("programs", "git", "enable"))
    got = joined.get(("home-manager", "users", "<name>", "programs", "git", "enable"))
    assert git is not None and got is not None
    assert got.name == "home-manager.users.<name>.programs.git.enable"
    assert (got.type, got.description, got.default, got.declarations) == (
        git.type, git.description, git.default, git.declarations)
    assert got.type == "boolean"
    assert sum(o.loc[:3] == hmj.PREFIX for o in joined) == len(hm)
    assert joined.home_manager == hm.source
    # the NixOS options are all still there, unchanged
    assert joined.get(("services", "openssh", "enable")) is not None
    assert joined.get(("home-manager", "users")) is not None


def test_entries_classify_as_options_and_values_are_checked(joined: OptionSet) -> None:
    what, opt, _ = classify(GIT, joined)
    assert what == "option" and opt is not None and opt.type == "boolean"
    assert classify(USER, joined)[0] == "container"
    refusal = check_value(joined, GIT, "3")
    assert refusal is not None and "expected true or false" in refusal
    assert check_value(joined, GIT, "false") is None
    # a list option of Home Manager refuses a string
    pk = (*USER, "home", "packages")
    assert check_value(joined, pk, "[ ]") is None
    assert check_value(joined, pk, '"ripgrep"') is not None


def test_a_typo_under_the_user_is_unknown_with_did_you_mean(joined: OptionSet) -> None:
    typo = (*USER, "programs", "gti", "enable")
    assert classify(typo, joined)[0] == "unknown"
    assert suggest(typo, joined)[0] == "home-manager.users.jane.programs.git.enable"
    refusal = check_value(joined, typo, "true")
    assert refusal is not None and "did you mean home-manager.users.jane.programs.git" in refusal
    # no longer "not checked": the typo is reported as one
    kept, notes = unchecked([typo], joined)
    assert kept == [typo] and notes == []


def test_the_modules_other_settings_stay_unchecked_not_typos(joined: OptionSet) -> None:
    glob = ("home-manager", "useGlobalPkgs")
    assert classify(glob, joined)[0] != "unknown"
    assert check_value(joined, glob, "true") is None


def test_search_finds_the_hm_option(joined: OptionSet) -> None:
    names = [h.option.name for h in SearchIndex(joined).search("git enable", 10)]
    assert "home-manager.users.<name>.programs.git.enable" in names
    assert "home-manager.<name>" not in [h.option.name for h in
                                         SearchIndex(joined).search("home-manager", 50)]


def test_options_nixos_already_has_are_not_duplicated() -> None:
    src = SourceInfo("file", "x")
    own = OptionInfo("home-manager.users.<name>.programs.git.enable",
                     (*hmj.PREFIX, "programs", "git", "enable"), "boolean", "NixOS's own")
    nixos = OptionSet([OptionInfo("home-manager.users", hmj.USERS, "attribute set of "
                                  "(submodule)", "users"), own], src)
    hm = OptionSet([OptionInfo("programs.git.enable", ("programs", "git", "enable"), "boolean",
                               "HM's"),
                    OptionInfo("programs.git.userName", ("programs", "git", "userName"),
                               "null or string", "name")], SourceInfo("home-manager", "hm"))
    joined = hmj.join(nixos, hm)
    locs = [o.loc for o in joined]
    assert len(locs) == len(set(locs)) == 3
    assert joined.get(own.loc) is own  # the evaluated configuration's record wins
    assert joined.get(("home-manager", "<name>")) is None  # NixOS describes home-manager


def test_the_cache_keeps_each_source_apart_and_the_join_reloads(
        shared_dir: Path, tmp_path: Path) -> None:
    nixos, hm = _files(shared_dir)
    conf = tmp_path / "configuration.nix"
    conf.write_text(CONFIG)
    first = sources.resolve_options(str(nixos), conf, cache_directory=tmp_path,
                                    home_manager=str(hm))
    again = sources.resolve_options(str(nixos), conf, cache_directory=tmp_path,
                                    home_manager=str(hm))
    assert [o.loc for o in again] == [o.loc for o in first]
    assert again.get(("home-manager", "users", "<name>", "programs", "git", "enable"))
    # two cache files, one per source; neither holds the other's options
    cached = [optcache.load(e.key, tmp_path) for e in optcache.entries(tmp_path)]
    kinds = sorted(c.source.kind for c in cached if c is not None)
    assert kinds == ["file", "home-manager"]
    for c in cached:
        assert c is not None
        assert not any(o.loc[:2] == hmj.USERS for o in c) or c.source.kind == "home-manager"


def test_given_file_is_remembered_and_used_when_the_configuration_uses_hm(
        shared_dir: Path, tmp_path: Path) -> None:
    nixos, hm = _files(shared_dir)
    cache = tmp_path / "cache"
    conf = tmp_path / "configuration.nix"
    conf.write_text(CONFIG)
    plain = tmp_path / "plain.nix"
    plain.write_text("{ services.openssh.enable = true; }\n")
    before = sources.resolve_options(str(nixos), conf, cache_directory=cache)
    assert before.home_manager is None
    assert before.home_manager_note is not None
    assert "--home-manager-options FILE" in before.home_manager_note
    given = sources.resolve_options(str(nixos), plain, cache_directory=cache,
                                    home_manager=str(hm))
    assert given.home_manager is not None and "given" in (given.home_manager_note or "")
    assert hmj.remembered(cache) == hm.resolve()
    assert not list(conf.parent.glob("*.path"))  # nothing written beside the user's files
    later = sources.resolve_options(str(nixos), conf, cache_directory=cache)
    assert later.home_manager is not None
    assert "remembered" in (later.home_manager_note or "")
    # a configuration without home-manager.users does not get it by itself
    other = sources.resolve_options(str(nixos), plain, cache_directory=cache)
    assert other.home_manager is None and other.home_manager_note is None


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nixos_settings.cli.main", *argv],
                          capture_output=True, text=True, timeout=120)


def test_cli_list_unknown_checks_hm_options(shared_dir: Path, tmp_path: Path) -> None:
    nixos, hm = _files(shared_dir)
    conf = tmp_path / "configuration.nix"
    conf.write_text(CONFIG)
    without = _cli("list", "--unknown", "-f", str(conf), "--options", str(nixos))
    assert without.returncode == 0, without.stderr
    assert without.stdout == ""
    assert "home-manager options not checked" in without.stderr
    assert "give it with --home-manager-options FILE" in without.stderr
    proc = _cli("list", "--unknown", "-f", str(conf), "--options", str(nixos),
                "--home-manager-options", str(hm))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{conf}:7:5: unknown option home-manager.users.jane.programs.gti.enable "
        "(did you mean home-manager.users.jane.programs.git.enable?)"]
    assert "not checked" not in proc.stderr
    assert "note: Home Manager options from home-manager-options.json.gz (given): " in \
        proc.stderr
    assert " old" not in proc.stderr  # the file's age says nothing about the options


def test_cli_set_dry_run_checks_hm_values(shared_dir: Path, tmp_path: Path) -> None:
    nixos, hm = _files(shared_dir)
    conf = tmp_path / "configuration.nix"
    conf.write_text(CONFIG)
    base = ["-f", str(conf), "--options", str(nixos), "--home-manager-options", str(hm)]
    bad = _cli("set", "home-manager.users.jane.programs.git.enable", "3", "--dry-run", *base)
    assert bad.returncode != 0
    assert "expected true or false, got the integer 3" in bad.stderr
    good = _cli("set", "home-manager.users.jane.programs.git.enable", "false", "--dry-run",
                *base)
    assert good.returncode == 0, good.stderr
    assert "+    programs.git.enable = false;" in good.stdout
    assert conf.read_text() == CONFIG
    search = _cli("search", "git enable", "--options", str(nixos),
                  "--home-manager-options", str(hm))
    assert "home-manager.users.<name>.programs.git.enable  (boolean)" in search.stdout
