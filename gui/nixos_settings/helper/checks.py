"""Checks of the helper's arguments (paths inside the root, hosts, flakes) and of the
content to write."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Mapping

from nixos_settings.helper.settings import HOST_RE, MAX_INPUT, Invalid, Refused, Settings

#: characters refused in any argument: C0 and C1 controls, DEL, line and paragraph
#: separators, and the bidirectional overrides that make a logged path read differently
_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_ARG = 4096
MAX_NAME = 255


def _check_plain_arg(arg: str, what: str) -> None:
    if not arg or len(arg) > MAX_ARG:
        raise Refused(f"{what} is empty or too long")
    try:
        encoded = arg.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(f"{what} {shown(arg)} is not valid UTF-8") from None
    if len(encoded) > MAX_ARG:
        raise Refused(f"{what} is too long")
    if arg.startswith("-"):
        raise Refused(f"{what} {shown(arg)} starts with '-'")
    if _BAD_CHARS.search(arg):
        raise Refused(f"{what} {shown(arg)} contains control characters")
    if any(len(part.encode("utf-8")) > MAX_NAME for part in arg.split("/")):
        raise Refused(f"{what} has a name longer than {MAX_NAME} bytes")


def shown(arg: str, limit: int = 120) -> str:
    """``arg`` quoted for a one-line message: controls and separators escaped, bytes that
    are not UTF-8 shown as ``\\xNN``, other characters as they are."""
    out = []
    for c in arg[:limit]:
        code = ord(c)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif _BAD_CHARS.match(c) or 0xD800 <= code <= 0xDFFF or c in "\\'":
            out.append(c.encode("unicode_escape").decode("ascii") if c != "'" else "\\'")
        else:
            out.append(c)
    return "'" + "".join(out) + ("…'" if len(arg) > limit else "'")


def trusted_owners(settings: Settings) -> set[int]:
    """Who may own what the helper writes through: root (and, in test mode only, the
    helper's own user: it runs with no more rights than its caller there)."""
    return {0, os.geteuid()} if settings.test_mode else {0}


def open_trusted_root(real_root: str, settings: Settings) -> int:
    """A descriptor of the resolved configuration root, opened one component at a time
    from ``/`` with ``O_NOFOLLOW``; refused when a component could be changed by anyone
    but root: owned by another user, or writable by others (a folder above the root may
    be writable by all with the sticky bit, like ``/tmp``, which keeps others from
    replacing what root owns in it; the root itself may not)."""
    trusted = trusted_owners(settings)
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    parts = [p for p in real_root.split("/") if p]
    fd = os.open("/", flags)
    try:
        check_owner("/", os.fstat(fd), trusted, sticky_ok=bool(parts))
        for i, part in enumerate(parts):
            try:
                nxt = os.open(part, flags, dir_fd=fd)
            except OSError as err:
                raise Refused(f"cannot open {shown(real_root)} safely: {err.strerror}"
                              ) from None
            os.close(fd)
            fd = nxt
            check_owner(part, os.fstat(fd), trusted, sticky_ok=i < len(parts) - 1)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_owner(part: str, st: os.stat_result, trusted: set[int], *, sticky_ok: bool) -> None:
    """Refuse a folder on the way to a root write that someone else could change."""
    if st.st_uid not in trusted:
        raise Refused(f"the folder {shown(part)} on the way to the configuration belongs to "
                      f"user {st.st_uid}; only root may own it")
    if st.st_mode & 0o022 and not (sticky_ok and st.st_mode & stat.S_ISVTX):
        raise Refused(f"the folder {shown(part)} on the way to the configuration may be "
                      "changed by other users; not safe to write as root")


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
        raise Refused(f"{what} {shown(arg)} contains '..'")
    real_root = os.path.realpath(root)
    if os.path.isabs(arg):
        norm = os.path.normpath(arg)
        base = next((r for r in (root, real_root) if _inside(norm, os.path.normpath(r))), None)
        if base is None:
            raise Refused(f"{what} {shown(arg)} is outside {root}")
        rel = os.path.relpath(norm, os.path.normpath(base))
    else:
        rel = os.path.normpath(arg)
    resolved = os.path.realpath(os.path.join(real_root, rel))
    if not _inside(resolved, real_root):
        raise Refused(f"{what} {shown(arg)} resolves to {shown(resolved)}, outside {root}")
    return resolved


def check_host(host: str) -> str:
    """A ``nixosConfigurations`` attribute name: letters, digits, ``_`` and ``-``."""
    if not HOST_RE.fullmatch(host):
        raise Refused(f"invalid host name {shown(host)}")
    return host


def check_flake(ref: str, root: str) -> str:
    """``DIR#HOST`` with ``DIR`` a flake directory inside ``root``; returns it resolved."""
    _check_plain_arg(ref, "flake reference")
    path, sep, host = ref.partition("#")
    if not sep:
        raise Refused(f"flake reference {shown(ref)} lacks '#HOST'")
    check_host(host)
    directory = resolve_in_root(path, root, what="flake directory")
    if not os.path.isdir(directory) or not os.path.isfile(os.path.join(directory, "flake.nix")):
        raise Refused(f"{directory} is not a flake directory")
    return f"{directory}#{host}"


def check_content(data: bytes) -> str:
    """Decode new file content or refuse it (size, UTF-8, NUL)."""
    if not data.strip():
        raise Invalid("input is empty")
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
    """``None`` if ``nix-instantiate --parse`` accepts ``data`` or is not installed; else
    what is wrong with the text.  Refused (not "does not parse") when Nix itself fails.

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
        raise Refused(f"could not check the new content: nix-instantiate {err}; nothing "
                      "was written") from None
    if proc.returncode == 0:
        return None
    lines = proc.stderr.decode("utf-8", "replace").splitlines()
    msg = " ".join(" ".join(ln for ln in lines if not ln.startswith("warning:")).split())
    if "«stdin»" not in msg:  # not about the text: Nix itself failed
        raise Refused(f"could not check the new content: nix-instantiate failed "
                      f"({msg or f'exit status {proc.returncode}'}); nothing was written")
    return msg
