"""The shapes a value or a whole module may take around its attribute sets.

A value is read *through* what does not change which attributes it defines: parentheses, the
``lib.mk*`` wrappers (recorded as :class:`Wrapper`), and ``let … in`` / ``with …;`` whose
body is an attribute set (or ``mkMerge [ … ]``); the let's own bindings are scope, never
options.  ``a // b`` is read through its literal operands (:func:`update_operands`).  A whole
module may be such a value too: ``{ … }: let … in lib.mkMerge [ { … } (lib.mkIf c { … }) ]``
(:func:`module_parts`).  Anything else is described in a user's words
(:func:`describe_non_module`): "a call of buildPythonPackage, not a NixOS module".
"""

from __future__ import annotations

from nixos_settings.core.common.records import record
from nixos_settings.core.nix.grammar import (
    APPLY,
    ASSERT,
    ATTRPATH_FIELD,
    ATTRSET_KINDS,
    BINDING,
    BODY,
    ELEMENT,
    EXPRESSION,
    FLOAT,
    FUNCTION,
    IF,
    INDENTED_STRING,
    INTEGER,
    LEFT,
    LET,
    LIST,
    PARENTHESIZED,
    PATH,
    RIGHT,
    SCOPE_KINDS,
    SELECT,
    STRING,
    UPDATE,
    VARIABLE,
    WITH,
    Node,
    bindings,
    flatten_apply,
    formal_name,
    formals,
    function_name,
    is_update,
    strip_parens,
)
from nixos_settings.core.nix.grammar import (
    text as node_text,
)
from nixos_settings.core.nix.literals import string_value

#: wrapper name → number of arguments it takes (the last one is the wrapped value)
WRAPPER_ARITY = {
    "mkIf": 2,
    "mkForce": 1,
    "mkDefault": 1,
    "mkOverride": 2,
    "mkBefore": 1,
    "mkAfter": 1,
    "mkOrder": 2,
    "mkMerge": 1,
    "mkVMOverride": 1,
    "mkImageMediaOverride": 1,
    "mkOptionDefault": 1,
}
# The pseudo-wrapper named :data:`UPDATE` (``//``) is recorded on the left literal of
# ``{ … } // other``: ``other`` may override what the literal sets.


@record(frozen=True)
class Wrapper:
    """A ``lib.mk*`` function around a value: ``name`` and its first argument's text."""

    name: str
    arg: str | None = None

    def __str__(self) -> str:
        return f"{self.name} {self.arg}" if self.arg is not None else self.name


def conditions(wrappers: tuple[Wrapper, ...] | list[Wrapper]) -> list[str]:
    """The conditions of the ``mkIf`` wrappers among ``wrappers`` (outermost first)."""
    return [w.arg or "" for w in wrappers if w.name == "mkIf"]


def _peel_wrapper(source: bytes, inner: Node) -> tuple[Node, Wrapper] | None:
    """``(wrapped value, wrapper)`` when ``inner`` is a call of an ``mk*`` wrapper."""
    if inner.type != APPLY:
        return None
    fn, args = flatten_apply(inner)
    name = function_name(source, fn)
    if name in WRAPPER_ARITY and len(args) == WRAPPER_ARITY[name]:
        arg = node_text(source, args[0]) if len(args) == 2 else None
        return args[-1], Wrapper(name, arg)
    return None


