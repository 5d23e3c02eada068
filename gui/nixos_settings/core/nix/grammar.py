"""The vocabulary of the tree-sitter-nix grammar: node kinds, field names, node helpers.

Modules outside :mod:`nixos_settings.core.nix` name the grammar only through these
constants (``tests/unit/test_layering.py`` checks that no node-kind string appears anywhere
else), so a change of grammar version is a change of this one file.  The helpers are the
small, shape-only questions every reader of the tree asks (what is inside the parentheses,
which function does this call apply, which bindings does this set hold); they know nothing
about NixOS modules.
"""

from __future__ import annotations

from typing import Any

Node = Any  # a tree_sitter.Node (see :mod:`nixos_settings.core.nix.syntax`)

# -- node kinds -------------------------------------------------------------------------------

# bindings
BINDING = "binding"
BINDING_SET = "binding_set"
INHERIT = "inherit"
INHERIT_FROM = "inherit_from"
INHERITED_ATTRS = "inherited_attrs"
ATTRPATH = "attrpath"
IDENTIFIER = "identifier"
COMMENT = "comment"
ERROR = "ERROR"
FORMAL = "formal"
FORMALS = "formals"
ELLIPSES = "ellipses"

# expressions
ATTRSET = "attrset_expression"
REC_ATTRSET = "rec_attrset_expression"
LIST = "list_expression"
APPLY = "apply_expression"
BINARY = "binary_expression"
UNARY = "unary_expression"
FUNCTION = "function_expression"
WITH = "with_expression"
LET = "let_expression"
IF = "if_expression"
ASSERT = "assert_expression"
HAS_ATTR = "has_attr_expression"
SELECT = "select_expression"
VARIABLE = "variable_expression"
PARENTHESIZED = "parenthesized_expression"
INTEGER = "integer_expression"
FLOAT = "float_expression"
PATH = "path_expression"
HPATH = "hpath_expression"
SPATH = "spath_expression"
URI = "uri_expression"

# strings
STRING = "string_expression"
INDENTED_STRING = "indented_string_expression"
STRING_FRAGMENT = "string_fragment"
ESCAPE_SEQUENCE = "escape_sequence"
DOLLAR_ESCAPE = "dollar_escape"
INTERPOLATION = "interpolation"

# anonymous tokens
CONCAT = "++"
UPDATE = "//"

# -- groups of kinds --------------------------------------------------------------------------

#: attribute-set literals (``{ … }`` and ``rec { … }``)
ATTRSET_KINDS = frozenset({ATTRSET, REC_ATTRSET})
#: the members of a binding set
BINDING_KINDS = frozenset({BINDING, INHERIT, INHERIT_FROM})
#: ``with e; body`` and ``let … in body``: the value is the body's
SCOPE_KINDS = frozenset({WITH, LET})
#: relative and home paths (``./x``, ``~/x``), the ones an import can follow
LOCAL_PATH_KINDS = frozenset({PATH, HPATH})
#: expressions that are not one term: as a function argument or list element they need
#: parentheses
COMPOUND_KINDS = frozenset({APPLY, BINARY, UNARY, FUNCTION, WITH, LET, IF, ASSERT, HAS_ATTR})

# -- field names ------------------------------------------------------------------------------

EXPRESSION = "expression"
BODY = "body"
ATTRPATH_FIELD = "attrpath"
ATTR = "attr"
ATTRS = "attrs"
ELEMENT = "element"
FUNCTION_FIELD = "function"
ARGUMENT = "argument"
OPERATOR = "operator"
LEFT = "left"
RIGHT = "right"
DEFAULT = "default"
FORMALS_FIELD = "formals"
NAME = "name"

# -- node helpers -----------------------------------------------------------------------------


def text(source: bytes, node: Node) -> str:
    """The source text of ``node`` (invalid UTF-8 replaced)."""
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def span(node: Node) -> tuple[int, int]:
    """``(start_byte, end_byte)`` of ``node``."""
    return node.start_byte, node.end_byte


