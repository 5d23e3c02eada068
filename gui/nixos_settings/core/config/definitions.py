"""Map the bindings of a Nix module to option definitions.

A *definition* is one place where a file gives an option (or an attribute-set entry) a value:
``services.openssh.enable = true;``, or ``enable = true;`` inside ``services.openssh = { … };``.
The mapper understands the module shapes NixOS accepts (plain attrset; function
``{ config, pkgs, ... }:``; ``let … in``; ``with …;``; explicit ``{ options; config; }``;
``config = mkIf cond { … }``; ``mkMerge [ … ]``) and the value wrappers of ``lib.modules``
(``mkIf``, ``mkForce``, ``mkDefault``, ``mkOverride N``, ``mkBefore``, ``mkAfter``,
``mkOrder N``), which are recorded while the value inside stays editable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nixos_settings.core.common.gcpause import cycle_collector_paused
from nixos_settings.core.common.records import field, record
from nixos_settings.core.config.document import Document
from nixos_settings.core.config.shapes import WRAPPER_ARITY as WRAPPER_ARITY
from nixos_settings.core.config.shapes import Wrapper as Wrapper
from nixos_settings.core.config.shapes import (
    conditions,
    inline_module_body,
    module_constants,
    module_parts,
    update_operands,
)
from nixos_settings.core.config.shapes import unwrap as unwrap
from nixos_settings.core.nix import optpath, syntax
from nixos_settings.core.nix.grammar import (
    ATTR,
    ATTRPATH_FIELD,
    ATTRS,
    ATTRSET_KINDS,
    BINARY,
    BINDING,
    BODY,
    ELEMENT,
    EXPRESSION,
    IDENTIFIER,
    INTERPOLATION,
    LIST,
    SCOPE_KINDS,
    STRING,
    VARIABLE,
    Node,
    bindings,
    elements,
    is_update,
    list_literals,
    strip_parens,
    top_expression,
)
from nixos_settings.core.nix.grammar import (
    text as node_text,
)
from nixos_settings.core.nix.literals import string_value, string_with_names
from nixos_settings.core.nix.optpath import Loc

#: top-level module attributes that are not option definitions
MODULE_KEYWORDS = frozenset(
    {"imports", "disabledModules", "meta", "_file", "key", "freeformType", "_class", "require"}
)

#: definition kinds (:attr:`Definition.kind`)
VALUE = "value"  # a leaf: the value is edited as a whole
ATTRSET = "attrset"  # an attribute set the mapper descended into
INHERITED = "inherited"  # ``inherit x;`` / ``inherit (e) x;``


@record(eq=False)
class Definition:
    """One place in one file that sets ``loc``.

    ``kind`` is :data:`VALUE` (a leaf: the value is edited as a whole), :data:`ATTRSET` (the
    value is an attribute set the mapper descended into; its entries are definitions of
    their own) or :data:`INHERITED`.
    """

    loc: Loc
    file: Path
    line: int
    column: int
    binding_span: tuple[int, int]
    value_span: tuple[int, int]
    value_text: str
    wrappers: tuple[Wrapper, ...] = ()
    editable: bool = True
    reason: str | None = None
    kind: str = VALUE
    prefix_len: int = 0  # loc segments contributed by enclosing attrsets
    in_merge: bool = False  # the value is an element of an mkMerge list
    # Where things are, as data, so that a definition survives reparses of its file:
    enclosing_span: tuple[int, int] = (0, 0)  # the attrset the binding sits in
    top_span: tuple[int, int] = (0, 0)  # the module-level binding it belongs to
    value_type: str = ""
    binding_type: str = BINDING
    attr_spans: tuple[tuple[int, int, str], ...] = ()
    outer: tuple[Wrapper, ...] = ()  # the wrappers around the attribute set it sits in
    # Tree-sitter nodes, resolved again from the spans when the document was reparsed.
    doc: Document | None = field(default=None, repr=False)
    _tree: syntax.Tree = field(default=None, repr=False)
    _binding: Node = field(default=None, repr=False)
    _value: Node = field(default=None, repr=False)
    _attrs: tuple[Node, ...] = field(default=(), repr=False)

    def _fresh(self) -> None:
        doc = self.doc
        if doc is None or self._tree is doc.tree:
            return
        tree = doc.tree
        self._binding = syntax.node_at(tree, *self.binding_span, self.binding_type)
        self._value = syntax.node_at(tree, *self.value_span, self.value_type)
        self._attrs = tuple(syntax.node_at(tree, s, e, t) for s, e, t in self.attr_spans)
        self._tree = tree

    @property
    def binding(self) -> Node:
        self._fresh()
        return self._binding

    @property
    def value(self) -> Node:
        self._fresh()
        return self._value

    @property
    def attrs(self) -> tuple[Node, ...]:
        self._fresh()
        return self._attrs

    def shift(self, delta: int, line_delta: int) -> None:
        """Move this definition by ``delta`` bytes and ``line_delta`` lines (text before it
        changed)."""
        self.binding_span = (self.binding_span[0] + delta, self.binding_span[1] + delta)
        self.value_span = (self.value_span[0] + delta, self.value_span[1] + delta)
        self.top_span = (self.top_span[0] + delta, self.top_span[1] + delta)
        self.attr_spans = tuple((s + delta, e + delta, t) for s, e, t in self.attr_spans)
        self.line += line_delta
        self._tree = None

    @property
    def option(self) -> str:
        return optpath.show(self.loc)

    @property
    def wrapper_names(self) -> list[str]:
        return [w.name for w in self.wrappers]

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record
class ImportRef:
    """One element of an ``imports`` list (or a flake's ``modules`` list)."""

    node: Node
    text: str
    line: int
    column: int


@record
class Module:
    """What the mapper found in one module expression."""

    document: Document
    node: Node  # the module expression (function, let, attrset …)
    main: Node | None = None  # the attrset new definitions go into
    main_prefix: tuple[str, ...] = ()  # segments to write before new paths in ``main``
    explicit: bool = False  # has top-level ``options``/``config``
    definitions: list[Definition] = field(default_factory=list)
    containers: list[Definition] = field(default_factory=list)
    imports: list[ImportRef] = field(default_factory=list)
    imports_binding: Node | None = None
    notes: list[str] = field(default_factory=list)
    main_wrappers: tuple[Wrapper, ...] = ()  # around ``main`` (``config = mkIf c { … }``)
    main_line: int = 0  # the line of the binding that holds ``main`` (0: the module itself)
    simple: bool = True  # one attribute set, no wrappers: incremental remapping applies
    _main_span: tuple[int, int] | None = None
    _imports_span: tuple[int, int] | None = None


# -- reading bindings ---------------------------------------------------------------------


def attr_segment(source: bytes, attr: Node,
                 constants: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """(segment, is_static) of one attrpath element; ``${name}`` is static when ``name`` is
    one of the module's ``constants`` (a ``let`` binding to a plain string)."""
    if attr.type == IDENTIFIER:
        return node_text(source, attr), True
    if attr.type == STRING:
        value = (string_value(source, attr) if not constants
                 else string_with_names(source, attr, constants))
        if value is not None:
            return value, True
    if attr.type == INTERPOLATION:
        inner = attr.child_by_field_name(EXPRESSION)
        if inner is not None:
            value = string_value(source, inner)
            if value is not None:
                return value, True
            if constants and inner.type == VARIABLE:
                name = constants.get(node_text(source, inner))
                if name is not None:
                    return name, True
    return node_text(source, attr), False


def attrpath_of(source: bytes, binding: Node, constants: Mapping[str, str] | None = None
                ) -> tuple[tuple[str, ...], tuple[Node, ...], bool]:
    ap = binding.child_by_field_name(ATTRPATH_FIELD)
    nodes = tuple(ap.children_by_field_name(ATTR)) if ap is not None else ()
    segs: list[str] = []
    static = True
    for a in nodes:
        seg, ok = attr_segment(source, a, constants)
        static = static and ok
        segs.append(seg)
    return tuple(segs), nodes, static


def module_body(node: Node, source: bytes = b"") -> tuple[Node | None, str | None]:
    """The attribute set a module expression evaluates to (the first of a top-level
    ``mkMerge``), or (None, reason)."""
    parts, reason = module_parts(source, node)
    return (parts[0][0], None) if parts else (None, reason)


#: a set still to map: (the set, its loc, the wrappers around it, whether it is top-level)
_Pending = tuple[Node, Loc, tuple[Wrapper, ...], bool]


# -- the mapper -----------------------------------------------------------------------------


class _Mapper:
    def __init__(self, module: Module) -> None:
        self.m = module
        self.doc = module.document
        self.src = module.document.source
        self.top = (0, 0)
        self.outer: tuple[Wrapper, ...] = ()  # the wrappers around the current binding
        self.pending: list[_Pending] = []  # sets the current binding holds
        self.enclosing: Node = None  # the set the current binding sits in
        #: ``let`` names bound to plain strings around the module (``${user}`` in names)
        self.constants = module_constants(self.src, module.node)

    def run(self) -> None:
        parts, reason = module_parts(self.src, self.m.node)
        if not parts:
            self.m.notes.append(reason or "unsupported module shape")
            return
        tops = []
        for body, _ in parts:
            for b in bindings(body):
                if b.type == BINDING:
                    segs, _, _ = attrpath_of(self.src, b)
                    tops.append(segs[0] if segs else "")
        self.m.explicit = "options" in tops or "config" in tops
        # new options go to the first part no mkIf holds (the unconditional element)
        main, main_ws = next((p for p in parts if not conditions(p[1])), parts[0])
        self.m.main, self.m.main_wrappers = main, main_ws
        self.m.simple = len(parts) == 1 and not main_ws
        if self.m.explicit:
            self.m.main_prefix = ("config",)
        for body, ws in parts:
            self.collect(body, (), ws, top=True)

    def collect(self, attrset: Node, prefix: Loc, wrappers: tuple[Wrapper, ...], top: bool) -> None:
        """Map the bindings of ``attrset`` and, depth first in document order, of the sets
        they hold: with a stack, not recursion (Nix accepts sets nested thousands deep)."""
        self.walk([(attrset, prefix, wrappers, top)])

    def walk(self, items: list[_Pending]) -> None:
        stack = [(a, iter(bindings(a)), p, w, t) for a, p, w, t in reversed(items)]
        while stack:
            attrset, it, prefix, wrappers, top = stack[-1]
            b = next(it, None)
            if b is None:
                stack.pop()
                continue
            for a, p, w, t in reversed(self.one(b, prefix, wrappers, top, attrset)):
                stack.append((a, iter(bindings(a)), p, w, t))

    def one(self, b: Node, prefix: Loc, wrappers: tuple[Wrapper, ...], top: bool,
            attrset: Node) -> list[_Pending]:
        """Map one binding or inherit of ``attrset``; the sets to descend into are returned.
        (The set is passed down, not asked of the node: a node's parent costs a walk from
        the root of the tree.)"""
        self.enclosing = attrset
        self.pending = []
        if b.type == BINDING:
            self.binding(b, prefix, wrappers, top)
        else:
            self.inherit(b, prefix, wrappers)
        return self.pending

    def descend(self, attrset: Node, prefix: Loc, wrappers: tuple[Wrapper, ...]) -> None:
        self.pending.append((attrset, prefix, wrappers, False))

    def binding(self, b: Node, prefix: Loc, wrappers: tuple[Wrapper, ...], top: bool) -> None:
        self.outer = wrappers
        if top:
            self.top = (b.start_byte, b.end_byte)
        segs, attrs, static = attrpath_of(self.src, b, self.constants)
        if not segs:
            return
        prefix_len = len(prefix)
        if top:
            if segs[0] in MODULE_KEYWORDS:
                if segs == ("imports",):
                    self.imports(b)
                return
            if self.m.explicit:
                if segs[0] != "config":
                    return  # options = …, and other non-definitions
                segs, attrs = segs[1:], attrs[1:]  # "config" is not part of any loc
        loc = prefix + segs
        value = b.child_by_field_name(EXPRESSION)
        if value is None:
            return
        inner, ws = unwrap(self.src, value)
        allw = wrappers + tuple(ws)
        if not loc:  # config = { … } / config = mkIf … { … }
            if inner.type in ATTRSET_KINDS:
                if self.m.main_prefix == ("config",):
                    # new definitions go inside ``config = { … }`` (even under mkIf: a
                    # second top-level ``config.x`` next to ``config = mkIf …`` is an error)
                    self.m.main, self.m.main_prefix = inner, ()
                    self.m.main_wrappers = allw
                    self.m.main_line = self.doc.node_position(b)[0]
                self.add_container(b, (), inner, allw, attrs, prefix_len)
                self.descend(inner, (), allw)
            elif ws and ws[-1].name == "mkMerge":
                self.merge(b, (), inner, allw[:-1], attrs, prefix_len)
                first = next(iter(strip_parens(inner).children_by_field_name(ELEMENT)), None)
                el = unwrap(self.src, first)[0] if first is not None else None
                if el is not None and el.type in ATTRSET_KINDS and self.m.main_prefix:
                    self.m.main, self.m.main_prefix = el, ()
                    self.m.main_wrappers = allw[:-1] + tuple(unwrap(self.src, first)[1])
                    self.m.main_line = self.doc.node_position(b)[0]
            return
        if not static:
            self.add(b, loc, value, value, wrappers, attrs, prefix_len,
                     editable=False, reason="the attribute name is dynamic (${…})")
            return
        self.value_of(b, loc, value, inner, ws, allw, attrs, prefix_len)

    def value_of(self, b: Node, loc: Loc, value: Node, inner: Node, ws: list[Wrapper],
                 allw: tuple[Wrapper, ...], attrs: tuple[Node, ...], prefix_len: int) -> None:
        """Map the value of a binding at a static ``loc``: a set (and what it holds), an
        update, an ``mkMerge``, a module function, or one value."""
        if inner.type in ATTRSET_KINDS:
            self.add_container(b, loc, inner, allw, attrs, prefix_len)
            if not bindings(inner):
                self.add(b, loc, value, inner, allw, attrs, prefix_len)
            self.descend(inner, loc, allw)
        elif is_update(inner) and update_operands(self.src, inner):
            for operand, ows in update_operands(self.src, inner):
                self.add_container(b, loc, operand, allw + tuple(ows), attrs, prefix_len)
                self.descend(operand, loc, allw + tuple(ows))
        elif ws and ws[-1].name == "mkMerge" and strip_parens(inner).type == LIST:
            self.merge(b, loc, inner, allw[:-1], attrs, prefix_len)
        elif (body := inline_module_body(self.src, inner)) is not None:
            # a submodule written as a module function: its options are read like a set's
            self.add_container(b, loc, body, allw, attrs, prefix_len)
            if not bindings(body):
                self.add(b, loc, value, body, allw, attrs, prefix_len)
            self.descend(body, loc, allw)
        else:
            self.add(b, loc, value, inner, allw, attrs, prefix_len)

    def merge(self, b: Node, loc: Loc, lst: Node, wrappers: tuple[Wrapper, ...],
              attrs: tuple[Node, ...], prefix_len: int) -> None:
        for el in strip_parens(lst).children_by_field_name(ELEMENT):
            inner, ws = unwrap(self.src, el)
            allw = wrappers + tuple(ws)
            if inner.type in ATTRSET_KINDS:
                self.descend(inner, loc, allw)
            elif loc:
                d = self.add(b, loc, el, inner, allw, attrs, prefix_len)
                d.in_merge = True

    def inherit(self, node: Node, prefix: Loc, wrappers: tuple[Wrapper, ...]) -> None:
        self.outer = wrappers
        if self.enclosing == self.m.main:
            self.top = (node.start_byte, node.end_byte)
        attrs_node = node.child_by_field_name(ATTRS)
        if attrs_node is None:
            return
        for a in attrs_node.children_by_field_name(ATTR):
            if a.start_byte == a.end_byte:
                continue  # ``inherit (pkgs) ;``: nothing inherited
            seg, _ = attr_segment(self.src, a)
            d = self.add(node, prefix + (seg,), a, a, wrappers, (a,), len(prefix),
                         editable=False, reason="the value is inherited from another scope")
            d.kind = INHERITED

    def add(self, b: Node, loc: Loc, value: Node, inner: Node, wrappers: tuple[Wrapper, ...],
            attrs: tuple[Node, ...], prefix_len: int, editable: bool = True,
            reason: str | None = None) -> Definition:
        d = self.make(b, loc, inner, wrappers, attrs, prefix_len, VALUE)
        d.editable, d.reason = editable, reason
        self.m.definitions.append(d)
        return d

    def add_container(self, b: Node, loc: Loc, inner: Node, wrappers: tuple[Wrapper, ...],
                      attrs: tuple[Node, ...], prefix_len: int) -> None:
        self.m.containers.append(self.make(b, loc, inner, wrappers, attrs, prefix_len, ATTRSET))

    def make(self, b: Node, loc: Loc, inner: Node, wrappers: tuple[Wrapper, ...],
             attrs: tuple[Node, ...], prefix_len: int, kind: str) -> Definition:
        line, col = self.doc.node_position(b)
        enclosing = self.enclosing
        return Definition(
            loc=loc, file=self.doc.path, line=line, column=col,
            binding_span=(b.start_byte, b.end_byte),
            value_span=(inner.start_byte, inner.end_byte),
            value_text=node_text(self.src, inner), wrappers=wrappers, kind=kind,
            prefix_len=prefix_len,
            enclosing_span=(enclosing.start_byte, enclosing.end_byte) if enclosing else (0, 0),
            top_span=self.top, value_type=inner.type, binding_type=b.type, outer=self.outer,
            attr_spans=tuple((a.start_byte, a.end_byte, a.type) for a in attrs),
            doc=self.doc, _tree=self.doc.tree, _binding=b, _value=inner, _attrs=attrs,
        )

    def imports(self, b: Node) -> None:
        self.m.imports_binding = b
        self.m._imports_span = (b.start_byte, b.end_byte)
        value = b.child_by_field_name(EXPRESSION)
        for el in list_elements(value):
            line, col = self.doc.node_position(el)
            self.m.imports.append(ImportRef(el, node_text(self.src, el), line, col))


def list_elements(value: Node | None) -> list[Node]:
    """Elements of a list value, looking through ``with``, ``let``, parentheses and ``++``."""
    return [el for lst in list_literals(value) for el in elements(lst)]


def element_texts(definition: Definition) -> list[str] | None:
    """Source texts of a list definition's elements, looking through ``with``, ``let``,
    parentheses and ``++``; None when the value is not a list."""
    node = definition.value
    doc = definition.doc
    if node is None or doc is None:
        return None
    inner = strip_parens(node)
    while inner.type in SCOPE_KINDS:
        body = inner.child_by_field_name(BODY)
        if body is None:
            return None
        inner = strip_parens(body)
    if inner.type not in (LIST, BINARY):
        return None
    elements = list_elements(node)
    if inner.type == BINARY and not elements:
        return None
    return [doc.source[e.start_byte : e.end_byte].decode("utf-8", "replace") for e in elements]


@record
class _Splices:
    """Where a set of splices changed a document: ``lo:hi`` in old bytes, ``delta`` bytes
    more (or fewer) after it, ``line_delta`` lines more, ``hi_line`` the old 0-based line of
    ``hi``."""

    lo: int
    hi: int
    delta: int
    line_delta: int = 0
    hi_line: int = 0


def remap_incremental(module: Module, old: bytes, splices: list[tuple[int, int, bytes]]) -> bool:
    """Update ``module`` after ``splices`` (in ``old`` coordinates) were applied to its
    document, which is already reparsed.  Only module-level bindings the splices touch are
    mapped again; the definitions after them move.  Returns False when the change is not of
    that kind (imports, the module's shape …): the caller then maps the whole module."""
    doc = module.document
    if module.explicit or not splices or module.main is None or not module.simple:
        return False
    root = top_expression(doc.tree)
    body, _ = module_body(root, doc.source) if root is not None else (None, None)
    change = _Splices(
        lo=min(s for s, _, _ in splices),
        hi=max(e for _, e, _ in splices),
        delta=sum(len(t) - (e - s) for s, e, t in splices),
    )
    if body is None or not _within_main(module, body, change):
        return False
    change.line_delta = sum(t.count(b"\n") - old.count(b"\n", s, e) for s, e, t in splices)
    change.hi_line = old.count(b"\n", 0, change.hi)
    with cycle_collector_paused():
        fresh = _map_touched(Module(doc, root, main=body), change)
    if fresh is None:
        return False
    for name in ("definitions", "containers"):
        setattr(module, name, _merged(getattr(module, name), getattr(fresh, name), change, doc))
    module.node, module.main = root, body
    module._main_span = (body.start_byte, body.end_byte)
    return _refresh_imports(module, change)


def _within_main(module: Module, body: Node, change: _Splices) -> bool:
    """The splices fall inside the module's main set (which still starts where it did) and
    leave its ``imports`` alone."""
    assert module.main is not None
    old_main = (module.main.start_byte, module.main.end_byte) if module._main_span is None \
        else module._main_span
    if body.start_byte != old_main[0] or not old_main[0] < change.lo <= change.hi < old_main[1]:
        return False
    ib = module._imports_span
    return module.imports_binding is None or ib is None or not (
        ib[1] > change.lo and ib[0] < change.hi
    )


def _map_touched(fresh: Module, change: _Splices) -> Module | None:
    """Map into ``fresh`` the module-level bindings of its main set that the splices touch;
    None when one of them is not a plain definition (``imports``, ``config`` …)."""
    src = fresh.document.source
    mapper = _Mapper(fresh)
    lo, hi, new_hi = change.lo, change.hi, change.hi + change.delta
    for b in bindings(fresh.main):
        if not ((b.end_byte > lo and b.start_byte < new_hi) or (b.start_byte == lo == hi)):
            continue
        if b.type != BINDING:
            mapper.one(b, (), (), False, fresh.main)
            continue
        segs = attrpath_of(src, b)[0]
        if segs and (segs[0] in MODULE_KEYWORDS or segs[0] in ("options", "config")):
            return None
        mapper.walk(mapper.one(b, (), (), True, fresh.main))
    return fresh


def _merged(old: list[Definition], fresh: list[Definition], change: _Splices,
            doc: Document) -> list[Definition]:
    """The definitions before the splices (kept), ``fresh`` ones, and the ones after the
    splices (moved)."""
    lo, hi, delta = change.lo, change.hi, change.delta
    before, after = [], []
    for d in old:
        es, ee = d.enclosing_span
        if es >= hi:
            d.enclosing_span = (es + delta, ee + delta)
        elif es <= lo and ee >= hi:
            d.enclosing_span = (es, ee + delta)  # the module's main set grew or shrank
        if d.top_span[1] <= lo:
            d._tree = None  # same bytes, but nodes must come from the new tree
            before.append(d)
        elif d.top_span[0] >= hi:
            old_line = d.line - 1
            d.shift(delta, change.line_delta)
            if old_line == change.hi_line:
                d.line, d.column = doc.position(d.binding_span[0])
            after.append(d)
    return before + fresh + after


def _refresh_imports(module: Module, change: _Splices) -> bool:
    """Take the import list's nodes from the new tree (they belong to the old one, and
    following the imports later would read the new bytes at old offsets); False when the
    ``imports`` binding is not found again."""
    if module._imports_span is None:
        return True
    s0, e0 = module._imports_span
    if s0 >= change.hi:
        s0, e0 = s0 + change.delta, e0 + change.delta
    b = syntax.node_at(module.document.tree, s0, e0, BINDING)
    if b is None:
        return False
    module.imports = []
    _Mapper(module).imports(b)
    return True


def map_module(document: Document, node: Node | None = None) -> Module:
    """Map the module ``node`` (default: the whole file) of ``document``."""
    if node is None:
        node = top_expression(document.tree)
    module = Module(document, node)
    if node is None:
        module.notes.append("the file holds no Nix expression")
        return module
    with cycle_collector_paused():
        _Mapper(module).run()
    if module.main is not None:
        module._main_span = (module.main.start_byte, module.main.end_byte)
    return module
