"""Tasks as data: loading and checking the task definitions (``defs/*.toml``).

A definition file holds one task::

    id = "ssh-server"
    title = "Log in over SSH"
    category = "Network and remote access"
    description = "…"

    [[fields]]
    name = "port"                 # what people type: FIELD=VALUE
    type = "ports"                # bool, int, port, ports, str, strs, name, enum, timezone
    label = "Port(s)"
    default = [22]
    writes = [{ options = ["services.openssh.ports"] }]

Each *write* names candidate options (newest name first; a release-aware task picks the first
the metadata knows), the Nix text to write (``nix``, default ``"{value}"``: the field's value
rendered as Nix; ``{raw}`` is the plain text inside a string; ``{FIELD}`` is another field's
plain value, also allowed in option names), a ``mode`` (``set``, ``add`` or ``remove`` a list
element, ``remove-entry``, or ``install`` a package as the Software page does: in the package
list's own style, ``git`` or ``pkgs.git``), and conditions: ``when`` (fields that must have
these values) and ``given`` (a field that must be given).  ``always = true`` on a field writes
its default when the field is not given and its option is not set yet.  ``warnings`` say what
a change may break: ``when`` (field values), ``unless_given`` (a field), ``unless_set`` (an
option pattern with ``*``: set anywhere) and ``when_option`` (an option's current Nix text).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.common.records import field, record

FIELD_TYPES = ("bool", "int", "port", "ports", "str", "strs", "name", "enum", "timezone")
MODES = ("set", "add", "remove", "remove-entry", "install")
CATEGORIES = (
    "Users and login", "Network and remote access", "Desktop and hardware", "Software",
    "Updates and maintenance", "Region and language",
)


class TaskError(NixSettingsError):
    """A task, a field or a value the user gave is not right (one plain sentence)."""


@record(frozen=True)
class Write:
    """One option a field writes (candidates newest first)."""

    options: tuple[str, ...]
    nix: str = "{value}"
    mode: str = "set"
    when: tuple[tuple[str, str], ...] = ()
    given: str | None = None


@record(frozen=True)
class Field:
    name: str
    type: str
    label: str
    help: str = ""
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, plain-language description)
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False
    always: bool = False
    writes: tuple[Write, ...] = ()


@record(frozen=True)
class TaskWarning:
    message: str
    when: tuple[tuple[str, str], ...] = ()
    unless_given: str | None = None
    unless_set: str | None = None
    when_option: tuple[str, str] | None = None


@record(frozen=True)
class Task:
    id: str
    title: str
    category: str
    description: str
    fields: tuple[Field, ...] = field(default=())
    warnings: tuple[TaskWarning, ...] = field(default=())

    def get_field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        names = ", ".join(f.name for f in self.fields)
        raise TaskError(f"the task {self.id} has no field {name!r} (its fields: {names})")

    def options(self) -> list[str]:
        """Every option name the task may write (all candidates)."""
        out: list[str] = []
        for f in self.fields:
            for w in f.writes:
                out.extend(o for o in w.options if o not in out)
        return out


def _pairs(table: Any, where: str) -> tuple[tuple[str, str], ...]:
    if table is None:
        return ()
    if not isinstance(table, Mapping):
        raise TaskError(f"{where}: 'when' must be a table of field = value")
    return tuple((str(k), _plain(v)) for k, v in table.items())


def _plain(v: object) -> str:
    """The plain text form field values are compared in (``true``, ``22``, ``gnome``)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _write(raw: Mapping[str, Any], where: str) -> Write:
    options = raw.get("options")
    if not isinstance(options, list) or not options or not all(
            isinstance(o, str) for o in options):
        raise TaskError(f"{where}: a write needs a non-empty list of option names")
    mode = str(raw.get("mode", "set"))
    if mode not in MODES:
        raise TaskError(f"{where}: unknown mode {mode!r} (one of {', '.join(MODES)})")
    unknown = set(raw) - {"options", "nix", "mode", "when", "given"}
    if unknown:
        raise TaskError(f"{where}: unknown keys {sorted(unknown)}")
    return Write(tuple(options), str(raw.get("nix", "{value}")), mode,
                 _pairs(raw.get("when"), where), raw.get("given"))


