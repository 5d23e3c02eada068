"""Where a new option goes, and the splice that adds it.

The rule: into the deepest attribute set that already holds a prefix of the option's path,
else as a dotted binding after the sibling with the longest common prefix, else at the end of
the module's main attribute set; indented like the neighbours, with the file's line endings,
never between a binding and its same-line comment, never as a second definition.

A set's *trailer* stays last: when its last binding is (or holds) ``system.stateVersion`` or
``home.stateVersion`` — the closing block of the generated templates, with its comment block
above and ``# Did you read the comment?`` beside — whatever would go after it goes before it
instead, after the binding that precedes it (so before its comments and the blank line that
sets it apart).  A trailer that is not last is an ordinary binding.

The spacing follows the neighbours: a new binding gets a blank line before it when the
anchor is set apart from the binding before it (or, for the first binding, from the one
after it) by a blank line, and none when they are packed, when it would split two packed
bindings, or when it joins a one-line binding that is alone in its group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError, InsideCondition
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.definitions import Definition, Module
from nixos_settings.core.config.document import Document
from nixos_settings.core.config.shapes import conditions
from nixos_settings.core.edit.layout import (
    blank_line_between,
    first_on_line,
    indent_at,
    indent_unit,
    leading_comments,
    line_start,
    skip_trailing_comment,
    with_newlines,
)
from nixos_settings.core.edit.plan import Plan, editable_doc
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.grammar import Node
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

#: ``make_value(indent, unit, newline) -> text``: the new value, laid out at its place
MakeValue = Callable[[bytes, bytes, bytes], str]

#: the options whose binding closes a module by convention (the NixOS and Home Manager
#: templates end with them), relative to the set that holds them
TRAILER_LOCS = frozenset({("system", "stateVersion"), ("home", "stateVersion")})


@dataclass
class Target:
    """Where a new binding goes."""

    doc: Document
    attrset: Node  # where the binding goes
    prefix: Loc  # loc of the attrset's content
    write_prefix: tuple[str, ...]  # segments written before the relative path
    after: Node | None  # insert after this binding (None: at the end)
    conditions: list[str] = field(default_factory=list)  # mkIf conditions around the set


def _primary_module(cfg: Configuration) -> Module | None:
    """The module new options go to by default: the root file's own, else the first one
    with a main attribute set."""
    for m in cfg.modules:
        if m.main is not None and m.node is g.top_expression(m.document.tree):
            return m
    return next((m for m in cfg.modules if m.main is not None), None)


def _common(a: Loc, b: Loc) -> int:
    """How many leading segments ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _enclosing(d: Definition) -> Node:
    """The attrset node a definition's binding sits in."""
    return d.binding.parent.parent


def check_no_conflict(cfg: Configuration, loc: Loc) -> None:
    """Refuse a new definition of ``loc`` under a dynamic name, beside a value that is not an
    attribute set, or where something below ``loc`` is already defined."""
    for d in cfg.sharing_head(loc):
        if d.kind == defs.ATTRSET:
            continue
        if d.reason and "dynamic" in d.reason and loc[: len(d.loc)] == d.loc:
            raise EditError(
                f"{optpath.show(loc)} is under an attribute whose name is dynamic (${{…}}); "
                "edit it in the file",
                d.file, d.line, d.column,
            )
        if len(d.loc) < len(loc) and loc[: len(d.loc)] == d.loc:
            if d.value_type in g.ATTRSET_KINDS:
                continue  # an empty set: we insert into it
            raise EditError(_not_a_set(d, loc), d.file, d.line, d.column)
        if len(d.loc) > len(loc) and d.loc[: len(loc)] == loc:
            raise EditError(
                f"{optpath.show(loc)} is already defined through {d.option}; edit that instead",
                d.file, d.line, d.column,
            )


def _not_a_set(d: Definition, loc: Loc) -> str:
    """Why nothing can be added below ``d``: its value is another file's module (``import
    ./home.nix``, which this configuration does not open) or some other expression."""
    from nixos_settings.core.config.imports import imported_module

    path = imported_module(d)
    if path is not None:
        return (f"{d.option} is written in its own file, {path}, which is not opened with "
                f"this configuration: open that file to change {optpath.show(loc)}")
    return (f"{d.option} is already set to an expression that is not an attribute set; "
            f"{optpath.show(loc)} cannot be added beside it")