def unwrap(source: bytes, node: Node) -> tuple[Node, list[Wrapper]]:
    """Peel ``mk*`` wrappers, parentheses and transparent ``let``/``with`` off a value:
    ``mkForce (-1)`` gives ``-1``; ``let x = 1; in mkIf c { … }`` gives the set, with
    ``mkIf c``.  A ``let``/``with`` whose body is not an attribute set (nor ``mkMerge``)
    stays the value."""
    wrappers: list[Wrapper] = []
    saved: tuple[Node, list[Wrapper]] | None = None  # before the first let/with
    for _ in range(10_000):
        if node is None:
            break
        inner = strip_parens(node)
        peeled = _peel_wrapper(source, inner)
        if peeled is not None:
            node = peeled[0]
            wrappers.append(peeled[1])
            continue
        if inner.type in SCOPE_KINDS and inner.child_by_field_name(BODY) is not None:
            if saved is None:
                saved = (node, list(wrappers))
            node = inner.child_by_field_name(BODY)
            continue
        if inner.type in ATTRSET_KINDS or is_update(inner):
            return inner, wrappers
        if wrappers and wrappers[-1].name == "mkMerge" and inner.type == LIST:
            return inner, wrappers
        break
    if saved is not None:
        node, wrappers = saved
    if wrappers:
        # a wrapper's argument is read (and edited) inside its parentheses
        return strip_parens(node), wrappers
    return node, wrappers


def update_operands(source: bytes, node: Node) -> list[tuple[Node, list[Wrapper]]]:
    """The attribute-set literals of an ``a // b // …`` chain, each with its own wrappers
    plus a :data:`UPDATE` wrapper naming what is written to its right (which may override
    it).  Operands that are not literals are not read."""
    operands: list[Node] = []
    stack = [node]
    while stack:  # left to right, without recursion
        n = strip_parens(stack.pop())
        if is_update(n):
            stack.append(n.child_by_field_name(RIGHT))
            stack.append(n.child_by_field_name(LEFT))
        else:
            operands.append(n)
    out: list[tuple[Node, list[Wrapper]]] = []
    for i, op in enumerate(operands):
        inner, ws = unwrap(source, op)
        if inner.type not in ATTRSET_KINDS:
            continue
        later = [node_text(source, o) for o in operands[i + 1:]
                 if unwrap(source, o)[0].type not in ATTRSET_KINDS]
        if later:
            ws = ws + [Wrapper(UPDATE, " // ".join(later))]
        out.append((inner, ws))
    return out


#: what a module expression may be wrapped in: ``{ … }: body``, ``let … in body`` …
_MODULE_WRAPPERS = frozenset({FUNCTION, LET, WITH, ASSERT})

#: one attribute set of a module with the wrappers around it (``mkIf c`` …)
Part = tuple[Node, tuple[Wrapper, ...]]


def module_constants(source: bytes, node: Node | None) -> dict[str, str]:
    """Names a module binds to plain strings in the ``let`` blocks around its body
    (``let user = "jane"; in …``): what ``users.users.${user}`` names.  An inner ``let``
    hides an outer one; a name bound to anything else hides it too."""
    out: dict[str, str] = {}
    for _ in range(10_000):
        if node is None or node.type not in _MODULE_WRAPPERS | {PARENTHESIZED}:
            break
        if node.type == LET:
            for b in bindings(node):
                path = b.child_by_field_name(ATTRPATH_FIELD) if b.type == BINDING else None
                value = b.child_by_field_name(EXPRESSION) if path is not None else None
                if path is None or value is None or path.named_child_count != 1:
                    continue
                name = node_text(source, path)
                text = string_value(source, strip_parens(value))
                if text is None:
                    out.pop(name, None)
                else:
                    out[name] = text
        node = node.child_by_field_name(EXPRESSION if node.type == PARENTHESIZED else BODY)
    return out


