"""The helper's fixed limits and places, its refusals, its settings and its log."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import syslog
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_INPUT = 4 * 1024 * 1024
#: the largest existing file the helper reads (to compare and back it up)
MAX_EXISTING = 16 * 1024 * 1024
#: seconds to wait for another save in the same folder, and for the content on stdin
LOCK_WAIT = 20.0
STDIN_WAIT = 60.0
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
#: versions kept per file
BACKUPS_KEPT = 20

EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_INVALID = 3
EXIT_CHANGED = 4
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


class Changed(Refused):
    """The file is not what the caller read: it changed on disk (exit status 4)."""

    status = EXIT_CHANGED


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
    syslog: bool = True
    stdin_closed: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the configuration; test overrides only when not elevated (see module doc)."""
        elevated = any(k in env for k in ("PKEXEC_UID", "SUDO_UID", "DOAS_USER"))
        caller = env.get("PKEXEC_UID") or env.get("SUDO_UID") or str(os.getuid())
        s = cls(caller=caller)
        if elevated or not any(env.get(k) for k in _TEST_VARS):
            return s
        s.test_mode = True
        s.syslog = False
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


def log(settings: Settings, message: str) -> None:
    """Record an action (syslog unless disabled, and the log file); never fatal.  Anything
    that is not UTF-8 is escaped, and the record is one line."""
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    message = message.replace("\n", "\\n").replace("\r", "\\r")
    line = f"{dt.datetime.now().isoformat(timespec='seconds')} uid={settings.caller} {message}"
    if settings.syslog:
        try:
            syslog.openlog("nixos-settings-helper", 0, syslog.LOG_AUTHPRIV)
            syslog.syslog(syslog.LOG_NOTICE, f"uid={settings.caller} {message}")
        except (OSError, ValueError):
            pass
    try:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(settings.log_file, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as f:
            f.write(line + "\n")
    except OSError as err:
        print(f"nixos-settings-helper: cannot write log: {err.strerror}", file=sys.stderr)
