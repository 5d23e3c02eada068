"""Search ranking on the real NixOS 20.09 and Home Manager files, plus filters."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nixos_settings.core.options.model import OptionSet, load_file
from nixos_settings.core.options.search import SearchIndex, name_tokens

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "options"


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> SearchIndex:
    return SearchIndex(
        load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    )


@pytest.fixture(scope="module")
def hm(shared_dir: Path) -> SearchIndex:
    return SearchIndex(load_file(shared_dir / "data" / "options" / "home-manager-options.json.gz"))


def top(idx: SearchIndex, q: str, n: int, **kw: object) -> list[str]:
    return [h.option.name for h in idx.search(q, n, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected", "n"),
    [
        ("ssh server", "services.openssh.enable", 2),
        ("firewall ports", "networking.firewall.allowedTCPPorts", 3),
        ("time zone", "time.timeZone", 1),
        ("keyboard layout", "services.xserver.layout", 1),
        ("sudo password", "security.sudo.wheelNeedsPassword", 1),
        ("openssh.enable", "services.openssh.enable", 1),
        ("allowedTCP", "networking.firewall.allowedTCPPorts", 2),
        ("networking.hostName", "networking.hostName", 1),
        ("hostname", "networking.hostName", 5),
        ("fierwall enable", "networking.firewall.enable", 3),  # typo
        ("opensh enable", "services.openssh.enable", 1),  # one letter missing
        ("system packages", "environment.systemPackages", 1),
        ("kernel packages", "boot.kernelPackages", 1),
        ("state version", "system.stateVersion", 1),
        ("auto upgrade", "system.autoUpgrade.enable", 1),
        ("docker", "virtualisation.docker.enable", 1),
        ("bluetooth", "hardware.bluetooth.enable", 1),
    ],
)
def test_queries_people_type(nixos: SearchIndex, query: str, expected: str, n: int) -> None:
    assert expected in top(nixos, query, n)


def test_exact_name_beats_everything(nixos: SearchIndex) -> None:
    hits = nixos.search("services.openssh.enable", 5)
    assert hits[0].option.name == "services.openssh.enable" and hits[0].why == "exact name"
    assert hits[0].score > hits[1].score


def test_prefix_lists_the_subtree(nixos: SearchIndex) -> None:
    hits = nixos.search("services.openssh.", 200)
    names = [h.option.name for h in hits]
    subtree = {o.name for o in nixos.options if o.name.startswith("services.openssh.")}
    assert len(subtree) == 30 and set(names[:30]) == subtree
    assert hits[0].why == "name prefix"


def test_description_words_rank_below_names(nixos: SearchIndex) -> None:
    hits = nixos.search("secure shell", 20)
    assert hits and any(h.option.name == "services.openssh.enable" for h in hits)
    assert all(h.why in ("description", "words", "some words") for h in hits)


def test_home_manager_queries(hm: SearchIndex) -> None:
    assert top(hm, "programs.git.enable", 1) == ["programs.git.enable"]
    assert "programs.git.signing.key" in top(hm, "git signing key", 3)
    assert "programs.firefox.enable" in top(hm, "firefox", 5)
    assert top(hm, "zsh", 1) == ["programs.zsh.enable"]
    assert top(hm, "git", 1) == ["programs.git.enable"]
    assert top(hm, "home packages", 1) == ["home.packages"]


def test_filters(nixos: SearchIndex) -> None:
    only = [("services", "openssh", "enable"), ("users", "users", "alice", "isNormalUser")]
    names = top(nixos, "enable", 50, only=only)
    assert names == ["services.openssh.enable"]
    listed = top(nixos, "", 50, only=only)
    assert sorted(listed) == ["services.openssh.enable", "users.users.<name?>.isNormalUser"]
    bools = nixos.search("openssh", 100, kinds={"bool"})
    assert bools and all(h.option.type in ("boolean", "null or boolean") for h in bools)
    lists = nixos.search("openssh", 100, kinds={"list"})
    assert any(h.option.name == "services.openssh.ports" for h in lists)
    assert all(h.option.type.startswith("list of") for h in lists)
    ints = nixos.search("ssh", 100, kinds={"int"})
    assert ints and all("integer" in h.option.type for h in ints)
    assert nixos.search("", 10) == []


def test_hide_read_only(shared_dir: Path) -> None:
    s = load_file(FIX / "modern.json")
    idx = SearchIndex(s)
    assert top(idx, "stamp", 5) == ["system.stamp"]
    assert top(idx, "stamp", 5, hide_read_only=True) == []


def test_internal_hidden_by_default() -> None:
    s = load_file(FIX / "modern.json")
    s.options[0].internal = True
    idx = SearchIndex(s)
    assert "services.sshd-like.enable" not in top(idx, "sshd-like", 10)
    assert "services.sshd-like.enable" in top(idx, "sshd-like", 10, hide_internal=False)


def test_name_tokens_split_camel_case_and_keep_segments() -> None:
    toks = name_tokens(("networking", "firewall", "allowedTCPPorts"))
    assert {"allowedtcpports", "allowed", "tcp", "ports", "port", "firewall"} <= toks
    assert name_tokens(("users", "<name>", "home")) == {"users", "user", "home"}


def test_queries_are_fast(nixos: SearchIndex) -> None:
    # Generous bound for CI machines; the benchmark measures the real figure.
    qs = ["s", "ssh", "ssh server", "firewall ports", "services.openssh.", "boot loader grub"]
    worst = 0.0
    for q in qs * 3:
        t = time.perf_counter()
        nixos.search(q, 50)
        worst = max(worst, time.perf_counter() - t)
    assert worst < 0.1


def test_empty_option_set() -> None:
    assert SearchIndex(OptionSet()).search("anything") == []


def test_aliases_rank_after_the_option_they_stand_for(nixos: SearchIndex) -> None:
    names = [h.option.name for h in nixos.search("ssh server", limit=20)]
    assert names[0] == "services.openssh.enable"
    assert "services.sshd.enable" not in names[:5]
    # "sshd" is the daemon's name: the option it stands for first, the alias still listed
    names = [h.option.name for h in nixos.search("sshd", limit=50)]
    assert names[0] == "services.openssh.enable" and "services.sshd.enable" in names
    # typed exactly, the alias is still found first
    assert nixos.search("services.sshd.enable", limit=1)[0].option.name == "services.sshd.enable"


def test_initials_find_the_option(nixos: SearchIndex) -> None:
    assert nixos.search("nfe", limit=1)[0].option.name == "networking.firewall.enable"
    assert nixos.search("nfe", limit=1)[0].why == "initials"
    # initials never push aside real word matches
    assert nixos.search("zsh", limit=1)[0].option.name == "programs.zsh.enable"
