"""Where option metadata comes from, and the one resolver the app and CLI call.

Public API
==========

``resolve_options(spec, config_path, progress=None, cancel=None, *, cache_directory=None,
base_url=None) -> OptionSet``

``spec`` is one of

* ``None`` – without Nix or network: the cached set of the configuration's release (else
  another release's, marked so; else an empty set whose ``problem`` says how to get some);
* a file path – ``.json``, ``.json.gz``, ``.json.br`` (cached by path, size and mtime);
* ``"channel:<name>"`` – the channel's published ``options.json.br``, e.g.
  ``channel:nixos-24.05``; ``"channel:"`` means the release ``nixos-version`` reports.
  Downloaded once per channel revision (``<base>/<name>/git-revision``), cached, used
  offline afterwards.  ``base_url`` (default ``$NIXOS_SETTINGS_CHANNEL_URL`` or
  https://channels.nixos.org) lets tests point at a local server;
* ``"eval"`` – evaluate ``config_path`` the way a channel system does
  (``nix-instantiate --eval --strict --json`` over ``import <nixpkgs/nixos> { configuration
  = <file>; }`` and ``lib.optionAttrSetToDocList``), so the user's own and third-party
  modules' options appear;
* ``"flake:<path>#<host>"`` – the same for ``nixosConfigurations.<host>.options`` via
  ``nix eval --json``;
* ``"home-manager:<file>"`` – Home Manager options: a ``.json[.gz|.br]`` file is loaded, a
  ``.nix`` file (home.nix) is evaluated through ``<home-manager/modules>``.

``progress(message: str, fraction: float | None)`` is called from the calling thread;
``cancel`` is a ``threading.Event`` (or anything with ``is_set()``, or a zero-argument
callable returning bool).  Cancelling kills the Nix process group / stops the download and
raises :class:`Cancelled`.  Failures raise :class:`OptionsError`; for Nix failures
``err.details`` holds Nix's complete stderr, unchanged, and the message its last error
line(s).

Pure Python, no Qt: the GUI calls it in a worker thread.  Lower-level pieces:
``load_local``, ``download_channel``, ``evaluate_channel``, ``evaluate_flake``,
``evaluate_home_manager``, ``run_nix``, ``doc_list_to_options_expr``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import orjson

from nixos_settings.core.common.errors import NixSettingsError, OptionsError
from nixos_settings.core.common.process import Stopped, run_stoppable
from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options import release
from nixos_settings.core.options.model import (
    OptionSet,
    SourceInfo,
    decompress,
    empty,
    from_records,
    load_file,
)

Progress = Callable[[str, float | None], None]
DEFAULT_CHANNEL_BASE = "https://channels.nixos.org"

NO_METADATA = (
    "No option metadata is available yet, so types, defaults and descriptions are missing. "
    "Load an options file (--options FILE), download your channel's options, or evaluate "
    "your configuration with Nix."
)


class Cancelled(NixSettingsError):
    """The user cancelled an evaluation or download."""


class NixEvalError(OptionsError):
    """Nix failed; ``message`` is its last error line, ``details`` its whole stderr."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


class _HasIsSet(Protocol):
    def is_set(self) -> bool: ...


CancelLike = _HasIsSet | Callable[[], bool] | None


def _cancelled(cancel: CancelLike) -> bool:
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    if callable(is_set):
        return bool(is_set())
    return bool(cancel())  # type: ignore[operator]


def _say(progress: Progress | None, message: str, fraction: float | None = None) -> None:
    if progress is not None:
        progress(message, fraction)


# --------------------------------------------------------------------------- Nix code

