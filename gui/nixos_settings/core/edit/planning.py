"""Plan edits as byte-range splices on the unmodified tree, then apply them at once.

Every planner returns a :class:`~nixos_settings.core.nix.text.ChangeSet`; nothing here writes a
file.  This module is the one door to the planners; the rules a person would follow live in
the modules beside it:

* **set** an existing definition (here): replace only the value's bytes; wrappers stay.
* **add** a new option (:mod:`~nixos_settings.core.edit.place`): into the deepest attribute
  set that already holds its prefix, else as a dotted binding after the sibling with the
  longest common prefix, else at the end of the module's main attribute set; indented like
  the neighbours (:mod:`~nixos_settings.core.edit.layout`), with the file's line endings,
  never between a binding and its same-line comment, never as a second definition; never
  after a set's closing ``system.stateVersion`` (or ``home.stateVersion``) block, and with a
  blank line before it only where the neighbours are set apart by one.
* **unset** (:mod:`~nixos_settings.core.edit.unset`): remove the binding with its line(s) and
  leading comment block; a parent set left empty goes too, unless something else (a
  comment) lives in it.
* **lists** (:mod:`~nixos_settings.core.edit.lists`): add/remove elements in the style of the
  existing ones.
* **rename** an attribute-set entry (here), quoting the new name when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config.definitions import INHERITED, VALUE, Definition
from nixos_settings.core.edit.layout import (
    indent_at,
    indent_unit,
    parenthesized,
    reindent,
    with_newlines,
)
from nixos_settings.core.edit.lists import (
    plan_list_add,
    plan_list_remove,
    plan_list_remove_at,
    plan_list_set_at,
)
from nixos_settings.core.edit.place import plan_add
from nixos_settings.core.edit.plan import (
    Plan,
    check_expression,
    choose,
    editable_doc,
    in_sequence,
    needs_parens,
)
from nixos_settings.core.edit.unset import plan_unset
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import optpath, render, syntax
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, apply_splices

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

__all__ = [
    "apply_splices",
    "check_expression",
    "plan_add",
    "plan_list_add",
    "plan_list_remove",
    "plan_list_remove_at",
    "plan_list_set_at",
    "plan_rename",
    "plan_set",
    "plan_set_value",
    "plan_unset",
]


def plan_set(cfg: Configuration, loc: Loc, nix_text: str, at: Definition | None = None,
             file: Path | None = None, inside_condition: bool = False) -> ChangeSet:
    """Give ``loc`` the Nix expression ``nix_text``: replace the value of its definition (the
    one at ``at``; in ``file`` when given), or add a definition when there is none (inside
    an ``mkIf`` body only with ``inside_condition``)."""
    check_expression(nix_text)
    found = cfg.find_any(loc)
    if file is not None:
        found = [d for d in found if d.file == file]
    if not found:
        _refuse_split(cfg, loc, None)
        return plan_add(cfg, loc, lambda indent, unit, nl: reindent(nix_text, indent), file,
                        inside_condition)
    d = choose(cfg, loc, found, at)
    if not d.editable:
        raise EditError(f"{d.option} cannot be edited here: {d.reason}", d.file, d.line,
                        d.column)
    if d.kind != VALUE:
        _refuse_split(cfg, loc, d)
    doc = editable_doc(cfg, d.file)
    start, end = d.value_span
    plan = Plan(cfg, f"set {d.option}", [loc])
    if syntax.same_expression(doc.source[start:end], nix_text.encode("utf-8")):
        return plan.build()  # the same value: nothing changes (its comments stay)
    if _set_elements(cfg, plan, d, nix_text):
        return plan.build()
    steps = _element_steps(cfg, d, nix_text)
    if steps:
        return in_sequence(cfg, steps, [loc], f"set {d.option}")
    indent = indent_at(doc.source, d.binding_span[0])
    expr = d.binding.child_by_field_name(g.EXPRESSION) if d.kind == VALUE else None
    wrapped = expr is not None and (expr.start_byte, expr.end_byte) != d.value_span
    if wrapped and needs_parens(nix_text) and not parenthesized(doc.source, start, end):
        nix_text = f"({nix_text})"  # the argument of mkForce & co. must stay one term
    text = with_newlines(reindent(nix_text, indent), doc.newline)
    if doc.source[start:end] != text:
        plan.add(d.file, start, end, text)
    return plan.build()


def _two_lists(d: Definition, nix_text: str) -> tuple[list[g.Node], bytes, list[g.Node]] | None:
    """When ``d``'s value is one list literal and ``nix_text`` parses as a list: the old
    elements, the new text and its elements; else None."""
    lists = g.list_literals(d.value)
    if len(lists) != 1 or g.strip_parens(d.value).type != g.LIST:
        return None
    new_src = nix_text.encode("utf-8")
    tree = syntax.parse(new_src)
    new = g.top_expression(tree)
    if new is None or tree.root_node.has_error or g.strip_parens(new).type != g.LIST:
        return None
    return g.elements(lists[0]), new_src, g.elements(g.strip_parens(new))


def _set_elements(cfg: Configuration, plan: Plan, d: Definition, nix_text: str) -> bool:
    """A new list with as many elements as the list literal ``d`` holds: replace only the
    elements that differ (the others keep their comments and layout).  False when the
    value or the new text is not such a list."""
    pair = _two_lists(d, nix_text)
    if pair is None:
        return False
    old_els, new_src, new_els = pair
    if len(old_els) != len(new_els) or not old_els:
        return False
    doc = cfg.documents[d.file]
    old_texts = [doc.source[o.start_byte : o.end_byte] for o in old_els]
    new_texts = [new_src[n.start_byte : n.end_byte] for n in new_els]
    changed = [i for i, (o, n) in enumerate(zip(old_texts, new_texts, strict=True))
               if not syntax.same_expression(o, n)]
    for i in changed:  # an element moved: its comments would stay behind; write it whole
        if any(syntax.same_expression(old, new_texts[i]) for old in old_texts):
            return False
    for i in changed:
        o = old_els[i]
        indent = indent_at(doc.source, o.start_byte)
        plan.add(d.file, o.start_byte, o.end_byte,
                 with_newlines(reindent(new_texts[i].decode("utf-8"), indent), doc.newline))
    return True


def _element_steps(cfg: Configuration, d: Definition,
                   nix_text: str) -> list[Callable[[], ChangeSet]] | None:
    """A new list that is the list literal ``d`` with elements appended, or with some
    removed: the steps that add or remove only those (None otherwise)."""
    pair = _two_lists(d, nix_text)
    if pair is None:
        return None
    old_els, src, new_els = pair
    doc = cfg.documents[d.file]
    old_texts = [doc.source[e.start_byte : e.end_byte] for e in old_els]
    new_texts = [src[e.start_byte : e.end_byte] for e in new_els]
    n = len(old_texts)
    if len(new_texts) > n and all(syntax.same_expression(a, b)
                                  for a, b in zip(old_texts, new_texts, strict=False)):
        added = [t.decode("utf-8") for t in new_texts[n:]]
        if len({" ".join(t.split()) for t in added}) != len(added):
            return None  # the same element twice: the list module refuses duplicates
        return [partial(plan_list_add, cfg, d.loc, t, d) for t in added]
    if len(new_texts) < n:
        keep, j = [], 0
        for i, t in enumerate(old_texts):
            if j < len(new_texts) and syntax.same_expression(t, new_texts[j]):
                keep.append(i)
                j += 1
        if j == len(new_texts):
            gone = [i for i in range(n) if i not in keep]
            return [partial(plan_list_remove_at, cfg, d.loc, i, d) for i in reversed(gone)]
    return None


def _refuse_split(cfg: Configuration, loc: Loc, d: Definition | None) -> None:
    """Refuse to write a whole value for ``loc`` when other places define parts of it (the
    result would define them twice)."""
    if d is not None and d.kind == VALUE:
        return
    others = [o for o in cfg.defined_under(loc)
              if d is None or not (o.file == d.file and o.binding_span == d.binding_span)]
    if not others:
        return
    places = ", ".join(f"{o.option} at {o.file.name}:{o.line}" for o in others)
    what = "is also defined in other places" if d is not None else "is already defined in parts"
    raise EditError(
        f"{optpath.show(loc)} {what} ({places}); a whole value "
        "here would define those twice. Set each option on its own, or remove the other "
        "definitions first", others[0].file, others[0].line, others[0].column)


def plan_set_value(cfg: Configuration, loc: Loc, value: object,
                   at: Definition | None = None, inside_condition: bool = False) -> ChangeSet:
    """Like :func:`plan_set` with a Python value, rendered as Nix laid out for its place."""
    found = cfg.find_any(loc)
    if found:
        d = choose(cfg, loc, found, at)
        doc = cfg.documents[d.file]
        indent = indent_at(doc.source, d.binding_span[0]).decode()
        unit = indent_unit(doc.source).decode()
        text = render.to_nix(value, indent, unit, doc.newline.decode())
        return plan_set(cfg, loc, _dedent_rendered(text, indent), at=d)

    def make(indent: bytes, unit: bytes, nl: bytes) -> str:
        return render.to_nix(value, indent.decode(), unit.decode(), nl.decode())

    return plan_add(cfg, loc, make, None, inside_condition)


def _dedent_rendered(text: str, indent: str) -> str:
    """``plan_set`` re-indents continuation lines; undo the rendering's own indentation."""
    if not indent or "\n" not in text:
        return text
    first, *rest = text.split("\n")
    return "\n".join([first] + [ln[len(indent):] if ln.startswith(indent) else ln for ln in rest])


