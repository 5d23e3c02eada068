"""Plan edits as byte-range splices on the unmodified tree, then apply them at once.

Every planner returns a :class:`~nixos_settings.core.nix.text.ChangeSet`; nothing here writes a
file.  The rules a person would follow:

* **set** an existing definition: replace only the value's bytes; wrappers stay.
* **add** a new option: into the deepest attribute set that already holds its prefix, else as
  a dotted binding after the sibling with the longest common prefix, else at the end of the
  module's main attribute set; indented like the neighbours, with the file's line endings,
  never between a binding and its same-line comment, never as a second definition.
* **unset**: remove the binding with its line(s) and leading comment block; a parent set
  left empty goes too, unless something else (a comment) lives in it.
* **lists**: add/remove elements in the style of the existing ones.
* **rename** an attribute-set entry, quoting the new name when needed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.config import definitions as defs
from nixos_settings.core.config.definitions import Definition, Module, strip_parens
from nixos_settings.core.config.document import Document
from nixos_settings.core.nix import optpath, render, syntax
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet, Splice, apply_splices

if TYPE_CHECKING:
    from nixos_settings.core.config.configuration import Configuration

Node = Any


# -- text helpers ---------------------------------------------------------------------------


def line_start(src: bytes, pos: int) -> int:
    return src.rfind(b"\n", 0, pos) + 1


def line_end(src: bytes, pos: int) -> int:
    """Offset of the line break ending the line of ``pos`` (``\\r`` of CRLF), or EOF."""
    nl = src.find(b"\n", pos)
    if nl == -1:
        return len(src)
    return nl - 1 if nl > 0 and src[nl - 1 : nl] == b"\r" else nl


def after_newline(src: bytes, pos: int) -> int:
    nl = src.find(b"\n", pos)
    return len(src) if nl == -1 else nl + 1


def indent_at(src: bytes, pos: int) -> bytes:
    ls = line_start(src, pos)
    m = re.match(rb"[ \t]*", src[ls:pos])
    return m.group(0) if m else b""


def first_on_line(src: bytes, pos: int) -> bool:
    return src[line_start(src, pos) : pos].strip(b" \t") == b""


def skip_trailing_comment(src: bytes, pos: int) -> int:
    """End of a comment that follows ``pos`` on the same line, else ``pos``."""
    i = pos
    while i < len(src) and src[i : i + 1] in (b" ", b"\t"):
        i += 1
    if src[i : i + 1] == b"#":
        return line_end(src, i)
    if src[i : i + 2] == b"/*":
        close = src.find(b"*/", i + 2)
        if close != -1:
            return close + 2
    return pos


def rest_of_line_blank(src: bytes, pos: int) -> bool:
    return src[pos : line_end(src, pos)].strip(b" \t") == b""


@functools.lru_cache(maxsize=16)
def indent_unit(src: bytes) -> bytes:
    """The file's indentation step: a tab, or the most common space step (default two)."""
    tabs = spaces = 0
    widths: dict[int, int] = {}
    prev = 0
    # The style shows in the first few hundred lines; scanning a whole large file on every
    # edit would cost more than the edit itself.
    for line in src[:24_000].splitlines():
        stripped = line.lstrip(b" \t")
        if not stripped:
            continue
        lead = line[: len(line) - len(stripped)]
        if lead.startswith(b"\t"):
            tabs += 1
        elif lead:
            spaces += 1
            step = len(lead) - prev
            if step > 0:
                widths[step] = widths.get(step, 0) + 1
        prev = len(lead) if not lead.startswith(b"\t") else prev
    if tabs > spaces:
        return b"\t"
    if not widths:
        return b"  "
    best = max(widths.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return b" " * max(1, min(best, 8))


def reindent(text: str, indent: bytes) -> str:
    """Indent every line of ``text`` after the first by ``indent``."""
    if "\n" not in text:
        return text
    ind = indent.decode()
    first, *rest = text.split("\n")
    return "\n".join([first] + [ind + ln if ln.strip() else ln for ln in rest])


def with_newlines(text: str, newline: bytes) -> bytes:
    data = text.encode("utf-8")
    if newline == b"\r\n":
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data


def check_expression(text: str) -> None:
    """Raise unless ``text`` is one well-formed Nix expression."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise EditError(
            f"the value is not valid UTF-8 text (byte {err.object[err.start]!r} at position "
            f"{err.start + 1})"
        ) from None
    if not text.strip():
        raise EditError("the value is empty; give a Nix expression")
    tree = syntax.parse(text.encode("utf-8"))
    probs = syntax.problems(tree)
    if probs:
        p = probs[0]
        raise EditError(
            f"the value is not valid Nix ({p.message} at column {p.column + 1}): {text!r}"
        )
    root = tree.root_node
    if root.child_by_field_name("expression") is None:
        raise EditError(f"the value is not a Nix expression: {text!r}")


# -- change sets ----------------------------------------------------------------------------


@dataclass
class _Plan:
    cfg: Configuration
    description: str
    locs: list[Loc]

    def __post_init__(self) -> None:
        self.splices: dict[Path, list[Splice]] = {}

    def add(self, path: Path, start: int, end: int, text: bytes) -> None:
        self.splices.setdefault(path, []).append((start, end, text))

    def build(self) -> ChangeSet:
        cs = ChangeSet(description=self.description, locs=self.locs)
        for path, splices in self.splices.items():
            doc = self.cfg.documents[path]
            new = apply_splices(doc.source, splices)
            tree = syntax.reparse_after_splices(doc.tree, doc.source, new, splices)
            _refuse_new_errors(doc, tree)
            cs.files[path] = (doc.source, new)
            cs.splices[path] = sorted(splices)
            cs.trees[path] = tree
        return cs


def _refuse_new_errors(doc: Document, tree: syntax.Tree) -> None:
    before = syntax.problems(doc.tree)
    after = syntax.problems(tree)
    if len(after) > len(before):
        p = after[0]
        raise EditError(
            f"the edit would break the syntax ({p.message}); nothing was changed",
            doc.path, p.line + 1, p.column + 1,
        )


def _editable_doc(cfg: Configuration, path: Path) -> Document:
    doc = cfg.documents[path]
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        raise EditError(
            f"the file has a syntax error ({errors[0].message}); fix it before editing",
            path, errors[0].line, errors[0].column,
        )
    return doc


def _choose(cfg: Configuration, loc: Loc, found: list[Definition],
            at: Definition | None) -> Definition:
    if at is not None:
        for d in found:
            if d.file == at.file and d.line == at.line and d.column == at.column:
                return d
        raise EditError(f"{optpath.show(loc)} is not defined at {at.where()}")
    if len(found) > 1:
        places = ", ".join(d.where() for d in found)
        raise EditError(
            f"{optpath.show(loc)} is defined in {len(found)} places ({places}); "
            "choose which one to edit"
        )
    return found[0]


# -- set ------------------------------------------------------------------------------------


def plan_set(cfg: Configuration, loc: Loc, nix_text: str, at: Definition | None = None,
             file: Path | None = None) -> ChangeSet:
    check_expression(nix_text)
    found = cfg.find_any(loc)
    if file is not None:
        found = [d for d in found if d.file == file]
    if not found:
        return plan_add(cfg, loc, lambda indent, unit, nl: reindent(nix_text, indent), file)
    d = _choose(cfg, loc, found, at)
    if not d.editable:
        raise EditError(f"{d.option} cannot be edited here: {d.reason}", d.file, d.line,
                        d.column)
    doc = _editable_doc(cfg, d.file)
    start, end = d.value_span
    indent = indent_at(doc.source, d.binding_span[0])
    expr = d.binding.child_by_field_name("expression") if d.kind == "value" else None
    wrapped = expr is not None and (expr.start_byte, expr.end_byte) != d.value_span
    if wrapped and _needs_parens(nix_text) and not _parenthesized(doc.source, start, end):
        nix_text = f"({nix_text})"  # the argument of mkForce & co. must stay one term
    text = with_newlines(reindent(nix_text, indent), doc.newline)
    plan = _Plan(cfg, f"set {d.option}", [loc])
    if doc.source[start:end] != text:
        plan.add(d.file, start, end, text)
    return plan.build()


def plan_set_value(cfg: Configuration, loc: Loc, value: object,
                   at: Definition | None = None) -> ChangeSet:
    found = cfg.find_any(loc)
    if found:
        d = _choose(cfg, loc, found, at)
        doc = cfg.documents[d.file]
        indent = indent_at(doc.source, d.binding_span[0]).decode()
        unit = indent_unit(doc.source).decode()
        text = render.to_nix(value, indent, unit, doc.newline.decode())
        return plan_set(cfg, loc, _dedent_rendered(text, indent), at=d)

    def make(indent: bytes, unit: bytes, nl: bytes) -> str:
        return render.to_nix(value, indent.decode(), unit.decode(), nl.decode())

    return plan_add(cfg, loc, make, None)


def _dedent_rendered(text: str, indent: str) -> str:
    """``plan_set`` re-indents continuation lines; undo the rendering's own indentation."""
    if not indent or "\n" not in text:
        return text
    first, *rest = text.split("\n")
    return "\n".join([first] + [ln[len(indent):] if ln.startswith(indent) else ln for ln in rest])


# -- add ------------------------------------------------------------------------------------


@dataclass
class _Target:
    doc: Document
    attrset: Node  # where the binding goes
    prefix: Loc  # loc of the attrset's content
    write_prefix: tuple[str, ...]  # segments written before the relative path
    after: Node | None  # insert after this binding (None: at the end)


def _primary_module(cfg: Configuration) -> Module | None:
    for m in cfg.modules:
        if m.main is not None and m.node is m.document.tree.root_node.child_by_field_name(
            "expression"
        ):
            return m
    return next((m for m in cfg.modules if m.main is not None), None)


def _common(a: Loc, b: Loc) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _enclosing(d: Definition) -> Node:
    """The attrset node a definition's binding sits in."""
    return d.binding.parent.parent


def _check_no_conflict(cfg: Configuration, loc: Loc) -> None:
    for d in cfg.sharing_head(loc):
        if d.kind == "attrset":
            continue
        if d.reason and "dynamic" in d.reason and loc[: len(d.loc)] == d.loc:
            raise EditError(
                f"{optpath.show(loc)} is under an attribute whose name is dynamic (${{…}}); "
                "edit it in the file",
                d.file, d.line, d.column,
            )
        if len(d.loc) < len(loc) and loc[: len(d.loc)] == d.loc:
            if d.value_type in defs.ATTRSET_TYPES:
                continue  # an empty set: we insert into it
            raise EditError(
                f"{d.option} is already set to an expression that is not an attribute set; "
                f"{optpath.show(loc)} cannot be added beside it",
                d.file, d.line, d.column,
            )
        if len(d.loc) > len(loc) and d.loc[: len(loc)] == loc:
            raise EditError(
                f"{optpath.show(loc)} is already defined through {d.option}; edit that instead",
                d.file, d.line, d.column,
            )


def _find_target(cfg: Configuration, loc: Loc, file: Path | None) -> _Target:
    """Where a new definition of ``loc`` goes (see the module docstring).

    Candidates come from every file: attribute sets bound to a proper prefix of ``loc``
    (score: their depth) and bindings sharing leading segments with ``loc`` (score: how
    many).  The highest score wins; a set beats a binding on a tie, an earlier file a later
    one.  Outside the root file a candidate must share two segments or more, so that
    ``services.openssh.enable`` does not land in ``hardware-configuration.nix`` just because
    it mentions some other ``services``.
    """
    primary = _primary_module(cfg)
    if primary is None:
        raise EditError("no module with an attribute set to add the option to", cfg.root)
    root_path = primary.document.path
    order = {p: i for i, p in enumerate(cfg.files)}

    def allowed(d: Definition, score: int) -> bool:
        if file is not None:
            return d.file == file
        return d.file == root_path or score >= 2

    best_key: tuple[int, int, int, int] | None = None
    best: tuple[str, Definition] | None = None
    near = cfg.sharing_head(loc)  # every candidate shares at least the first segment
    for c in near:
        n = len(c.loc)
        if c.kind == "attrset" and 0 < n < len(loc) and loc[:n] == c.loc and allowed(c, n):
            key = (n, 1, -order.get(c.file, 0), -c.binding_span[0])
            if best_key is None or key > best_key:
                best_key, best = key, ("set", c)
    for d in near:
        if d.kind == "inherit" or d.in_merge:
            continue
        n = _common(d.loc, loc)
        if n <= d.prefix_len or not allowed(d, n):
            continue
        key = (n, 0, -order.get(d.file, 0), d.binding_span[0])
        if best_key is None or key > best_key:
            best_key, best = key, ("sibling", d)
    if best is None:
        if file is not None and file != root_path:
            module = next((m for m in cfg.modules if m.document.path == file and m.main), None)
            if module is None:
                raise EditError("no attribute set to add the option to", file)
            primary = module
        return _Target(primary.document, primary.main, (), primary.main_prefix, None)
    kind, d = best
    doc = cfg.documents[d.file]
    if kind == "set":
        return _Target(doc, d.value, d.loc, (), None)
    attrset = _enclosing(d)
    module = next(m for m in cfg.modules if m.document is doc and _contains(m, attrset))
    write_prefix = module.main_prefix if attrset == module.main else ()
    return _Target(doc, attrset, d.loc[: d.prefix_len], write_prefix, d.binding)


def _contains(m: Module, node: Node) -> bool:
    return bool(m.node.start_byte <= node.start_byte and node.end_byte <= m.node.end_byte)


def plan_add(cfg: Configuration, loc: Loc, make_value: Any, file: Path | None) -> ChangeSet:
    """Add a new definition of ``loc``; ``make_value(indent, unit, newline) -> str``."""
    _check_no_conflict(cfg, loc)
    t = _find_target(cfg, loc, file)
    doc = _editable_doc(cfg, t.doc.path)
    src = doc.source
    nl = doc.newline
    unit = indent_unit(src)
    rel = t.write_prefix + loc[len(t.prefix):]
    name = optpath.show(rel).encode("utf-8")
    plan = _Plan(cfg, f"add {optpath.show(loc)}", [loc])
    attrset = t.attrset
    members = defs.bindings(attrset)
    anchor = t.after if t.after is not None else (members[-1] if members else None)
    if anchor is not None:
        inline = not first_on_line(src, anchor.start_byte)
        indent = indent_at(src, anchor.start_byte)
        value = with_newlines(make_value(indent, unit, nl), nl)
        binding = name + b" = " + value + b";"
        pos = skip_trailing_comment(src, anchor.end_byte)
        if inline:
            plan.add(doc.path, anchor.end_byte, anchor.end_byte, b" " + binding)
        else:
            plan.add(doc.path, pos, pos, nl + indent + binding)
        return plan.build()
    # an empty attribute set: open it up
    base = indent_at(src, attrset.start_byte)
    indent = base + unit
    value = with_newlines(make_value(indent, unit, nl), nl)
    binding = name + b" = " + value + b";"
    close = attrset.end_byte - 1  # the "}"
    inner = src[attrset.start_byte + 1 : close]
    if b"\n" in inner and first_on_line(src, close):
        ls = line_start(src, close)
        plan.add(doc.path, ls, ls, indent + binding + nl)
    elif inner.strip(b" \t") == b"":
        plan.add(doc.path, attrset.start_byte + 1, close,
                 nl + indent + binding + nl + base)
    else:  # only comments inside, on the brace's line
        plan.add(doc.path, close, close, nl + indent + binding + nl + base)
    return plan.build()


# -- unset ----------------------------------------------------------------------------------


def removal_span(src: bytes, start: int, end: int) -> tuple[int, int]:
    """Bytes to delete to remove the item at ``start:end`` with its own line(s)."""
    if first_on_line(src, start):
        after = skip_trailing_comment(src, end)
        if rest_of_line_blank(src, after):
            s = line_start(src, start)
            s = _leading_comments(src, s)
            e = after_newline(src, after)
            # Between two blank lines: take one of them too, so no double gap is left.
            if s > 0 and _blank_line_before(src, s) and e < len(src) and \
                    src[e : after_newline(src, e)].strip() == b"":
                e = after_newline(src, e)
            return s, e
        # more on this line after the item: take the item and the spaces after it
        e = end
        while src[e : e + 1] in (b" ", b"\t"):
            e += 1
        return start, e
    s = start
    while s > 0 and src[s - 1 : s] in (b" ", b"\t"):
        s -= 1
    return s, end


def _blank_line_before(src: bytes, ls: int) -> bool:
    prev = line_start(src, ls - 1)
    return src[prev:ls].strip() == b""


def _leading_comments(src: bytes, ls: int) -> int:
    """Extend a line start upwards over a block of ``#`` comment lines directly above."""
    while ls > 0:
        prev = line_start(src, ls - 1)
        text = src[prev:ls].strip()
        if text.startswith(b"#") or (text.startswith(b"/*") and text.endswith(b"*/")):
            ls = prev
            continue
        break
    return ls


def _has_comments(attrset: Node) -> bool:
    for child in attrset.children:
        if child.type == "comment":
            return True
        if child.type == "binding_set" and any(c.type == "comment" for c in child.children):
            return True
    return False


def plan_unset(cfg: Configuration, loc: Loc, at: Definition | None = None) -> ChangeSet:
    found = cfg.find_any(loc)
    if at is not None:
        found = [_choose(cfg, loc, found, at)]
    if not found:
        found = [d for d in cfg.definitions if d.loc[: len(loc)] == loc and len(d.loc) > len(loc)]
    if not found:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it imports")
    for d in found:
        if d.in_merge:
            raise EditError(f"{d.option} is one element of an mkMerge list; edit it by hand",
                            d.file, d.line, d.column)
        if d.kind == "inherit":
            raise EditError(f"{d.option} comes from an inherit; edit it by hand",
                            d.file, d.line, d.column)
        _editable_doc(cfg, d.file)
    removed: dict[Path, set[tuple[int, int]]] = {}
    for d in found:
        removed.setdefault(d.file, set()).add(d.binding_span)
    # parents left empty go too
    changed = True
    while changed:
        changed = False
        for c in cfg.containers:
            gone = removed.get(c.file, set())
            if not c.loc or c.binding_span in gone or not any(
                c.value_span[0] <= s and e <= c.value_span[1] for s, e in gone
            ):
                continue
            members = [(m.start_byte, m.end_byte) for m in defs.bindings(c.value)]
            if members and all(m in gone for m in members) and not _has_comments(c.value):
                gone.add(c.binding_span)
                changed = True
    plan = _Plan(cfg, f"unset {optpath.show(loc)}", [loc])
    for path, spans_removed in removed.items():
        src = cfg.documents[path].source
        spans = sorted(removal_span(src, s, e) for s, e in spans_removed)
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        for s, e in merged:
            plan.add(path, s, e, b"")
    return plan.build()


# -- lists ----------------------------------------------------------------------------------


def _list_literals(value: Node) -> list[Node]:
    value = strip_parens(value)
    if value.type in ("with_expression", "let_expression"):
        return _list_literals(value.child_by_field_name("body"))
    if value.type == "list_expression":
        return [value]
    if value.type == "binary_expression":
        op = value.child_by_field_name("operator")
        if op is not None and op.type == "++":
            return _list_literals(value.child_by_field_name("left")) + _list_literals(
                value.child_by_field_name("right")
            )
    return []


def _norm(text: str) -> str:
    return " ".join(text.split())


def _same_element(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return a == b or a == f"pkgs.{b}" or b == f"pkgs.{a}"


def _list_def(cfg: Configuration, loc: Loc, at: Definition | None) -> Definition | None:
    found = cfg.find(loc)
    if not found:
        return None
    d = _choose(cfg, loc, found, at)
    if not d.editable:
        raise EditError(f"{d.option} cannot be edited here: {d.reason}", d.file, d.line, d.column)
    return d


def _multiline_list(element: str, indent: str, unit: str, nl: str) -> str:
    """``[`` / the element on its own lines / ``]``, for elements that span lines."""
    inner = indent + unit
    return f"[{nl}{inner}{reindent(element, inner.encode())}{nl}{indent}]"


def plan_list_add(cfg: Configuration, loc: Loc, element: str,
                  at: Definition | None = None) -> ChangeSet:
    """Append ``element`` (Nix text) to a list; elements that span lines (an attribute set
    of a list of submodules) are indented like the list's other elements."""
    check_expression(element)
    multiline = "\n" in element
    d = _list_def(cfg, loc, at)
    if d is None:
        if multiline:
            return plan_add(cfg, loc, lambda i, u, n: _multiline_list(
                element, i.decode(), u.decode(), n.decode()), None)
        return plan_add(cfg, loc, lambda i, u, n: f"[ {element} ]", None)
    lists = _list_literals(d.value)
    if not lists:
        raise EditError(f"the value of {d.option} is not a list literal; edit it as an expression",
                        d.file, d.line, d.column)
    for lst in lists:
        for el in lst.children_by_field_name("element"):
            if _same_element(cfg.documents[d.file].text(el.start_byte, el.end_byte), element):
                raise EditError(f"{element} is already in {d.option}", d.file, d.line, d.column)
    doc = _editable_doc(cfg, d.file)
    src, nl = doc.source, doc.newline
    lst = lists[-1]
    elements = lst.children_by_field_name("element")
    if _needs_parens(element):
        element = f"({element})"
    plan = _Plan(cfg, f"add {element} to {d.option}", [loc])

    def text_at(indent: bytes) -> bytes:
        return with_newlines(reindent(element, indent), nl)

    if elements:
        last = elements[-1]
        if first_on_line(src, last.start_byte) and src.count(b"\n", lst.start_byte,
                                                              last.start_byte):
            pos = skip_trailing_comment(src, last.end_byte)
            indent = indent_at(src, last.start_byte)
            plan.add(doc.path, pos, pos, nl + indent + text_at(indent))
        else:
            indent = indent_at(src, last.start_byte)
            plan.add(doc.path, last.end_byte, last.end_byte, b" " + text_at(indent))
        return plan.build()
    close = lst.end_byte - 1
    inner = src[lst.start_byte + 1 : close]
    if b"\n" in inner and first_on_line(src, close):
        ls = line_start(src, close)
        indent = indent_at(src, close) + indent_unit(src)
        plan.add(doc.path, ls, ls, indent + text_at(indent) + nl)
    elif multiline:
        base = indent_at(src, d.binding_span[0])
        text = _multiline_list(element, base.decode(), indent_unit(src).decode(), "\n")
        plan.add(doc.path, lst.start_byte, lst.end_byte, with_newlines(text, nl))
    else:
        plan.add(doc.path, lst.start_byte, lst.end_byte, b"[ " + text_at(b"") + b" ]")
    return plan.build()


def _list_element_nodes(cfg: Configuration, loc: Loc, at: Definition | None
                        ) -> tuple[Definition, list[Node]]:
    d = _list_def(cfg, loc, at)
    if d is None:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it "
                        "imports")
    lists = _list_literals(d.value)
    if not lists:
        raise EditError(f"the value of {d.option} is not a list literal; edit it as an expression",
                        d.file, d.line, d.column)
    return d, [el for lst in lists for el in lst.children_by_field_name("element")]


def plan_list_remove_at(cfg: Configuration, loc: Loc, index: int,
                        at: Definition | None = None) -> ChangeSet:
    """Remove the ``index``-th element (0-based) of a list, with its own line(s)."""
    d, elements = _list_element_nodes(cfg, loc, at)
    if not 0 <= index < len(elements):
        raise EditError(f"{d.option} has no element number {index + 1}", d.file, d.line,
                        d.column)
    doc = _editable_doc(cfg, d.file)
    el = elements[index]
    s, e = removal_span(doc.source, el.start_byte, el.end_byte)
    plan = _Plan(cfg, f"remove element {index + 1} of {d.option}", [loc])
    plan.add(doc.path, s, e, b"")
    return plan.build()


def plan_list_set_at(cfg: Configuration, loc: Loc, index: int, element: str,
                     at: Definition | None = None) -> ChangeSet:
    """Replace the ``index``-th element (0-based) of a list with ``element`` (Nix text)."""
    check_expression(element)
    d, elements = _list_element_nodes(cfg, loc, at)
    if not 0 <= index < len(elements):
        raise EditError(f"{d.option} has no element number {index + 1}", d.file, d.line,
                        d.column)
    doc = _editable_doc(cfg, d.file)
    el = elements[index]
    if _needs_parens(element):
        element = f"({element})"
    text = with_newlines(reindent(element, indent_at(doc.source, el.start_byte)), doc.newline)
    plan = _Plan(cfg, f"change element {index + 1} of {d.option}", [loc])
    if doc.source[el.start_byte : el.end_byte] != text:
        plan.add(doc.path, el.start_byte, el.end_byte, text)
    return plan.build()


def _needs_parens(element: str) -> bool:
    """True unless ``element`` is one term (a literal, a name, a list, a set …)."""
    tree = syntax.parse(element.encode("utf-8"))
    expr = tree.root_node.child_by_field_name("expression")
    return expr is not None and expr.type in (
        "apply_expression", "binary_expression", "unary_expression", "function_expression",
        "with_expression", "let_expression", "if_expression", "assert_expression",
        "has_attr_expression",
    )


def _parenthesized(src: bytes, start: int, end: int) -> bool:
    before = src[:start].rstrip()
    return before.endswith(b"(") and src[end:].lstrip().startswith(b")")


def plan_list_remove(cfg: Configuration, loc: Loc, element: str,
                     at: Definition | None = None) -> ChangeSet:
    d = _list_def(cfg, loc, at)
    if d is None:
        raise EditError(f"{optpath.show(loc)} is not defined in {cfg.root} or the files it imports")
    doc = _editable_doc(cfg, d.file)
    src = doc.source
    plan = _Plan(cfg, f"remove {element} from {d.option}", [loc])
    for lst in _list_literals(d.value):
        for el in lst.children_by_field_name("element"):
            if _same_element(doc.text(el.start_byte, el.end_byte), element):
                s, e = removal_span(src, el.start_byte, el.end_byte)
                plan.add(doc.path, s, e, b"")
                return plan.build()
    raise EditError(f"{element} is not an element of {d.option}", d.file, d.line, d.column)


# -- rename ---------------------------------------------------------------------------------


def plan_rename(cfg: Configuration, loc: Loc, new_name: str) -> ChangeSet:
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
    plan = _Plan(cfg, f"rename {optpath.show(loc)} to {optpath.show(new_loc)}", [loc, new_loc])
    done: set[tuple[Path, int]] = set()
    for d in items:
        if not d.editable and d.kind != "inherit":
            raise EditError(f"{d.option} cannot be renamed: {d.reason}", d.file, d.line, d.column)
        idx = len(loc) - 1 - d.prefix_len
        if 0 <= idx < len(d.attrs):
            node = d.attrs[idx]
            key = (d.file, node.start_byte)
            if key not in done:
                _editable_doc(cfg, d.file)
                done.add(key)
                plan.add(d.file, node.start_byte, node.end_byte, text)
    return plan.build()
