"""Joining option metadata with definitions: instances, entries, unknowns, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nixos_settings.core.options.model import OptionSet, load_file
from nixos_settings.core.options.suggest import suggest
from nixos_settings.core.options.tree import join, unknown_definitions

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "options"


@dataclass
class Def:
    """Duck-typed definition, as join accepts any object with these attributes."""

    loc: tuple[str, ...]
    value_text: str = "true"
    file: Path = Path("/etc/nixos/configuration.nix")
    line: int = 1
    wrappers: tuple[object, ...] = field(default_factory=tuple)
    editable: bool = True


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> OptionSet:
    return load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")


def test_instances_and_entries(nixos: OptionSet) -> None:
    defs = [
        Def(("users", "users", "alice", "isNormalUser")),
        Def(("users", "users", "alice", "extraGroups"), '[ "wheel" ]'),
        Def(("users", "users", "bob", "isNormalUser"), line=9),
        Def(("services", "openssh", "enable")),
    ]
    j = join(nixos, defs)
    assert j.unknown == []
    alice = j.node(("users", "users", "alice", "isNormalUser"))
    assert alice is not None and alice.option.name == "users.users.<name?>.isNormalUser"
    assert (
        alice.placeholders == {"<name?>": "alice"}
        and alice.name == "users.users.alice.isNormalUser"
    )
    assert alice.definitions == [defs[0]] and alice.editable
    opt = nixos.get(("users", "users", "<name?>", "isNormalUser"))
    assert opt is not None
    assert sorted(n.name for n in j.for_option(opt)) == [
        "users.users.alice.isNormalUser",
        "users.users.bob.isNormalUser",
    ]
    assert j.entries(("users", "users")) == ["alice", "bob"]
    ssh = j.node(("services", "openssh", "enable"))  # template loc with one instance
    assert ssh is not None and ssh.definitions[0].line == 1
    assert ("users", "users", "<name?>", "isNormalUser") in j.set_locs


def test_values_inside_attrset_options_are_known(nixos: OptionSet) -> None:
    defs = [
        Def(("boot", "kernel", "sysctl", "net.ipv4.ip_forward"), "1"),
        Def(("networking", "hosts", "127.0.0.1"), '[ "me" ]'),
    ]
    j = join(nixos, defs)
    assert j.unknown == []
    sysctl = j.node(("boot", "kernel", "sysctl"))
    assert sysctl is not None and sysctl.definitions == [defs[0]]


def test_containers_are_not_unknown(nixos: OptionSet) -> None:
    defs = [Def(("services", "openssh")), Def(("users", "users", "carol"))]
    j = join(nixos, defs)
    assert j.unknown == [] and j.containers == defs
    assert j.entries(("users", "users")) == ["carol"]


def test_read_only_is_never_editable(nixos: OptionSet) -> None:
    j = join(nixos, [Def(("system", "nixos", "release"), '"99.99"')])
    node = j.node(("system", "nixos", "release"))
    assert node is not None and not node.editable
    assert node.reason is not None and "read-only" in node.reason


def test_uneditable_definition_makes_node_uneditable(nixos: OptionSet) -> None:
    d = Def(("networking", "hostName"), "x", editable=False)
    d.reason = "computed with a function call"  # type: ignore[attr-defined]
    node = join(nixos, [d]).node(("networking", "hostName"))
    assert node is not None and not node.editable and node.reason == "computed with a function call"


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("services", "opensh", "enable"), "services.openssh.enable"),
        (("services", "openssh", "enabel"), "services.openssh.enable"),
        (("users", "users", "alice", "isNormalUsr"), "users.users.alice.isNormalUser"),
        (("networking", "firewall", "allowedTCPPort"), "networking.firewall.allowedTCPPorts"),
        (("networking", "hostname"), "networking.hostName"),
        (("services", "openssh", "enable", "really"), "services.openssh.enable"),
        (("time", "timezone"), "time.timeZone"),
        # renamed in later releases: the same word one level up is what the user means
        (("services", "openssh", "settings", "PermitRootLogin"),
         "services.openssh.permitRootLogin"),
        (("services", "openssh", "settings", "PasswordAuthentication"),
         "services.openssh.passwordAuthentication"),
    ],
)
def test_unknown_with_suggestions(nixos: OptionSet, loc: tuple[str, ...], expected: str) -> None:
    d = Def(loc)
    unknown = unknown_definitions([d], nixos)
    assert len(unknown) == 1 and unknown[0].definition is d
    assert expected in unknown[0].suggestions, unknown[0].suggestions


def test_nothing_close_gives_no_suggestion(nixos: OptionSet) -> None:
    assert suggest(("zzzz", "qqqq"), nixos) == []


def test_fixture_placeholders_and_lists() -> None:
    s = load_file(FIX / "modern.json")
    j = join(s, [Def(("people", "ann", "keys"), "[ ]"), Def(("mounts", "*", "device"), '"/dev/x"')])
    assert j.unknown == []
    assert j.node(("people", "ann", "keys")) is not None
    assert j.entries(("people",)) == ["ann"]
    ro = join(s, [Def(("system", "stamp"), '"x"')]).node(("system", "stamp"))
    assert ro is not None and not ro.editable


def test_with_the_real_configuration_loader(nixos: OptionSet) -> None:
    from nixos_settings.core.config import configuration as config

    cfg = config.Configuration.load(REPO / "examples" / "configuration.nix")
    j = join(nixos, cfg.definitions)
    assert j.nodes and j.unknown == []
    hn = j.node(("networking", "hostName"))
    assert hn is not None and hn.definitions[0].file.name == "configuration.nix"