def find_target(cfg: Configuration, loc: Loc, file: Path | None,
                inside_condition: bool = False) -> Target:
    """Where a new definition of ``loc`` goes (see the module docstring).

    Candidates come from every file: attribute sets bound to a proper prefix of ``loc``
    (score: their depth) and bindings sharing leading segments with ``loc`` (score: how
    many).  The highest score wins; a set beats a binding on a tie, an earlier file a later
    one.  Outside the root file a candidate must share two segments or more, so that
    ``services.openssh.enable`` does not land in ``hardware-configuration.nix`` just because
    it mentions some other ``services``.

    A place inside an ``mkIf cond { … }`` body is taken only with ``inside_condition``;
    otherwise the best unconditional place where the new binding is legal is taken, and
    without one :class:`InsideCondition` says where the condition is.
    """
    primary = _primary_module(cfg)
    if primary is None:
        if cfg.root in cfg.documents:
            editable_doc(cfg, cfg.root)  # a syntax error is the reason, said where it is
        raise EditError(_no_module_reason(cfg), cfg.root)
    root_path = primary.document.path

    def allowed(d: Definition, score: int) -> bool:
        if file is not None:
            return d.file == file
        return d.file == root_path or score >= 2

    if file is not None and file != root_path:
        module = next((m for m in cfg.modules if m.document.path == file and m.main), None)
        if module is None:
            raise EditError("no attribute set to add the option to", file)
        primary = module
    assert primary.main is not None
    fallback = Target(primary.document, primary.main, (), primary.main_prefix, None,
                      conditions(primary.main_wrappers))
    ranked = _ranked(cfg, loc, allowed)
    first = _target(cfg, ranked[0]) if ranked else fallback
    if (inside_condition or not first.conditions) and _legal(cfg, first, loc):
        return first
    # only now the others: most adds stop at the first place
    places = [first, *(_target(cfg, c) for c in ranked[1:]), fallback]
    for t in places[1:]:
        if (inside_condition or not t.conditions) and _legal(cfg, t, loc):
            return t
    if first.conditions and not inside_condition:
        raise _inside_condition(cfg, loc, first)
    raise _no_legal_place(cfg, loc, places)


def _no_legal_place(cfg: Configuration, loc: Loc, places: list[Target]) -> EditError:
    """The refusal when every place would define a prefix of ``loc`` twice: the binding
    that sets that prefix as a whole, and what to do."""
    for t in places:
        b = _shadowing(t, loc)
        if b is not None:
            from nixos_settings.core.config.definitions import attrpath_of

            line, column = t.doc.position(b.start_byte)
            whole = optpath.show((*t.prefix, *attrpath_of(t.doc.source, b)[0]))
            return EditError(
                f"{whole} is set as a whole here "
                f"(not as a plain attribute set), so {optpath.show(loc)} cannot be added "
                "beside it; add it inside that value in a text editor",
                t.doc.path, line, column)
    return EditError(f"there is no place where {optpath.show(loc)} can be added without "
                     "defining part of it twice; add it in a text editor", cfg.root)


def _target(cfg: Configuration, candidate: _Candidate) -> Target:
    into_set, d = candidate
    doc = cfg.documents[d.file]
    if into_set:
        return Target(doc, d.value, d.loc, (), None, conditions(d.wrappers))
    attrset = _enclosing(d)
    module = next(m for m in cfg.modules if m.document is doc and _contains(m, attrset))
    write_prefix = module.main_prefix if attrset == module.main else ()
    return Target(doc, attrset, d.loc[: d.prefix_len], write_prefix, d.binding,
                  conditions(d.outer))


def _no_module_reason(cfg: Configuration) -> str:
    """Why the configuration has nowhere to add an option: what its root file is."""
    for m in cfg.modules:
        if m.document.path == cfg.root and m.notes:
            return f"{m.notes[0]}; open a NixOS module (such as configuration.nix) instead"
    return "no module with an attribute set to add the option to"


def _wrapped(d: Definition) -> bool:
    """The binding's value is more than the attribute set literal (``mkIf c { … }``,
    ``let … in { … }``, ``{ … } // y``): Nix will not merge a dotted binding into it."""
    expr = d.binding.child_by_field_name(g.EXPRESSION) if d.binding is not None else None
    return expr is None or (expr.start_byte, expr.end_byte) != d.value_span


def _legal(cfg: Configuration, t: Target, loc: Loc) -> bool:
    """Whether a new dotted binding of ``loc`` in ``t``'s set would not clash with a
    binding there whose value is a wrapped set on a prefix of ``loc``."""
    span = (t.attrset.start_byte, t.attrset.end_byte)
    for c in cfg.sharing_head(loc):
        if c.kind != defs.ATTRSET or c.file != t.doc.path or c.enclosing_span != span:
            continue
        if len(t.prefix) < len(c.loc) < len(loc) and loc[: len(c.loc)] == c.loc and _wrapped(c):
            return False
    return _shadowing(t, loc) is None


