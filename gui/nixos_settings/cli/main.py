"""The ``nixos-settings`` command: the GUI when run without a subcommand, else a headless CLI.

Subcommands: ``list``, ``get``, ``set``, ``unset``, ``add``, ``remove``, ``rename``,
``search``, ``show``, ``rebuild``.  All of
them work on the same core as the GUI.  Errors are one line on stderr saying what and where;
the exit status is non-zero and no file is touched.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings import __version__

if TYPE_CHECKING:
    from nixos_settings.core.config.definitions import Definition
    from nixos_settings.core.nix.text import ChangeSet
    from nixos_settings.core.session import Session

DEFAULT_FILE = "/etc/nixos/configuration.nix"
PROG = "nixos-settings"


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# -- shared helpers -------------------------------------------------------------------------


def _add_config_args(p: argparse.ArgumentParser, top: bool = False) -> None:
    # Sub-commands must not reset what was given before the sub-command's name.
    default = None if top else argparse.SUPPRESS
    p.add_argument("--file", "-f", metavar="F", default=default,
                   help=f"configuration file to open (default {DEFAULT_FILE}); "
                   "the files it imports are read too; a flake.nix is edited as a file")
    p.add_argument("--flake", metavar="PATH#HOST", default=default,
                   help="open nixosConfigurations.HOST of the flake at PATH instead")


def open_session(args: argparse.Namespace) -> Session:
    """The edit session on ``--flake`` or ``--file`` (default /etc/nixos/configuration.nix)."""
    from nixos_settings.core.session import Session

    flake = getattr(args, "flake", None)
    if flake:
        path, _, host = flake.partition("#")
        return Session.open_flake(path or ".", host or None)
    # a flake.nix given with --file is a Nix file like any other (its inputs, nixConfig,
    # the literal parts of its outputs); --flake PATH#HOST is the host's configuration
    return Session.open(args.file or DEFAULT_FILE)


def _loc(text: str) -> tuple[str, ...]:
    from nixos_settings.core.nix import optpath

    return optpath.parse(text)


def _pick(session: Session, loc: tuple[str, ...], at: str | None) -> Definition | None:
    if not at:
        return None
    file, _, line = at.rpartition(":")
    if not file or not line.isdigit():
        raise CliError(f"--at wants FILE:LINE, got {at!r}", 2)
    found = session.definition_at(loc, Path(file), int(line))
    if found is None:
        raise CliError(f"{'.'.join(loc)} is not defined at {at}")
    return found


def _notes(session: Session) -> None:
    """The configuration's notes; a file that does not parse once, where Nix says (the
    desktop app's banner and Problems list say the same)."""
    from nixos_settings.core.edit.syntaxplace import syntax_problems

    broken = {p.path: p for p in syntax_problems(session.cfg)}
    for p in broken.values():
        print(f"{PROG}: error: {p.path}:{p.line}:{p.column}: {p.sentence}", file=sys.stderr)
    for n in session.cfg.notes:
        if Path(n.path) not in broken:
            print(f"{PROG}: {n.severity}: {n}", file=sys.stderr)


def _finish(session: Session, change: ChangeSet, dry_run: bool) -> int:
    if not change:
        print(f"{PROG}: nothing to change", file=sys.stderr)
        return 0
    _shared_note(session, change)
    if dry_run:
        session.validate(change)  # what the write would refuse, the dry run refuses too
        sys.stdout.write(change.diff())
        return 0
    session.apply(change)
    out = session.save(helper=False)
    for path in out.written:
        print(f"{PROG}: wrote {path}", file=sys.stderr)
    if out.changed_on_disk:
        raise CliError(f"{out.changed_on_disk[0]}: the file changed on disk while it was "
                       "being edited; not overwritten")
    if out.errors:
        raise CliError(out.errors[0])
    return 0


def _shared_note(session: Session, change: ChangeSet) -> None:
    """Say when the change is in a file other hosts of the flake use too (the app's Hosts
    dock shows the same reach)."""
    host = session.cfg.flake_host
    if not host:
        return
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.system import fleet

    try:
        note = fleet.shared_note(session.cfg.root, host, list(change.files))
    except NixSettingsError:
        return
    if note:
        print(f"{PROG}: note: {note}", file=sys.stderr)