# Turns a doc list (lib.optionAttrSetToDocList output) into the options.json shape: keep
# visible (true or "shallow") and non-internal options, key them by name, drop
# name/visible/internal.  Raw default/example values (releases before renderOptionValue)
# are scrubbed so that JSON output cannot fail on functions or derivations.
DOC_LIST_TO_OPTIONS = r"""
docList:
let
  visibleOk = o: let v = o.visible or true; in v == true || v == "shallow";
  # traces of mkRenamedOptionModule ("Alias of …") and mkRemovedOptionModule (untyped)
  retired = o: builtins.substring 0 9 (toString (o.description or "")) == "Alias of "
    || ((o.description or null) == null && (o.type or "") == "unspecified value");
  keep = builtins.filter (o: !(o.internal or false) && (visibleOk o || retired o)) docList;
  scrub = v:
    if builtins.isFunction v then "<function>"
    else if builtins.isAttrs v then
      (if (v.type or null) == "derivation"
       then { _type = "derivation"; name = v.name or "derivation"; }
       else builtins.mapAttrs (_: scrub) v)
    else if builtins.isList v then map scrub v
    else if builtins.isPath v then toString v
    else v;
  field = o: n: if o ? ${n} then { ${n} = scrub o.${n}; } else { };
  decl = d: if builtins.isAttrs d then d else toString d;
  clean = o:
    (builtins.removeAttrs o [ "name" "visible" "internal" "default" "example" "declarations" ])
    // field o "default" // field o "example"
    // { declarations = map decl (o.declarations or [ ]); }
    // (if visibleOk o then { } else { visible = false; });
in
builtins.listToAttrs (map (o: { name = o.name; value = clean o; }) keep)
"""


def _nix_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def _nix_path(p: Path) -> str:
    """An absolute path as a Nix path value, safe for spaces and quotes."""
    return f"(/. + {_nix_str(str(p.resolve()))})"


def doc_list_to_options_expr(doc_list_expr: str) -> str:
    """Nix code for the options.json-shaped attrset of ``doc_list_expr`` (a doc list)."""
    return f"({DOC_LIST_TO_OPTIONS}) ({doc_list_expr})"


def channel_expr(config_path: Path) -> str:
    """Expression evaluating a channel system's options with ``configuration = <file>``."""
    return (
        "let sys = import <nixpkgs/nixos> { configuration = "
        + _nix_path(config_path)
        + "; }; lib = sys.pkgs.lib or (import <nixpkgs/lib>); in "
        + doc_list_to_options_expr("lib.optionAttrSetToDocList sys.options")
    )


def flake_expr(flake_path: Path | str, host: str) -> str:
    """Expression for ``nixosConfigurations.<host>.options`` of a flake."""
    ref = (
        str(Path(flake_path).resolve())
        if not re.match(r"^\w[\w+.-]*:", str(flake_path))
        else str(flake_path)
    )
    return (
        f"let f = builtins.getFlake {_nix_str(ref)}; "
        f"sys = f.nixosConfigurations.{_nix_str(host)}; "
        "lib = sys.lib or sys.pkgs.lib or sys._module.args.pkgs.lib; in "
        + doc_list_to_options_expr("lib.optionAttrSetToDocList sys.options")
    )


def home_manager_expr(home_nix: Path) -> str:
    """Expression for Home Manager's options with ``configuration = <home.nix>``."""
    return (
        "let pkgs = import <nixpkgs> { }; hm = import <home-manager/modules> { "
        f"configuration = {_nix_path(home_nix)}; inherit pkgs; check = false; }}; in "
        + doc_list_to_options_expr("pkgs.lib.optionAttrSetToDocList hm.options")
    )


# --------------------------------------------------------------------------- subprocess


def _exe(name: str) -> str:
    env = os.environ.get("NIXOS_SETTINGS_" + name.upper().replace("-", "_"))
    found = env or shutil.which(name)
    if not found:
        raise OptionsError(f"{name} is not installed or not on PATH; cannot evaluate options")
    return found


def _nix_error_summary(stderr: str) -> str:
    lines = [ln.rstrip() for ln in stderr.strip().splitlines() if ln.strip()]
    errs = [ln.strip() for ln in lines if ln.lstrip().startswith("error")]
    if errs:
        return errs[-1]
    return lines[-1].strip() if lines else "Nix failed without a message"