def _field(raw: Mapping[str, Any], where: str) -> Field:
    name, kind = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not name:
        raise TaskError(f"{where}: a field needs a name")
    where = f"{where}, field {name}"
    if kind not in FIELD_TYPES:
        raise TaskError(f"{where}: unknown type {kind!r} (one of {', '.join(FIELD_TYPES)})")
    choices = raw.get("choices", [])
    if kind == "enum" and not choices:
        raise TaskError(f"{where}: an enum field needs choices")
    pairs = tuple((str(c[0]), str(c[1])) if isinstance(c, list) else (str(c), "")
                  for c in choices)
    writes = tuple(_write(w, where) for w in raw.get("writes", []))
    return Field(name, str(kind), str(raw.get("label", name)), str(raw.get("help", "")),
                 raw.get("default"), pairs, raw.get("min"), raw.get("max"),
                 bool(raw.get("required", False)), bool(raw.get("always", False)), writes)


def _warning(raw: Mapping[str, Any], where: str) -> TaskWarning:
    opt = raw.get("when_option")
    when_option = None
    if opt is not None:
        if not isinstance(opt, Mapping) or "option" not in opt or "equals" not in opt:
            raise TaskError(f"{where}: when_option needs option and equals")
        when_option = (str(opt["option"]), str(opt["equals"]))
    return TaskWarning(str(raw["message"]), _pairs(raw.get("when"), where),
                   raw.get("unless_given"), raw.get("unless_set"), when_option)


def task_from_data(data: Mapping[str, Any], where: str) -> Task:
    """A :class:`Task` from one parsed definition; problems raise :class:`TaskError`."""
    for key in ("id", "title", "category", "description"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise TaskError(f"{where}: missing {key}")
    if data["category"] not in CATEGORIES:
        raise TaskError(f"{where}: unknown category {data['category']!r}")
    fields = tuple(_field(f, where) for f in data.get("fields", []))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise TaskError(f"{where}: two fields have the same name")
    for f in fields:
        for w in f.writes:
            for k, _v in w.when:
                if k not in names:
                    raise TaskError(f"{where}: field {f.name} depends on unknown field {k}")
    warnings = tuple(_warning(w, where) for w in data.get("warnings", []))
    return Task(data["id"], data["title"], data["category"], data["description"], fields,
                warnings)


def _definition_files() -> Iterator[tuple[str, bytes]]:
    folder = resources.files("nixos_settings.core.tasks").joinpath("defs")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield entry.name, entry.read_bytes()


_TASKS: dict[str, Task] | None = None


def load_tasks() -> dict[str, Task]:
    """Every task, by id, in the order of their files (cached)."""
    global _TASKS
    if _TASKS is None:
        tasks: dict[str, Task] = {}
        for name, data in _definition_files():
            try:
                parsed = tomllib.loads(data.decode("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise TaskError(f"task definition {name}: {err}") from None
            task = task_from_data(parsed, f"task definition {name}")
            if f"{task.id}.toml" != name:
                raise TaskError(f"task definition {name}: its id is {task.id}")
            tasks[task.id] = task
        _TASKS = tasks
    return _TASKS


def get_task(task_id: str) -> Task:
    tasks = load_tasks()
    if task_id not in tasks:
        import difflib

        close = difflib.get_close_matches(task_id, list(tasks), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise TaskError(f"there is no task {task_id!r}{hint}; `task list` shows them all")
    return tasks[task_id]


def by_category(tasks: Sequence[Task]) -> dict[str, list[Task]]:
    out: dict[str, list[Task]] = {c: [] for c in CATEGORIES}
    for t in tasks:
        out[t.category].append(t)
    return out


def tasks_for(loc: Sequence[str]) -> list[Task]:
    """The tasks that may write the option ``loc`` (concrete or template): every option page
    links to them, as every task links to its options."""
    import re

    want = tuple(loc)
    out: list[Task] = []
    for task in load_tasks().values():
        for name in task.options():
            pattern = [("*" if re.fullmatch(r"\{[a-z-]+\}", seg) else seg)
                       for seg in name.split(".")]
            if len(pattern) == len(want) and all(
                    p == "*" or p == w or (w.startswith("<") and w.endswith(">") and p == "*")
                    for p, w in zip(pattern, want, strict=True)):
                out.append(task)
                break
    return out
