"""``nixos-settings flake …``: a flake's inputs, read and edited byte-exactly.

``flake inputs`` lists them; ``flake add-input``, ``set-input`` and ``remove-input`` plan the
change through the session (the flake file opened as a Nix file) and write it like ``set``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.cli.main import PROG, CliError, _finish

if TYPE_CHECKING:
    from nixos_settings.core.session import Session

DEFAULT_FLAKE = "/etc/nixos/flake.nix"


def _open(args: argparse.Namespace) -> Session:
    from nixos_settings.core.session import Session

    path = Path(getattr(args, "file", None) or DEFAULT_FLAKE)
    if path.is_dir():
        path = path / "flake.nix"
    return Session.open(path)


def _follows(items: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        sub, sep, target = item.partition("=")
        if not sep or not sub or not target:
            raise CliError(f"--follows wants INPUT=TARGET, got {item!r}", 2)
        out.append((sub, target))
    return out


def cmd_inputs(args: argparse.Namespace) -> int:
    session = _open(args)
    inputs = session.flake_inputs().list()
    if args.json:
        import json

        print(json.dumps([i.as_json() for i in inputs], indent=2, ensure_ascii=False))
        return 0
    if not inputs:
        print(f"{PROG}: {session.root} declares no inputs", file=sys.stderr)
    for i in inputs:
        extra = [] if i.flake else ["flake = false"]
        if i.follows:
            extra.append(f"follows {i.follows}")
        extra += [f"{sub} follows {target}" for sub, target in i.inputs_follow.items()]
        more = f"  ({'; '.join(extra)})" if extra else ""
        print(f"{i.name} = {i.url or '-'}{more}  # {i.file}:{i.line}")
    return 0


def cmd_add_input(args: argparse.Namespace) -> int:
    session = _open(args)
    change = session.flake_inputs().plan_add(args.name, args.url, flake=not args.no_flake,
                                             follows=_follows(args.follows))
    return _finish(session, change, args.dry_run)


def cmd_set_input(args: argparse.Namespace) -> int:
    session = _open(args)
    follows = _follows(args.follows)
    if args.url is None and not follows:
        raise CliError("give a new URL or --follows INPUT=TARGET", 2)
    change = session.flake_inputs().plan_set(args.name, args.url, follows)
    return _finish(session, change, args.dry_run)


def cmd_remove_input(args: argparse.Namespace) -> int:
    session = _open(args)
    change = session.flake_inputs().plan_remove(args.name)
    return _finish(session, change, args.dry_run)


def _common(p: argparse.ArgumentParser, writes: bool = True) -> None:
    p.add_argument("--file", "-f", metavar="F", default=argparse.SUPPRESS,
                   help=f"the flake.nix (or its folder; default {DEFAULT_FLAKE})")
    if writes:
        p.add_argument("--dry-run", action="store_true",
                       help="print a unified diff, write nothing")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``flake inputs|add-input|set-input|remove-input`` to the sub-parsers."""
    top = subparsers.add_parser("flake", help="a flake's inputs: list, add, change, remove")
    sub = top.add_subparsers(dest="flake_command", metavar="VERB", required=True)

    p = sub.add_parser("inputs", help="list the flake's inputs")
    _common(p, writes=False)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_inputs)

    p = sub.add_parser("add-input", help="add an input (url; --no-flake; --follows)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("url", metavar="URL")
    p.add_argument("--no-flake", action="store_true", help="the input is not a flake "
                   "(flake = false)")
    p.add_argument("--follows", metavar="INPUT=TARGET", action="append",
                   help="make the new input's INPUT follow TARGET (repeatable)")
    _common(p)
    p.set_defaults(func=cmd_add_input)

    p = sub.add_parser("set-input", help="change an input's url, or make its inputs follow")
    p.add_argument("name", metavar="NAME")
    p.add_argument("url", metavar="URL", nargs="?")
    p.add_argument("--follows", metavar="INPUT=TARGET", action="append",
                   help="make the input's INPUT follow TARGET (repeatable)")
    _common(p)
    p.set_defaults(func=cmd_set_input)

    p = sub.add_parser("remove-input", help="remove an input, the follows that point at it "
                       "and its name in the outputs' arguments")
    p.add_argument("name", metavar="NAME")
    _common(p)
    p.set_defaults(func=cmd_remove_input)