def run_nix(
    argv: list[str],
    *,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    timeout: float | None = None,
    what: str = "Evaluating with Nix",
) -> bytes:
    """Run a Nix command; return stdout.  Cancel kills its whole process group."""
    _say(progress, what + " …", None)
    try:
        rc, stdout, stderr = run_stoppable(argv, cancel=lambda: _cancelled(cancel),
                                           timeout=timeout)
    except OSError as e:
        raise OptionsError(f"cannot run {argv[0]}: {e.strerror or e}") from None
    except Stopped as stopped:
        if stopped.timed_out:
            raise OptionsError(f"{what} took longer than {timeout:.0f} s; stopped") from None
        raise Cancelled("evaluation cancelled") from None
    if rc != 0:
        raise NixEvalError(_nix_error_summary(stderr), stderr)
    _say(progress, what + " done", 1.0)
    return stdout


def _options_from_stdout(stdout: bytes, source: SourceInfo) -> OptionSet:
    try:
        records = orjson.loads(stdout)
    except orjson.JSONDecodeError as e:
        raise OptionsError(f"Nix printed invalid JSON (byte offset {e.pos})") from None
    return from_records(records, source, None, stdout)


def evaluate_expr(
    expr: str,
    source: SourceInfo,
    *,
    flake: bool = False,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    timeout: float | None = None,
) -> OptionSet:
    """Evaluate an options.json-shaped Nix expression with nix-instantiate or ``nix eval``."""
    if flake:
        argv = [
            _exe("nix"),
            "--extra-experimental-features",
            "nix-command flakes",
            "eval",
            "--json",
            "--impure",
            "--expr",
            expr,
        ]
    else:
        argv = [_exe("nix-instantiate"), "--eval", "--strict", "--json", "-E", expr]
    out = run_nix(argv, progress=progress, cancel=cancel, timeout=timeout)
    _say(progress, "Reading option metadata …", None)
    return _options_from_stdout(out, source)


def _config_revision(path: Path) -> str:
    """A hash of every file of the configuration at ``path`` (its imports too), a flake.lock
    beside it and NIX_PATH (which nixpkgs): an evaluation is reused only while all hold."""
    from nixos_settings.core.config.configuration import Configuration

    h = hashlib.sha256(os.environ.get("NIX_PATH", "").encode())
    try:
        files = sorted(Configuration.load(path).documents)
    except (NixSettingsError, OSError):
        files = [Path(path)]
    for f in [*files, Path(path).parent / "flake.lock"]:
        h.update(str(f).encode() + b"\0" + (f.read_bytes() if f.is_file() else b"-"))
    return h.hexdigest()[:16]


def evaluate_channel(
    config_path: Path,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    timeout: float | None = None,
) -> OptionSet:
    """Options of a channel system evaluated with ``configuration = config_path``."""
    src = SourceInfo(
        "eval",
        f"evaluated {config_path}",
        _config_revision(config_path),
        Path(config_path),
        time.time(),
    )
    return evaluate_expr(
        channel_expr(Path(config_path)), src, progress=progress, cancel=cancel, timeout=timeout
    )


def evaluate_flake(
    flake_path: Path | str,
    host: str,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    timeout: float | None = None,
) -> OptionSet:
    """Options of ``nixosConfigurations.<host>`` of a flake."""
    p = Path(flake_path)
    lock = p / "flake.lock"
    rev = _config_revision(lock) if lock.exists() else None
    src = SourceInfo("flake", f"flake {flake_path}#{host}", rev, p, time.time())
    return evaluate_expr(
        flake_expr(flake_path, host),
        src,
        flake=True,
        progress=progress,
        cancel=cancel,
        timeout=timeout,
    )


def evaluate_home_manager(
    home_nix: Path,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    timeout: float | None = None,
) -> OptionSet:
    """Home Manager options evaluated with ``configuration = home_nix``."""
    src = SourceInfo(
        "home-manager",
        f"Home Manager for {home_nix}",
        _config_revision(home_nix),
        Path(home_nix),
        time.time(),
    )
    return evaluate_expr(
        home_manager_expr(Path(home_nix)), src, progress=progress, cancel=cancel, timeout=timeout
    )


# --------------------------------------------------------------------------- local files


