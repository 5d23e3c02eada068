"""``nixos-settings value OPTION [--file F | --flake PATH#HOST] [--json] [-I PATH]``: what an
option evaluates to, asked of Nix, with every definition and the one that wins.

Public API (for ``cli.main``): ``register(subparsers)``.

Exit 0 with the answer; 1 when the evaluation fails (Nix's message and its file:line on
stderr, one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nixos_settings.core.system.evaluate import Effective

PROG = "nixos-settings"


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def _priority(p: int) -> str:
    names = {50: "mkForce", 100: "plain", 1000: "mkDefault", 1500: "option default"}
    return names.get(p, f"mkOverride {p}")


def _text(e: Effective) -> str:
    from nixos_settings.core.system.evaluate import describe_value

    lines = []
    if not e.defined:
        lines.append(f"{e.option} has no value: nothing defines it and it has no default")
    else:
        lines.append(f"{e.option} = {describe_value(e.value, 400)}")
    if e.winner is not None:
        w = e.definitions[e.winner]
        lines.append(f"  from {_where(w.file, w.line)} ({_priority(w.priority)})")
    elif not e.definitions and e.defined:
        lines.append("  the default (no file sets it)" if e.is_option else "")
    for i, d in enumerate(e.definitions):
        if i == e.winner:
            continue
        if d.status == "defined":  # inside an option's value: no priorities to compare
            lines.append(f"  defined in {_where(d.file, d.line)}: {describe_value(d.value)}")
            continue
        state = {"merged": "merged with the others", "inactive": "not applied: its mkIf "
                 "condition is false", "overridden": "overridden"}.get(d.status, d.status)
        lines.append(f"  also defined in {_where(d.file, d.line)} ({_priority(d.priority)}, "
                     f"{state}): {describe_value(d.value)}")
    if e.is_option and e.default is not None:
        lines.append(f"  default: {describe_value(e.default)}")
    return "\n".join(ln for ln in lines if ln) + "\n"


def cmd_value(args: argparse.Namespace) -> int:
    from nixos_settings.cli.main import open_session
    from nixos_settings.core.nix import optpath
    from nixos_settings.core.system.evaluate import EvaluationFailed

    session = open_session(args)
    loc = optpath.parse(args.option)
    tty = sys.stderr.isatty()
    if tty:  # a progress line while Nix works (Ctrl+C stops it)
        print(f"Evaluating {args.option} with Nix …", end="", file=sys.stderr, flush=True)
    try:
        effective = session.effective(loc, nix_path=args.include or ())
    except EvaluationFailed as err:
        print(f"{chr(13) + chr(27) + '[K' if tty else ''}{PROG}: error: evaluation failed: "
              f"{err}", file=sys.stderr)
        return 1
    if tty:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if args.json:
        out: dict[str, Any] = effective.as_json()
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_text(effective))
    return 0


def register(sub: Any) -> None:
    """Add ``value`` to the CLI's sub-commands."""
    p = sub.add_parser("value", help="evaluate an option with Nix: its value, every "
                       "definition and which one wins")
    p.add_argument("option", metavar="OPTION", help="dotted option name")
    default = argparse.SUPPRESS
    p.add_argument("--file", "-f", metavar="F", default=default,
                   help="configuration file (default /etc/nixos/configuration.nix)")
    p.add_argument("--flake", metavar="PATH#HOST", default=default,
                   help="evaluate nixosConfigurations.HOST of the flake at PATH")
    p.add_argument("--json", action="store_true",
                   help='print {"option", "value", "definitions": [{"file", "line", "value", '
                   '"priority"}], "winner", "default"}')
    p.add_argument("-I", dest="include", action="append", metavar="PATH",
                   help="add a search path for <...> lookups, as nix-instantiate -I does")
    p.set_defaults(func=cmd_value)
