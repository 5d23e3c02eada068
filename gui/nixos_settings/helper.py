"""``nixos-settings-helper``: the only part of NixOS Settings that runs as root.

The GUI starts it with ``pkexec`` under the polkit action ``org.nixos-settings.helper``.
It knows four fixed verbs and nothing else::

    nixos-settings-helper write PATH                  # new content on stdin
    nixos-settings-helper rebuild ACTION [--flake DIR#HOST | --config FILE]
    nixos-settings-helper rollback
    nixos-settings-helper switch-generation N

Rules it enforces (each refusal exits with status 2 and says why on stderr):

* ``PATH``, ``FILE`` and ``DIR`` must lie inside the configuration directory
  (``/etc/nixos``): no ``..`` component, no leading ``-``, no control characters, and the
  fully resolved path must stay inside the resolved directory, so a symlink pointing out
  (to ``/etc/shadow``, say) is refused.  Files written must end in ``.nix``.
* ``write`` reads at most 4 MiB of strict UTF-8 without NUL bytes, checks it with
  ``nix-instantiate --parse`` (when Nix is installed; status 3 if it does not parse), then
  writes atomically: a temporary file in the same directory (opened through
  ``O_NOFOLLOW`` directory descriptors, so a directory swapped for a symlink midway is
  refused), ``fsync``, the old file's mode and owner, a backup of the old content under
  ``/var/lib/nixos-settings-helper/backups``, then ``rename``.
* ``rebuild`` allows one action of a fixed list and a host name of ``[A-Za-z0-9_-]``;
  it runs ``nixos-rebuild`` directly (no shell) with stdout and stderr passed through and
  returns its exit status.  Writing the line ``cancel`` to its stdin (or SIGINT/SIGTERM)
  interrupts the build: SIGINT, then SIGTERM, then SIGKILL to its process group.  The GUI
  uses the stdin line because an unprivileged process cannot signal a root one.
* pkexec clears the environment, so the helper sets ``PATH``, ``NIX_PATH`` (from
  ``/etc/set-environment`` or the channel default), ``HOME``, ``LANG`` and
  ``LOCALE_ARCHIVE`` for ``nixos-rebuild`` itself.
* Everything it does is logged to syslog and ``/var/log/nixos-settings-helper.log``.

Test mode: the variables ``NIXOS_SETTINGS_HELPER_ROOT`` (configuration directory),
``NIXOS_SETTINGS_HELPER_PROFILES`` (profile directory), ``NIXOS_SETTINGS_HELPER_STATE``
(log file and backups) and ``NIXOS_SETTINGS_HELPER_PATH`` (prepended to ``PATH``) are
honoured *only* when the helper was not started through pkexec, sudo or doas (none of
``PKEXEC_UID``, ``SUDO_UID``, ``DOAS_USER`` is set).  Started that way it runs with
the caller's own rights, so the overrides give nothing away; through pkexec the
environment is cleared anyway and they are ignored on principle.  In test mode the
caller's environment is also passed on to ``nixos-rebuild``.

This module imports only the standard library on purpose: it must stay small enough to
audit, and must not load the GUI's dependencies as root.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import syslog
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

MAX_INPUT = 4 * 1024 * 1024
ACTIONS = ("switch", "boot", "test", "build", "dry-build", "dry-activate")
HOST_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}")
GENERATION_RE = re.compile(r"[1-9][0-9]{0,8}")
DEFAULT_ROOT = "/etc/nixos"
DEFAULT_PROFILES = "/nix/var/nix/profiles"
DEFAULT_STATE = "/var/lib/nixos-settings-helper"
DEFAULT_LOG = "/var/log/nixos-settings-helper.log"
SYSTEM_PATH = (
    "/run/wrappers/bin",
    "/run/current-system/sw/bin",
    "/nix/var/nix/profiles/default/bin",
    "/usr/local/bin",
    "/usr/bin",
    "/bin",
)
DEFAULT_NIX_PATH = (
    "nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos"
    ":nixos-config=/etc/nixos/configuration.nix"
    ":/nix/var/nix/profiles/per-user/root/channels"
)
BACKUPS_KEPT = 50
# Cancellation: SIGINT first (what Ctrl-C would do), then escalate after these delays.
ESCALATE_AFTER = (10.0, 10.0)

EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_INVALID = 3
EXIT_NOT_FOUND = 127

_TEST_VARS = (
    "NIXOS_SETTINGS_HELPER_ROOT",
    "NIXOS_SETTINGS_HELPER_PROFILES",
    "NIXOS_SETTINGS_HELPER_STATE",
    "NIXOS_SETTINGS_HELPER_PATH",
)


class Refused(Exception):
    """An argument or the request itself is not allowed (exit status 2)."""

    status = EXIT_REFUSED


class Invalid(Refused):
    """The content to write is not acceptable Nix text (exit status 3)."""

    status = EXIT_INVALID


@dataclass
class Settings:
    """Where the helper may act, fixed at start-up."""

    root: str = DEFAULT_ROOT
    profiles: str = DEFAULT_PROFILES
    state: str = DEFAULT_STATE
    log_file: str = DEFAULT_LOG
    extra_path: list[str] = field(default_factory=list)
    test_mode: bool = False
    caller: str = "?"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the configuration; test overrides only when not elevated (see module doc)."""
        elevated = any(k in env for k in ("PKEXEC_UID", "SUDO_UID", "DOAS_USER"))
        caller = env.get("PKEXEC_UID") or env.get("SUDO_UID") or str(os.getuid())
        s = cls(caller=caller)
        if elevated or not any(env.get(k) for k in _TEST_VARS):
            return s
        s.test_mode = True
        s.root = _abs_dir(env.get("NIXOS_SETTINGS_HELPER_ROOT") or s.root)
        s.profiles = env.get("NIXOS_SETTINGS_HELPER_PROFILES") or s.profiles
        if env.get("NIXOS_SETTINGS_HELPER_STATE"):
            s.state = _abs_dir(env["NIXOS_SETTINGS_HELPER_STATE"])
            s.log_file = os.path.join(s.state, "helper.log")
        s.extra_path = [p for p in env.get("NIXOS_SETTINGS_HELPER_PATH", "").split(":") if p]
        return s


