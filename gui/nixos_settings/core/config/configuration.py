"""A NixOS configuration: the opened file, every file it imports, and their definitions.

``Configuration.load(path)`` reads a module and follows ``imports`` recursively;
``Configuration.load_flake(flake, host)`` starts from ``nixosConfigurations.<host>``'s
``modules`` list (:mod:`nixos_settings.core.config.imports` reads both).  Edits are planned
elsewhere (:mod:`nixos_settings.core.edit.planning`) as
:class:`~nixos_settings.core.nix.text.ChangeSet` values and applied in memory with
:meth:`Configuration.apply`; :mod:`nixos_settings.core.edit.save` writes changed files.
"""

from __future__ import annotations

import os
from pathlib import Path

from nixos_settings.core.common.errors import EditError, NixSettingsError
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.definitions import Definition, Module, map_module
from nixos_settings.core.config.document import Document, FileAccessError, Problem
from nixos_settings.core.config.imports import MODULE_FILE, MODULE_INLINE, import_target
from nixos_settings.core.config.imports import FlakeHost as FlakeHost
from nixos_settings.core.config.imports import flake_hosts as flake_hosts
from nixos_settings.core.nix.grammar import Node
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, unified_diff

DEFAULT_CONFIG = Path("/etc/nixos/configuration.nix")


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
                raise NixSettingsError(
                    f"{path}: the flake has several hosts ({names}); pick one by adding #HOST "
                    f"to the flake's path, for example --flake {path.parent}#{hosts[0].name}")
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

    def as_read(self) -> Configuration:
        """A second configuration over the bytes every document had when read (or last
        saved), following imports as they were then.  Unchanged files share their documents
        and their mapping with this one; changed ones are parsed and mapped again from their
        old bytes.  (What the review compares the edited configuration with.)"""
        before = Configuration(self.root)
        before.flake_host = self.flake_host
        for path, doc in self.documents.items():
            before.documents[path] = (Document(path, bytes(doc.original),
                                               nix_trusted=doc.nix_trusted)
                                      if doc.modified else doc)
        # The mapping of an unchanged file holds for both configurations (and is what costs).
        before._mapped = {key: hit for key, hit in self._mapped.items()
                          if key[0] in self.documents and not self.documents[key[0]].modified
                          and hit[0] is self.documents[key[0]].source}
        try:
            before._discover()
        except (NixSettingsError, StopIteration):  # the flake's host was written by an edit
            before.modules = []
            before._invalidate()
        return before

    def _invalidate(self) -> None:
        self._definitions = None
        self._containers = None
        self._by_loc = None
        self._by_head = None

    def _visit_flake_module(self, doc: Document, kind: str, node: Node,
                            seen: set[tuple[Path, int]]) -> None:
        line, col = doc.node_position(node)
        if kind == MODULE_FILE:
            self._follow(doc, node, seen)
        elif kind == MODULE_INLINE:
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

    def defined_under(self, loc: Loc) -> list[Definition]:
        """Every place that defines ``loc`` or something below it, each once: a set bound to
        ``loc`` (or below) stands for what it holds; in file order."""
        n = len(loc)
        items = [d for d in self.sharing_head(loc) if d.loc[:n] == loc] if loc else \
            self.definitions + self.containers
        sets = [c for c in items if c.kind == defs.ATTRSET]
        out: list[Definition] = []
        seen: set[tuple[Path, tuple[int, int]]] = set()
        for d in items:
            key = (d.file, d.value_span)
            if key in seen:
                continue
            seen.add(key)
            b0, b1 = d.binding_span
            if any(c.file == d.file and c.value_span[0] <= b0 and b1 <= c.value_span[1]
                   and c.value_span != d.value_span for c in sets):
                continue  # written inside a set that is listed already
            out.append(d)
        order = {p: i for i, p in enumerate(self._order)}
        out.sort(key=lambda d: (order.get(d.file, len(order)), d.binding_span[0]))
        return out

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
