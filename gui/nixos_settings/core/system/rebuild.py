"""Running ``nixos-rebuild``: the command line, and making sense of what it prints.

Three pieces, all pure (no process is started here):

* :class:`RebuildRequest` turns "switch this configuration" into an argv, either for
  ``nixos-rebuild`` itself or for ``pkexec nixos-settings-helper rebuild …``.
* :class:`OutputClassifier` is fed raw output chunks as they arrive (bytes or text, cut
  anywhere, ``\\r``-terminated progress lines included) and returns finished
  :class:`Line` objects, each with a :class:`Kind`; it keeps a :class:`Progress` model
  built from Nix's plan ("these 4 derivations will be built:") and the ``building …`` /
  ``copying path …`` lines that follow.
* :func:`error_locations` finds ``at /etc/nixos/configuration.nix:12:5`` style places in
  Nix error messages, both the old one-line form and the newer block form.

The Qt panel and the CLI both use these, so the two frontends behave alike.
"""

from __future__ import annotations

import codecs
import enum
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nixos_settings.core.system.outcome import Outcome as Outcome
from nixos_settings.core.system.outcome import format_duration as format_duration
from nixos_settings.core.system.programs import HELPER_NAME as HELPER_NAME
from nixos_settings.core.system.programs import NIXOS_MARKER as NIXOS_MARKER
from nixos_settings.core.system.programs import RequestError as RequestError
from nixos_settings.core.system.programs import find_helper as find_helper
from nixos_settings.core.system.programs import missing_program as missing_program
from nixos_settings.core.system.programs import runs_nixos as runs_nixos

#: Actions ``nixos-rebuild`` accepts that this application offers.
ACTIONS: tuple[str, ...] = ("switch", "boot", "test", "build", "dry-build", "dry-activate")

#: Actions ``home-manager`` accepts that this application offers (``build`` is its check).
HM_ACTIONS: tuple[str, ...] = ("switch", "build")

#: The command each kind of configuration is applied with.
NIXOS_REBUILD = "nixos-rebuild"
HOME_MANAGER = "home-manager"

#: Actions that change the running system or the boot loader, hence need root.
#: ``build`` and ``dry-build`` only evaluate and build, which any user of the daemon may do.
ROOT_ACTIONS: frozenset[str] = frozenset({"switch", "boot", "test", "dry-activate"})

#: The file ``nixos-rebuild`` evaluates on a channel system when no ``-I`` is given.
DEFAULT_CONFIG = Path("/etc/nixos/configuration.nix")


# A host is one attribute of nixosConfigurations; we accept plain host-name-like names so
# that nothing can ever look like an option or need quoting.
_HOST_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}")
# Flake references: a path or URL-ish string without whitespace, quotes or shell syntax.
_FLAKE_REF_RE = re.compile(r"[A-Za-z0-9_./:+@~=%,][A-Za-z0-9_./:+@~=%,-]*")


def validate_host(host: str) -> str:
    """Return ``host`` if it is a safe ``nixosConfigurations`` attribute name.

    Raises:
        RequestError: empty, leading ``-``, whitespace or any character outside
            ``[A-Za-z0-9_-]``.
    """
    if not _HOST_RE.fullmatch(host):
        raise RequestError(f"invalid host name {host!r}: use letters, digits, '_' and '-'")
    return host


def split_flake_ref(ref: str) -> tuple[str, str]:
    """Split and validate ``PATH#HOST``; returns ``(path, host)``.

    Raises:
        RequestError: missing ``#HOST``, a leading ``-``, whitespace or shell
            metacharacters anywhere, or more than one ``#``.
    """
    path, sep, host = ref.partition("#")
    if not sep or not path or "#" in host:
        raise RequestError(f"invalid flake reference {ref!r}: expected PATH#HOST")
    if not _FLAKE_REF_RE.fullmatch(path):
        raise RequestError(f"invalid flake path {path!r}")
    validate_host(host)
    return path, host


