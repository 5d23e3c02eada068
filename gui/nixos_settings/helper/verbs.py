"""The helper's four verbs and its entry point."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Callable, Mapping, Sequence

from nixos_settings.helper.checks import check_flake, resolve_in_root, shown
from nixos_settings.helper.files import write_file
from nixos_settings.helper.running import Runner, child_env
from nixos_settings.helper.settings import (
    ACTIONS,
    EXIT_FAILED,
    EXIT_REFUSED,
    GENERATION_RE,
    MAX_INPUT,
    STDIN_WAIT,
    Refused,
    Settings,
    log,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
USAGE = ("usage: nixos-settings-helper {write PATH --expect SHA256|new | rebuild ACTION "
         "[--flake DIR#HOST | --config FILE] | rollback | switch-generation N}")


def say(message: str) -> None:
    """One line on stderr, even when stderr is closed or the text is not UTF-8."""
    line = message.replace("\n", " ").encode("utf-8", "backslashreplace") + b"\n"
    try:
        os.write(2, line)
    except OSError:
        pass


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
                raise Refused(f"{shown(value)} is not an existing .nix file")
            argv += ["-I", f"nixos-config={path}"]
        else:
            raise Refused(f"unknown option {shown(flag)}")
    return argv


def _switch_generation_argvs(arg: str, settings: Settings) -> list[list[str]]:
    if not GENERATION_RE.fullmatch(arg):
        raise Refused(f"invalid generation number {shown(arg)}")
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


def _read_stdin(limit: int, wait: float, closed: bool) -> bytes:
    """At most ``limit + 1`` bytes of standard input, within ``wait`` seconds."""
    if closed:
        raise Refused("no content on standard input (it is closed)")
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + wait
    while size <= limit:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Refused(f"the new content did not arrive within {wait:.0f} s")
        ready, _, _ = select.select([0], [], [], left)
        if not ready:
            continue
        chunk = os.read(0, min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _verb_write(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> int:
    if len(args) != 3 or args[1] != "--expect":
        raise Refused("write takes exactly one path and --expect SHA256 (or --expect new)")
    expected = args[2]
    if expected != "new" and not _SHA256.fullmatch(expected):
        raise Refused("--expect wants the SHA-256 of the content read, or 'new'")
    data = _read_stdin(MAX_INPUT, STDIN_WAIT, settings.stdin_closed)
    written = write_file(settings, args[0], data, expected, child_env(settings, env))
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


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None,
         log_file: str | None = None) -> int:
    """Entry point; returns the exit status.  Every failure is one line on stderr.

    ``environ`` and ``log_file`` are for tests calling in-process: a log file given here
    also turns syslog off, so a test never writes to the system's logs.
    """
    closed = _guard_standard_fds()
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ if environ is None else environ)
    os.umask(0o022)
    try:
        settings = Settings.from_env(env)
        settings.stdin_closed = 0 in closed
    except Refused as err:
        say(f"nixos-settings-helper: refused: {err}")
        return err.status
    if log_file is not None:
        settings.log_file, settings.syslog = log_file, False
    if not args or args[0] not in VERBS:
        say(USAGE)
        return EXIT_REFUSED
    verb, rest = args[0], args[1:]
    try:
        return VERBS[verb](rest, settings, env)
    except Refused as err:
        log(settings, f"refused {verb} {_shown_args(rest)}: {err}")
        say(f"nixos-settings-helper: refused: {err}")
        return err.status
    except OSError as err:
        log(settings, f"failed {verb} {_shown_args(rest)}: {err}")
        say(f"nixos-settings-helper: {verb} failed: {err.strerror or err}")
        return EXIT_FAILED
    except Exception as err:
        log(settings, f"internal error in {verb} {_shown_args(rest)}: {err!r}")
        say(f"nixos-settings-helper: {verb} failed: internal error ({type(err).__name__})")
        return EXIT_FAILED


def _guard_standard_fds() -> set[int]:
    """Open ``/dev/null`` on any of the descriptors 0, 1, 2 that was closed, so no file the
    helper opens later becomes "standard error" (and gets a message written into it)."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            new = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if new != fd:
                os.dup2(new, fd)
                os.close(new)
    return closed


def _shown_args(args: Sequence[str]) -> str:
    return " ".join(shown(a) for a in args)