def _shadowing(t: Target, loc: Loc) -> Node | None:
    """The binding that makes a new dotted binding of ``loc`` in ``t``'s set illegal: one
    that binds a prefix of ``loc`` to something other than a set literal (``environment.etc
    = mkMerge [ … ];``, ``= someVariable;``), in ``t``'s set or in a set enclosing it
    (Nix merges ``environment = { … };`` with ``environment.etc = …;``), so that the prefix
    would be defined twice, which Nix refuses."""
    from nixos_settings.core.config.definitions import attrpath_of

    src, node, prefix = t.doc.source, t.attrset, t.prefix
    route = t.prefix  # the path down to t's set: its own bindings are not a clash
    for _ in range(64):
        rest = tuple(seg.encode() for seg in loc[len(prefix):])
        for b in g.bindings(node):
            if _not_a_prefix(src, b, rest):
                continue  # (most bindings: a cheap look at their plain names)
            path, _nodes, static = attrpath_of(src, b)
            full = (*prefix, *path)
            if not static or not len(full) < len(loc) or loc[: len(full)] != full or \
                    route[: len(full)] == full:
                continue
            value = b.child_by_field_name(g.EXPRESSION)
            if value is None or value.type not in g.ATTRSET_KINDS:
                return b
        holder = node.parent
        if holder is None or holder.type != g.BINDING or \
                holder.child_by_field_name(g.EXPRESSION) != node:
            return None
        path, _nodes, static = attrpath_of(src, holder)
        if not static or prefix[len(prefix) - len(path):] != path:
            return None
        prefix = prefix[: len(prefix) - len(path)]
        node = holder.parent.parent
    return None


def _not_a_prefix(src: bytes, b: Node, rest: tuple[bytes, ...]) -> bool:
    """Whether binding ``b``'s path is plainly not a proper prefix of ``rest`` (the new
    path below the set): longer, or a plain name differing from ``rest``'s.  Quoted or
    interpolated names are left to the full reading."""
    path = b.child_by_field_name(g.ATTRPATH_FIELD) if b.type == g.BINDING else None
    first = path.child_by_field_name(g.ATTR) if path is not None else None
    if path is None or first is None:
        return False
    if not rest:
        return True
    if first.type == g.IDENTIFIER and src[first.start_byte:first.end_byte] != rest[0]:
        return True  # (the usual case, without listing the whole path)
    attrs = path.children_by_field_name(g.ATTR)
    if len(attrs) >= len(rest):
        return True
    for a, want in zip(attrs, rest, strict=False):
        if a.type != g.IDENTIFIER:
            return False
        if src[a.start_byte:a.end_byte] != want:
            return True
    return False


def _inside_condition(cfg: Configuration, loc: Loc, t: Target) -> InsideCondition:
    """The refusal of a place inside ``mkIf``: the condition, where it is, how to choose."""
    conds = t.conditions
    cond = conds[0] if len(conds) == 1 else " and ".join(
        f"({c})" if " " in c.strip() and not c.startswith("(") else c for c in conds)
    line = _condition_line(cfg, t)
    return InsideCondition(
        f"{optpath.show(loc)} would go inside the conditional block (mkIf {cond}) at line "
        f"{line} of {t.doc.path.name}, "
        f"so it would only apply when {cond} holds, and there is no place outside that "
        "block where it can be added; to put it inside anyway, choose the conditional place "
        "(--inside-condition on the command line), or add it to another file (--file)",
        cond, t.doc.path, line,
    )


def _condition_line(cfg: Configuration, t: Target) -> int:
    """The line of the binding whose ``mkIf`` makes ``t``'s set conditional."""
    holders = {(c.file, c.value_span): c for c in cfg.containers}
    span = (t.attrset.start_byte, t.attrset.end_byte)
    for _ in range(10_000):
        c = holders.get((t.doc.path, span))
        if c is None:
            break
        if conditions(c.wrappers[len(c.outer):]):
            return c.line
        span = c.enclosing_span
    for m in cfg.modules:
        if m.document is t.doc and m.main is not None and m.main_line and \
                (m.main.start_byte, m.main.end_byte) == span:
            return m.main_line
    return t.doc.position(span[0])[0]