def _abs_dir(path: str) -> str:
    if not os.path.isabs(path) or not os.path.isdir(path):
        raise Refused(f"override {path!r} is not an absolute existing directory")
    return path


# --------------------------------------------------------------------------- validation


def _check_plain_arg(arg: str, what: str) -> None:
    if not arg or len(arg) > 4096:
        raise Refused(f"{what} is empty or too long")
    if arg.startswith("-"):
        raise Refused(f"{what} {arg!r} starts with '-'")
    if any(ord(c) < 32 or ord(c) == 127 for c in arg):
        raise Refused(f"{what} contains control characters")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def resolve_in_root(arg: str, root: str, *, what: str = "path") -> str:
    """The fully resolved path ``arg`` names inside ``root``.

    ``arg`` is relative to ``root`` or absolute under it (under the configured spelling
    or the resolved one).  Refused: ``..`` components, a leading ``-``, control
    characters, anything that resolves (through symlinks) outside resolved ``root``.
    """
    _check_plain_arg(arg, what)
    if ".." in arg.split("/"):
        raise Refused(f"{what} {arg!r} contains '..'")
    real_root = os.path.realpath(root)
    if os.path.isabs(arg):
        norm = os.path.normpath(arg)
        base = next((r for r in (root, real_root) if _inside(norm, os.path.normpath(r))), None)
        if base is None:
            raise Refused(f"{what} {arg!r} is outside {root}")
        rel = os.path.relpath(norm, os.path.normpath(base))
    else:
        rel = os.path.normpath(arg)
    resolved = os.path.realpath(os.path.join(real_root, rel))
    if not _inside(resolved, real_root):
        raise Refused(f"{what} {arg!r} resolves to {resolved}, outside {root}")
    return resolved


def check_host(host: str) -> str:
    """A ``nixosConfigurations`` attribute name: letters, digits, ``_`` and ``-``."""
    if not HOST_RE.fullmatch(host):
        raise Refused(f"invalid host name {host!r}")
    return host


