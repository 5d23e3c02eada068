"""``nixos-settings task list|show|apply``: plain-language tasks on the command line.

``task apply`` goes through the same edit session as ``set`` (checks, placement, saving);
``--dry-run`` prints the unified diff and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from nixos_settings.cli.main import PROG, CliError, _add_config_args, _with_metadata, open_session
from nixos_settings.cli.options import add_options_argument


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "task", help="plain-language tasks (SSH, users, time zone …) over options",
        description="Tasks change the options a job needs, and show the Nix they write.")
    sub = p.add_subparsers(dest="task_command", metavar="{list,show,apply}", required=True)
    q = sub.add_parser("list", help="every task, with its fields and the options it writes")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=cmd_list)
    q = sub.add_parser("show", help="a task's fields with their current values and places")
    q.add_argument("task", metavar="TASK")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    add_options_argument(q)
    _add_config_args(q)
    q.set_defaults(func=cmd_show)
    q = sub.add_parser("apply", help="apply a task: FIELD=VALUE …, only what differs changes")
    q.add_argument("task", metavar="TASK")
    q.add_argument("assignments", metavar="FIELD=VALUE", nargs="*")
    q.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    add_options_argument(q)
    _add_config_args(q)
    q.set_defaults(func=cmd_apply)


def _json_default(value: Any) -> Any:
    return value if isinstance(value, (bool, int, str, list)) or value is None else str(value)


def cmd_list(args: argparse.Namespace) -> int:
    from nixos_settings.core.tasks.model import load_tasks

    tasks = list(load_tasks().values())
    if args.json:
        out = [{"id": t.id, "title": t.title, "category": t.category,
                "description": t.description,
                "fields": [{"name": f.name, "type": f.type, "default": f.default,
                            "label": f.label} for f in t.fields],
                "options": t.options()} for t in tasks]
        json.dump(out, sys.stdout, indent=2, default=_json_default)
        print()
        return 0
    width = max(len(t.id) for t in tasks)
    for t in tasks:
        print(f"{t.id:<{width}}  {t.title}")
    return 0


def _task(name: str) -> Any:
    from nixos_settings.core.tasks.model import TaskError, get_task

    try:
        return get_task(name)
    except TaskError as err:
        raise CliError(str(err)) from None


def cmd_show(args: argparse.Namespace) -> int:
    from nixos_settings.core.tasks.engine import read_state
    from nixos_settings.core.tasks.summary import state_summary

    task = _task(args.task)
    session = open_session(args)
    _with_metadata(session, args)
    states = read_state(session, task)
    if args.json:
        out = {"id": task.id, "title": task.title,
               "fields": [{"name": s.name, "value": s.value, "set": s.set, "option": s.option,
                           "where": s.where} for s in states]}
        json.dump(out, sys.stdout, indent=2, default=_json_default)
        print()
        return 0
    print(f"{task.title} ({task.id})")
    words = state_summary(task, states, limit=len(states))
    if words:
        print(f"  now: {words}")
    for f, s in zip(task.fields, states, strict=True):
        now = f"{s.text}   ({s.option}, {s.where})" if s.set else "not set"
        print(f"  {f.name:<18} {now}")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from nixos_settings.cli.main import _finish
    from nixos_settings.core.tasks.engine import parse_assignments, plan

    task = _task(args.task)
    session = open_session(args)
    note = _with_metadata(session, args)
    result = plan(session, task, parse_assignments(task, args.assignments))
    for w in result.warnings:
        print(f"{PROG}: warning: {w}", file=sys.stderr)
    for n in result.notes:
        print(f"{PROG}: note: {n}", file=sys.stderr)
    status = _finish(session, result.change, args.dry_run)
    if note:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    return status
