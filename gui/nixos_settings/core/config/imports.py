"""Where a configuration's modules come from: ``imports`` elements and a flake's hosts.

:func:`import_target` tells which file an element of an ``imports`` list points to (or why
it is not followed); :func:`flake_hosts` lists a flake's ``nixosConfigurations`` with each
host's ``modules`` list when it can be read without evaluating Nix.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nixos_settings.core.common.records import field, record
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.document import Document
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix.grammar import (
    Node,
    bindings,
    flatten_apply,
    function_name,
    strip_parens,
)

#: how a flake host's module is read (:attr:`FlakeHost.modules`)
MODULE_FILE = "path"  # a local file: followed like an import
MODULE_INLINE = "inline"  # a module written in the flake itself
MODULE_EXTERNAL = "external"  # anything else (an input's module …): not shown


@record
class FlakeHost:
    """One ``nixosConfigurations.<name>`` of a flake."""

    name: str
    line: int
    modules: list[tuple[str, Node]] = field(default_factory=list)  # (kind, node)
    problem: str | None = None  # why the host cannot be read statically


#: ``modulesPath + "/…"`` or ``"${modulesPath}/…"``: one of NixOS's own modules
_NIXOS_MODULE = re.compile(r'\s*(?:modulesPath\s*\+|"\$\{modulesPath\})')


def resolve_import_path(base_dir: Path, text: str) -> Path:
    p = Path(os.path.expanduser(text)) if text.startswith("~") else base_dir / text
    p = Path(os.path.normpath(p))
    if p.is_dir():
        p = p / "default.nix"
    return p


#: ``import ./file.nix`` as a whole value (a submodule written in its own file)
_IMPORTED = re.compile(r"import\s+(\.{0,2}/[^\s;()]+|~/[^\s;()]+)")


def imported_module(d: defs.Definition) -> Path | None:
    """The file whose module is ``d``'s whole value (``home-manager.users.jane = import
    ./home.nix;``), which the configuration does not open; else None."""
    imported = _IMPORTED.fullmatch(" ".join(str(d.value_text).split()))
    return resolve_import_path(d.file.parent, imported.group(1)) if imported else None


def import_target(doc: Document, el: Node) -> Path | str:
    """The file an ``imports`` element points to, or a sentence saying why it isn't followed."""
    source = doc.source
    node = strip_parens(el)
    if node.type == g.APPLY:
        fn, args = flatten_apply(node)
        if function_name(source, fn) == "import" and len(args) == 1:
            node = strip_parens(args[0])
        else:
            return "computed import (a function call); not followed"
    text = g.text(source, node)
    if node.type in g.LOCAL_PATH_KINDS:
        if any(c.type == g.INTERPOLATION for c in node.named_children):
            return "computed path; not followed"
        return resolve_import_path(doc.path.parent, text)
    if node.type == g.SPATH:
        return "search-path import (<…>) is outside the configuration; not followed"
    if _NIXOS_MODULE.match(text):
        return "a module that comes with NixOS, not one of your files; not opened"
    return "computed import; not followed"


def _binding_named(src: bytes, attrset: Node, name: str) -> Node | None:
    """The value of the last ``name = …;`` binding of an attribute set."""
    value = None
    for b in bindings(attrset):
        if b.type == g.BINDING and defs.attrpath_of(src, b)[0] == (name,):
            value = b.child_by_field_name(g.EXPRESSION)
    return value


def flake_hosts(doc: Document) -> list[FlakeHost]:
    """Every ``nixosConfigurations.<host>`` in a flake, with its module list when static."""
    src = doc.source
    root = g.top_expression(doc.tree)
    body, _ = defs.module_body(root, src) if root is not None else (None, None)
    if body is None:
        return []
    outputs = _binding_named(src, body, "outputs")
    if outputs is None:
        return []
    hosts: list[FlakeHost] = []
    for attrset in _output_attrsets(outputs):
        for b in bindings(attrset):
            if b.type != g.BINDING:
                continue
            segs = defs.attrpath_of(src, b)[0]
            value = b.child_by_field_name(g.EXPRESSION)
            if segs[:1] != ("nixosConfigurations",) or value is None:
                continue
            if len(segs) == 2:
                hosts.append(_host(doc, segs[1], b, value))
            elif len(segs) == 1 and strip_parens(value).type in g.ATTRSET_KINDS:
                for hb in bindings(strip_parens(value)):
                    hsegs = defs.attrpath_of(src, hb)[0] if hb.type == g.BINDING else ()
                    hval = hb.child_by_field_name(g.EXPRESSION) if hsegs else None
                    if len(hsegs) == 1 and hval is not None:
                        hosts.append(_host(doc, hsegs[0], hb, hval))
    return hosts


#: what a flake's ``outputs`` may be wrapped in before its attribute set
_OUTPUT_WRAPPERS = frozenset({g.FUNCTION, g.LET, g.WITH})


def _output_attrsets(node: Node) -> list[Node]:
    node = strip_parens(node)
    while node.type in _OUTPUT_WRAPPERS:
        node = strip_parens(node.child_by_field_name(g.BODY))
    if node.type in g.ATTRSET_KINDS:
        return [node]
    if node.type == g.BINARY:
        return _output_attrsets(node.child_by_field_name(g.LEFT)) + _output_attrsets(
            node.child_by_field_name(g.RIGHT)
        )
    return []


def _host(doc: Document, name: str, binding: Node, value: Node) -> FlakeHost:
    src = doc.source
    line, _ = doc.node_position(binding)
    host = FlakeHost(name, line)
    node = strip_parens(value)
    if node.type != g.APPLY:
        host.problem = "not a call of nixosSystem; it can't be read without evaluating Nix"
        return host
    fn, args = flatten_apply(node)
    if function_name(src, fn) != "nixosSystem" or len(args) != 1:
        host.problem = (
            f"built by {doc.text(fn.start_byte, fn.end_byte)}, not nixosSystem; "
            "it can't be read without evaluating Nix"
        )
        return host
    arg = strip_parens(args[0])
    if arg.type not in g.ATTRSET_KINDS:
        host.problem = "the argument of nixosSystem is computed"
        return host
    modules = _binding_named(src, arg, "modules")
    if modules is None:
        host.problem = "nixosSystem has no literal modules list"
        return host
    elements = defs.list_elements(modules)
    if not elements:
        host.problem = "the modules list is computed"
        return host
    for el in elements:
        kind = _module_kind(src, el)
        # an inline module is visited as the module expression inside any parentheses
        host.modules.append((kind, strip_parens(el) if kind == MODULE_INLINE else el))
    return host


def _module_kind(src: bytes, el: Node) -> str:
    """How one element of a host's ``modules`` list is read (see :data:`MODULE_FILE`)."""
    inner = strip_parens(el)
    if inner.type in g.LOCAL_PATH_KINDS or (
        inner.type == g.APPLY and function_name(src, flatten_apply(inner)[0]) == "import"
    ):
        return MODULE_FILE
    if inner.type in g.ATTRSET_KINDS or inner.type == g.FUNCTION:
        return MODULE_INLINE
    return MODULE_EXTERNAL