def load_local(
    path: Path | str, kind: str = "file", cache_directory: Path | None = None
) -> OptionSet:
    """Load an options file, through the cache keyed by path, size and mtime."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
    except OSError as e:
        raise OptionsError(f"cannot read options file: {e.strerror or e}", p) from None
    rev = f"{st.st_size}-{st.st_mtime_ns}"
    key = optcache.cache_key(kind, str(p.resolve()), rev)
    cached = optcache.load(key, cache_directory)
    if cached is not None:
        return cached
    label = "Home Manager options file" if kind == "home-manager" else "options file"
    src = SourceInfo(kind, f"{label} {p.name}", None, p, st.st_mtime)
    opts = load_file(p, src)
    _save_quietly(opts, key, cache_directory)
    return opts


def _save_quietly(opts: OptionSet, key: str, directory: Path | None) -> None:
    # A read-only or full cache directory must not stop the app from working.
    try:
        optcache.save(opts, key, directory)
    except OSError:
        pass


# --------------------------------------------------------------------------- channels


def channel_base_url(base_url: str | None = None) -> str:
    return (
        base_url or os.environ.get("NIXOS_SETTINGS_CHANNEL_URL") or DEFAULT_CHANNEL_BASE
    ).rstrip("/")


def channel_for_system(nixos_version: str | None = None) -> str:
    """The channel name of the running release (``nixos-version`` → ``nixos-24.05``).

    Pre-release versions (``24.11pre…``) map to ``nixos-unstable``.
    """
    if nixos_version is None:
        exe = shutil.which("nixos-version")
        if exe is None:
            raise OptionsError(
                "nixos-version not found: this is not a NixOS system; pick a channel "
                "(e.g. channel:nixos-unstable) or load an options file"
            )
        try:
            nixos_version = subprocess.run(
                [exe], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError) as e:
            raise OptionsError(f"nixos-version failed: {e}") from None
    m = re.match(r"(\d+\.\d+)(pre)?", nixos_version)
    if m is None:
        raise OptionsError(f"cannot read the release from nixos-version output {nixos_version!r}")
    return "nixos-unstable" if m.group(2) else f"nixos-{m.group(1)}"


def _fetch(
    url: str,
    progress: Progress | None,
    cancel: CancelLike,
    what: str,
    timeout: float = 30.0,
) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "nixos-settings"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        total = int(resp.headers.get("Content-Length") or 0) or None
        chunks: list[bytes] = []
        got = 0
        while True:
            if _cancelled(cancel):
                raise Cancelled("download cancelled")
            chunk = resp.read(64 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            _say(progress, f"{what}: {got // 1024} KiB", got / total if total else None)
    return b"".join(chunks)


def download_channel(
    channel: str,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    *,
    base_url: str | None = None,
    cache_directory: Path | None = None,
) -> OptionSet:
    """The channel's ``options.json.br``: from cache when the revision is unchanged."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", channel):
        raise OptionsError(f"invalid channel name {channel!r}")
    base = f"{channel_base_url(base_url)}/{channel}"
    label = f"NixOS channel {channel}"
    try:
        revision: str | None = (
            _fetch(f"{base}/git-revision", None, cancel, "revision").decode().strip()[:40] or None
        )
    except (urllib.error.URLError, OSError, ValueError) as e:
        cached = optcache.latest(cache_directory, kinds=("channel",), label=label)
        if cached is not None:
            cached.problem = f"offline ({_reason(e)}); using the cached copy"
            return cached
        raise OptionsError(f"cannot reach {base}: {_reason(e)}") from None
    key = optcache.cache_key("channel", label, revision)
    if revision is not None:
        hit = optcache.load(key, cache_directory)
        if hit is not None:
            return hit
    url = f"{base}/options.json.br"
    try:
        data = _fetch(url, progress, cancel, f"Downloading {channel} options")
    except (urllib.error.URLError, OSError) as e:
        raise OptionsError(f"download failed: {_reason(e)}", url) from None
    _say(progress, "Reading option metadata …", None)
    src = SourceInfo("channel", label, revision, None, time.time())
    from nixos_settings.core.options.model import load_bytes

    opts = load_bytes(decompress(data, url), url, src)
    _save_quietly(opts, key, cache_directory)
    return opts


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return str(e)


# --------------------------------------------------------------------------- resolver


