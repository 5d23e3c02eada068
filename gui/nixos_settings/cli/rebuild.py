"""``nixos-settings rebuild`` and ``generations``: apply the configuration, roll back.

``rebuild`` runs ``nixos-rebuild`` and streams its classified output (progress, error
places); ``generations`` lists system generations and rolls back or switches to one,
after asking.

Root actions (switch, boot, test, dry-activate) go through ``pkexec nixos-settings-helper``
unless ``--no-helper`` is given or we already are root; ``build`` and ``dry-build`` run
``nixos-rebuild`` directly.  Ctrl-C asks the build to stop (through the helper's
``cancel`` line when the helper runs it), a second Ctrl-C kills what we can.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from nixos_settings.core.system.generations import (
    DEFAULT_PROFILES,
    list_generations,
    rollback_argv,
    switch_generation_argvs,
)
from nixos_settings.core.system.kind import HOME_MANAGER, file_kind, home_manager_action
from nixos_settings.core.system.rebuild import (
    ACTIONS,
    Kind,
    Line,
    Outcome,
    OutputClassifier,
    Progress,
    RebuildRequest,
    RequestError,
    best_location,
    find_helper,
)

_COLOURS = {Kind.ERROR: "\x1b[31m", Kind.WARNING: "\x1b[33m", Kind.PLAN: "\x1b[2m"}
_RESET = "\x1b[0m"
_CLEAR = "\r\x1b[K"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]
             ) -> argparse.ArgumentParser:
    """Add the ``rebuild`` and ``generations`` sub-commands to ``argparse`` sub-parsers.

    Returns the ``rebuild`` parser; both set ``func`` (``handler(args) -> int``).
    """
    p: argparse.ArgumentParser = subparsers.add_parser(
        "rebuild",
        help="apply the configuration with nixos-rebuild (a Home Manager file: home-manager)",
        description="Run nixos-rebuild (home-manager for a Home Manager file given with "
        "--file) and show its output with progress and error places.",
    )
    p.add_argument("action", choices=ACTIONS)
    # SUPPRESS: the same options given before "rebuild" (nixos-settings --file F rebuild …)
    # must not be reset by the sub-command's defaults.
    p.add_argument(
        "--flake", metavar="PATH#HOST", default=argparse.SUPPRESS, help="build a flake's host"
    )
    p.add_argument(
        "--file", "-f", metavar="F", default=argparse.SUPPRESS, help="channel configuration"
    )
    p.add_argument(
        "--no-helper",
        action="store_true",
        help="run nixos-rebuild directly, not through pkexec and the helper",
    )
    p.set_defaults(func=handler)
    g: argparse.ArgumentParser = subparsers.add_parser(
        "generations",
        help="list system generations, roll back or switch to one",
        description="List NixOS system generations; roll back or switch to one (asks first).",
    )
    g.add_argument("command", nargs="?", choices=("list", "rollback", "switch"), default="list")
    g.add_argument("number", nargs="?", type=int, help="generation to switch to")
    g.add_argument("--profiles", type=Path, default=DEFAULT_PROFILES, help=argparse.SUPPRESS)
    g.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    g.add_argument("--no-helper", action="store_true", help="run the commands directly")
    g.set_defaults(func=generations_handler)
    return p


def handler(args: argparse.Namespace) -> int:
    """Run the request described by ``args``; returns the exit status."""
    needs_root = args.action not in ("build", "dry-build")
    use_helper = needs_root and not args.no_helper and os.geteuid() != 0
    flake = getattr(args, "flake", None) or None
    file = getattr(args, "file", None)
    try:
        request = _request(args.action, flake, Path(file) if file else None, use_helper)
        argv = request.argv()
    except RequestError as err:
        print(f"nixos-settings rebuild: {err}", file=sys.stderr)
        return 2
    printer = Printer(sys.stdout, tty=sys.stdout.isatty())
    classifier = OutputClassifier()
    outcome = run(argv, request, printer.line, printer.status, classifier)
    printer.finish(outcome, classifier, request)
    return _status(outcome)


def _request(action: str, flake: str | None, file: Path | None,
             use_helper: bool) -> RebuildRequest:
    """The run for ``action``: a Home Manager file given with ``--file`` is applied with
    ``home-manager`` as the user (what the desktop app's Apply panel does)."""
    if flake is not None and "#" not in flake:
        flake = _with_host(flake)
    if flake is None and file is not None and file_kind(file) == HOME_MANAGER:
        return RebuildRequest(home_manager_action(action, file.name), config_file=file,
                              tool=HOME_MANAGER)
    return RebuildRequest(action, flake=flake, config_file=file, use_helper=use_helper)


def _with_host(flake: str) -> str:
    """``PATH#HOST`` for a flake given without its host: its only host, else RequestError
    saying how to pick one (the words ``--flake PATH`` gets everywhere)."""
    from nixos_settings.core.common.errors import NixSettingsError
    from nixos_settings.core.config.configuration import Configuration

    try:
        cfg = Configuration.load_flake(flake)
    except (NixSettingsError, OSError) as err:
        raise RequestError(str(err)) from None
    return f"{flake}#{cfg.flake_host}"


def generations_handler(args: argparse.Namespace, ask: Callable[[str], str] = input) -> int:
    """``generations [list | rollback | switch N]``; returns the exit status."""
    gens = list_generations(args.profiles)
    if args.command == "list":
        for gen in reversed(gens):
            print(gen.describe())
        if not gens:
            print(f"no system generations in {args.profiles}", file=sys.stderr)
        return 0 if gens else 1
    if args.command == "switch":
        target = next((g for g in gens if g.number == args.number), None)
        if target is None:
            print(f"nixos-settings generations: no generation {args.number}", file=sys.stderr)
            return 2
        question = f"Switch the system to generation {target.describe()}?"
    else:
        question = "Switch the system back to the previous generation?"
    if not args.yes and not _confirmed(question, ask):
        print("nothing done", file=sys.stderr)
        return 1
    return _run_generation_command(args)


def _confirmed(question: str, ask: Callable[[str], str]) -> bool:
    if not sys.stdin.isatty() and ask is input:
        print(f"{question} (use --yes when not on a terminal)", file=sys.stderr)
        return False
    try:
        return ask(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _run_generation_command(args: argparse.Namespace) -> int:
    via_helper = not args.no_helper and os.geteuid() != 0
    label = "rollback" if args.command == "rollback" else f"switch to generation {args.number}"
    if via_helper:
        verb = (
            ["rollback"] if args.command == "rollback" else ["switch-generation", str(args.number)]
        )
        try:
            argvs = [["pkexec", find_helper(), *verb]]
        except RequestError as err:
            print(f"nixos-settings generations: {err}", file=sys.stderr)
            return 2
    elif args.command == "rollback":
        argvs = [rollback_argv()]
    else:
        argvs = switch_generation_argvs(args.number, args.profiles)
    printer = Printer(sys.stdout, tty=sys.stdout.isatty())
    for argv in argvs:
        outcome = run_command(argv, label, via_helper, printer.line, printer.status)
        if not outcome.ok:
            break
    printer.finish(outcome, OutputClassifier(), None)
    return _status(outcome)


def _status(outcome: Outcome) -> int:
    if outcome.error is not None:
        return 127
    if outcome.cancelled:
        return 130
    return 1 if outcome.exit_code is None else outcome.exit_code


def run(
    argv: list[str],
    request: RebuildRequest,
    on_line: Callable[[Line, Progress], None],
    on_idle: Callable[[Progress], None] | None = None,
    classifier: OutputClassifier | None = None,
) -> Outcome:
    """Run ``argv`` for ``request``; see :func:`run_command`."""
    return run_command(argv, request.action, request.use_helper, on_line, on_idle, classifier)


def run_command(
    argv: list[str],
    label: str,
    via_helper: bool,
    on_line: Callable[[Line, Progress], None],
    on_idle: Callable[[Progress], None] | None = None,
    classifier: OutputClassifier | None = None,
) -> Outcome:
    """Run ``argv`` (stdout and stderr merged), feeding a classifier; returns the Outcome.

    ``on_line`` gets every classified line with the progress so far; ``on_idle`` is called
    after each chunk.  Pass ``classifier`` to read its errors and locations afterwards.
    With ``via_helper`` the child's stdin stays open so Ctrl-C can send it ``cancel``.
    """
    started = time.monotonic()
    classifier = OutputClassifier() if classifier is None else classifier
    try:
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE if via_helper else subprocess.DEVNULL,
        )
    except OSError as err:
        return Outcome(label, None, error=str(err))
    interrupts = _Interrupts(proc)
    with interrupts:
        _pump(proc, classifier, on_line, on_idle)
        code = proc.wait()
    for line in classifier.finish():
        on_line(line, classifier.progress)
    first = classifier.headline()
    return Outcome(
        label,
        code if code >= 0 else None,
        cancelled=interrupts.count > 0,
        duration=time.monotonic() - started,
        first_error=first,
    )


def _pump(
    proc: subprocess.Popen[bytes],
    classifier: OutputClassifier,
    on_line: Callable[[Line, Progress], None],
    on_idle: Callable[[Progress], None] | None,
) -> None:
    """Read merged output until EOF."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    while chunk := os.read(fd, 65536):
        for line in classifier.feed(chunk):
            on_line(line, classifier.progress)
        if on_idle is not None:
            on_idle(classifier.progress)


class _Interrupts:
    """While active, Ctrl-C (SIGINT) cancels the child once, and kills it the second time.

    A handler rather than ``KeyboardInterrupt``: the exception could surface anywhere,
    half-way through printing a line, and abandon the child.
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.count = 0
        self._previous: Any = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_sigint(self, _sig: int, _frame: object) -> None:
        self.count += 1
        _cancel(self.proc, hard=self.count > 1)


def _cancel(proc: subprocess.Popen[bytes], *, hard: bool) -> None:
    try:
        if hard:
            proc.kill()
        elif proc.stdin is not None:
            # The helper runs as root: we cannot signal it, but it listens for this line.
            proc.stdin.write(b"cancel\n")
            proc.stdin.flush()
        else:
            proc.send_signal(signal.SIGINT)
    except (OSError, ValueError):
        pass


class Printer:
    """Writes classified lines; on a terminal with colours and a live status line."""

    def __init__(self, out: IO[str], *, tty: bool) -> None:
        self.out = out
        self.tty = tty
        self._status_shown = False
        self._started = time.monotonic()

    def line(self, line: Line, progress: Progress) -> None:
        """Print one classified line."""
        if line.transient:
            if self.tty:
                self._status(line.text)
            return
        self._clear_status()
        text = line.text
        if line.kind in (Kind.BUILDING, Kind.FETCHING) and progress.total:
            text = f"[{progress.done}/{progress.total}] {text}"
        if self.tty and line.kind in _COLOURS:
            text = f"{_COLOURS[line.kind]}{text}{_RESET}"
        self.out.write(text + "\n")

    def status(self, progress: Progress) -> None:
        """Refresh the status line (terminal only) after a chunk of output."""
        if not self.tty:
            self.out.flush()
            return
        parts = [f"{int(time.monotonic() - self._started)} s"]
        if progress.fraction is not None:
            parts.insert(0, f"{progress.done}/{progress.total} {progress.fraction:4.0%}")
        what = progress.current or progress.phase
        if what:
            parts.append(what)
        self._status("[" + " | ".join(parts) + "]")

    def _status(self, text: str) -> None:
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.out.write(_CLEAR + text[:width])
        self.out.flush()
        self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self.out.write(_CLEAR)
            self._status_shown = False

    def finish(
        self, outcome: Outcome, classifier: OutputClassifier, request: RebuildRequest | None
    ) -> None:
        """Print the outcome and, after a failure, the most useful error place."""
        self._clear_status()
        if not outcome.ok:
            flake_dir = request.flake.partition("#")[0] if request and request.flake else None
            best = best_location(classifier.locations, flake_dir)
            if best is not None:
                self.out.write(f"error location: {best}\n")
        self.out.write(str(outcome) + "\n")
        self.out.flush()