def plan_rename(cfg: Configuration, loc: Loc, new_name: str) -> ChangeSet:
    """Rename the last segment of ``loc`` to ``new_name`` wherever it is written (in dotted
    paths below it too), quoting the new name when needed."""
    if not loc:
        raise EditError("nothing to rename")
    if not new_name:
        raise EditError("the new name is empty")
    new_loc = loc[:-1] + (new_name,)
    if new_loc == loc:
        raise EditError("the new name is the same as the old one")
    items = [d for d in cfg.definitions + cfg.containers if d.loc[: len(loc)] == loc]
    if not items:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it imports")
    for d in cfg.definitions + cfg.containers:
        if d.loc[: len(new_loc)] == new_loc:
            raise EditError(f"{optpath.show(new_loc)} is already defined", d.file, d.line,
                            d.column)
    text = optpath.show_segment(new_name).encode("utf-8")
    plan = Plan(cfg, f"rename {optpath.show(loc)} to {optpath.show(new_loc)}", [loc, new_loc])
    done: set[tuple[Path, int]] = set()
    for d in items:
        if not d.editable and d.kind != INHERITED:
            raise EditError(f"{d.option} cannot be renamed: {d.reason}", d.file, d.line, d.column)
        idx = len(loc) - 1 - d.prefix_len
        if 0 <= idx < len(d.attrs):
            node = d.attrs[idx]
            key = (d.file, node.start_byte)
            if key not in done:
                editable_doc(cfg, d.file)
                done.add(key)
                plan.add(d.file, node.start_byte, node.end_byte, text)
    return plan.build()
