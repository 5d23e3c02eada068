"""A task against one configuration: which options it uses here, what they are set to now,
and the one change that applying it makes (through the edit session).

* :func:`resolve` – the option each write uses in this configuration's release: the first
  candidate the metadata knows (without metadata, the newest name, and a note saying so).
* :func:`read_state` – every field's current value, read from the files, and where it is set.
* :func:`plan` – the :class:`~nixos_settings.core.nix.text.ChangeSet` for the values given:
  only what differs is written, every edit goes through :class:`Session` (its checks, its
  placement rules), and the whole task is one change (one undo step); plus plain warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.nix import optpath
from nixos_settings.core.nix.literals import NOT_LITERAL, decode
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.render import escape_double, to_nix
from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.core.session import Session
from nixos_settings.core.tasks.model import Field, Task, TaskError, TaskWarning, Write
from nixos_settings.core.tasks.values import parse_value, plain

_REF = re.compile(r"\{([a-z][a-z0-9-]*)\}")


@record
class FieldState:
    """A field as the configuration has it now."""

    name: str
    option: str | None  # the option read (None: the field's options are not set)
    value: Any = None  # Python value when the Nix text is a literal, else the text
    text: str | None = None  # the Nix text as written
    where: str | None = None  # file:line
    problem: str | None = None  # why this release cannot have it

    @property
    def set(self) -> bool:
        return self.text is not None


@record
class TaskPlan:
    change: ChangeSet
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    writes: list[tuple[str, str, str]] = field(default_factory=list)  # (mode, option, nix)


def _fill(template: str, values: Mapping[str, Any]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise TaskError(f"give {name}=… as well")
        return plain(values[name])

    return _REF.sub(one, template)


def resolve(session: Session, w: Write, values: Mapping[str, Any],
            notes: list[str] | None = None) -> Loc:
    """The option ``w`` writes in this configuration (its release's name for it)."""
    names = [_fill(o, values) for o in w.options]
    locs = [optpath.parse(n) for n in names]
    options = session.options
    if options is None or len(options) == 0:
        if notes is not None and len(locs) > 1:
            notes.append(f"no option metadata: using {names[0]} (older releases call it "
                         f"{', '.join(names[1:])})")
        return locs[0]
    for loc in locs:
        if options.match(loc) is not None or (
                w.mode == "remove-entry" and options.template_prefix_exists(loc)):
            return loc
    raise TaskError(f"this NixOS release has none of {', '.join(names)}; the task cannot "
                    "set it here")


def _applies(w: Write, values: Mapping[str, Any]) -> bool:
    if w.given is not None and w.given not in values:
        return False
    return all(k in values and plain(values[k]) == v for k, v in w.when)


def _state_of(session: Session, f: Field, loc: Loc) -> FieldState:
    defs = session.definitions(loc)
    name = optpath.show(loc)
    if not defs:
        return FieldState(f.name, name)
    d = defs[0]
    text = d.value_text
    value = decode(text)
    where = f"{session.display_name(Path(d.file))}:{d.line}"
    return FieldState(f.name, name, text if value is NOT_LITERAL else value, text, where)


def read_state(session: Session, task: Task, given: Mapping[str, Any] | None = None
               ) -> list[FieldState]:
    """Each field's current value (the first of its writes that is set), and where."""
    values = dict(given or {})
    out: list[FieldState] = []
    for f in task.fields:
        try:
            out.append(_field_state(session, f, values))
        except TaskError as err:
            out.append(FieldState(f.name, None, problem=str(err)))
    return out


def _field_state(session: Session, f: Field, values: Mapping[str, Any]) -> FieldState:
    if f.type == "enum" and any(w.when for w in f.writes):
        return _enum_state(session, f, values)
    for w in f.writes:
        if w.nix != "{value}" or w.mode != "set" or _refs_missing(w, values):
            continue
        return _state_of(session, f, resolve(session, w, values))
    return FieldState(f.name, None)


def _refs_missing(w: Write, values: Mapping[str, Any]) -> bool:
    return any(n not in values for o in w.options for n in _REF.findall(o))


def _enum_state(session: Session, f: Field, values: Mapping[str, Any]) -> FieldState:
    """An enum whose choices each write fixed texts: the first choice whose writes all
    hold now."""
    for choice, _desc in f.choices:
        own = [w for w in f.writes if dict(w.when).get(f.name) == choice]
        if not own:
            continue
        trial = {**values, f.name: choice}
        states = [(w, _state_of(session, f, resolve(session, w, trial))) for w in own]
        if all(s.text is not None and _same(s.text, _fill_nix(w, choice, trial))
               for w, s in states):
            return FieldState(f.name, states[0][1].option, choice, choice, states[0][1].where)
    return FieldState(f.name, None)


def _same(a: str, b: str) -> bool:
    da, db = decode(a), decode(b)
    if da is NOT_LITERAL or db is NOT_LITERAL:
        return " ".join(a.split()) == " ".join(b.split())
    return bool(da == db)


def _fill_nix(w: Write, value: Any, values: Mapping[str, Any]) -> str:
    rendered = to_nix(value)
    raw = escape_double(plain(value))
    text = w.nix.replace("{value}", rendered).replace("{raw}", raw)
    return _fill(text, values)


def parse_assignments(task: Task, assignments: Sequence[str]) -> dict[str, Any]:
    """``["port=2222", "password-login=no"]`` → checked Python values by field name."""
    values: dict[str, Any] = {}
    for a in assignments:
        name, eq, text = a.partition("=")
        if not eq:
            raise TaskError(f"write fields as NAME=VALUE (got {a!r})")
        f = task.get_field(name.strip())
        values[f.name] = parse_value(f, text)
    return values


def _with_defaults(session: Session, task: Task, values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for f in task.fields:
        if f.required and f.name not in out:
            raise TaskError(f"{task.id} needs {f.name}=… ({f.label})")
    for f in task.fields:
        if f.always and f.name not in out and f.default is not None:
            state = next(s for s in read_state(session, task, out) if s.name == f.name)
            if not state.set:
                out[f.name] = f.default
    return out


def not_for(session: Session) -> str | None:
    """Why no task applies to this configuration (a Home Manager file, which has none of
    the NixOS system options the tasks write), or None."""
    from nixos_settings.core.system.kind import HOME_MANAGER, configuration_kind

    if configuration_kind(d.loc for d in session.cfg.definitions) != HOME_MANAGER:
        return None
    return (f"{session.root.name} is a Home Manager configuration: the tasks change NixOS "
            "system options, which it does not have; search its options instead, and "
            "install programs into home.packages")


def plan(session: Session, task: Task, values: Mapping[str, Any]) -> TaskPlan:
    """The one change applying ``task`` with ``values`` makes (nothing is applied: the
    session is left as it was)."""
    from nixos_settings.core.edit.plan import in_sequence

    why = not_for(session)
    if why:
        raise TaskError(why)

    full = _with_defaults(session, task, dict(values))
    result = TaskPlan(ChangeSet())
    steps = [(lambda f=f, w=w: _plan_write(session, f, w, full, result))
             for f in task.fields if f.name in full
             for w in f.writes if _applies(w, full)]
    result.change = in_sequence(session.cfg, steps, None, f"Task: {task.title}")
    result.warnings = warnings_for(session, task, full)
    return result


def _plan_write(session: Session, f: Field, w: Write, values: Mapping[str, Any],
                result: TaskPlan) -> ChangeSet:
    loc = resolve(session, w, values, result.notes)
    value = values[f.name]
    nix = _fill_nix(w, value, values)
    name = optpath.show(loc)
    if w.mode == "remove-entry":
        if not session.definitions(loc, containers=True) and not _set_below(session, loc):
            return ChangeSet()
        result.writes.append((w.mode, name, ""))
        return session.plan_remove_entry(loc)
    if w.mode == "install":
        return _plan_install(session, loc, nix, result)
    if w.mode in ("add", "remove"):
        return _plan_list(session, loc, nix, w.mode, result)
    current = session.definitions(loc)
    if current and _same(current[0].value_text, nix):
        return ChangeSet()  # already so: nothing to write
    result.writes.append(("set", name, nix))
    return session.plan_set(loc, nix)


def _plan_install(session: Session, loc: Loc, attr: str, result: TaskPlan) -> ChangeSet:
    """Install the package ``attr`` in the list ``loc`` as the Software page does (the
    list's style, sorted lists kept sorted); nothing when it is installed there already."""
    from nixos_settings.core.packages.installed import where_of

    name = optpath.show(loc)
    where = where_of(loc)
    if where is None:  # not a package list the Software page knows
        return _plan_list(session, loc, f"pkgs.{attr}", "add", result)
    if any(r.attr == attr and r.option == name for r in session.installed_packages()):
        return ChangeSet()
    result.writes.append(("add", name, f"pkgs.{attr}"))  # what it means, however written
    return session.plan_packages_add([attr], where)


def _set_below(session: Session, loc: Loc) -> bool:
    n = len(loc)
    return any(tuple(d.loc[:n]) == loc for d in session.cfg.definitions)


def _plan_list(session: Session, loc: Loc, element: str, mode: str, result: TaskPlan
               ) -> ChangeSet:
    defs = session.definitions(loc)
    texts = (session.element_texts(defs[0]) or []) if defs else []
    present = any(_same(t, element) for t in texts)
    name = optpath.show(loc)
    if mode == "add":
        if present:
            return ChangeSet()
        result.writes.append(("add", name, element))
        if not defs:
            return session.plan_set(loc, f"[ {element} ]")
        return session.plan_list_add(loc, element)
    if not present:
        return ChangeSet()
    result.writes.append(("remove", name, element))
    match = next(t for t in texts if _same(t, element))
    try:
        return session.plan_list_remove(loc, match)
    except EditError as err:
        raise TaskError(f"cannot remove {element} from {name}: {err}") from None


def warnings_for(session: Session, task: Task, values: Mapping[str, Any]) -> list[str]:
    """The task's warnings that hold for these values in this configuration."""
    return [w.message for w in task.warnings if _warning_holds(session, w, values)]


def _warning_holds(session: Session, w: TaskWarning, values: Mapping[str, Any]) -> bool:
    if not all(k in values and plain(values[k]) == v for k, v in w.when):
        return False
    if w.unless_given is not None and w.unless_given in values:
        return False
    if w.unless_set is not None and _pattern_set(session, w.unless_set, values):
        return False
    if w.when_option is not None:
        option, equals = w.when_option
        defs = session.definitions(optpath.parse(_fill(option, values)))
        if not defs or not _same(defs[0].value_text, equals):
            return False
    return True


def _pattern_set(session: Session, pattern: str, values: Mapping[str, Any]) -> bool:
    """Is an option matching ``pattern`` (``*`` = any one segment) set and non-empty?"""
    want = optpath.parse(_fill(pattern, values))
    for d in session.cfg.definitions:
        loc = tuple(d.loc)
        if len(loc) == len(want) and all(p in ("*", s) for p, s in zip(want, loc,
                                                                       strict=True)):
            if decode(d.value_text) not in ([], "", None):
                return True
    return False
