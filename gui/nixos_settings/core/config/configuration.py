"""A NixOS configuration: the opened file, every file it imports, and their definitions.

``Configuration.load(path)`` reads a module and follows ``imports`` recursively;
``Configuration.load_flake(flake, host)`` starts from ``nixosConfigurations.<host>``'s
``modules`` list.  Edits are planned elsewhere (:mod:`nixos_settings.core.edit.planning`) as
:class:`~nixos_settings.core.nix.text.ChangeSet` values and applied in memory with
:meth:`Configuration.apply`; :mod:`nixos_settings.core.edit.save` writes changed files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import EditError, NixSettingsError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.definitions import Definition, Module, map_module, strip_parens
from nixos_settings.core.config.document import Document, FileAccessError, Problem
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, unified_diff

Node = Any
DEFAULT_CONFIG = Path("/etc/nixos/configuration.nix")


@record
class FlakeHost:
    """One ``nixosConfigurations.<name>`` of a flake."""

    name: str
    line: int
    modules: list[tuple[str, Node]] = field(default_factory=list)  # (kind, node)
    problem: str | None = None  # why the host cannot be read statically


def resolve_import_path(base_dir: Path, text: str) -> Path:
    p = Path(os.path.expanduser(text)) if text.startswith("~") else base_dir / text
    p = Path(os.path.normpath(p))
    if p.is_dir():
        p = p / "default.nix"
    return p


class Configuration:
    """The documents of one configuration and what they define."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: dict[Path, Document] = {}
        self.modules: list[Module] = []
        self.notes: list[Problem] = []
        self.flake_host: str | None = None
        self._order: list[Path] = []
        self._definitions: list[Definition] | None = None
        self._containers: list[Definition] | None = None
        self._by_loc: dict[Loc, list[Definition]] | None = None
        self._by_head: dict[str, list[Definition]] | None = None
        # (path, module node start) → (the source it was mapped from, the module)
        self._mapped: dict[tuple[Path, int], tuple[bytes, Module]] = {}

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str = DEFAULT_CONFIG) -> Configuration:
        root = Path(os.path.abspath(path))
        if root.is_dir():
            for name in ("configuration.nix", "default.nix", "flake.nix"):
                if (root / name).exists():
                    root = root / name
                    break
        cfg = cls(root)
        cfg.documents[root] = Document.read(root)  # the root must exist: errors propagate
        cfg._discover()
        return cfg

    @classmethod
    def load_flake(cls, flake: Path | str, host: str | None = None) -> Configuration:
        path = Path(os.path.abspath(flake))
        if path.is_dir():
            path = path / "flake.nix"
        cfg = cls(path)
        cfg.documents[path] = Document.read(path)
        hosts = flake_hosts(cfg.documents[path])
        if not hosts:
            raise NixSettingsError(f"{path}: no nixosConfigurations found in this flake")
        if host is None:
            if len(hosts) > 1:
                names = ", ".join(h.name for h in hosts)
                raise NixSettingsError(f"{path}: the flake has several hosts ({names}); pick one")
            host = hosts[0].name
        found = next((h for h in hosts if h.name == host), None)
        if found is None:
            names = ", ".join(h.name for h in hosts)
            raise NixSettingsError(f"{path}: no host {host!r} in nixosConfigurations ({names})")
        if found.problem:
            raise NixSettingsError(f"{path}:{found.line}: host {host!r}: {found.problem}")
        cfg.flake_host = host
        cfg._discover()
        return cfg

    def document(self, path: Path) -> Document:
        return self.documents[path]

    def _read(self, path: Path) -> Document | None:
        doc = self.documents.get(path)
        if doc is None:
            try:
                doc = Document.read(path)
            except FileAccessError as err:
                self._note(err.path or path, 1, 1, f"cannot open imported file: {err.message}")
                return None
            self.documents[path] = doc
        return doc

    def _note(self, path: Path, line: int, col: int, msg: str, sev: str = "note") -> None:
        self.notes.append(Problem(path, line, col, msg, sev))

    def _discover(self) -> None:
        """(Re)build the module list from the documents in memory, following imports."""
        self.modules = []
        self.notes = []
        self._order = []
        visited: set[tuple[Path, int]] = set()
        root_doc = self.documents[self.root]
        if self.flake_host is not None:
            host = next(h for h in flake_hosts(root_doc) if h.name == self.flake_host)
            for kind, node in host.modules:
                self._visit_flake_module(root_doc, kind, node, visited)
        else:
            self._visit(root_doc, None, visited)
        self._invalidate()

    def _invalidate(self) -> None:
        self._definitions = None
        self._containers = None
        self._by_loc = None
        self._by_head = None

    def _visit_flake_module(self, doc: Document, kind: str, node: Node, seen: set[Any]) -> None:
        line, col = doc.node_position(node)
        if kind == "path":
            self._follow(doc, node, seen)
        elif kind == "inline":
            self._visit(doc, node, seen)
        else:
            self._note(doc.path, line, col,
                       f"module {doc.text(node.start_byte, node.end_byte)} is not a local "
                       "file; its definitions are not shown")

    def _visit(self, doc: Document, node: Node | None, seen: set[tuple[Path, int]]) -> None:
        key = (doc.path, -1 if node is None else node.start_byte)
        if key in seen:
            return
        seen.add(key)
        if doc.path not in self._order:
            self._order.append(doc.path)
        for p in doc.problems:
            self.notes.append(p)
        cached = self._mapped.get(key)
        if cached is not None and cached[0] is doc.source:
            module = cached[1]  # the file did not change: its mapping still holds
        else:
            module = map_module(doc, node)
            self._mapped[key] = (doc.source, module)
        self.modules.append(module)
        for note in module.notes:
            self._note(doc.path, 1, 1, note, "warning")
        for ref in module.imports:
            self._follow(doc, ref.node, seen)

    def _follow(self, doc: Document, el: Node, seen: set[tuple[Path, int]]) -> None:
        line, col = doc.node_position(el)
        target = import_target(doc, el)
        text = doc.text(el.start_byte, el.end_byte)
        if isinstance(target, str):
            self._note(doc.path, line, col, f"import {text}: {target}")
            return
        if not target.exists():
            self._note(doc.path, line, col, f"imported file {text} does not exist ({target})",
                       "warning")
            return
        child = self._read(target)
        if child is not None:
            self._visit(child, None, seen)

    # -- queries ---------------------------------------------------------------------------
    @property
    def files(self) -> list[Path]:
        return list(self._order)

    @property
    def definitions(self) -> list[Definition]:
        if self._definitions is None:
            self._definitions = [d for m in self.modules for d in m.definitions]
        return self._definitions

    @property
    def containers(self) -> list[Definition]:
        if self._containers is None:
            self._containers = [d for m in self.modules for d in m.containers]
        return self._containers

    def _build_index(self) -> None:
        by_loc: dict[Loc, list[Definition]] = {}
        by_head: dict[str, list[Definition]] = {}
        for d in self.definitions:
            by_loc.setdefault(d.loc, []).append(d)
        for d in self.definitions + self.containers:
            if d.loc:
                by_head.setdefault(d.loc[0], []).append(d)
        self._by_loc, self._by_head = by_loc, by_head

    def find(self, loc: Loc) -> list[Definition]:
        if self._by_loc is None:
            self._build_index()
        assert self._by_loc is not None
        return list(self._by_loc.get(loc, ()))

    def sharing_head(self, loc: Loc) -> list[Definition]:
        """Definitions and attribute sets whose path starts with ``loc[0]``."""
        if not loc:
            return self.definitions + self.containers
        if self._by_head is None:
            self._build_index()
        assert self._by_head is not None
        return list(self._by_head.get(loc[0], ()))

    def find_any(self, loc: Loc) -> list[Definition]:
        """Leaf definitions of ``loc``, else attribute sets bound to exactly ``loc``."""
        return self.find(loc) or [c for c in self.containers if c.loc == loc]

    @property
    def problems(self) -> list[Problem]:
        return [n for n in self.notes if n.severity == "error"]

    def dirty_paths(self) -> list[Path]:
        return [p for p, d in self.documents.items() if d.modified]

    # -- applying and saving -----------------------------------------------------------------
    def apply(self, change: ChangeSet) -> None:
        """Make ``change`` the in-memory state (validating syntax first); remap."""
        for path, (old, _new) in change.files.items():
            if path not in self.documents or self.documents[path].source != old:
                raise EditError("the file changed since this edit was planned", path)
        all_incremental = True
        for path, (old, new) in change.files.items():
            doc = self.documents[path]
            splices = change.splices.get(path)
            doc.replace_source(new, splices, change.trees.get(path))
            mods = [m for m in self.modules if m.document is doc]
            if splices and len(mods) == 1 and (path, -1) in self._mapped and \
                    defs.remap_incremental(mods[0], old, splices):
                self._mapped[(path, -1)] = (doc.source, mods[0])
            else:
                all_incremental = False
        if all_incremental:
            # Same modules, same imports (remap_incremental refuses otherwise): only the
            # derived lists are stale; following every import again would be wasted I/O.
            self._invalidate()
        else:
            self._discover()

    def diff(self) -> str:
        """Unified diff of every document against what was read from disk."""
        items = []
        for path in self._order:
            doc = self.documents[path]
            if doc.modified:
                items.append((path, doc.original, doc.source))
        return unified_diff(items)


