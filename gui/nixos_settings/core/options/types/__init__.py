"""Option types: the ``type`` description strings of options.json as objects.

One class per type (:mod:`.scalars`, :mod:`.composite`), each with its check of a decoded
Nix literal (:meth:`NixType.check`), its words (:meth:`NixType.words`, also ``label()``) and
the editor the settings window gives it (:attr:`NixType.editor`, an :class:`EditorKind`);
:mod:`.parse` builds them from the description strings.

Public API
==========

* ``parse_type(text: str) -> NixType`` – never raises; anything not understood becomes an
  ``ExpressionType`` (edit as Nix code).
* ``NixType`` fields: ``kind`` (one of :data:`KINDS`, per class), ``text`` (the original
  description), ``args`` (element type of ``list``/``attrs``/``function``; alternatives of
  ``either``), ``minimum``/``maximum`` (numbers), ``values`` (enum members as Python values:
  str, int, float, bool, None), ``pattern`` (regex a string must fully match),
  ``non_empty``, ``single_line``, ``absolute`` (paths), ``separator``
  (``lines``/``strings concatenated``), ``format`` (``"json"``, ``"toml"``, ``"yaml"``,
  ...).  Helpers: ``nullable``, ``without_null()``, ``words()``/``label()``, ``editor``,
  ``check(value)``.
* ``kinds(text) -> frozenset[str]`` – kinds of a type string, looking through ``null or`` and
  ``either`` (used by search filters).
* ``validate_literal(nixtype, nix_text) -> str | None`` – local check of a Nix literal; a
  precise message or None when it fits (or cannot be judged locally, e.g. ``pkgs.foo``).
* ``check_with_nix(loc, nix_text, ...) -> bool | None`` – best effort confirmation with the
  option's own ``type.check`` through ``nix-instantiate --eval`` (None when Nix or nixpkgs is
  not available, or the option has placeholders in its loc).
"""

from __future__ import annotations

from collections.abc import Sequence

from nixos_settings.core.common.errors import ParseError
from nixos_settings.core.nix.literals import read_literal
from nixos_settings.core.nix.optpath import show_segment
from nixos_settings.core.options.types.base import (
    INT64_MAX,
    INT64_MIN,
    EditorKind,
    NixType,
    describe_value,
    show_value,
)
from nixos_settings.core.options.types.composite import (
    AttrsType,
    EitherType,
    FunctionType,
    ListType,
    SubmoduleType,
)
from nixos_settings.core.options.types.parse import kinds, parse_type
from nixos_settings.core.options.types.posix import posix_to_python
from nixos_settings.core.options.types.scalars import (
    AnyType,
    BoolType,
    EnumType,
    ExpressionType,
    FloatType,
    FormatType,
    IntType,
    LinesType,
    NullType,
    NumberType,
    PackageType,
    PathType,
    StrType,
)

#: every type class, by kind
TYPES: dict[str, type[NixType]] = {
    cls.kind: cls
    for cls in (
        BoolType, IntType, FloatType, NumberType, StrType, EnumType, PathType, PackageType,
        ListType, AttrsType, SubmoduleType, NullType, EitherType, LinesType, FormatType,
        AnyType, FunctionType, ExpressionType,
    )
}
KINDS = tuple(TYPES)

__all__ = [
    "INT64_MAX", "INT64_MIN", "KINDS", "TYPES", "AnyType", "AttrsType", "BoolType",
    "EditorKind", "EitherType", "EnumType", "ExpressionType", "FloatType", "FormatType",
    "FunctionType", "IntType", "LinesType", "ListType", "NixType", "NullType", "NumberType",
    "PackageType", "PathType", "StrType", "SubmoduleType", "check_with_nix", "describe_value",
    "kinds", "make_type", "parse_type", "posix_to_python", "show_value", "validate_literal",
]


def make_type(kind: str, text: str = "", args: tuple[NixType, ...] = ()) -> NixType:
    """A type object of ``kind`` (one of :data:`KINDS`)."""
    return TYPES[kind](text, args)


def validate_literal(nixtype: NixType | str, nix_text: str) -> str | None:
    """Check Nix text against a type without evaluation; None when it fits.

    Returns a precise one-line message for a mismatch ("70000 is above the maximum 65535 for a
    port (0–65535)", "expected true or false, got the string \\"yes\\"", ...), or a syntax
    message when the text does not parse.  Values that need evaluation (``pkgs.foo``,
    ``lib.mkDefault x``, interpolated strings) are accepted.
    """
    t = parse_type(nixtype) if isinstance(nixtype, str) else nixtype
    try:
        value = read_literal(nix_text)
    except ParseError as err:
        return str(err)
    return t.check(value)




def check_with_nix(
    loc: Sequence[str],
    nix_text: str,
    *,
    options_expr: str = "(import <nixpkgs/nixos> { configuration = {}; }).options",
    nix_instantiate: str = "nix-instantiate",
    timeout: float = 60.0,
) -> bool | None:
    """Ask Nix whether ``nix_text`` passes the option's own ``type.check``.

    Best effort: returns None when ``nix-instantiate`` is missing, the evaluation fails (no
    ``<nixpkgs>``, the value needs ``pkgs``/``config``, ...), or ``loc`` has placeholders.
    ``options_expr`` is any Nix expression whose value is an options tree (e.g. a flake's
    ``nixosConfigurations.host.options``).
    """
    if any(s == "*" or (s.startswith("<") and s.endswith(">")) for s in loc):
        return None
    import shutil
    import subprocess

    exe = shutil.which(nix_instantiate)
    if exe is None:
        return None
    path = ".".join(show_segment(s) for s in loc)
    expr = f"let o = {options_expr}; in o.{path}.type.check ({nix_text})"
    try:
        res = subprocess.run(
            [exe, "--eval", "--strict", "--json", "-E", expr],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = res.stdout.strip()
    if res.returncode != 0 or out not in ("true", "false"):
        return None
    return out == "true"