_Score = tuple[int, int, int, int]
#: (into the set itself, the candidate): a set to write into, or a sibling binding
_Candidate = tuple[bool, Definition]


def _ranked(cfg: Configuration, loc: Loc,
           allowed: Callable[[Definition, int], bool]) -> list[_Candidate]:
    """Every candidate, best first (the first of equals first)."""
    order = {p: i for i, p in enumerate(cfg.files)}
    scored = list(_candidates(cfg.sharing_head(loc), loc, order, allowed))
    ranked = sorted(range(len(scored)), key=lambda i: (scored[i][0], -i), reverse=True)
    return [scored[i][1] for i in ranked]


def _candidates(near: list[Definition], loc: Loc, order: dict[Path, int],
                allowed: Callable[[Definition, int], bool]
                ) -> Iterator[tuple[_Score, _Candidate]]:
    """Scored candidates among ``near`` (which all share ``loc``'s first segment): the sets
    first, then the sibling bindings."""
    for c in near:
        n = len(c.loc)
        if c.kind == defs.ATTRSET and 0 < n < len(loc) and loc[:n] == c.loc and allowed(c, n):
            yield (n, 1, -order.get(c.file, 0), -c.binding_span[0]), (True, c)
    for d in near:
        if d.kind == defs.INHERITED or d.in_merge:
            continue
        n = _common(d.loc, loc)
        if n <= d.prefix_len or not allowed(d, n):
            continue
        # a trailer is the sibling of last resort: the others of its group come first
        pos = -1 if _closes_set(d) else d.binding_span[0]
        yield (n, 0, -order.get(d.file, 0), pos), (False, d)


def _closes_set(d: Definition) -> bool:
    """Whether ``d`` is a trailer: a ``system.stateVersion``-like binding that comes last
    in its attribute set."""
    if d.loc[-2:] not in TRAILER_LOCS or d.prefix_len > len(d.loc) - 2:
        return False
    members = g.bindings(_enclosing(d))
    return bool(members) and g.span(members[-1]) == d.binding_span


def _trailer(cfg: Configuration, t: Target) -> Node | None:
    """The last binding of ``t``'s set when it is the set's trailer: it is, or holds (as in
    ``system = { stateVersion = …; }``), a binding of one of :data:`TRAILER_LOCS`."""
    members = g.bindings(t.attrset)
    if not members:
        return None
    start, end = g.span(members[-1])
    n = len(t.prefix)
    heads = {t.prefix[0]} if t.prefix else {tl[0] for tl in TRAILER_LOCS}
    for head in sorted(heads):
        for d in cfg.sharing_head((head,)):
            if d.file != t.doc.path or d.loc[-2:] not in TRAILER_LOCS:
                continue
            if len(d.loc) - 2 <= n and d.loc[:n] == t.prefix and \
                    start <= d.binding_span[0] and d.binding_span[1] <= end:
                return members[-1]
    return None


def _contains(m: Module, node: Node) -> bool:
    """Whether ``node`` lies within the module expression of ``m``."""
    return bool(m.node.start_byte <= node.start_byte and node.end_byte <= m.node.end_byte)


def plan_add(cfg: Configuration, loc: Loc, make_value: MakeValue,
             file: Path | None, inside_condition: bool = False) -> ChangeSet:
    """Add a new definition of ``loc`` (into ``file`` when given); ``make_value(indent, unit,
    newline) -> str`` lays the value out for its place.  A place inside an ``mkIf`` body is
    taken only with ``inside_condition`` (else :class:`InsideCondition`)."""
    check_no_conflict(cfg, loc)
    t = find_target(cfg, loc, file, inside_condition)
    doc = editable_doc(cfg, t.doc.path)
    rel = t.write_prefix + loc[len(t.prefix):]
    name = optpath.show(rel).encode("utf-8")
    plan = Plan(cfg, f"add {optpath.show(loc)}", [loc])
    start, end, text = _added(doc.source, doc.newline, _where(cfg, t, loc), name, make_value)
    plan.add(doc.path, start, end, text)
    return plan.build()


@dataclass
class _Where:
    """The place of a new binding in ``attrset``: after ``anchor`` (with a blank line
    before it when ``spaced``), else before ``trailer``, else into the empty set."""

    attrset: Node
    anchor: Node | None
    trailer: Node | None
    spaced: bool