# -- imports and flakes -----------------------------------------------------------------------


def import_target(doc: Document, el: Node) -> Path | str:
    """The file an ``imports`` element points to, or a sentence saying why it isn't followed."""
    source = doc.source
    node = strip_parens(el)
    if node.type == "apply_expression":
        fn, args = defs.flatten_apply(node)
        if defs.function_name(source, fn) == "import" and len(args) == 1:
            node = strip_parens(args[0])
        else:
            return "computed import (a function call); not followed"
    text = source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
    if node.type in ("path_expression", "hpath_expression"):
        if any(c.type == "interpolation" for c in node.named_children):
            return "computed path; not followed"
        return resolve_import_path(doc.path.parent, text)
    if node.type == "spath_expression":
        return "search-path import (<…>) is outside the configuration; not followed"
    return "computed import; not followed"


def flake_hosts(doc: Document) -> list[FlakeHost]:
    """Every ``nixosConfigurations.<host>`` in a flake, with its module list when static."""
    src = doc.source
    root = doc.tree.root_node.child_by_field_name("expression")
    body, _ = defs.module_body(root) if root is not None else (None, None)
    if body is None:
        return []
    outputs = None
    for b in defs.bindings(body):
        if b.type == "binding" and defs.attrpath_of(src, b)[0] == ("outputs",):
            outputs = b.child_by_field_name("expression")
    if outputs is None:
        return []
    hosts: list[FlakeHost] = []
    for attrset in _output_attrsets(outputs):
        for b in defs.bindings(attrset):
            if b.type != "binding":
                continue
            segs = defs.attrpath_of(src, b)[0]
            value = b.child_by_field_name("expression")
            if segs[:1] != ("nixosConfigurations",) or value is None:
                continue
            if len(segs) == 2:
                hosts.append(_host(doc, segs[1], b, value))
            elif len(segs) == 1 and strip_parens(value).type in defs.ATTRSET_TYPES:
                for hb in defs.bindings(strip_parens(value)):
                    hsegs = defs.attrpath_of(src, hb)[0] if hb.type == "binding" else ()
                    hval = hb.child_by_field_name("expression") if hsegs else None
                    if len(hsegs) == 1 and hval is not None:
                        hosts.append(_host(doc, hsegs[0], hb, hval))
    return hosts


