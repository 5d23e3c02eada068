"""Where a flake says its hosts are deployed, read statically from ``flake.nix``.

* colmena: ``colmena = { meta = …; HOST = { deployment.targetHost = "…";
  deployment.targetUser = "…"; … }; }`` (also ``colmenaHive = colmena.lib.makeHive { … }``
  and ``colmena.HOST = …``);
* deploy-rs: ``deploy.nodes.HOST = { hostname = "…"; sshUser = "…"; profiles… }``.

Only literal strings count; a computed address is reported as unknown (None), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from nixos_settings.core.common.records import record
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.document import Document
from nixos_settings.core.config.imports import _binding_named, _output_attrsets
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix.grammar import Node, bindings, flatten_apply, strip_parens
from nixos_settings.core.nix.literals import string_value

COLMENA = "colmena"
DEPLOY_RS = "deploy-rs"
_HIVE_KEYS = frozenset({"meta", "defaults"})


@record
class DeployNode:
    """A host as a deployment tool of the flake declares it."""

    name: str
    engine: str  # COLMENA or DEPLOY_RS
    line: int
    address: str | None = None  # colmena targetHost / deploy-rs hostname
    user: str | None = None  # colmena targetUser / deploy-rs sshUser


def _leaves(src: bytes, node: Node, prefix: tuple[str, ...], depth: int = 0
            ) -> Iterator[tuple[tuple[str, ...], Node, Node]]:
    """(path, value, binding) for each binding under ``node``, descending into literal
    attribute sets (and the attribute-set argument of ``makeHive``-like calls)."""
    node = strip_parens(node)
    if node.type == g.APPLY and depth > 0:
        _fn, args = flatten_apply(node)
        if args:
            yield from _leaves(src, args[-1], prefix, depth)
        return
    if node.type not in g.ATTRSET_KINDS or depth > 6:
        return
    for b in bindings(node):
        if b.type != g.BINDING:
            continue
        segs, _nodes, static = defs.attrpath_of(src, b)
        value = b.child_by_field_name(g.EXPRESSION)
        if not static or value is None:
            continue
        path = (*prefix, *segs)
        yield path, value, b
        yield from _leaves(src, value, path, depth + 1)


def deploy_nodes(doc: Document) -> list[DeployNode]:
    """Every host colmena or deploy-rs declares in the flake, with its address and user."""
    src = doc.source
    root = g.top_expression(doc.tree)
    body, _ = defs.module_body(root) if root is not None else (None, None)
    outputs = _binding_named(src, body, "outputs") if body is not None else None
    if outputs is None:
        return []
    found: dict[tuple[str, str], DeployNode] = {}
    for attrset in _output_attrsets(outputs):
        for path, value, binding in _leaves(src, attrset, ()):
            _note(doc, found, path, value, binding)
    return list(found.values())


def _note(doc: Document, found: dict[tuple[str, str], DeployNode], path: tuple[str, ...],
          value: Node, binding: Node) -> None:
    head = path[0] if path else ""
    if head in ("colmena", "colmenaHive") and len(path) >= 2 and path[1] not in _HIVE_KEYS:
        node = _node(doc, found, path[1], COLMENA, binding)
        if path[2:] == ("deployment", "targetHost"):
            node.address = string_value(doc.source, strip_parens(value))
        elif path[2:] == ("deployment", "targetUser"):
            node.user = string_value(doc.source, strip_parens(value))
    elif path[:2] == ("deploy", "nodes") and len(path) >= 3:
        node = _node(doc, found, path[2], DEPLOY_RS, binding)
        if path[3:] == ("hostname",):
            node.address = string_value(doc.source, strip_parens(value))
        elif path[3:] == ("sshUser",):
            node.user = string_value(doc.source, strip_parens(value))


def _node(doc: Document, found: dict[tuple[str, str], DeployNode], name: str, engine: str,
          binding: Node) -> DeployNode:
    key = (engine, name)
    if key not in found:
        line, _ = doc.node_position(binding)
        found[key] = DeployNode(name, engine, line)
    return found[key]


def host_system(doc: Document, host_binding_line: int) -> str | None:
    """The literal ``system = "…";`` of the nixosSystem call that starts on that line."""
    src = doc.source
    root = g.top_expression(doc.tree)
    body, _ = defs.module_body(root) if root is not None else (None, None)
    outputs = _binding_named(src, body, "outputs") if body is not None else None
    if outputs is None:
        return None
    for attrset in _output_attrsets(outputs):
        for path, value, binding in _leaves(src, attrset, ()):
            if path[:1] == ("nixosConfigurations",) and path[-1:] == ("system",) and \
                    doc.node_position(binding)[0] >= host_binding_line:
                return string_value(src, strip_parens(value))
    return None
