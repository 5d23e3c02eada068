"""``nixos-settings packages search|list|add|remove``: find, install and remove packages.

    packages search QUERY [--packages SRC] [--json] [--limit N]
    packages list [--file F] [--json]
    packages add ATTR... [--file F] [--packages SRC] [--to system|user:NAME|home] [--dry-run]
    packages remove ATTR... [--file F] [--dry-run]

``SRC`` is a package list file (.json, .json.br, .json.gz; channel or ``nix search --json``
format), ``channel:NAME`` (downloaded once, then cached) or ``nix``; without it the newest
package list already indexed is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.cli.main import DEFAULT_FILE, PROG, CliError, open_session
from nixos_settings.core.packages.installed import where_words

if TYPE_CHECKING:
    from nixos_settings.core.packages.catalogue import Package
    from nixos_settings.core.packages.index import PackageIndex
    from nixos_settings.core.session import Session

class _Progress:
    """Progress of a download or index build, one line per step on stderr."""

    def __init__(self) -> None:
        self.last = ""
        self.tty = sys.stderr.isatty()

    def __call__(self, message: str, fraction: float | None) -> None:
        head = message.split(":")[0]
        if self.tty and fraction is not None:
            print(f"\r{message} ({fraction:.0%})", end="", file=sys.stderr, flush=True)
        elif head != self.last:
            print(f"{PROG}: {message}", file=sys.stderr)
        self.last = head


def catalogue(source: str | None, required: bool = True) -> PackageIndex | None:
    """The package index for ``--packages`` (None when there is none and it is optional)."""
    from nixos_settings.core.packages import store
    from nixos_settings.core.packages.catalogue import CatalogueError

    try:
        return store.open_source(source, _Progress())
    except CatalogueError as err:
        if required or source:
            raise CliError(str(err)) from None
        return None


def _installed(file: str | None) -> set[str]:
    """What the configuration installs (nothing when the default file is not there)."""
    path = file or DEFAULT_FILE
    if file is None and not Path(path).exists():
        return set()
    from nixos_settings.core.packages.installed import installed_attrs
    from nixos_settings.core.session import Session

    return installed_attrs(Session.open(path).cfg)


def _flags(pkg: Package) -> str:
    flags = [w for w, on in (("unfree", pkg.unfree), ("broken", pkg.broken),
                             ("insecure", pkg.insecure)) if on]
    return f"  [{', '.join(flags)}]" if flags else ""


def cmd_search(args: argparse.Namespace) -> int:
    index = catalogue(args.packages)
    assert index is not None
    found = index.search(args.query, max(args.limit, 0))
    have = _installed(getattr(args, "file", None)) if found else set()
    if args.json:
        print(json.dumps([p.as_json() | {"installed": p.attr in have} for p in found],
                         indent=2, ensure_ascii=False))
        return 0
    if not found:
        print(f"{PROG}: no package matches {args.query!r} in {index.label}", file=sys.stderr)
        return 1
    for p in found:
        mark = "  (installed)" if p.attr in have else ""
        print(f"{p.attr}  {p.version}{mark}{_flags(p)}")
        if p.description:
            print(f"    {p.description}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    refs = session.installed_packages()
    if args.json:
        print(json.dumps([r.as_json() for r in refs], indent=2, ensure_ascii=False))
        return 0
    last = None
    for r in refs:
        if (r.where, r.option) != last:
            print(f"{where_words(r.where)} ({r.option}):")
            last = (r.where, r.option)
        name = r.attr or r.text.split("\n")[0]
        cond = "  (only when a condition holds)" if r.conditional else ""
        print(f"  {name}  {session.display_name(r.file)}:{r.line}{cond}")
    if not refs:
        print(f"{PROG}: {session.root} and the files it imports install no packages",
              file=sys.stderr)
    return 0


def _notes(session: Session, index: PackageIndex | None, attrs: list[str]) -> list[str]:
    from nixos_settings.core.packages import advice

    out = []
    known = None if session.options is None else (lambda loc: session.info(loc) is not None)
    for attr in attrs:
        module = advice.module_for(attr, known, session.cfg)
        if module is not None:
            out.append(f"{module.sentence} (nixos-settings set {module.option} true)")
        pkg = index.get(attr) if index is not None else None
        if pkg is not None:
            out.extend(advice.notices(session.cfg, pkg))
    if index is None:
        out.append("no package list at hand, so the names were not checked (give "
                   "--packages SRC)")
    return out


def cmd_add(args: argparse.Namespace) -> int:
    from nixos_settings.cli.main import _finish
    from nixos_settings.core.common.errors import Refused

    session = open_session(args)
    index = catalogue(args.packages, required=False)
    try:
        change = session.plan_packages_add(args.attrs, args.to, index)
    except Refused as err:
        raise CliError(f"{err}; nothing was changed") from None
    except ValueError as err:
        raise CliError(str(err), 2) from None
    for note in _notes(session, index, args.attrs) if change else []:
        if args.dry_run:
            print(f"# note: {note}")
        else:
            print(f"{PROG}: note: {note}", file=sys.stderr)
    return _finish(session, change, args.dry_run)


def cmd_remove(args: argparse.Namespace) -> int:
    from nixos_settings.cli.main import _finish

    session = open_session(args)
    return _finish(session, session.plan_packages_remove(args.attrs), args.dry_run)


def _file_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--file", "-f", metavar="F", default=argparse.SUPPRESS,
                   help=f"configuration file (default {DEFAULT_FILE}); the files it imports "
                   "are read too")


def _source_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--packages", metavar="SRC", default=None,
                   help="package list: a file (.json, .json.br, .json.gz: a channel's "
                   "packages.json or nix search --json output), channel:NAME, or nix "
                   "(default: the newest one used before)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``packages search|list|add|remove`` to the sub-command parser."""
    top = subparsers.add_parser("packages", help="find, install and remove packages")
    sub = top.add_subparsers(dest="packages_command", metavar="ACTION", required=True)

    p = sub.add_parser("search", help="search the package list (exact name first)")
    p.add_argument("query", metavar="QUERY", help="a name, part of one, or words")
    _source_arg(p)
    _file_arg(p)
    p.add_argument("--json", action="store_true", help="print a ranked JSON list")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("list", help="list the installed packages and where they are")
    _file_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("add", help="install packages (written like the list's other ones)")
    p.add_argument("attrs", metavar="ATTR", nargs="+", help="package attribute, e.g. firefox")
    _file_arg(p)
    _source_arg(p)
    p.add_argument("--to", default=None, metavar="system|user:NAME|home",
                   help="where: for everyone (the default in a NixOS configuration), one "
                   "user's packages, or Home Manager (the default in a Home Manager file)")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove packages from the lists that install them")
    p.add_argument("attrs", metavar="ATTR", nargs="+")
    _file_arg(p)
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    p.set_defaults(func=cmd_remove)
