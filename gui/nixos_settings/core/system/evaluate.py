"""What an option finally evaluates to, and which definition wins: asking Nix itself.

The configuration is evaluated the way the system builds it: a channel configuration through
``import <nixpkgs/nixos> { configuration = FILE; }`` with ``nix-instantiate`` (``NIX_PATH``
and ``-I`` honoured), a flake host through ``nixosConfigurations.HOST`` with ``nix eval``
(with the experimental-features flag older Nix needs).  Nix reports, for one option, the
merged value, the highest priority in force, the default, and the definitions that won
(file and value).  The module system drops the definitions that lost before it reports, so
every definition, with its line and its priority (``mkForce`` 50, plain 100, ``mkDefault``
1000, ``mkOverride N``), comes from the configuration's own syntactic index; the two are
joined by file and priority.

Public API
==========

* ``evaluate_option(cfg, loc, *, flake=None, nix_path=(), cancel=None, timeout=120.0,
  cache_directory=None) -> Effective`` – one option; raises :class:`EvaluationFailed`
  (message and location of Nix's error) or :class:`EvaluationCancelled`.
* :class:`Effective`: ``option``, ``value`` (JSON-like; a function or a package is a
  :class:`Opaque`-like dict ``{"_type": "function"}`` / ``{"_type": "derivation", "name",
  "path"}``), ``definitions`` (list of :class:`EffectiveDefinition`), ``winner`` (index or
  None), ``default`` (JSON-like or None), ``is_option``; ``as_json()`` gives the CLI's
  ``--json`` object.
* ``cached_option(cfg, loc, …) -> Effective | None`` – the same answer when it is cached
  (no Nix run: what the desktop app shows at once).
* ``evaluate_values(cfg, locs, …) -> dict[loc, value]`` – many effective values in one
  evaluation (a tree's Value column); cached the same way.
* ``priority_of(wrappers) -> int`` – a definition's priority from its ``mk*`` wrappers.
* ``describe_value(value) -> str`` – a short text of an evaluated value ("not representable:
  package hello-2.12" …).

Results are cached (in ``$XDG_CACHE_HOME/nixos-settings/eval``) by a hash of every file of
the configuration, the option, the way it is evaluated and ``NIX_PATH``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.common.process import Stopped, run_stoppable
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.definitions import Definition
from nixos_settings.core.system.rebuild import ErrorLocation, best_location, error_locations

Loc = tuple[str, ...]
Cancel = Callable[[], bool] | None

PRIORITIES = {"mkForce": 50, "mkImageMediaOverride": 60, "mkDefault": 1000,
              "mkOptionDefault": 1500}
PLAIN = 100


class EvaluationFailed(NixSettingsError):
    """Nix could not evaluate the configuration; ``location`` is "file:line" when known,
    ``details`` Nix's whole message."""

    def __init__(self, message: str, location: str | None = None, details: str = "") -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.message = message
        self.location = location
        self.details = details


class EvaluationCancelled(NixSettingsError):
    """The user stopped the evaluation."""


@dataclass
class EffectiveDefinition:
    """One definition of the option: where, its value, its priority and whether it counts."""

    file: str
    line: int | None
    value: Any
    priority: int
    wrappers: list[str] = field(default_factory=list)
    #: "wins"; "merged" (several won and were merged, as lists are); "overridden" (a stronger
    #: priority won); "inactive" (as strong as the winner yet left out: a false mkIf);
    #: "defined" (inside an option's value, where Nix names no winner)
    status: str = "overridden"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "value": self.value,
                "priority": self.priority}


@dataclass
class Effective:
    """The outcome of evaluating one option."""

    option: str
    value: Any
    definitions: list[EffectiveDefinition]
    winner: int | None
    default: Any
    is_option: bool = True
    defined: bool = True
    highest_priority: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"option": self.option, "value": self.value,
                "definitions": [d.as_json() for d in self.definitions],
                "winner": self.winner, "default": self.default}


# --------------------------------------------------------------------------- Nix code