def top_expression(tree: Any) -> Node | None:
    """The one expression a file (or a parsed snippet) holds, if any."""
    return tree.root_node.child_by_field_name(EXPRESSION)


def strip_parens(node: Node) -> Node:
    """``node`` with any parentheses around it taken off."""
    while node is not None and node.type == PARENTHESIZED:
        inner = node.child_by_field_name(EXPRESSION)
        if inner is None:
            break
        node = inner
    return node


def binding_set(attrset: Node) -> Node | None:
    """The binding set of an attribute set (None when it is empty)."""
    for child in attrset.named_children:
        if child.type == BINDING_SET:
            return child
    return None


def bindings(attrset: Node) -> list[Node]:
    """The bindings and inherits of an attribute set, in order."""
    bs = binding_set(attrset)
    if bs is None:
        return []
    return [c for c in bs.named_children if c.type in BINDING_KINDS]


def has_comments(attrset: Node) -> bool:
    """Whether a comment lives directly in an attribute set (or its binding set)."""
    for child in attrset.children:
        if child.type == COMMENT:
            return True
        if child.type == BINDING_SET and any(c.type == COMMENT for c in child.children):
            return True
    return False


def flatten_apply(node: Node) -> tuple[Node, list[Node]]:
    """``f a b`` as ``(f, [a, b])``."""
    args: list[Node] = []
    while node.type == APPLY:
        args.insert(0, node.child_by_field_name(ARGUMENT))
        node = node.child_by_field_name(FUNCTION_FIELD)
    return node, args


def function_name(source: bytes, fn: Node) -> str | None:
    """``mkIf`` for ``mkIf``, ``lib.mkIf``, ``lib.modules.mkIf`` …"""
    fn = strip_parens(fn)
    if fn.type == VARIABLE:
        return text(source, fn)
    if fn.type == SELECT and fn.child_by_field_name(DEFAULT) is None:
        ap = fn.child_by_field_name(ATTRPATH_FIELD)
        attrs = ap.children_by_field_name(ATTR) if ap is not None else []
        if attrs and attrs[-1].type == IDENTIFIER:
            return text(source, attrs[-1])
    return None


def is_concat(node: Node) -> bool:
    """Whether ``node`` is ``left ++ right``."""
    if node.type != BINARY:
        return False
    op = node.child_by_field_name(OPERATOR)
    return op is not None and op.type == CONCAT


def is_update(node: Node) -> bool:
    """Whether ``node`` is ``left // right``."""
    if node.type != BINARY:
        return False
    op = node.child_by_field_name(OPERATOR)
    return op is not None and op.type == UPDATE


def list_literals(value: Node | None) -> list[Node]:
    """The list literals a value is made of, looking through parentheses, ``with``, ``let``
    and ``++`` (operands that are not literals add none).  Iterative: a chain of ``++`` may
    be long."""
    out: list[Node] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        node = strip_parens(node)
        if node.type in SCOPE_KINDS:
            stack.append(node.child_by_field_name(BODY))
        elif node.type == LIST:
            out.append(node)
        elif is_concat(node):
            stack.append(node.child_by_field_name(RIGHT))
            stack.append(node.child_by_field_name(LEFT))
    return out


def elements(lst: Node) -> list[Node]:
    """The elements of a list literal."""
    return list(lst.children_by_field_name(ELEMENT))


def formals(fn: Node) -> tuple[Node | None, list[Node], Node | None]:
    """``(the { … } node, its formals, the ... node)`` of a function ``{ a, b, ... }: …``
    (``(None, [], None)`` for ``x: …``)."""
    node = fn.child_by_field_name(FORMALS_FIELD) if fn.type == FUNCTION else None
    if node is None:
        return None, [], None
    items = [c for c in node.named_children if c.type == FORMAL]
    ellipses = next((c for c in node.children if c.type == ELLIPSES), None)
    return node, items, ellipses


def formal_name(source: bytes, formal: Node) -> str:
    """The name of one formal (``b`` in ``b ? 1``)."""
    name = formal.child_by_field_name(NAME)
    return text(source, name if name is not None else formal)