def _output_attrsets(node: Node) -> list[Node]:
    node = strip_parens(node)
    while node.type in ("function_expression", "let_expression", "with_expression"):
        node = strip_parens(node.child_by_field_name("body"))
    if node.type in defs.ATTRSET_TYPES:
        return [node]
    if node.type == "binary_expression":
        return _output_attrsets(node.child_by_field_name("left")) + _output_attrsets(
            node.child_by_field_name("right")
        )
    return []


def _host(doc: Document, name: str, binding: Node, value: Node) -> FlakeHost:
    src = doc.source
    line, _ = doc.node_position(binding)
    host = FlakeHost(name, line)
    node = strip_parens(value)
    if node.type != "apply_expression":
        host.problem = "not a call of nixosSystem; it can't be read without evaluating Nix"
        return host
    fn, args = defs.flatten_apply(node)
    if defs.function_name(src, fn) != "nixosSystem" or len(args) != 1:
        host.problem = (
            f"built by {doc.text(fn.start_byte, fn.end_byte)}, not nixosSystem; "
            "it can't be read without evaluating Nix"
        )
        return host
    arg = strip_parens(args[0])
    if arg.type not in defs.ATTRSET_TYPES:
        host.problem = "the argument of nixosSystem is computed"
        return host
    modules = None
    for b in defs.bindings(arg):
        if b.type == "binding" and defs.attrpath_of(src, b)[0] == ("modules",):
            modules = b.child_by_field_name("expression")
    if modules is None:
        host.problem = "nixosSystem has no literal modules list"
        return host
    elements = defs.list_elements(modules)
    if not elements:
        host.problem = "the modules list is computed"
        return host
    for el in elements:
        inner = strip_parens(el)
        if inner.type in ("path_expression", "hpath_expression") or (
            inner.type == "apply_expression"
            and defs.function_name(src, defs.flatten_apply(inner)[0]) == "import"
        ):
            host.modules.append(("path", el))
        elif inner.type in defs.ATTRSET_TYPES or inner.type == "function_expression":
            host.modules.append(("inline", inner))
        else:
            host.modules.append(("external", el))
    return host