# -- commands -------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    _notes(session)
    defs = session.cfg.definitions
    if args.unknown:
        from nixos_settings.cli import options as cli_options

        options = cli_options.load_options_for_cli(args)
        from nixos_settings.core.options import tree as join
        from nixos_settings.core.options.suggest import unchecked

        unknown = join.unknown_definitions(defs, options)
        kept, notes = unchecked([tuple(u.definition.loc) for u in unknown], options)
        if options.release_note:  # the metadata may not be this configuration's
            notes.insert(0, f"{options.release_note}: the options it does not know are "
                         "listed, not checked")
        unknown = [u for u in unknown if tuple(u.definition.loc) in set(kept)]
        for note in notes:
            print(f"{PROG}: note: {note}", file=sys.stderr)
        if args.json:
            import json

            out = [_def_json(u.definition) | {"suggestions": list(u.suggestions)} for u in unknown]
            print(json.dumps(out, indent=2, ensure_ascii=False))
        else:
            for u in unknown:
                d = u.definition
                hint = f" (did you mean {', '.join(u.suggestions)}?)" if u.suggestions else ""
                print(f"{d.file}:{d.line}:{d.column}: unknown option {d.option}{hint}")
        return 0
    if args.json:
        import json

        print(json.dumps([_def_json(d) for d in defs], indent=2, ensure_ascii=False))
        return 0
    for d in defs:
        wrap = f"  [{', '.join(str(w) for w in d.wrappers)}]" if d.wrappers else ""
        value = d.value_text if "\n" not in d.value_text else d.value_text.split("\n")[0] + " …"
        print(f"{d.option} = {value}  # {d.file}:{d.line}{wrap}")
    return 0


def _def_json(d: Definition) -> dict[str, object]:
    return {
        "option": d.option,
        "loc": list(d.loc),
        "file": str(d.file),
        "line": d.line,
        "column": d.column,
        "value": d.value_text,
        "wrappers": d.wrapper_names,
    }


def _elsewhere(session: Session, loc: tuple[str, ...]) -> str:
    """``: A is written in its own file, F, …`` when a prefix of ``loc`` is set to ``import
    ./F`` (a submodule this configuration does not open), else ""."""
    from nixos_settings.core.config.imports import imported_module

    for n in range(len(loc) - 1, 0, -1):
        for d in session.cfg.find(loc[:n]):
            path = imported_module(d)
            if path is not None:
                return (f": {d.option} is written in its own file, {path}, which is not "
                        "opened with this configuration; open that file to see it")
    return ""


def cmd_get(args: argparse.Namespace) -> int:
    session = open_session(args)
    loc = _loc(args.option)
    found = session.definitions(loc, below=True)
    if args.json:
        import json

        print(json.dumps([_def_json(d) for d in found], indent=2, ensure_ascii=False))
        return 0 if found else 1
    if not found:
        not_module = [n for n in session.cfg.notes
                      if n.path == session.root and "not a NixOS module" in n.message]
        if not_module:
            raise CliError(f"{not_module[0]}; nothing in it is an option")
        print(f"{PROG}: {args.option} is not set in {session.root} or the files it imports"
              f"{_elsewhere(session, loc)}", file=sys.stderr)
        return 1
    if len(found) == 1 and found[0].loc == loc:
        print(found[0].value_text)
        return 0
    for d in found:
        name = f" {d.option}" if d.loc != loc else ""
        wrap = f" [{', '.join(str(w) for w in d.wrappers)}]" if d.wrappers else ""
        print(f"# {d.file}:{d.line}{name}{wrap}")
        print(d.value_text)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from nixos_settings.core.common.errors import Refused

    if (args.value is None) == (args.string is None):
        raise CliError("give either VALUE (Nix text) or --string TEXT", 2)
    if args.string is not None and not _is_utf8(args.string):
        raise CliError("--string: the text holds bytes that are not UTF-8; nothing was "
                       "changed (give the text in UTF-8)", 2)
    session = open_session(args)
    loc = _loc(args.option)
    at = _pick(session, loc, args.at)

    inside = args.inside_condition

    def plan(check: bool) -> ChangeSet:
        if args.string is not None:
            return session.plan_set_value(loc, args.string, at=at, check=check,
                                          inside_condition=inside)
        return session.plan_set(loc, args.value, at=at, check=check, inside_condition=inside)

    # plan first: a broken file or value is reported before anything about metadata, and
    # metadata is only loaded when there is something to check
    change = plan(check=False)
    note = None
    if not args.no_check and change:
        note = _with_metadata(session, args)
        if note is None:
            try:
                change = plan(check=True)
            except Refused as err:
                raise CliError(f"{err}; nothing was changed (--no-check sets it anyway)"
                               ) from None
    warning = session.warning(loc) if note is None and not args.no_check else None
    status = _finish(session, change, args.dry_run)
    if note or warning:  # only once the edit went through: errors stay one line
        print(f"{PROG}: {'note' if note else 'warning'}: {note or warning}", file=sys.stderr)
    for d in session.definitions(loc):
        for w in d.wrappers:
            if w.name == "//":  # the literal left of ``// other``: other wins
                print(f"{PROG}: note: {d.option} ({d.file}:{d.line}) is in a set followed by "
                      f"// {w.arg}, which may override it", file=sys.stderr)
    return status


