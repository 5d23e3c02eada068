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

This package imports only the standard library on purpose: it must stay small enough to
audit, and must not load the GUI's dependencies as root.

The package: :mod:`.settings` (limits, exit statuses, :class:`Settings`, the log),
:mod:`.checks` (arguments and content), :mod:`.files` (the atomic write with backups),
:mod:`.running` (the child environment and :class:`Runner`), :mod:`.verbs` (the four
verbs and :func:`main`).
"""

from __future__ import annotations

from nixos_settings.helper.checks import (
    check_content,
    check_flake,
    check_host,
    nix_parse,
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
    "check_flake", "check_host", "child_env", "log", "main", "nix_parse", "read_nix_path",
    "resolve_in_root", "write_file",
]
