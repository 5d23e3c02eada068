"""A task's state in a few plain words, for its card and for ``task show``.

``On, Port(s): 22`` rather than ``enable: true, port: [22]``: the field's label instead of its
name, a task's main switch as On/Off, a choice by its description.  Tasks that act on one
entry at a time (add a user, open a port, install a program) have no state of their own:
their summary is empty rather than a misleading "not set up".
"""

from __future__ import annotations

from typing import Any

from nixos_settings.core.tasks.engine import FieldState
from nixos_settings.core.tasks.model import Field, Task
from nixos_settings.core.tasks.values import plain

NOT_SET_UP = "Not set up"


def is_action(task: Task) -> bool:
    """True when the task sets no option of its own: each write names an entry the person
    gives (``users.users.{name}``) or adds to / removes from a list."""
    return not any(w.mode == "set" and not any("{" in o for o in w.options)
                   for f in task.fields for w in f.writes)


def _main_switch(task: Task) -> Field | None:
    """The field that turns the task's feature on (a yes/no field always written)."""
    return next((f for f in task.fields if f.type == "bool" and f.always), None)


def _words(f: Field, value: Any) -> str:
    if isinstance(value, bool):
        return f"{f.label}: {'yes' if value else 'no'}"
    for choice, description in f.choices:
        if choice == value:
            return f"{f.label}: {description.split(' (')[0]}"
    shown = plain(value) if not isinstance(value, str) else value
    return f"{f.label}: {shown.replace(',', ', ')}"


def state_summary(task: Task, states: list[FieldState], limit: int = 2) -> str:
    """At most ``limit`` facts about the task in this configuration, in plain words."""
    if is_action(task):
        return ""
    fields = {f.name: f for f in task.fields}
    main = _main_switch(task)
    parts: list[str] = []
    for s in states:
        if not s.set or s.name not in fields:
            continue
        if main is not None and s.name == main.name and isinstance(s.value, bool):
            if not s.value:
                return "Off"
            parts.append("On")
        else:
            parts.append(_words(fields[s.name], s.value))
    return ", ".join(parts[:limit]) if parts else NOT_SET_UP