def _with_metadata(session: Session, args: argparse.Namespace) -> str | None:
    """Give the session option metadata (``--options``, or the cached set of the
    configuration's release) so it checks option names and values; without any, a note
    saying nothing was checked."""
    from nixos_settings.cli import options as cli_options
    from nixos_settings.core.common.errors import OptionsError

    try:
        session.set_options(cli_options.load_options_for_cli(args))
    except OptionsError:
        if getattr(args, "options", None):
            raise
        return ("no option metadata, so the option and value were not checked "
                "(give --options SRC)")
    return None


def _is_utf8(text: str) -> bool:
    """False when ``text`` came from arguments holding bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _one_line(message: str) -> str:
    """An error message as one line: line breaks shown as ``\\n``, and bytes that are not
    UTF-8 as ``\\xNN``."""
    text = message.replace("\r", "\\r").replace("\n", "\\n")
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def cmd_unset(args: argparse.Namespace) -> int:
    session = open_session(args)
    loc = _loc(args.option)
    change = session.plan_unset(loc, at=_pick(session, loc, args.at))
    return _finish(session, change, args.dry_run)


def _in_sequence(session: Session, plans: list[Callable[[], ChangeSet]],
                 description: str) -> ChangeSet:
    """One change doing ``plans`` in order, each planned on the previous ones' result (the
    core's :func:`~nixos_settings.core.edit.plan.in_sequence`; the session ends as it was)."""
    from nixos_settings.core.edit.plan import in_sequence

    return in_sequence(session.cfg, plans, None, description)


def cmd_add(args: argparse.Namespace) -> int:
    from nixos_settings.core.common.errors import Refused

    session = open_session(args)
    loc = _loc(args.option)
    if not args.no_check:
        note = _with_metadata(session, args)
        if note:
            print(f"{PROG}: note: {note}", file=sys.stderr)
    plans: list[Callable[[], ChangeSet]] = [
        partial(session.plan_list_add, loc, v, inside_condition=args.inside_condition)
        for v in args.values]
    try:
        change = _in_sequence(session, plans, f"add to {args.option}")
    except Refused as err:
        raise CliError(f"{err}; nothing was changed (--no-check adds it anyway)") from None
    return _finish(session, change, args.dry_run)


def cmd_remove(args: argparse.Namespace) -> int:
    session = open_session(args)
    loc = _loc(args.option)
    if (args.index is None) == (not args.values):
        raise CliError("give the element(s) to remove, or --index N", 2)
    if args.index is not None:
        if args.index < 1:
            raise CliError("--index counts from 1", 2)
        plans: list[Callable[[], ChangeSet]] = [
            partial(session.plan_list_remove_at, loc, args.index - 1)]
    else:
        plans = [partial(session.plan_list_remove, loc, v) for v in args.values]
    return _finish(session, _in_sequence(session, plans, f"remove from {args.option}"),
                   args.dry_run)


def cmd_rename(args: argparse.Namespace) -> int:
    session = open_session(args)
    change = session.plan_rename_entry(_loc(args.option), args.new_name)
    return _finish(session, change, args.dry_run)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        # Imported by name: the headless commands never load Qt (import-linter checks the
        # static imports of this module).
        app = importlib.import_module("nixos_settings.ui.app")
    except ImportError as err:
        raise CliError(f"the desktop app is not available: {err}") from None
    return int(app.run(args.file, args.options, args.flake,
                       home_manager=args.home_manager_options))


# -- parser ---------------------------------------------------------------------------------


def _add_metadata_args(p: argparse.ArgumentParser, help_text: str) -> None:
    """A sub-command's ``--options SRC`` and ``--home-manager-options SRC``."""
    p.add_argument("--options", metavar="SRC", default=argparse.SUPPRESS, help=help_text)
    _add_home_manager_arg(p)


def _add_home_manager_arg(p: argparse.ArgumentParser, top: bool = False) -> None:
    # the same argument as cli.options' (not imported here: start-up time)
    p.add_argument("--home-manager-options", metavar="SRC",
                   default=None if top else argparse.SUPPRESS,
                   help="Home Manager option metadata (.json, .json.gz, .json.br) to check "
                   "home-manager.users.NAME.* against (default: the one given last, when the "
                   "configuration sets home-manager.users)")