# Makes an evaluated value printable as JSON: functions and packages become markers,
# attribute sets that fail to evaluate name the failure instead of stopping everything.
_SAFE = r"""
let
  scrub = try: depth: v:
    if depth > 40 then { _type = "deep"; }
    else if builtins.isFunction v || (builtins.isAttrs v && v ? __functor)
    then { _type = "function"; }
    else if builtins.isAttrs v then
      (if (v.type or null) == "derivation" then
        { _type = "derivation"; name = v.name or "?";
          path = let p = builtins.tryEval (toString (v.outPath or "")); in
                 if p.success then p.value else ""; }
       else builtins.mapAttrs (_: x: visit try (depth + 1) x) v)
    else if builtins.isList v then map (visit try (depth + 1)) v
    else if builtins.isPath v then toString v
    else v;
  visit = try: depth: v:
    if !try then scrub false depth v
    else let r = builtins.tryEval (scrub true depth v); in
      if r.success then r.value else { _type = "error"; };
in { safe = visit true 0; strict = visit false 0; }
"""

_QUERY = r"""
sys: loc:
let
  lib = sys.lib or sys.pkgs.lib or (import <nixpkgs/lib>);
  inherit (SAFE) safe strict;
  opt = lib.attrByPath loc null sys.options;
  isOpt = opt != null && lib.isOption opt;
  hasConfig = lib.hasAttrByPath loc sys.config;
in
if isOpt then {
  isOption = true;
  defined = opt.isDefined;
  value = if opt.isDefined then strict opt.value else null;
  highestPrio = opt.highestPrio or null;
  default = if opt ? default then safe opt.default else null;
  hasDefault = opt ? default;
  winners = map (d: { file = toString d.file; value = safe d.value; })
    (opt.definitionsWithLocations or [ ]);
} else {
  isOption = false;
  defined = hasConfig;
  value = if hasConfig then strict (lib.getAttrFromPath loc sys.config) else null;
  highestPrio = null; default = null; hasDefault = false; winners = [ ];
}
"""


def _nix_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def _loc_list(loc: Loc) -> str:
    return "[ " + " ".join(_nix_str(s) for s in loc) + " ]"


def _query(loc: Loc) -> tuple[str, str]:
    """The function over the system and its argument, for one option."""
    return f"({_QUERY.replace('SAFE', _SAFE)})", _loc_list(loc)


def channel_expression(config: Path, loc: Loc, query: tuple[str, str] | None = None) -> str:
    """The expression evaluating ``loc`` (or ``query``) of a channel configuration."""
    fn, arg = query or _query(loc)
    sys_ = f"(import <nixpkgs/nixos> {{ configuration = (/. + {_nix_str(str(config))}); }})"
    return f"{fn} {sys_} {arg}"


def flake_expression(flake: str, host: str, loc: Loc,
                     query: tuple[str, str] | None = None) -> str:
    """The expression evaluating ``loc`` (or ``query``) of ``nixosConfigurations.HOST``."""
    fn, arg = query or _query(loc)
    sys_ = f"(builtins.getFlake {_nix_str(flake)}).nixosConfigurations.{_nix_str(host)}"
    return f"{fn} ({sys_}) {arg}"


# --------------------------------------------------------------------------- running


def _exe(name: str) -> str:
    found = os.environ.get("NIXOS_SETTINGS_" + name.upper().replace("-", "_")) or \
        shutil.which(name)
    if not found:
        raise EvaluationFailed(f"{name} is not installed, so the configuration cannot be "
                               "evaluated; install Nix (Debian: apt install nix-bin)")
    return found


def run(argv: Sequence[str], *, cancel: Cancel = None, timeout: float = 120.0) -> bytes:
    """Run Nix in its own process group; stop it on cancel or after ``timeout`` seconds."""
    try:
        rc, stdout, stderr = run_stoppable(argv, cancel=cancel, timeout=timeout)
    except OSError as e:
        raise EvaluationFailed(f"cannot start {argv[0]}: {e.strerror or e}") from None
    except Stopped as stopped:
        if stopped.timed_out:
            raise EvaluationFailed(f"the evaluation took longer than {timeout:.0f} seconds "
                                   "and was stopped") from None
        raise EvaluationCancelled("the evaluation was stopped") from None
    if rc != 0:
        raise failure(stderr)
    return stdout


_DEFS_FROM = re.compile(
    r"^\s*(?:(?:…\s*)?while evaluating definitions from|- In) `([^'$]+)'", re.M)
_OPTION = re.compile(r"^\s*(?:…\s*)?while evaluating the option `([^'$]+)':", re.M)


