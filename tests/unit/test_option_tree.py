"""The browsable option tree (core, Qt-free): the same rule as the join for what is unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nixos_settings.core.options.model import OptionSet, load_file
from nixos_settings.core.options.tree import (
    ENTRY,
    GROUP,
    OPTION,
    TEMPLATE,
    UNKNOWN,
    OptionTree,
    join,
)


@dataclass
class Def:
    loc: tuple[str, ...]
    value_text: str = "true"
    file: Path = Path("/etc/nixos/configuration.nix")
    line: int = 1
    column: int = 1
    wrappers: tuple[Any, ...] = field(default_factory=tuple)


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> OptionSet:
    return load_file(shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")


DEFS = [
    Def(("users", "users", "alice", "isNormalUser")),
    Def(("users", "users", "alice", "isNormalUsr")),  # a typo under a closed submodule
    Def(("networking", "hosts", "127.0.0.1"), '[ "me" ]'),  # a key inside an attrs value
    Def(("boot", "kernel", "sysctl", "net.ipv4.ip_forward"), "1"),
    Def(("services", "opensh", "enable")),
]


def test_kinds_of_nodes(nixos: OptionSet) -> None:
    tree = OptionTree(nixos, DEFS)  # type: ignore[arg-type]  # duck-typed definitions
    kind = {loc: getattr(tree.find(loc), "kind", None) for loc in [
        ("users",), ("users", "users"), ("users", "users", "<name?>"),
        ("users", "users", "alice"), ("users", "users", "alice", "isNormalUser"),
        ("users", "users", "alice", "isNormalUsr"), ("networking", "hosts", "127.0.0.1"),
        ("services", "opensh"),
    ]}
    assert kind == {
        ("users",): GROUP, ("users", "users"): OPTION, ("users", "users", "<name?>"): TEMPLATE,
        ("users", "users", "alice"): ENTRY, ("users", "users", "alice", "isNormalUser"): OPTION,
        ("users", "users", "alice", "isNormalUsr"): UNKNOWN,
        ("networking", "hosts", "127.0.0.1"): ENTRY, ("services", "opensh"): UNKNOWN,
    }


def test_unknown_definitions_are_the_joins(nixos: OptionSet) -> None:
    tree = OptionTree(nixos, DEFS)  # type: ignore[arg-type]
    from_tree = [loc for loc, _ in tree.unknown_definitions()]
    from_join = [tuple(u.definition.loc) for u in join(nixos, DEFS).unknown]
    assert from_tree == from_join == [("users", "users", "alice", "isNormalUsr"),
                                      ("services", "opensh", "enable")]
    assert sorted(n.loc for n in tree.unknown()) == [
        ("services", "opensh"), ("users", "users", "alice", "isNormalUsr")]


def test_only_set_keeps_entries_of_unset_templates(nixos: OptionSet) -> None:
    tree = OptionTree(nixos, DEFS, only_set=True)  # type: ignore[arg-type]
    alice = tree.find(("users", "users", "alice"))
    assert alice is not None and alice.kind == ENTRY
    assert [c.name for c in tree.children(tree.root)] == [
        "boot", "networking", "services", "users"]


def test_children_in_natural_order_ignoring_case() -> None:
    """Rows sort as people read them: case ignored, numbers by value, templates first."""
    from nixos_settings.core.options.tree import child_order

    names = ["zfs", "Foo", "boot", "eth10", "eth2", "<name>", "Boot", "²x"]
    assert sorted(names, key=child_order) == [
        "<name>", "Boot", "boot", "eth2", "eth10", "Foo", "zfs", "²x"]


def test_tree_rows_sorted_case_insensitively() -> None:
    """Declared and undeclared children mix in one natural order (the view shows this)."""
    from nixos_settings.core.options.model import from_records

    opts = from_records({
        f"a.{seg}": {"loc": ["a", seg], "type": "boolean", "description": "", "declarations": []}
        for seg in ("zfs", "Foo", "boot", "x10", "x9")})
    tree = OptionTree(opts, [Def(("a", "Bar")), Def(("a", "yes"))])  # type: ignore[list-item]
    node = tree.find(("a",))
    assert node is not None
    assert [c.name for c in tree.children(node)] == [
        "Bar", "boot", "Foo", "x9", "x10", "yes", "zfs"]


def test_internal_options_are_hidden_unless_set() -> None:
    """An internal option (not for users; the Home Manager join's open stand-in for its
    module's other settings) makes no row, but what the files set under it does."""
    from nixos_settings.core.options.model import OptionInfo

    opts = OptionSet([
        OptionInfo("hm.users", ("hm", "users"), "attribute set of (submodule)", "Users."),
        OptionInfo("hm.<name>", ("hm", "<name>"), "anything", "Other settings.",
                   internal=True),
        OptionInfo("hm.users.<name>.x", ("hm", "users", "<name>", "x"), "boolean", "X."),
    ])
    tree = OptionTree(opts, [])
    hm = tree.find(("hm",))
    assert hm is not None and [c.name for c in tree.children(hm)] == ["users"]
    tree = OptionTree(opts, [Def(("hm", "useGlobalPkgs"))])  # type: ignore[list-item]
    hm = tree.find(("hm",))
    assert hm is not None
    assert [(c.name, c.kind) for c in tree.children(hm)] == [("useGlobalPkgs", ENTRY),
                                                            ("users", OPTION)]