#: sub-commands defined in other modules (imported only when needed: start-up time)
EXTRA_COMMANDS = {"search": "options", "show": "options", "rebuild": "rebuild",
                  "generations": "rebuild", "value": "value", "task": "task",
                  "hosts": "fleet", "deploy": "fleet", "packages": "packages",
                  "flake": "flake"}


def _extra_modules(argv: Sequence[str] | None) -> list[str]:
    words = list(sys.argv[1:] if argv is None else argv)
    for w in words:
        if w in ("list", "get", "set", "unset", "add", "remove", "rename"):
            return []
        if w in EXTRA_COMMANDS:
            return [EXTRA_COMMANDS[w]]
    return sorted(set(EXTRA_COMMANDS.values()))


def build_parser(extra: Sequence[str] = tuple(sorted(set(EXTRA_COMMANDS.values())))
                 ) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Configure NixOS visually or from the command line, keeping your Nix "
        "files byte-exact. Without a subcommand, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_config_args(parser, top=True)
    parser.add_argument("--options", metavar="SRC", default=None,
                        help="option metadata: a file (.json, .json.gz, .json.br), "
                        "channel:NAME, eval, flake:PATH#HOST or home-manager:FILE")
    _add_home_manager_arg(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list every definition in the configuration")
    _add_config_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--unknown", action="store_true",
                   help="only definitions that match no known option (needs --options)")
    _add_metadata_args(p, "option metadata source")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("get", help="print the Nix text of an option's value (of a prefix: "
                       "every definition below it, each with its place)")
    p.add_argument("option", metavar="OPTION", help='dotted name, e.g. networking.hosts."::1"')
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {file, line, loc, value, …}, one per definition")
    _add_config_args(p)
    p.set_defaults(func=cmd_get)

    p = sub.add_parser("set", help="set an option (in place, or added where a person would)")
    p.add_argument("option", metavar="OPTION")
    p.add_argument("value", metavar="VALUE", nargs="?", help="Nix expression text")
    p.add_argument("--string", metavar="TEXT", help="set a string value, escaped correctly")
    p.add_argument("--at", metavar="FILE:LINE", help="which definition, when there are several")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    _add_metadata_args(p, "option metadata to check the option and value against "
                       "(default: the cached metadata of the configuration's release)")
    p.add_argument("--no-check", action="store_true",
                   help="do not check the option name and value against option metadata")
    p.add_argument("--inside-condition", action="store_true",
                   help="when the only place for a new option is inside an mkIf block, put "
                   "it there (it then applies only when the condition holds)")
    _add_config_args(p)
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("unset", help="remove an option's definition")
    p.add_argument("option", metavar="OPTION")
    p.add_argument("--at", metavar="FILE:LINE", help="which definition, when there are several")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    _add_config_args(p)
    p.set_defaults(func=cmd_unset)

    _add_element_verbs(sub)
    for name in extra:
        importlib.import_module(f"nixos_settings.cli.{name}").register(sub)
    return parser


def _add_element_verbs(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``add``, ``remove`` and ``rename``: list elements and attribute-set entries."""
    p = sub.add_parser("add", help="append element(s) to a list option, in the list's style")
    p.add_argument("option", metavar="OPTION")
    p.add_argument("values", metavar="VALUE", nargs="+", help="Nix expression text")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    _add_metadata_args(p, "option metadata to check against (default: the newest cached)")
    p.add_argument("--no-check", action="store_true",
                   help="do not check the option name and value against option metadata")
    p.add_argument("--inside-condition", action="store_true",
                   help="a new list may go inside an mkIf block (see set)")
    _add_config_args(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove element(s) from a list option")
    p.add_argument("option", metavar="OPTION")
    p.add_argument("values", metavar="VALUE", nargs="*", help="Nix text of the element(s)")
    p.add_argument("--index", type=int, metavar="N", help="remove the N-th element (from 1)")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    _add_config_args(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("rename", help="rename an attribute-set entry "
                       "(users.users.alice → bob)")
    p.add_argument("option", metavar="OPTION", help="the entry, e.g. users.users.alice")
    p.add_argument("new_name", metavar="NEW-NAME", help="its new last segment, e.g. bob")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff, write nothing")
    _add_config_args(p)
    p.set_defaults(func=cmd_rename)



def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_extra_modules(argv))
    args = parser.parse_args(argv)
    from nixos_settings.core.common.errors import NixSettingsError

    func = getattr(args, "func", None)
    try:
        if func is None:
            return cmd_gui(args)
        return int(func(args))
    except CliError as err:
        print(f"{PROG}: error: {_one_line(str(err))}", file=sys.stderr)
        return err.code
    except NixSettingsError as err:
        print(f"{PROG}: error: {_one_line(str(err))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader (e.g. ``head``) went away; not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