#: Nix errors that have a plain explanation and a next step (pattern → sentence; ``{0}``
#: is the pattern's first group).  Nix's own words stay in ``details``.
_PLAIN = (
    (re.compile(r"file '(nixpkgs[^']*|<nixpkgs[^']*)' was not found in the Nix search path"),
     "Nix cannot find nixpkgs on this machine ({0} is not in NIX_PATH), so it cannot "
     "evaluate the configuration. On NixOS, run `sudo nix-channel --update`; elsewhere, set "
     "NIX_PATH=nixpkgs=/path/to/nixpkgs or open the configuration through its flake."),
    (re.compile(r"file '([^']+)' was not found in the Nix search path"),
     "Nix cannot find <{0}>: it is not in NIX_PATH on this machine. Add it "
     "(NIX_PATH={0}=/path/to/it) or refer to the file by its path."),
    (re.compile(r"^infinite recursion encountered"),
     "Nix found an infinite recursion: an option's value depends on itself (often an "
     "`imports` or `config` that reads `config`). Check the place named."),
)


def plain_failure(message: str) -> str:
    """Nix's one-line error in plain words when it is a known one, else as Nix said it."""
    for pattern, sentence in _PLAIN:
        found = pattern.search(message)
        if found:
            return sentence.format(*found.groups())
    return message