@dataclass(frozen=True)
class RebuildRequest:
    """What to rebuild and how.

    Attributes:
        action: one of :data:`ACTIONS`.
        flake: ``PATH#HOST`` for a flake system, else ``None`` (channel system).
        config_file: the channel configuration to build; ``None`` or
            :data:`DEFAULT_CONFIG` means ``nixos-rebuild``'s default.
        use_helper: run through ``pkexec nixos-settings-helper`` (root actions).
    """

    action: str
    flake: str | None = None
    config_file: Path | None = None
    use_helper: bool = False
    #: :data:`NIXOS_REBUILD`, or :data:`HOME_MANAGER` for a Home Manager file (its own
    #: user's, so never through the root helper)
    tool: str = NIXOS_REBUILD

    def __post_init__(self) -> None:
        actions = HM_ACTIONS if self.tool == HOME_MANAGER else ACTIONS
        if self.tool not in (NIXOS_REBUILD, HOME_MANAGER):
            raise RequestError(f"unknown tool {self.tool!r}")
        if self.action not in actions:
            raise RequestError(
                f"unknown action {self.action!r}; expected one of {', '.join(actions)}"
            )
        if self.tool == HOME_MANAGER and self.use_helper:
            raise RequestError("home-manager runs as its user, never through the root helper")
        if self.flake is not None:
            split_flake_ref(self.flake)
            if self.config_file is not None:
                raise RequestError("a flake request takes no configuration file")
        if self.config_file is not None:
            text = str(self.config_file)
            if text.startswith("-") or any(c.isspace() for c in text) or "\0" in text:
                raise RequestError(f"invalid configuration file name {text!r}")

    @property
    def needs_root(self) -> bool:
        """Whether the action changes the system (and so needs the helper or root)."""
        return self.tool == NIXOS_REBUILD and self.action in ROOT_ACTIONS

    @property
    def check_action(self) -> str:
        """The action that checks this configuration without changing anything."""
        return "build" if self.tool == HOME_MANAGER else "dry-build"

    @property
    def is_check(self) -> bool:
        return self.action == self.check_action

    def _custom_config(self) -> Path | None:
        if self.config_file is None:
            return None
        if Path(os.path.abspath(self.config_file)) == DEFAULT_CONFIG:
            return None
        return Path(os.path.abspath(self.config_file))

    def home_manager_argv(self, program: str = HOME_MANAGER) -> list[str]:
        """``home-manager ACTION (--flake P#H | -f FILE)``."""
        argv = [program, self.action]
        if self.flake is not None:
            return [*argv, "--flake", self.flake]
        if self.config_file is not None:
            argv += ["-f", os.path.abspath(self.config_file)]
        return argv

    def rebuild_argv(self, program: str = "nixos-rebuild") -> list[str]:
        """The plain ``nixos-rebuild`` command line."""
        argv = [program, self.action]
        if self.flake is not None:
            argv += ["--flake", self.flake]
        custom = self._custom_config()
        if custom is not None:
            argv += ["-I", f"nixos-config={custom}"]
        return argv

    def helper_argv(self, helper: str, pkexec: str = "pkexec") -> list[str]:
        """``pkexec HELPER rebuild ACTION [--flake P#H] [--config F]``.

        ``helper`` must be the absolute path the polkit policy names, since pkexec
        compares it literally.
        """
        argv = [pkexec, helper, "rebuild", self.action]
        if self.flake is not None:
            argv += ["--flake", self.flake]
        custom = self._custom_config()
        if custom is not None:
            argv += ["--config", str(custom)]
        return argv

    def argv(self, env: Mapping[str, str] | None = None) -> list[str]:
        """The command to start: through the helper when ``use_helper`` is set.

        Raises:
            RequestError: a program it needs is not installed (the message says which,
                and what it means: on a machine without NixOS, there is no nixos-rebuild).
        """
        problem = missing_program(self.tool, env)
        if self.tool == HOME_MANAGER:
            if problem is not None:
                raise RequestError(problem)
            return self.home_manager_argv()
        if problem is None and self.use_helper:
            problem = missing_program("pkexec", env)
        if problem is not None:
            raise RequestError(problem)
        if self.use_helper:
            return self.helper_argv(find_helper(env))
        return self.rebuild_argv()


# --------------------------------------------------------------------------- output model


class Kind(enum.Enum):
    """What a line of rebuild output is about."""

    INFO = "info"
    PROGRESS = "progress"  # transient status (``\r`` lines, Nix's progress bar)
    WARNING = "warning"
    ERROR = "error"
    BUILDING = "building"
    FETCHING = "fetching"  # copying/fetching/downloading store paths
    PLAN = "plan"  # a store path listed under "these N … will be built/fetched"