def _where(cfg: Configuration, t: Target, loc: Loc) -> _Where:
    """Where in ``t``'s set the binding goes: after the anchor, unless that is the set's
    trailer (then after the binding before it, or before the trailer when it is alone).

    A blank line goes before it as the neighbours have: none between two packed bindings,
    none after a one-line binding alone in the group the new one joins; else one when the
    anchor is set apart by one from the binding before it (the first binding of a set: from
    the one after it)."""
    src = t.doc.source
    members = g.bindings(t.attrset)
    anchor = t.after if t.after is not None else (members[-1] if members else None)
    trailer = _trailer(cfg, t)
    if anchor is None or trailer is None or g.span(anchor) != g.span(trailer):
        grouped = t.after is not None
    elif len(members) == 1:
        return _Where(t.attrset, None, trailer, False)
    else:
        anchor, grouped = members[-2], False
    if anchor is None:
        return _Where(t.attrset, None, None, False)
    i = next((k for k, m in enumerate(members) if g.span(m) == g.span(anchor)), len(members))
    after = i + 1 < len(members) and \
        blank_line_between(src, anchor.end_byte, members[i + 1].start_byte)
    before = members[i - 1] if i > 0 else None
    one_line = b"\n" not in src[anchor.start_byte : anchor.end_byte]
    if i + 1 < len(members) and not after:
        spaced = False  # between two packed bindings
    elif grouped and one_line and (before is None or not _same_group(cfg, t, loc, before)):
        spaced = False  # a one-line binding alone in its group: the new one joins it packed
    elif before is not None:
        spaced = blank_line_between(src, before.end_byte, anchor.start_byte)
    else:
        spaced = after
    return _Where(t.attrset, anchor, None, spaced)


def _same_group(cfg: Configuration, t: Target, loc: Loc, other: Node) -> bool:
    """Whether ``other`` (a binding of ``t``'s set) shares with ``loc`` as many leading
    segments as the anchor ``t.after`` does: whether it belongs to the anchor's group."""
    assert t.after is not None
    shared: dict[tuple[int, int], int] = {}
    for d in cfg.sharing_head(loc):
        if d.file == t.doc.path:
            shared[d.binding_span] = max(shared.get(d.binding_span, 0), _common(d.loc, loc))
    return shared.get(g.span(other), 0) >= shared.get(g.span(t.after), 1)


def _added(src: bytes, nl: bytes, w: _Where, name: bytes,
           make_value: MakeValue) -> tuple[int, int, bytes]:
    """The splice writing ``name = value;`` at ``w``: after its anchor binding (on the same
    line when the anchor shares its line, past a same-line comment otherwise), before a
    trailer that is alone in its set, or into an empty attribute set, opened up."""
    unit = indent_unit(src)
    if w.trailer is not None:
        return _before_trailer(src, nl, w.trailer, name, make_value)
    anchor = w.anchor
    if anchor is not None:
        indent = indent_at(src, anchor.start_byte)
        binding = name + b" = " + with_newlines(make_value(indent, unit, nl), nl) + b";"
        if not first_on_line(src, anchor.start_byte):
            return anchor.end_byte, anchor.end_byte, b" " + binding
        pos = skip_trailing_comment(src, anchor.end_byte)
        return pos, pos, nl + (nl if w.spaced else b"") + indent + binding
    base = indent_at(src, w.attrset.start_byte)
    indent = base + unit
    binding = name + b" = " + with_newlines(make_value(indent, unit, nl), nl) + b";"
    close = w.attrset.end_byte - 1  # the "}"
    inner = src[w.attrset.start_byte + 1 : close]
    if b"\n" in inner and first_on_line(src, close):
        ls = line_start(src, close)
        return ls, ls, indent + binding + nl
    if inner.strip(b" \t") == b"":
        return w.attrset.start_byte + 1, close, nl + indent + binding + nl + base
    # only comments inside, on the brace's line
    return close, close, nl + indent + binding + nl + base


def _before_trailer(src: bytes, nl: bytes, trailer: Node, name: bytes,
                    make_value: MakeValue) -> tuple[int, int, bytes]:
    """The splice writing the binding before a trailer that is its set's only binding:
    above its comment block, with a blank line between them so the comments stay its."""
    unit = indent_unit(src)
    indent = indent_at(src, trailer.start_byte)
    binding = name + b" = " + with_newlines(make_value(indent, unit, nl), nl) + b";"
    if not first_on_line(src, trailer.start_byte):
        return trailer.start_byte, trailer.start_byte, binding + b" "
    ls = line_start(src, trailer.start_byte)
    top = leading_comments(src, ls)
    return top, top, indent + binding + nl + (nl if top < ls else b"")