def failure(stderr: str, cfg: Configuration | None = None, loc: Loc = ()
            ) -> EvaluationFailed:
    """Nix's error as one sentence and the place in the configuration it points at: a
    position inside the configuration's files first, else the definition of the option
    being evaluated in the file Nix names, else Nix's innermost position."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error")]
    message = (errors[-1] if errors else (lines[-1] if lines else "Nix failed"))
    message = message.removeprefix("error:").strip().removesuffix("Definition values:")
    message = plain_failure(message.strip() or "Nix failed")
    flake_dir = cfg.root.parent if cfg is not None and cfg.flake_host else None
    places = [ErrorLocation(_local(p.path, flake_dir), p.line, p.column)
              for p in error_locations(stderr)]
    where = None
    if cfg is not None:
        own = {str(p) for p in cfg.documents}
        mine = [p for p in places if p.path in own and p.line > 0]
        where = (f"{mine[-1].path}:{mine[-1].line}" if mine
                 else _definition_place(stderr, cfg, loc, flake_dir))
    if where is None:
        place = best_location(places)
        where = f"{place.path}:{place.line}" if place is not None and place.line > 0 else None
    return EvaluationFailed(message, where, stderr)


def _definition_place(stderr: str, cfg: Configuration, asked: Loc,
                      flake_dir: Path | None) -> str | None:
    from nixos_settings.core.nix import optpath

    file, option = _DEFS_FROM.search(stderr), _OPTION.search(stderr)
    if file is None:
        return None
    path = _local(file.group(1), flake_dir)
    loc = asked
    if option is not None:
        try:
            loc = optpath.parse(option.group(1))
        except NixSettingsError:
            loc = asked
    if loc:
        for d in cfg.find(tuple(loc)):
            if str(d.file) == path:
                return f"{d.file}:{d.line}"
    return path


# --------------------------------------------------------------------------- the join


def priority_of(wrappers: Sequence[Any]) -> int:
    """The priority ``mk*`` wrappers give a definition (the innermost override counts)."""
    prio = PLAIN
    for w in wrappers:
        name = getattr(w, "name", str(w))
        if name in PRIORITIES:
            prio = PRIORITIES[name]
        elif name == "mkOverride":
            try:
                prio = int(str(getattr(w, "arg", "")).strip("() "))
            except ValueError:
                continue
    return prio


def _static_value(d: Definition) -> Any:
    from nixos_settings.core.nix.literals import NOT_LITERAL, decode

    value = decode(d.value_text)
    return d.value_text if value is NOT_LITERAL else value


_STORE_COPY = re.compile(r"/nix/store/[0-9a-z]{32}-source/(.+)$")


def _local(file: str, flake_dir: Path | None) -> str:
    """A flake's store copy of a file (``…/nix/store/HASH-source/REL``, any store root)
    mapped back to ``flake_dir/REL`` when that file exists."""
    m = _STORE_COPY.search(file)
    if flake_dir is None or m is None:
        return file
    candidate = Path(flake_dir) / m.group(1)
    return str(candidate) if candidate.is_file() else file


def _join(cfg: Configuration, loc: Loc, raw: dict[str, Any],
          flake_dir: Path | None) -> list[EffectiveDefinition]:
    winners: list[dict[str, Any]] = [{**w, "file": _local(str(w["file"]), flake_dir)}
                                     for w in raw.get("winners") or []]
    prio = raw.get("highestPrio")
    out: list[EffectiveDefinition] = []
    for d in cfg.find(loc):
        p = priority_of(d.wrappers)
        entry = EffectiveDefinition(str(d.file), d.line, _static_value(d), p,
                                    [str(w) for w in d.wrappers])
        if not raw.get("isOption"):  # inside an option's value: Nix names no winner
            entry.status = "defined"
            out.append(entry)
            continue
        hit = next((w for w in winners if Path(w["file"]) == Path(d.file).resolve()
                    or w["file"] == str(d.file)), None) if p == prio else None
        if hit is not None:
            winners.remove(hit)
            entry.value, entry.status = hit["value"], "wins"
        elif prio is None or p <= prio:
            entry.status = "inactive"  # as strong as the winner, yet left out: a false mkIf
        out.append(entry)
    for w in winners:  # definitions from modules the files do not hold (nixpkgs' own)
        if prio != PRIORITIES["mkOptionDefault"]:  # the option's default is not one
            out.append(EffectiveDefinition(w["file"], None, w["value"], prio or PLAIN, [],
                                           "wins"))
    return out


def _winner(defs: list[EffectiveDefinition]) -> int | None:
    wins = [i for i, d in enumerate(defs) if d.status == "wins"]
    if len(wins) > 1:
        for i in wins:
            defs[i].status = "merged"
    return wins[0] if len(wins) == 1 else None


# --------------------------------------------------------------------------- cache


def _cache_dir(directory: Path | None) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return directory or Path(base) / "nixos-settings" / "eval"


def cache_key(cfg: Configuration, what: str) -> str:
    """A hash of every file of the configuration (as on disk), ``what`` and NIX_PATH."""
    h = hashlib.sha256(what.encode() + _QUERY.encode() + _SAFE.encode())
    h.update(os.environ.get("NIX_PATH", "").encode())
    for path in sorted(cfg.documents):
        h.update(str(path).encode() + b"\0")
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"\1missing")
        lock = Path(path).parent / "flake.lock"
        if lock.is_file():
            h.update(lock.read_bytes())
    return h.hexdigest()[:32]


def _cached(key: str, directory: Path | None) -> dict[str, Any] | None:
    try:
        got = json.loads((_cache_dir(directory) / f"{key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return got if isinstance(got, dict) else None


def _store(key: str, raw: dict[str, Any], directory: Path | None) -> None:
    d = _cache_dir(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(raw, fh)
        os.replace(tmp, d / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time


# --------------------------------------------------------------------------- entry point


def nix_argv(cfg: Configuration, loc: Loc, flake: str | None,
             nix_path: Sequence[str] = (), query: tuple[str, str] | None = None) -> list[str]:
    """The command evaluating ``loc`` (or ``query``: a function over the system and its
    argument; see the module doc)."""
    if flake:
        ref, _, host = flake.rpartition("#")
        if not host:
            raise EvaluationFailed(f"expected PATH#HOST, got {flake!r}")
        path = ref or "."
        target = path if ":" in path.split("/")[0] else str(Path(path).resolve())
        return [_exe("nix"), "--extra-experimental-features", "nix-command flakes", "eval",
                "--json", "--impure", "--show-trace", "--expr",
                flake_expression(target, host, loc, query)]
    inc = [a for p in nix_path for a in ("-I", p)]
    return [_exe("nix-instantiate"), *inc, "--eval", "--strict", "--json", "--show-trace",
            "-E", channel_expression(cfg.root, loc, query)]


def evaluate_option(cfg: Configuration, loc: Sequence[str], *, flake: str | None = None,
                    nix_path: Sequence[str] = (), cancel: Cancel = None,
                    timeout: float = 120.0, cache_directory: Path | None = None) -> Effective:
    """Evaluate one option of ``cfg`` (see module doc)."""
    got = _evaluate(cfg, tuple(loc), flake, nix_path, cancel, timeout, cache_directory, False)
    assert got is not None
    return got


def cached_option(cfg: Configuration, loc: Sequence[str], *, flake: str | None = None,
                  nix_path: Sequence[str] = (), cache_directory: Path | None = None
                  ) -> Effective | None:
    """The answer :func:`evaluate_option` would give, when it is cached (no Nix run)."""
    return _evaluate(cfg, tuple(loc), flake, nix_path, None, 0.0, cache_directory, True)


def _evaluate(cfg: Configuration, loc: Loc, flake: str | None, nix_path: Sequence[str],
              cancel: Cancel, timeout: float, cache_directory: Path | None,
              cached_only: bool) -> Effective | None:
    from nixos_settings.core.nix import optpath

    key = cache_key(cfg, json.dumps([flake, list(nix_path), list(loc)]))
    raw = _cached(key, cache_directory)
    if raw is None and cached_only:
        return None
    if raw is None:
        argv = nix_argv(cfg, loc, flake, nix_path)
        try:
            out = run(argv, cancel=cancel, timeout=timeout)
        except EvaluationFailed as err:
            if not err.details:
                raise
            raise failure(err.details, cfg, loc) from None
        try:
            raw = json.loads(out)
        except ValueError:
            raise EvaluationFailed("Nix printed something that is not JSON") from None
        if not isinstance(raw, dict):
            raise EvaluationFailed("Nix printed an unexpected answer")
        _store(key, raw, cache_directory)
    defs = _join(cfg, loc, raw, cfg.root.parent if flake else None)
    return Effective(optpath.show(loc), raw.get("value"), defs, _winner(defs),
                     raw.get("default"), bool(raw.get("isOption")), bool(raw.get("defined")),
                     raw.get("highestPrio"))


_MANY = r"""
sys: locs:
let
  lib = sys.lib or sys.pkgs.lib or (import <nixpkgs/lib>);
  inherit (SAFE) safe;