def module_parts(source: bytes, node: Node) -> tuple[list[Part], str | None]:
    """The attribute sets a module expression evaluates to: one for ``{ … }`` (through
    functions, ``let``, ``with``, ``assert``, ``mk*`` wrappers), one per element of a
    top-level ``mkMerge [ … ]``; or ``([], reason)`` saying what the file is instead."""
    start = node
    package = _package_arguments(source, node) if node.type == FUNCTION else []
    for _ in range(10_000):
        if node is None:
            break
        t = node.type
        if t in _MODULE_WRAPPERS:
            node = node.child_by_field_name(BODY)
        elif t == PARENTHESIZED:
            node = node.child_by_field_name(EXPRESSION)
        else:
            break
    if node is None:
        return [], "the file holds no module"
    if node.type in ATTRSET_KINDS:
        if package:
            return [], (f"the file is a function of {', '.join(package)} (a package set, "
                        "called with callPackage), not a NixOS module")
        return [(node, ())], None
    inner, ws = unwrap(source, node)
    if inner.type in ATTRSET_KINDS and ws:
        return [(inner, tuple(ws))], None
    if ws and ws[-1].name == "mkMerge" and inner.type == LIST:
        parts: list[Part] = []
        for el in inner.children_by_field_name(ELEMENT):
            el_inner, el_ws = unwrap(source, el)
            if el_inner.type in ATTRSET_KINDS:
                parts.append((el_inner, tuple(ws[:-1] + el_ws)))
        if parts:
            return parts, None
    return [], describe_non_module(source, start, node)


#: arguments the module system passes to a module (and common specialArgs)
_MODULE_ARGS = frozenset({"config", "options", "lib", "pkgs", "modulesPath", "utils",
                          "specialArgs", "name", "nodes", "inputs", "self", "system",
                          "osConfig", "nixosConfig", "darwinConfig", "baseModules",
                          "extraModules", "_class", "extendModules", "moduleType"})


def _package_arguments(source: bytes, fn: Node) -> list[str]:
    """The arguments that make ``{ lib, stdenv, fetchurl }: …`` a package rather than a
    module (the module system calls modules with more arguments than a function without
    ``...`` takes): empty when the function may be a module."""
    node, items, ellipses = formals(fn)
    if node is None or ellipses is not None:
        return []
    names = [formal_name(source, f) for f in items]
    if all(n in _MODULE_ARGS or not n for n in names):
        return []
    return [n for n in names if n]


def inline_module_body(source: bytes, value: Node) -> Node | None:
    """The attribute set of a module written as a function inside a definition
    (``home-manager.users.jane = { pkgs, ... }: { … };``, any submodule value), else None.
    Only ``{ … }:`` functions whose arguments are the module system's (or end in ``...``)
    count: ``pkgs: { … }`` (``packageOverrides``) is a function value, not a module."""
    if value.type != FUNCTION or formals(value)[0] is None or _package_arguments(source, value):
        return None
    node: Node | None = value
    for _ in range(10_000):
        if node is None or node.type not in _MODULE_WRAPPERS | {PARENTHESIZED}:
            break
        if node.type == FUNCTION and node is not value:
            return None  # a function returning a function: not a module
        node = node.child_by_field_name(EXPRESSION if node.type == PARENTHESIZED else BODY)
    return node if node is not None and node.type in ATTRSET_KINDS else None


def describe_non_module(source: bytes, whole: Node, value: Node) -> str:
    """What a file that is not a NixOS module is, in a user's words."""
    value = strip_parens(value)
    what = _what(source, value)
    if whole.type == LET or (whole.type == FUNCTION and _body_is_let(whole)):
        what = f"a let … in expression whose value is {what}"
    return f"the file is {what}, not a NixOS module"


def _body_is_let(fn: Node) -> bool:
    node = fn
    while node is not None and node.type == FUNCTION:
        node = node.child_by_field_name(BODY)
    return node is not None and node.type == LET


def _what(source: bytes, value: Node) -> str:
    t = value.type
    if t == APPLY:
        fn, _ = flatten_apply(value)
        name = function_name(source, fn)
        return f"a call of {name}" if name else "a function call"
    if t == LIST:
        return "a list"
    if is_update(value):
        return "an update of attribute sets (//) that are not written in the file"
    return {
        VARIABLE: f"the name {node_text(source, value)}",
        SELECT: f"the attribute {node_text(source, value)}",
        IF: "an if … then … else expression",
        STRING: "a string",
        INDENTED_STRING: "a string",
        INTEGER: "a number",
        FLOAT: "a number",
        PATH: "a path",
    }.get(t, "an expression of another kind")
