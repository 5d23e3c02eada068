"""``nixos-settings search`` and ``nixos-settings show``: option metadata on the command line.

Public API (for ``cli.py``)
===========================

* ``register(subparsers) -> None`` – adds ``search QUERY [--options SRC] [--json]
  [--limit N] [--type KIND]`` and ``show OPTION [--options SRC] [--file F]``; each sets
  ``func=handler`` with ``handler(args) -> int``.
* ``add_options_argument(parser) -> None`` – the shared ``--options SRC`` and
  ``--home-manager-options SRC`` arguments (``add_home_manager_argument`` for the latter).
* ``load_options_for_cli(args) -> OptionSet`` – resolves ``args.options`` (file path,
  ``channel:NAME``, ``eval``, ``flake:PATH#HOST``, ``home-manager:FILE``; none = newest
  cache) and raises :class:`~nixos_settings.core.common.errors.OptionsError` when there is no
  metadata at all.

``search`` exits 0 when something matched, 1 when nothing did.  Never imports Qt; the
edit session is imported lazily, only by ``show``.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nixos_settings.core.common.errors import OptionsError
from nixos_settings.core.options.model import Literal, OptionInfo, OptionSet

if TYPE_CHECKING:
    from nixos_settings.core.options.search import SearchIndex
    from nixos_settings.core.session import Session

DEFAULT_CONFIG = Path("/etc/nixos/configuration.nix")
SOURCES_HELP = (
    "option metadata: a file (.json, .json.gz, .json.br), channel:NAME (channel: = this "
    "system's release), eval (evaluate --file with Nix), flake:PATH#HOST or home-manager:FILE; "
    "default: the cached metadata of the configuration's release"
)


HOME_MANAGER_HELP = (
    "Home Manager option metadata (a .json, .json.gz or .json.br file of Home Manager's "
    "options) to check home-manager.users.NAME.* against; default: the one given last, when "
    "the configuration sets home-manager.users"
)


def add_options_argument(parser: argparse.ArgumentParser) -> None:
    """``--options SRC`` and ``--home-manager-options SRC``; SUPPRESS keeps a value given
    before the sub-command."""
    parser.add_argument("--options", metavar="SRC", default=argparse.SUPPRESS, help=SOURCES_HELP)
    add_home_manager_argument(parser)


def add_home_manager_argument(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """``--home-manager-options SRC`` (see :data:`HOME_MANAGER_HELP`)."""
    parser.add_argument("--home-manager-options", metavar="SRC", help=HOME_MANAGER_HELP,
                        default=None if top else argparse.SUPPRESS)


def _progress(message: str, fraction: float | None) -> None:
    if sys.stderr.isatty():
        pct = f" {fraction * 100:3.0f}%" if fraction is not None else ""
        print(f"\r{message}{pct}\033[K", end="", file=sys.stderr, flush=True)


def load_options_for_cli(args: argparse.Namespace) -> OptionSet:
    """The option set ``args.options`` names (errors as OptionsError, one line)."""
    from nixos_settings.core.options.sources import resolve_options

    spec = getattr(args, "options", None)
    file = getattr(args, "file", None)
    config_path = Path(file) if file else (DEFAULT_CONFIG if spec in ("eval", None) else None)
    flake = getattr(args, "flake", None)
    if not file and flake and spec is None:  # its flake.lock tells the release
        config_path = Path(flake.partition("#")[0] or ".") / "flake.nix"
    try:
        options = resolve_options(spec, config_path, _progress,
                                  home_manager=getattr(args, "home_manager_options", None))
    finally:
        if sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    if len(options) == 0:
        raise OptionsError(options.problem or "no option metadata; pass --options SRC (see --help)")
    if options.home_manager_note:
        print(f"nixos-settings: note: {options.home_manager_note}", file=sys.stderr)
    return options


# --------------------------------------------------------------------------- search


def _snippet(opt: OptionInfo, width: int = 160) -> str:
    from nixos_settings.core.options.describe import description_text

    text = " ".join(description_text(opt).split())
    if text == "No description.":
        return ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def cmd_search(args: argparse.Namespace) -> int:
    """Ranked option search."""
    index = _search_index(args)
    kinds = set(args.type) if args.type else None
    hits = index.search(args.query, args.limit, kinds=kinds)
    if args.json:
        out = [
            {
                "option": h.option.name,
                "loc": list(h.option.loc),
                "type": h.option.type,
                "description": _snippet(h.option),
                "readOnly": h.option.read_only,
                "score": h.score,
                "match": h.why,
            }
            for h in hits
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for h in hits:
            print(f"{h.option.name}  ({h.option.type})")
            snip = _snippet(h.option, 100)
            if snip:
                print(f"    {snip}")
    if index.weak(hits):
        hints = index.did_you_mean(args.query)
        hint = f" — did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
        lead = "no option matches" if not hits else "no option is named like"
        shown = args.query if len(args.query) <= 60 else args.query[:59] + "…"
        print(f"{lead} {shown!r}{hint}", file=sys.stderr)
    return 0 if hits else 1


def _search_index(args: argparse.Namespace) -> SearchIndex:
    """The search index of the metadata ``args`` names, from the cache when the metadata
    is unchanged (keyed by the file's hash, or by the source's revision)."""
    import hashlib

    from nixos_settings.core.options import search_cache

    spec = getattr(args, "options", None)
    if spec and Path(spec).is_file() and not getattr(args, "home_manager_options", None):
        return search_cache.index_for_file(spec)
    options = load_options_for_cli(args)
    src = options.source
    hm = options.home_manager
    ident = f"{src.kind}|{src.revision}|{src.path}|{len(options)}"
    if hm is not None:
        ident += f"|hm:{hm.kind}|{hm.path}|{hm.fetched_at}"
    return search_cache.index_for_options(options, hashlib.sha256(ident.encode()).hexdigest())


# --------------------------------------------------------------------------- show


def _literal_lines(lit: Literal) -> list[str]:
    if lit.kind in ("markdown", "docbook"):
        from nixos_settings.core.options.describe import html_to_text, render_literal

        return html_to_text(render_literal(lit)).splitlines()
    return lit.text.splitlines() or [""]


def _field(label: str, lines: list[str]) -> list[str]:
    if len(lines) == 1:
        return [f"{label + ':':<13}{lines[0]}"]
    return [f"{label}:"] + [f"    {ln}" for ln in lines]


def _find_option(options: OptionSet, name: str) -> OptionInfo:
    from nixos_settings.core.nix import optpath
    from nixos_settings.core.options.suggest import suggest

    opt = options.by_name(name)
    if opt is not None:
        return opt
    loc = optpath.parse(name)
    opt = options.get(loc) or options.match(loc)
    if opt is not None:
        return opt
    hint = suggest(loc, options)
    extra = f" (did you mean {', '.join(hint)}?)" if hint else ""
    raise OptionsError(f"unknown option {name}{extra}")


def _session(args: argparse.Namespace) -> Session | None:
    """The session whose definitions ``show`` lists, or None (none given and no default)."""
    from nixos_settings.core.session import Session

    file = getattr(args, "file", None)
    flake = getattr(args, "flake", None)
    if flake:
        path, _, host = str(flake).partition("#")
        return Session.open_flake(path or ".", host or None)
    if file:
        return Session.open(file)
    if DEFAULT_CONFIG.exists():
        try:
            return Session.open(DEFAULT_CONFIG)
        except Exception:  # an implicit default must not make `show` fail
            return None
    return None


def describe_option(opt: OptionInfo) -> list[str]:
    """The metadata block ``show`` prints."""
    from nixos_settings.core.options.describe import description_text

    out = [opt.name]
    out += _field("Type", [opt.type])
    if opt.read_only:
        out += _field("Read-only", ["yes (set by NixOS, not by you)"])
    out += _field("Default", _literal_lines(opt.default) if opt.default else ["(none)"])
    if opt.example is not None:
        out += _field("Example", _literal_lines(opt.example))
    decls = [f"{d.name} <{d.url}>" if d.url else d.name for d in opt.declarations]
    out += _field("Declared in", decls or ["(unknown)"])
    out.append("Description:")
    for para in description_text(opt).split("\n"):
        wrapped = textwrap.wrap(para, 88) if not para.startswith("    ") else [para]
        out += [f"    {ln}" for ln in wrapped] or [""]
    return out


def cmd_show(args: argparse.Namespace) -> int:
    """Metadata of one option and its current definitions."""
    options = load_options_for_cli(args)
    opt = _find_option(options, args.option)
    lines = describe_option(opt)
    session = _session(args)
    if session is not None:
        from nixos_settings.core.options.tree import join

        joined = join(options, session.cfg.definitions)
        nodes = joined.for_option(opt)
        lines.append("Defined:" if nodes else "Defined:     not set in the configuration")
        for node in nodes:
            for d in node.definitions:
                value = " ".join(str(d.value_text).split())
                if len(value) > 100:
                    value = value[:99] + "…"
                note = f"  [{', '.join(str(w) for w in d.wrappers)}]" if d.wrappers else ""
                lines.append(f"    {d.file}:{d.line}: {optpath_show(d.loc)} = {value}{note}")
    print("\n".join(lines))
    return 0


def optpath_show(loc: Sequence[str]) -> str:
    from nixos_settings.core.nix.optpath import show

    return show(tuple(loc))


# --------------------------------------------------------------------------- registration


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``search`` and ``show`` to the ``nixos-settings`` sub-command parser."""
    p = subparsers.add_parser("search", help="search options by name and description")
    p.add_argument("query", metavar="QUERY", help='words or a name fragment, e.g. "ssh server"')
    add_options_argument(p)
    p.add_argument("--json", action="store_true", help="print a ranked JSON list")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results")
    p.add_argument(
        "--type",
        action="append",
        metavar="KIND",
        help="only options of this type kind (bool, int, str, enum, list, attrs, path, "
        "package, submodule, ...); repeatable",
    )
    p.set_defaults(func=cmd_search)

    p = subparsers.add_parser("show", help="print an option's metadata and current definitions")
    p.add_argument("option", metavar="OPTION", help="e.g. services.openssh.enable")
    add_options_argument(p)
    p.add_argument(
        "--file",
        "-f",
        metavar="F",
        default=argparse.SUPPRESS,
        help="configuration whose definitions to show",
    )
    p.add_argument(
        "--flake",
        metavar="PATH#HOST",
        default=argparse.SUPPRESS,
        help="flake configuration whose definitions to show",
    )
    p.set_defaults(func=cmd_show)