@dataclass(frozen=True)
class ErrorLocation:
    """A place Nix blamed: 1-based ``line``/``column``, 0 when only the file is known."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"

    def in_store(self) -> bool:
        """Whether the file is a copy in the Nix store (flakes evaluate such copies)."""
        return self.path.startswith("/nix/store/")

    def local(self, flake_dir: str | Path | None) -> ErrorLocation:
        """Map ``/nix/store/HASH-source/REL`` back to ``flake_dir/REL`` if that file exists.

        Flakes are copied to the store before evaluation, so errors name the copy; the
        user wants the file they edit. Paths that do not exist under ``flake_dir``
        (nixpkgs modules, say) are returned unchanged.
        """
        m = _STORE_SOURCE_RE.match(self.path)
        if flake_dir is None or m is None:
            return self
        candidate = Path(flake_dir) / m.group(1)
        if candidate.is_file():
            return ErrorLocation(str(candidate), self.line, self.column)
        return self


class Line(NamedTuple):
    """One finished line of output (a named tuple: a rebuild can print 100,000 of them).

    Attributes:
        text: the line without its terminator and without ANSI escapes.
        kind: the classification.
        transient: ended by a bare ``\\r``: the next line replaces it on a terminal.
        location: the place named on this line, if any.
    """

    text: str
    kind: Kind
    transient: bool = False
    location: ErrorLocation | None = None


@dataclass
class Progress:
    """Counts gathered from the output; ``total`` grows as Nix announces work."""

    builds_total: int = 0
    builds_done: int = 0
    fetches_total: int = 0
    fetches_done: int = 0
    phase: str = ""  # the latest nixos-rebuild status line ("activating the configuration…")
    current: str = ""  # the derivation or path being worked on

    @property
    def total(self) -> int:
        """All announced builds and fetches."""
        return self.builds_total + self.fetches_total

    @property
    def done(self) -> int:
        """Finished or started builds and fetches, never more than :attr:`total`."""
        return min(self.builds_done, self.builds_total) + min(self.fetches_done, self.fetches_total)

    @property
    def fraction(self) -> float | None:
        """``done / total`` in [0, 1], or ``None`` while nothing is announced."""
        if self.total == 0:
            return None
        return self.done / self.total


# ``\x1b[…m`` colours, ``\x1b[K`` erase-line and friends, as Nix prints on a terminal.
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# "these 4 derivations will be built:", "this path will be fetched (…):", and Nix 2.3's
# count-less "these derivations will be built:" (then every listed path counts one).
_PLAN_RE = re.compile(r"^(?:these (\d+ )?|this )(?:derivations?|paths?) will be (built|fetched)\b")
_BUILDING_RE = re.compile(r"^building '(/nix/store/[^']+)'")
_COPYING_RE = re.compile(r"^(?:copying path|fetching path|downloading) '([^']+)'")
_BAR_BUILT_RE = re.compile(r"(\d+)(?:/\d+)?/(\d+) built")
_BAR_COPIED_RE = re.compile(r"(\d+)(?:/\d+)?/(\d+) copied")
_STORE_PATH_RE = re.compile(r"^\s+/nix/store/\S+$")
_STORE_SOURCE_RE = re.compile(r"^/nix/store/[0-9a-z]{32}-source/(.+)$")
# "at /etc/nixos/configuration.nix:12:5:" (Nix >= 2.4) and
# "…, at /etc/nixos/configuration.nix:12:5" (Nix 2.3). Paths with spaces are not matched.
_AT_RE = re.compile(r"\bat (/[^\s:,'\"`]+):(\d+):(\d+)(?=$|[:,\s)])")
# "- In `/etc/nixos/configuration.nix': true" (option definition listings): file only.
_IN_FILE_RE = re.compile(r"^\s*- In [`'‘](/[^'`’\s]+)['’]")
_WARNING_RE = re.compile(r"^(?:trace: )?(?:evaluation )?warning:")
_ERROR_RE = re.compile(r"^(?:error|fatal)(?: \(ignored\))?:")
_PHASES = (
    "building Nix",
    "building the system configuration",
    "activating the configuration",
    "updating GRUB",
    "installing the GRUB",
    "updating systemd-boot",
    "Copying closure",
    "setting up /etc",
    "reloading user units",
    "restarting the following units",
    "starting the following units",
    "stopping the following units",
    "would ",
)


def error_locations(text: str) -> list[ErrorLocation]:
    """All places named in ``text`` (any number of lines), in order, without repeats."""
    seen: dict[ErrorLocation, None] = {}
    for raw in text.splitlines():
        for loc in _line_locations(raw):
            seen.setdefault(loc)
    return list(seen)


def best_location(
    locations: Iterable[ErrorLocation], flake_dir: str | Path | None = None
) -> ErrorLocation | None:
    """The place most worth showing: the last one outside the Nix store.

    Nix prints the trace outermost first, so the last location is the innermost one; for
    flakes, store copies are first mapped back with :meth:`ErrorLocation.local`. Falls
    back to the last location of all, ``None`` when there is none.
    """
    mapped = [loc.local(flake_dir) for loc in locations]
    local = [loc for loc in mapped if not loc.in_store()]
    if local:
        return local[-1]
    return mapped[-1] if mapped else None


def _line_locations(text: str) -> list[ErrorLocation]:
    found = [
        ErrorLocation(m.group(1), int(m.group(2)), int(m.group(3))) for m in _AT_RE.finditer(text)
    ]
    if not found:
        m = _IN_FILE_RE.match(text)
        if m is not None:
            found.append(ErrorLocation(m.group(1), 0, 0))
    return found


@dataclass
class OutputClassifier:
    """Incremental classifier of ``nixos-rebuild`` output (stdout and stderr merged).

    Feed chunks as they arrive with :meth:`feed`; call :meth:`finish` at the end to get
    the last unterminated line. Chunks may split lines, UTF-8 sequences and ``\\r\\n``
    pairs anywhere.
    """

    progress: Progress = field(default_factory=Progress)
    #: Every error line seen (first lines of error blocks and their continuations).
    errors: list[Line] = field(default_factory=list)
    #: Every distinct location named in error or warning output, in order.
    locations: list[ErrorLocation] = field(default_factory=list)
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )
    _pending: str = ""
    _in_error: bool = False
    _plan: Kind | None = None
    _plan_uncounted: bool = False
    _seen_builds: set[str] = field(default_factory=set)
    _seen_fetches: set[str] = field(default_factory=set)

    def feed(self, chunk: bytes | str) -> list[Line]:
        """Add output; return the lines it completed."""
        text = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
        return self._split(self._pending + text, final=False)

    def finish(self) -> list[Line]:
        """Flush the decoder and return the last line if it had no terminator."""
        return self._split(self._pending + self._decoder.decode(b"", final=True), final=True)

    def headline(self) -> str | None:
        """The error line to show beside a failure: the first ``error: …`` that says
        something (Nix 2.13+ opens with a bare ``error:`` and a trace before the message)."""
        texts = [line.text.strip() for line in self.errors]
        telling = [t for t in texts if t.startswith("error:") and t != "error:"]
        return telling[0] if telling else (texts[0] if texts else None)

    def _split(self, text: str, *, final: bool) -> list[Line]:
        out: list[Line] = []
        if "\r" not in text:  # the common case: plain "\n" lines
            *complete, rest = text.split("\n")
            for raw in complete:
                self._emit(out, raw, transient=False)
            if final and rest:
                self._emit(out, rest, transient=False)
                rest = ""
            self._pending = rest
            return out
        start = 0
        n = len(text)
        while True:
            i = _next_break(text, start)
            if i < 0:
                break
            if text[i] == "\n":
                self._emit(out, text[start:i], transient=False)
                start = i + 1
            elif i + 1 < n:  # "\r": is it half of "\r\n"?
                crlf = text[i + 1] == "\n"
                self._emit(out, text[start:i], transient=not crlf)
                start = i + 2 if crlf else i + 1
            elif final:
                self._emit(out, text[start:i], transient=True)
                start = i + 1
            else:  # a trailing "\r": wait for the next chunk to know
                break
        rest = text[start:]
        if final and rest:
            self._emit(out, rest, transient=False)
            rest = ""
        self._pending = rest
        return out

    def _emit(self, out: list[Line], raw: str, *, transient: bool) -> None:
        text = _ANSI_RE.sub("", raw) if "\x1b" in raw else raw
        if transient:
            # An empty "\r" segment is the terminal redrawing, not a line.
            if text:
                self._bar(text)
                out.append(Line(text, Kind.PROGRESS, transient=True))
            return
        kind = self._kind(text)
        found: list[ErrorLocation] = []
        if (kind is Kind.ERROR or kind is Kind.WARNING) and ("at /" in text or "- In " in text):
            found = _line_locations(text)
        for loc in found:
            if loc not in self.locations:
                self.locations.append(loc)
        # Of several places on one line (Nix 2.3's "function at A called … at B"), the
        # last is the one the message is about.
        line = Line(text, kind, location=found[-1] if found else None)
        if kind is Kind.ERROR:
            self.errors.append(line)
        out.append(line)

    def _kind(self, text: str) -> Kind:
        stripped = text.strip()
        if stripped[:1] in "ef" and _ERROR_RE.match(stripped):
            self._in_error, self._plan = True, None
            return Kind.ERROR
        # Error blocks continue with indented lines, blank lines and the --show-trace hint.
        if self._in_error:
            if not stripped or text[:1].isspace() or stripped.startswith("(use '--show-trace'"):
                return Kind.ERROR
            self._in_error = False
        if self._plan is not None:
            if _STORE_PATH_RE.match(text):
                if self._plan_uncounted:
                    self._add_total(1, build=self._plan is Kind.BUILDING)
                return Kind.PLAN
            self._plan = None
        return self._kind_plain(text, stripped)

    def _kind_plain(self, text: str, stripped: str) -> Kind:
        if stripped[:1] in "twe" and _WARNING_RE.match(stripped):
            return Kind.WARNING
        m = _PLAN_RE.match(text) if text.startswith("th") else None
        if m is not None:
            self._start_plan(m.group(1), text.startswith("this "), m.group(2) == "built")
            return Kind.INFO
        m = _BUILDING_RE.match(text) if text.startswith("building '") else None
        if m is not None:
            self._count(m.group(1), self._seen_builds, build=True)
            return Kind.BUILDING
        m = _COPYING_RE.match(text) if text[:1] in "cfd" else None
        if m is not None:
            self._count(m.group(1), self._seen_fetches, build=False)
            return Kind.FETCHING
        if text.startswith("[") and self._bar(text):
            return Kind.PROGRESS
        if text.startswith(_PHASES):
            self.progress.phase = stripped.rstrip(".").rstrip("…")
        return Kind.INFO

    def _start_plan(self, number: str | None, single: bool, build: bool) -> None:
        self._plan = Kind.BUILDING if build else Kind.FETCHING
        self._plan_uncounted = number is None and not single
        if not self._plan_uncounted:
            self._add_total(int(number) if number else 1, build=build)

    def _add_total(self, count: int, *, build: bool) -> None:
        if build:
            self.progress.builds_total += count
        else:
            self.progress.fetches_total += count

    def _count(self, item: str, seen: set[str], *, build: bool) -> None:
        self.progress.current = _short_store_name(item)
        if item in seen:
            return
        seen.add(item)
        if build:
            self.progress.builds_done += 1
        else:
            self.progress.fetches_done += 1

    def _bar(self, text: str) -> bool:
        """Read Nix's progress bar (``[1/2/5 built, 3/12 copied (…)] …``) if present."""
        built = _BAR_BUILT_RE.search(text)
        copied = _BAR_COPIED_RE.search(text)
        p = self.progress
        if built is not None:
            p.builds_done = max(p.builds_done, int(built.group(1)))
            p.builds_total = max(p.builds_total, int(built.group(2)))
        if copied is not None:
            p.fetches_done = max(p.fetches_done, int(copied.group(1)))
            p.fetches_total = max(p.fetches_total, int(copied.group(2)))
        return built is not None or copied is not None


def _next_break(text: str, start: int) -> int:
    nl = text.find("\n", start)
    cr = text.find("\r", start, nl if nl >= 0 else len(text))
    return cr if cr >= 0 else nl


def _short_store_name(path: str) -> str:
    """``/nix/store/HASH-name-1.0.drv`` → ``name-1.0``."""
    name = path.rsplit("/", 1)[-1]
    if len(name) > 33 and name[32] == "-":
        name = name[33:]
    return name.removesuffix(".drv")


def classify_all(chunks: Iterable[bytes | str]) -> tuple[list[Line], OutputClassifier]:
    """Classify a whole transcript; convenience for tests and the CLI's replay."""
    classifier = OutputClassifier()
    lines: list[Line] = []
    for chunk in chunks:
        lines += classifier.feed(chunk)
    lines += classifier.finish()
    return lines, classifier