def _eval_cached(opts_fn: Callable[[], OptionSet], cache_directory: Path | None,
                 key: str | None = None) -> OptionSet:
    hit = optcache.load(key, cache_directory) if key is not None else None
    if hit is not None:  # the same files and nixpkgs were evaluated before
        return hit
    opts = opts_fn()
    src = opts.source
    _save_quietly(opts, optcache.cache_key(src.kind, src.label, src.revision), cache_directory)
    return opts


def resolve_options(
    spec: str | None,
    config_path: Path | None,
    progress: Progress | None = None,
    cancel: CancelLike = None,
    *,
    cache_directory: Path | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    home_manager: str | None = None,
) -> OptionSet:
    """Option metadata for ``spec`` (see module docstring), for the configuration at
    ``config_path``: the cached set of its release by default, its mismatch noted
    (``release_note``), its own declared options joined in (:func:`release.fit`), and Home
    Manager's options under ``home-manager.users.<name>`` (``home_manager``: a Home Manager
    source as for ``home-manager:``; None: the one given last, when the configuration uses
    ``home-manager.users``; see :func:`.home_manager.attach`)."""
    opts = _resolve(spec, config_path, progress, cancel, cache_directory=cache_directory,
                    base_url=base_url, timeout=timeout)
    fitted = release.fit(opts, config_path)
    if not len(fitted):
        return fitted
    from nixos_settings.core.options.home_manager import attach

    return attach(fitted, home_manager, config_path, lambda src: load_home_manager(
        src, progress, cancel, cache_directory, timeout), cache_directory)


def load_home_manager(target: str | Path, progress: Progress | None = None,
                      cancel: CancelLike = None, cache_directory: Path | None = None,
                      timeout: float | None = None) -> OptionSet:
    """Home Manager options: a ``.json[.gz|.br]`` file (cached by path, size and mtime), or
    a home.nix evaluated through ``<home-manager/modules>``."""
    path = Path(str(target).removeprefix("home-manager:")).expanduser()
    if path.suffix == ".nix":
        return _eval_cached(lambda: evaluate_home_manager(path, progress, cancel, timeout),
                            cache_directory)
    return load_local(path, "home-manager", cache_directory)


def _resolve(spec: str | None, config_path: Path | None, progress: Progress | None = None,
             cancel: CancelLike = None, *, cache_directory: Path | None = None,
             base_url: str | None = None, timeout: float | None = None) -> OptionSet:
    """Option metadata for ``spec`` (see module docstring)."""
    if spec is None or spec in ("", "auto"):
        found = release.pick_cached(release.detect(config_path), config_path, cache_directory)
        return found if found is not None else empty(NO_METADATA)
    if spec.startswith("channel:") or spec == "channel":
        name = spec.partition(":")[2] or channel_for_system()
        return download_channel(
            name, progress, cancel, base_url=base_url, cache_directory=cache_directory
        )
    if spec == "eval":
        if config_path is None:
            raise OptionsError("'eval' needs a configuration file to evaluate")
        cfg = Path(config_path)
        key = optcache.cache_key("eval", f"evaluated {cfg}", _config_revision(cfg))
        return _eval_cached(lambda: evaluate_channel(cfg, progress, cancel, timeout),
                            cache_directory, key)
    if spec.startswith("flake:"):
        ref = spec[len("flake:") :]
        path, sep, host = ref.rpartition("#")
        if not sep or not host or not path:
            raise OptionsError(f"expected flake:<path>#<host>, got {spec!r}")
        return _eval_cached(
            lambda: evaluate_flake(path, host, progress, cancel, timeout), cache_directory
        )
    if spec.startswith("home-manager:"):
        return load_home_manager(spec, progress, cancel, cache_directory, timeout)
    return load_local(spec, "file", cache_directory)


__all__ = [
    "Cancelled", "NixEvalError", "channel_expr", "channel_for_system",
    "doc_list_to_options_expr", "download_channel", "evaluate_channel", "evaluate_expr",
    "evaluate_flake", "evaluate_home_manager", "flake_expr", "home_manager_expr",
    "load_home_manager", "load_local",
    "resolve_options", "run_nix",
]
