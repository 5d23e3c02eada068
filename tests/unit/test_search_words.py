"""Search signals of issue 10: word forms, the synonym table (one test per entry),
popularity, pasted paths, "did you mean", and the data files that carry them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nixos_settings.core.options.model import OptionInfo, OptionSet, load_file
from nixos_settings.core.options.search import SearchIndex, name_tokens
from nixos_settings.core.options.words import (
    popularity,
    stem,
    stem_many,
    synonym_entries,
    synonyms,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "gui" / "nixos_settings" / "core" / "options" / "data"
FILES = ("nixos-20.09pre-options.json.gz", "home-manager-options.json.gz")


@pytest.fixture(scope="module")
def indexes(shared_dir: Path) -> list[SearchIndex]:
    return [SearchIndex(load_file(shared_dir / "data" / "options" / f)) for f in FILES]


@pytest.fixture(scope="module")
def nixos(indexes: list[SearchIndex]) -> SearchIndex:
    return indexes[0]


@pytest.fixture(scope="module")
def hm(indexes: list[SearchIndex]) -> SearchIndex:
    return indexes[1]


def top(idx: SearchIndex, q: str, n: int) -> list[str]:
    return [h.option.name for h in idx.search(q, n)]


# ------------------------------------------------------------------ word forms


@pytest.mark.parametrize(
    ("a", "b"),
    [("upgrades", "upgrade"), ("collecting", "collection"), ("printing", "prints"),
     ("networks", "network"), ("encrypted", "encryption"), ("mounting", "mounts")],
)
def test_word_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)
    assert stem_many([a, b]) == [stem(a), stem(b)]


def test_short_words_and_numbers_are_not_stemmed() -> None:
    assert stem("gc") == "gc" and stem("k8s") == "k8s" and stem("1234") == "1234"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("upgrades", "system.autoUpgrade.enable"),
     ("collecting garbage", "nix.gc.automatic"),
     ("encryption", "boot.initrd.luks.devices")],
)
def test_word_forms_find_the_option(nixos: SearchIndex, query: str, expected: str) -> None:
    assert expected in top(nixos, query, 5)


# ------------------------------------------------------------------ synonyms


def test_synonym_table_is_well_formed() -> None:
    entries = synonym_entries()
    assert len(entries) >= 150
    for key, exps in entries.items():
        assert key == key.lower().strip() and 1 <= len(key.split()) <= 3, key
        assert exps and all(isinstance(e, str) and e for e in exps), key
        assert all(e == e.lower() for e in exps if "." not in e), key


def _known(indexes: list[SearchIndex]) -> tuple[set[str], set[str]]:
    toks: set[str] = set()
    names: set[str] = set()
    for idx in indexes:
        for o in idx.options:
            toks |= name_tokens(o.loc)
            names.add(o.name)
    return toks, names


@pytest.mark.parametrize("key", sorted(synonym_entries()))
def test_synonym_entry_leads_to_its_words(indexes: list[SearchIndex], key: str) -> None:
    """Each entry: some of its expansions exist in the shared metadata (the others are for
    newer NixOS releases), and searching the key finds an option they name in the top 10."""
    toks, names = _known(indexes)
    exps = synonym_entries()[key]
    known = [e for e in exps if (e in names if "." in e else e in toks)]
    assert known, f"{key}: none of {exps} is in the NixOS 20.09 or Home Manager metadata"
    found = [
        h.option
        for idx in indexes
        for h in idx.search(key, 10)
        if any(e == h.option.name if "." in e else e in name_tokens(h.option.loc)
               for e in known)
    ]
    assert found, f"searching {key!r} shows none of {known}"


def test_synonyms_are_keyed_by_stem_and_phrase() -> None:
    syn = synonyms()
    assert "wireless" in syn.of_word("wifi")
    assert syn.of_word("printers") == syn.words["printers"]
    assert "postgresql" in syn.of_word("postgres")
    assert "xkboptions" in syn.of_phrase("caps", "lock")
    assert syn.of_phrase("garbage", "collecting")  # stem of "collect"
    assert syn.of_word("nosuchword") == ()
    assert "tapping" in syn.of_phrase("tap", "click")  # "tap to click"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("wifi", "networking.wireless.enable"), ("k8s", "services.k3s.enable"),
     ("pg", "services.postgresql.enable"), ("tz", "time.timeZone"),
     ("unfree", "nixpkgs.config"), ("allowUnfree", "nixpkgs.config"),
     ("printer", "services.printing.enable"), ("garbage collect", "nix.gc.automatic"),
     ("ssh key", "users.users.<name?>.openssh.authorizedKeys.keys"),
     ("dns", "services.resolved.enable"), ("nameservers", "networking.nameservers")],
)
def test_the_issue_examples(nixos: SearchIndex, query: str, expected: str) -> None:
    assert expected in top(nixos, query, 5)


def test_home_manager_packages_and_dotfiles(hm: SearchIndex) -> None:
    assert top(hm, "packages", 1) == ["home.packages"]
    assert {"home.file", "xdg.configFile"} & set(top(hm, "dotfile", 3))


# ------------------------------------------------------------------ popularity


def test_popularity_table_is_counts_per_option_name() -> None:
    raw = json.loads((DATA / "popularity.json").read_text())
    assert set(raw) == {"repositories", "counts"} and raw["repositories"] >= 100
    counts = popularity()
    assert counts and all(isinstance(v, int) and 2 <= v <= raw["repositories"]
                          for v in counts.values())
    assert all(k and " " not in k for k in counts)
    assert counts["environment.systemPackages"] > counts.get("services.printing.drivers", 0)


def test_popularity_orders_ties() -> None:
    # two options that match a word equally: the one more configurations set comes first
    opts = [OptionInfo(name="services.aaa.enable", loc=("services", "aaa", "enable"),
                       type="boolean", description="Whether to run the zzz thing."),
            OptionInfo(name="services.openssh.enable", loc=("services", "openssh", "enable"),
                       type="boolean", description="Whether to run the zzz thing.")]
    assert [h.option.name for h in SearchIndex(OptionSet(opts)).search("zzz")] == [
        "services.openssh.enable", "services.aaa.enable"]


# ------------------------------------------------------------------ description weight


def test_first_sentence_counts_more_than_the_rest() -> None:
    opts = [OptionInfo(name="a.one", loc=("a", "one"), type="boolean",
                       description="Something else. Mentions quux later."),
            OptionInfo(name="a.two", loc=("a", "two"), type="boolean",
                       description="Turns quux on. Nothing more.")]
    hits = SearchIndex(OptionSet(opts)).search("quux")
    assert [h.option.name for h in hits] == ["a.two", "a.one"]
    assert all(h.why == "description" for h in hits)


def test_names_outrank_descriptions() -> None:
    opts = [OptionInfo(name="a.other", loc=("a", "other"), type="boolean",
                       description="The quux switch."),
            OptionInfo(name="a.quux", loc=("a", "quux"), type="boolean", description="")]
    assert SearchIndex(OptionSet(opts)).search("quux")[0].option.name == "a.quux"


# ------------------------------------------------------------------ pasted paths


@pytest.mark.parametrize(
    ("query", "expected"),
    [("users.users.alice.description", "users.users.<name?>.description"),
     ('fileSystems."/".device', "fileSystems.<name?>.device"),
     ("config.services.openssh.enable", "services.openssh.enable"),
     ("services.openssh.enable = true;", "services.openssh.enable"),
     ('boot.loader.grub.device = "/dev/sda";', "boot.loader.grub.device"),
     ("nixpkgs.config.allowUnfree", "nixpkgs.config")],
)
def test_pasted_paths_resolve_to_their_option(nixos: SearchIndex, query: str,
                                              expected: str) -> None:
    hits = nixos.search(query, 5)
    assert hits[0].option.name == expected
    assert hits[0].why in ("pasted path", "exact name")


def test_pasted_path_of_an_entry_names_its_template(hm: SearchIndex) -> None:
    hits = hm.search('home.file.".vimrc".text', 3)
    assert hits[0].option.name == "home.file.<name>.text" and hits[0].why == "pasted path"
    assert hm.search("programs.git.settings.user.email", 1)[0].option.name == (
        "programs.git.settings")


def test_a_malformed_path_is_just_a_query(nixos: SearchIndex) -> None:
    assert nixos.search('services."openssh.', 5) is not None
    assert nixos.search("services..openssh", 5) is not None


# ------------------------------------------------------------------ did you mean


def test_did_you_mean_corrects_unknown_words(nixos: SearchIndex, hm: SearchIndex) -> None:
    assert "firewall" in nixos.did_you_mean("firewal")[:1] or nixos.did_you_mean("firewal")
    assert nixos.did_you_mean("fierwall")[0] == "firewall"
    assert nixos.did_you_mean("bluetoth enable")[0] == "bluetooth enable"
    assert nixos.did_you_mean("openssh enable") == []  # nothing to correct
    assert nixos.did_you_mean("") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [("prnter", "services.printing.enable"), ("wifii", "networking.wireless.enable"),
     ("fierwall", "networking.firewall.enable"), ("tiemzone", "time.timeZone")],
)
def test_typos_of_everyday_words_and_of_names(nixos: SearchIndex, query: str,
                                              expected: str) -> None:
    hits = nixos.search(query, 5)
    assert expected in [h.option.name for h in hits]
    assert hits[0].why == "typo"


def test_weak_results_ask_for_a_hint(nixos: SearchIndex) -> None:
    assert SearchIndex.weak([])
    assert not SearchIndex.weak(nixos.search("services.openssh.enable", 3))
    assert SearchIndex.weak(nixos.search("qqqzzzx", 3))


# ------------------------------------------------------------------ packaging


def test_data_files_are_package_data() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "core/options/data/*.json" in meta["tool"]["setuptools"]["package-data"][
        "nixos_settings"]
    assert (DATA / "synonyms.json").is_file() and (DATA / "popularity.json").is_file()
    deps = " ".join(meta["project"]["dependencies"])
    assert "snowballstemmer" in deps and "rapidfuzz" in deps


# ------------------------------------------------------------------ any text


@given(st.text(alphabet=st.sampled_from(list('abcdefgXYZ019 ."=;*<>?_-/~ü')), max_size=30))
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_typed_text_is_answered(hm: SearchIndex, text: str) -> None:
    hits = hm.search(text, 10)
    assert len(hits) <= 10 and all(h.option.name for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert isinstance(hm.did_you_mean(text), list)
    assert len(hm.search(text, 5, kinds={"bool"})) <= 5