def check_flake(ref: str, root: str) -> str:
    """``DIR#HOST`` with ``DIR`` a flake directory inside ``root``; returns it resolved."""
    _check_plain_arg(ref, "flake reference")
    path, sep, host = ref.partition("#")
    if not sep:
        raise Refused(f"flake reference {ref!r} lacks '#HOST'")
    check_host(host)
    directory = resolve_in_root(path, root, what="flake directory")
    if not os.path.isdir(directory) or not os.path.isfile(os.path.join(directory, "flake.nix")):
        raise Refused(f"{directory} is not a flake directory")
    return f"{directory}#{host}"


def check_content(data: bytes) -> str:
    """Decode new file content or refuse it (size, UTF-8, NUL)."""
    if len(data) > MAX_INPUT:
        raise Invalid(f"input larger than {MAX_INPUT} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Invalid(f"input is not valid UTF-8 ({err.reason} at byte {err.start})") from None
    if "\0" in text:
        raise Invalid("input contains a NUL byte")
    return text


def nix_parse(data: bytes, cwd: str, env: Mapping[str, str]) -> str | None:
    """``None`` if ``nix-instantiate --parse`` accepts ``data`` or is not installed; else why.

    Runs in ``cwd`` so that relative path literals resolve where the file will live.
    """
    exe = shutil.which("nix-instantiate", path=env.get("PATH"))
    if exe is None:
        return None
    try:
        proc = subprocess.run(
            [exe, "--parse", "-"],
            input=data,
            capture_output=True,
            cwd=cwd,
            env=dict(env),
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"could not run nix-instantiate: {err}"
    if proc.returncode == 0:
        return None
    return " ".join(proc.stderr.decode("utf-8", "replace").split()) or "does not parse"


# --------------------------------------------------------------------------- writing


def _open_dir_nofollow(real_root: str, parts: Sequence[str]) -> int:
    """Open ``real_root/parts…`` one component at a time, refusing any symlink."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(real_root, flags)
    try:
        for part in parts:
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except OSError as err:
        os.close(fd)
        raise Refused(f"cannot open directory safely: {err}") from None
    return fd


def _existing(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise Refused(f"{name} is a symbolic link")
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{name} is not a regular file")
    if st.st_nlink > 1:
        raise Refused(f"{name} has several hard links")
    return st


def _read_at(name: str, dir_fd: int) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_file(settings: Settings, arg: str, data: bytes, env: Mapping[str, str]) -> str:
    """Validate and atomically replace a ``.nix`` file in the configuration directory.

    Returns the resolved path written.
    """
    target = resolve_in_root(arg, settings.root)
    if not target.endswith(".nix"):
        raise Refused(f"{arg!r} is not a .nix file")
    check_content(data)
    real_root = os.path.realpath(settings.root)
    rel_parts = os.path.relpath(target, real_root).split("/")
    *dirs, name = rel_parts
    dir_fd = _open_dir_nofollow(real_root, dirs)  # refuses missing or swapped directories
    try:
        problem = nix_parse(data, os.path.dirname(target), env)
        if problem is not None:
            raise Invalid(f"the new content does not parse: {problem}")
        old = _existing(name, dir_fd)
        if old is not None:
            _backup(settings, os.path.relpath(target, real_root), _read_at(name, dir_fd), old)
        _replace(dir_fd, name, data, old)
    finally:
        os.close(dir_fd)
    return target


def _replace(dir_fd: int, name: str, data: bytes, old: os.stat_result | None) -> None:
    tmp = f".{name}.{secrets.token_hex(6)}.nixos-settings-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        _write_all(fd, data)
        if old is not None:
            mode, uid, gid = stat.S_IMODE(old.st_mode), old.st_uid, old.st_gid
        else:  # a new file belongs to whoever owns the directory, like its neighbours
            dst = os.fstat(dir_fd)
            mode, uid, gid = 0o644, dst.st_uid, dst.st_gid
        _chown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.close(fd)
    os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    os.fsync(dir_fd)


def _chown(fd: int, uid: int, gid: int) -> None:
    try:
        os.fchown(fd, uid, gid)
    except PermissionError:
        if os.geteuid() == 0:
            raise
        # Test mode without root: the file simply stays ours.


def _backup(settings: Settings, rel: str, data: bytes, old: os.stat_result) -> None:
    """Keep the previous content, root-only, under the state directory."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    base = os.path.join(settings.state, "backups")
    os.makedirs(base, mode=0o700, exist_ok=True)
    path = os.path.join(base, f"{stamp}--{rel.replace('/', '--')}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.utime(path, (old.st_atime, old.st_mtime))
    for stale in sorted(os.listdir(base))[:-BACKUPS_KEPT]:
        os.unlink(os.path.join(base, stale))


# --------------------------------------------------------------------------- running


def read_nix_path(set_environment: str = "/etc/set-environment") -> str | None:
    """The ``NIX_PATH`` NixOS exports to login shells, read without running a shell."""
    try:
        with open(set_environment, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        m = re.fullmatch(r'\s*export NIX_PATH="([^"$`\\]*)"\s*', line)
        if m is not None and m.group(1):
            return m.group(1)
    return None


def child_env(settings: Settings, env: Mapping[str, str]) -> dict[str, str]:
    """The environment ``nixos-rebuild`` gets; built from scratch outside test mode."""
    out: dict[str, str] = dict(env) if settings.test_mode else {}
    for key in ("LANG", "LANGUAGE", "TERM", "TZ", *(k for k in env if k.startswith("LC_"))):
        if key in env:
            out[key] = env[key]
    out.setdefault("LANG", "C.UTF-8")
    out["PATH"] = ":".join([*settings.extra_path, *SYSTEM_PATH])
    out["NIX_PATH"] = env.get("NIX_PATH") or read_nix_path() or DEFAULT_NIX_PATH
    if not settings.test_mode:
        out["HOME"] = "/root" if os.geteuid() == 0 else os.path.expanduser("~")
        out["USER"] = out["LOGNAME"] = "root" if os.geteuid() == 0 else out.get("USER", "")
    archive = "/run/current-system/sw/lib/locale/locale-archive"
    if os.path.exists(archive):
        out["LOCALE_ARCHIVE"] = archive
    return out


class Runner:
    """Runs one child process group with pass-through output and cooperative cancel."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.cancel_requested = threading.Event()

    def watch_stdin(self) -> None:
        """Cancel when the line ``cancel`` arrives on stdin (EOF alone does nothing)."""

        def reader() -> None:
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader
            # makes interpreter shutdown abort ("could not acquire lock").
            pending = b""
            while True:
                try:
                    chunk = os.read(0, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                *lines, pending = pending.split(b"\n")
                if any(line.strip() == b"cancel" for line in lines):
                    self.cancel_requested.set()
                    return
                pending = pending[-64:]

        threading.Thread(target=reader, daemon=True).start()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: self.cancel_requested.set())

    def run(self, argv: Sequence[str]) -> int:
        """Run ``argv``; returns its exit status (128 + signal if it was killed)."""
        exe = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0], path=self.env["PATH"])
        if exe is None or not os.access(exe, os.X_OK):
            print(f"nixos-settings-helper: {argv[0]} not found", file=sys.stderr)
            return EXIT_NOT_FOUND
        sys.stdout.flush()
        proc = subprocess.Popen(
            [exe, *argv[1:]], env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
        )
        return self._wait(proc)

    def _wait(self, proc: subprocess.Popen[bytes]) -> int:
        # SIGINT first (what Ctrl-C does, nixos-rebuild cleans up), then harder.
        steps = [
            (signal.SIGINT, ESCALATE_AFTER[0]),
            (signal.SIGTERM, ESCALATE_AFTER[1]),
            (signal.SIGKILL, 0.0),
        ]
        next_step_at = 0.0
        while True:
            try:
                code = proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                code = None
            if code is not None:
                return code if code >= 0 else 128 - code
            now = time.monotonic()
            if self.cancel_requested.is_set() and steps and now >= next_step_at:
                sig, delay = steps.pop(0)
                _killpg(proc.pid, sig)
                next_step_at = now + delay


def _killpg(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- verbs


def _parse_rebuild_args(args: Sequence[str], settings: Settings) -> list[str]:
    if not args or args[0] not in ACTIONS:
        raise Refused(f"rebuild needs one action of: {', '.join(ACTIONS)}")
    argv = ["nixos-rebuild", args[0]]
    rest = list(args[1:])
    if len(rest) not in (0, 2):
        raise Refused("rebuild takes at most one of --flake DIR#HOST or --config FILE")
    if rest:
        flag, value = rest
        if flag == "--flake":
            argv += ["--flake", check_flake(value, settings.root)]
        elif flag == "--config":
            path = resolve_in_root(value, settings.root, what="configuration file")
            if not path.endswith(".nix") or not os.path.isfile(path):
                raise Refused(f"{value!r} is not an existing .nix file")
            argv += ["-I", f"nixos-config={path}"]
        else:
            raise Refused(f"unknown option {flag!r}")
    return argv


def _switch_generation_argvs(arg: str, settings: Settings) -> list[list[str]]:
    if not GENERATION_RE.fullmatch(arg):
        raise Refused(f"invalid generation number {arg!r}")
    link = os.path.join(settings.profiles, f"system-{arg}-link")
    switch = os.path.join(link, "bin", "switch-to-configuration")
    if not os.path.islink(link) or not os.access(switch, os.X_OK):
        raise Refused(f"generation {arg} does not exist")
    profile = os.path.join(settings.profiles, "system")
    return [
        ["nix-env", "--profile", profile, "--switch-generation", arg],
        [switch, "switch"],
    ]


def _run_all(argvs: Sequence[Sequence[str]], settings: Settings, env: Mapping[str, str]) -> int:
    runner = Runner(child_env(settings, env))
    runner.install_signal_handlers()
    runner.watch_stdin()
    for i, argv in enumerate(argvs):
        if i > 0 and runner.cancel_requested.is_set():
            log(settings, "cancelled before the next step")
            return EXIT_FAILED
        log(settings, f"running {' '.join(argv)}")
        code = runner.run(argv)
        log(settings, f"{argv[0]} exited with status {code}")
        if code != 0:
            return code
    return 0


def _verb_write(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> int:
    if len(args) != 1:
        raise Refused("write takes exactly one path")
    data = sys.stdin.buffer.read(MAX_INPUT + 1)
    written = write_file(settings, args[0], data, child_env(settings, env))
    log(settings, f"wrote {len(data)} bytes to {written}")
    return 0


def _verb_rebuild(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> int:
    return _run_all([_parse_rebuild_args(args, settings)], settings, env)


def _verb_rollback(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> int:
    if args:
        raise Refused("rollback takes no arguments")
    return _run_all([["nixos-rebuild", "switch", "--rollback"]], settings, env)


def _verb_switch_generation(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> int:
    if len(args) != 1:
        raise Refused("switch-generation takes exactly one number")
    return _run_all(_switch_generation_argvs(args[0], settings), settings, env)


VERBS: dict[str, Callable[[Sequence[str], Settings, Mapping[str, str]], int]] = {
    "write": _verb_write,
    "rebuild": _verb_rebuild,
    "rollback": _verb_rollback,
    "switch-generation": _verb_switch_generation,
}


# --------------------------------------------------------------------------- logging


def log(settings: Settings, message: str) -> None:
    """Record an action (syslog outside test mode, and the log file); never fatal."""
    line = f"{dt.datetime.now().isoformat(timespec='seconds')} uid={settings.caller} {message}"
    if not settings.test_mode:
        try:
            syslog.openlog("nixos-settings-helper", 0, syslog.LOG_AUTHPRIV)
            syslog.syslog(syslog.LOG_NOTICE, f"uid={settings.caller} {message}")
        except OSError:
            pass
    try:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(settings.log_file, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    except OSError as err:
        print(f"nixos-settings-helper: cannot write log: {err}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ)
    os.umask(0o022)
    try:
        settings = Settings.from_env(env)
    except Refused as err:
        print(f"nixos-settings-helper: refused: {err}", file=sys.stderr)
        return err.status
    if not args or args[0] not in VERBS:
        print(
            "usage: nixos-settings-helper {write PATH | rebuild ACTION [--flake DIR#HOST |"
            " --config FILE] | rollback | switch-generation N}",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    verb, rest = args[0], args[1:]
    try:
        return VERBS[verb](rest, settings, env)
    except Refused as err:
        log(settings, f"refused {verb} {rest!r}: {err}")
        print(f"nixos-settings-helper: refused: {err}", file=sys.stderr)
        return err.status
    except OSError as err:
        log(settings, f"failed {verb} {rest!r}: {err}")
        print(f"nixos-settings-helper: {verb} failed: {err}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