in map (loc: if lib.hasAttrByPath loc sys.config
             then { value = safe (lib.getAttrFromPath loc sys.config); }
             else { }) locs
"""


def evaluate_values(cfg: Configuration, locs: Sequence[Sequence[str]], *,
                    flake: str | None = None, nix_path: Sequence[str] = (),
                    cancel: Cancel = None, timeout: float = 300.0,
                    cache_directory: Path | None = None) -> dict[Loc, Any]:
    """The effective values of many options in one evaluation (for a tree's Value column):
    ``{loc: value}`` for each loc the configuration has a value for; a value Nix fails on
    is ``{"_type": "error"}``, a function or package is shown as in :func:`evaluate_option`.
    Raises :class:`EvaluationFailed` when the configuration itself cannot be evaluated."""
    wanted = [tuple(loc) for loc in locs]
    query = (f"({_MANY.replace('SAFE', _SAFE)})",
             "[ " + " ".join(f"({_loc_list(loc)})" for loc in wanted) + " ]")
    argv = nix_argv(cfg, (), flake, nix_path, query)
    key = cache_key(cfg, json.dumps(["values", flake, list(nix_path), wanted]) + query[0])
    raw: Any = _cached(key, cache_directory)
    if raw is None:
        try:
            raw = {"answers": json.loads(run(argv, cancel=cancel, timeout=timeout))}
        except EvaluationFailed as err:
            if not err.details:
                raise
            raise failure(err.details, cfg) from None
        _store(key, raw, cache_directory)
    return {loc: a["value"] for loc, a in zip(wanted, raw["answers"], strict=True)
            if isinstance(a, dict) and "value" in a}


def describe_value(value: Any, limit: int = 80) -> str:
    """Short text of an evaluated value, for a label."""
    if isinstance(value, dict) and value.get("_type") == "derivation":
        path = value.get("path") or ""
        return f"not representable: package {value.get('name', '?')}" + (
            f" ({path})" if path else "")
    if isinstance(value, dict) and value.get("_type") == "function":
        return "not representable: a function"
    if isinstance(value, dict) and value.get("_type") == "error":
        return "cannot be evaluated (Nix stops with an error there)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "Effective",
    "EffectiveDefinition",
    "EvaluationCancelled",
    "EvaluationFailed",
    "cached_option",
    "describe_value",
    "evaluate_option",
    "evaluate_values",
    "priority_of",
]
