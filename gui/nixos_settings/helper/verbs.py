"""The helper's four verbs and its entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

from nixos_settings.helper.checks import check_flake, resolve_in_root
from nixos_settings.helper.files import write_file
from nixos_settings.helper.running import Runner, child_env
from nixos_settings.helper.settings import (
    ACTIONS,
    EXIT_FAILED,
    EXIT_REFUSED,
    GENERATION_RE,
    MAX_INPUT,
    Refused,
    Settings,
    log,
)


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
