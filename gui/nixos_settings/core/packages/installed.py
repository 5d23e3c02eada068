"""Where packages are installed in a configuration: every package list and its elements.

The lists are the values of ``environment.systemPackages`` (the system),
``users.users.NAME.packages`` (one user) and Home Manager's ``home.packages`` (also below
``home-manager.users.NAME``).  A value is read through parentheses, ``with pkgs;``, ``let``,
``++`` and ``lib.optional(s) COND …`` (whose elements are marked conditional); an element
is a package when it names one: ``firefox`` (in ``with pkgs;``), ``pkgs.firefox``,
``(pkgs.x.override { … })`` or ``pkgs.python3.withPackages (…)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nixos_settings.core.common.errors import OptionPathError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.grammar import Node
from nixos_settings.core.nix.optpath import Loc

SYSTEM = ("environment", "systemPackages")
#: calls on a package that still install that package (``pkgs.x.override { … }``)
_METHODS = frozenset({"override", "overrideAttrs", "overrideDerivation", "withPackages",
                      "withPlugins", "withExtensions", "overridePythonAttrs", "wrap",
                      "withPlugins'", "full", "out", "bin"})
_CONDITIONAL = frozenset({"optional", "optionals"})
_WITH_PKGS = re.compile(rb"with\s+pkgs\s*;")


def where_of(loc: Loc) -> str | None:
    """``system``, ``user:NAME`` or ``home`` (``home:NAME``) for a package list's option."""
    if tuple(loc) == SYSTEM:
        return "system"
    if len(loc) == 4 and loc[:2] == ("users", "users") and loc[3] == "packages":
        return f"user:{loc[2]}"
    if loc[-2:] == ("home", "packages"):
        if len(loc) == 5 and loc[:2] == ("home-manager", "users"):
            return f"home:{loc[2]}"
        return "home" if len(loc) == 2 else None
    return None


def where_words(where: str) -> str:
    """``system`` → "the whole system", ``user:alice`` → "user alice", ``home`` → "Home
    Manager" (the words both faces use)."""
    kind, _, name = where.partition(":")
    if kind == "user":
        return f"user {name}"
    if kind == "home":
        return f"Home Manager ({name})" if name else "Home Manager"
    return "the whole system" if where == "system" else where


def loc_of(where: str) -> Loc:
    """The option of ``--to system|user:NAME|home`` (``home:NAME``: a Home Manager user)."""
    kind, _, name = where.partition(":")
    if kind == "system" and not name:
        return SYSTEM
    if kind == "user" and name:
        return ("users", "users", name, "packages")
    if kind == "home":
        return ("home-manager", "users", name, "home", "packages") if name else ("home",
                                                                                  "packages")
    raise ValueError(f"{where!r} is not a place for packages: use system, user:NAME or home")


def places(cfg: Configuration) -> list[str]:
    """Where packages can go in ``cfg``: in a NixOS configuration the whole system, each
    user the files set up and Home Manager where the files use it; in a Home Manager file
    only Home Manager (it has no system list).  The first is the default."""
    from nixos_settings.core.system.kind import HOME_MANAGER, configuration_kind

    defs = cfg.definitions + cfg.containers
    homes = sorted({w for d in defs if (w := where_of(d.loc) or "").startswith("home")})
    if configuration_kind(d.loc for d in cfg.definitions) == HOME_MANAGER:
        return homes if homes else ["home"]
    users = sorted({d.loc[2] for d in defs if d.loc[:2] == ("users", "users")
                    and len(d.loc) > 2})
    if not homes and any(d.loc[:1] == ("home",) for d in defs):
        homes = ["home"]
    return ["system", *(f"user:{u}" for u in users), *homes]


@record
class PackageRef:
    """One element of a package list."""

    attr: str | None  # the package's attribute path (None: not a plain package)
    text: str  # the element's source text
    option: str
    where: str
    file: Path
    line: int
    column: int
    span: tuple[int, int]
    conditional: bool = False  # inside lib.optional(s)
    with_pkgs: bool = False  # written inside ``with pkgs;``

    def as_json(self) -> dict[str, object]:
        return {"attr": self.attr, "option": self.option, "file": str(self.file),
                "line": self.line, "where": self.where, "text": self.text,
                "conditional": self.conditional}


@record
class PackageList:
    """One list literal holding packages, with its elements."""

    definition: Definition
    span: tuple[int, int]
    with_pkgs: bool
    conditional: bool
    refs: list[PackageRef] = field(default_factory=list)


def _path_text(src: bytes, node: Node) -> str | None:
    """``pkgs.python3Packages.foo`` for a variable or select node (None otherwise)."""
    if node.type not in (g.VARIABLE, g.SELECT):
        return None
    if node.type == g.SELECT and node.child_by_field_name(g.DEFAULT) is not None:
        return None
    return "".join(g.text(src, node).split())


def package_attr(src: bytes, element: Node) -> str | None:
    """The attribute path a list element installs, without ``pkgs.``; None when it is not a
    plain package reference."""
    node = g.strip_parens(element)
    if node.type == g.APPLY:
        node = g.strip_parens(g.flatten_apply(node)[0])
    path = _path_text(src, node)
    if path is None:
        return None
    try:
        parts = list(optpath.parse(path))
    except OptionPathError:
        return None
    if not parts:
        return None
    while len(parts) > 1 and parts[-1] in _METHODS:
        parts.pop()
    if parts[0] == "pkgs" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _lists(src: bytes, node: Node | None, with_pkgs: bool, conditional: bool
           ) -> Iterator[tuple[Node, bool, bool]]:
    if node is None:
        return
    node = g.strip_parens(node)
    if node.type == g.WITH:
        body = node.child_by_field_name(g.BODY)
        head = src[node.start_byte : body.start_byte if body is not None else node.end_byte]
        yield from _lists(src, body, with_pkgs or bool(_WITH_PKGS.match(head)), conditional)
    elif node.type == g.LET:
        yield from _lists(src, node.child_by_field_name(g.BODY), with_pkgs, conditional)
    elif node.type == g.LIST:
        yield node, with_pkgs, conditional
    elif g.is_concat(node):
        yield from _lists(src, node.child_by_field_name(g.LEFT), with_pkgs, conditional)
        yield from _lists(src, node.child_by_field_name(g.RIGHT), with_pkgs, conditional)
    elif node.type == g.APPLY:
        fn, args = g.flatten_apply(node)
        if g.function_name(src, fn) in _CONDITIONAL and args:
            yield from _lists(src, args[-1], with_pkgs, True)


def package_lists(cfg: Configuration) -> list[PackageList]:
    """Every package list literal of the configuration, in file order."""
    out: list[PackageList] = []
    for d in cfg.definitions:
        where = where_of(d.loc)
        if where is None or d.doc is None or d.value is None:
            continue
        src = d.doc.source
        for lst, with_pkgs, conditional in _lists(src, d.value, False, False):
            pl = PackageList(d, (lst.start_byte, lst.end_byte), with_pkgs, conditional)
            for el in g.elements(lst):
                pl.refs.append(PackageRef(
                    package_attr(src, el), g.text(src, el), optpath.show(d.loc), where,
                    d.file, el.start_point[0] + 1, el.start_point[1] + 1,
                    (el.start_byte, el.end_byte), conditional, with_pkgs))
            out.append(pl)
    return out


def installed(cfg: Configuration) -> list[PackageRef]:
    """Every element of every package list (what is installed where)."""
    return [ref for pl in package_lists(cfg) for ref in pl.refs]


def installed_attrs(cfg: Configuration) -> set[str]:
    return {ref.attr for ref in installed(cfg) if ref.attr}
