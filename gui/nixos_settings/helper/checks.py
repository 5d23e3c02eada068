"""Checks of the helper's arguments (paths inside the root, hosts, flakes) and of the
content to write."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

from nixos_settings.helper.settings import HOST_RE, MAX_INPUT, Invalid, Refused


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
