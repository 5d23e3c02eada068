"""``nixos-settings-helper``: the only part of NixOS Settings that runs as root.

The GUI starts it with ``pkexec``; polkit has one action per verb
(``org.nixos-settings.helper.write`` / ``.rebuild`` / ``.rollback`` /
``.switch-generation``, told apart by the first argument).  It knows four fixed verbs and
nothing else::

    nixos-settings-helper write PATH --expect SHA256|new   # new content on stdin
    nixos-settings-helper rebuild ACTION [--flake DIR#HOST | --config FILE]
    nixos-settings-helper rollback
    nixos-settings-helper switch-generation N

Rules it enforces (each failure is one line on stderr; exit status 2 refused, 3 invalid
content, 4 the file changed on disk, 1 failed).  ``docs/security.md`` lists each promise
with the test that checks it.

* Arguments must be UTF-8, without C0/C1 controls, DEL, line separators or bidi
  overrides, at most 4096 bytes with names of at most 255 bytes.
* ``PATH``, ``FILE`` and ``DIR`` must lie inside the configuration directory
  (``/etc/nixos``): no ``..`` component, no leading ``-``, and the fully resolved path must
  stay inside the resolved directory, so a symlink pointing out (to ``/etc/shadow``, say)
  is refused.  Files written must end in ``.nix``.  Every folder on the resolved path must
  belong to root and not be writable by others (a sticky folder above the root excepted),
  and each is opened with ``O_NOFOLLOW`` from a descriptor of ``/``.
* ``write`` reads at most 4 MiB of non-empty strict UTF-8 without NUL bytes from stdin
  (within 60 s), checks it with ``nix-instantiate --parse`` (when Nix is installed), takes
  the folder's ``flock`` (the app takes the same), compares the file with ``--expect``
  (the SHA-256 of what the app read, or ``new``), backs the old content up under
  ``/var/lib/nixos-settings-helper/backups`` (root-only, per file, atomically), writes a
  temporary file with the old mode and owner, ``fsync``, compares again and exchanges it
  with the target in one step, refusing (and swapping back) when the displaced file is
  not the one expected.  Files are opened non-blocking: a FIFO is refused, never waited on.
* ``rebuild`` allows one action of a fixed list and a host name of ``[A-Za-z0-9_-]``;
  it runs ``nixos-rebuild`` directly (no shell) with stdout and stderr passed through and
  returns its exit status.  Writing the line ``cancel`` to its stdin (or SIGINT/SIGTERM)
  interrupts the build: SIGINT, then SIGTERM, then SIGKILL to its process group.  The GUI
  uses the stdin line because an unprivileged process cannot signal a root one.
* ``nixos-rebuild`` gets an environment built from nothing: a fixed ``PATH``, the
  system's ``NIX_PATH`` (from ``/etc/set-environment`` or the channel default),
  ``LANG=C.UTF-8``, ``HOME`` and ``LOCALE_ARCHIVE``.  The installed program
  (``packaging/nixos-settings-helper.in``) also starts Python isolated in a cleared
  environment.
* Everything it does is logged to syslog and ``/var/log/nixos-settings-helper.log``, one
  line per record, anything that is not UTF-8 escaped.  :func:`main` takes ``log_file``
  for in-process tests (then syslog is off too).

Test mode: the variables ``NIXOS_SETTINGS_HELPER_ROOT`` (configuration directory),
``NIXOS_SETTINGS_HELPER_PROFILES`` (profile directory), ``NIXOS_SETTINGS_HELPER_STATE``
(log file and backups) and ``NIXOS_SETTINGS_HELPER_PATH`` (prepended to ``PATH``) are
honoured *only* when the helper was not started through pkexec, sudo or doas (none of
``PKEXEC_UID``, ``SUDO_UID``, ``DOAS_USER`` is set).  Started that way it runs with
the caller's own rights, so the overrides give nothing away; through pkexec the
environment is cleared anyway and they are ignored on principle.  In test mode the
caller's environment is also passed on to ``nixos-rebuild``, the helper's own user may
own the configuration folders, and nothing goes to syslog.

This package imports only the standard library on purpose: it must stay small enough to
audit, and must not load the GUI's dependencies as root.

The package: :mod:`.settings` (limits, exit statuses, :class:`Settings`, the log),
:mod:`.checks` (arguments, trusted folders and content), :mod:`.files` (the
compare-and-swap write with backups), :mod:`.running` (the child environment and
:class:`Runner`), :mod:`.verbs` (the four verbs and :func:`main`).
"""

from __future__ import annotations

from nixos_settings.helper.checks import (
    check_content,
    check_flake,
    check_host,
    nix_parse,
    open_trusted_root,
    resolve_in_root,
)
from nixos_settings.helper.files import _open_dir_nofollow, write_file
from nixos_settings.helper.running import ESCALATE_AFTER, Runner, child_env, read_nix_path
from nixos_settings.helper.settings import (
    ACTIONS,
    BACKUPS_KEPT,
    DEFAULT_LOG,
    DEFAULT_NIX_PATH,
    DEFAULT_PROFILES,
    DEFAULT_ROOT,
    DEFAULT_STATE,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    GENERATION_RE,
    HOST_RE,
    MAX_INPUT,
    SYSTEM_PATH,
    Invalid,
    Refused,
    Settings,
    log,
)
from nixos_settings.helper.verbs import VERBS, main

__all__ = [
    "ACTIONS", "BACKUPS_KEPT", "DEFAULT_LOG", "DEFAULT_NIX_PATH", "DEFAULT_PROFILES",
    "DEFAULT_ROOT", "DEFAULT_STATE", "ESCALATE_AFTER", "EXIT_FAILED", "EXIT_INVALID",
    "EXIT_NOT_FOUND", "EXIT_REFUSED", "GENERATION_RE", "HOST_RE", "MAX_INPUT", "SYSTEM_PATH",
    "VERBS", "Invalid", "Refused", "Runner", "Settings", "_open_dir_nofollow", "check_content",
    "check_flake", "check_host", "child_env", "log", "main", "nix_parse", "open_trusted_root",
    "read_nix_path",
    "resolve_in_root", "write_file",
]
