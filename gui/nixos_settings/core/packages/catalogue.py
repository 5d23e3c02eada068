"""Package catalogues: what a package source says about each package, as plain rows.

Three input shapes are read, each into the same :class:`Package` fields:

* the channel format (``packages.json`` of a NixOS channel, usually ``.br`` compressed):
  ``{"version": 2, "packages": {ATTR: {"pname", "version", "meta": {…}}}}``;
* ``nix search --json``: ``{"legacyPackages.SYSTEM.ATTR": {"pname", "version",
  "description"}}``;
* ``nix-env -qaP --json --meta``: ``{"CHANNEL.ATTR": {"pname", "version", "meta": {…}}}``.

Rows are tuples in :data:`COLUMNS` order so that building the index does not create an
object per package.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import NixSettingsError
from nixos_settings.core.common.records import record


class CatalogueError(NixSettingsError):
    """A package list could not be read (missing, damaged, or in no known shape)."""


#: the fields of a package, in row order
COLUMNS = ("attr", "pname", "version", "description", "homepage", "license", "unfree",
           "broken", "insecure", "main_program", "position")


@record
class Package:
    """One package of a catalogue."""

    attr: str
    pname: str = ""
    version: str = ""
    description: str = ""
    homepage: str = ""
    license: str = ""
    unfree: bool = False
    broken: bool = False
    insecure: bool = False
    main_program: str = ""
    position: str = ""

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Package:
        return cls(attr=row[0], pname=row[1] or "", version=row[2] or "",
                   description=row[3] or "", homepage=row[4] or "", license=row[5] or "",
                   unfree=bool(row[6]), broken=bool(row[7]), insecure=bool(row[8]),
                   main_program=row[9] or "", position=row[10] or "")

    def as_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COLUMNS}


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def _licence(value: Any) -> tuple[str, bool]:
    """Words for a ``meta.license`` value and whether any licence in it is unfree."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    unfree = False
    for item in items:
        if isinstance(item, dict):
            name = item.get("spdxId") or item.get("shortName") or item.get("fullName") or ""
            if item.get("free") is False:
                unfree = True
        else:
            name = item if isinstance(item, str) else ""
        if name:
            names.append(str(name))
    return ", ".join(names), unfree


def _row(attr: str, rec: dict[str, Any]) -> tuple[Any, ...]:
    meta = rec.get("meta")
    if not isinstance(meta, dict):
        meta = rec  # nix search --json puts description beside pname
    licence, licence_unfree = _licence(meta.get("license"))
    insecure = meta.get("insecure")
    if insecure is None:
        insecure = bool(meta.get("knownVulnerabilities"))
    pname = rec.get("pname") or ""
    if not pname and isinstance(rec.get("name"), str):
        pname = rec["name"].rsplit("-", 1)[0] if rec.get("version") else rec["name"]
    return (attr, str(pname), str(rec.get("version") or ""),
            _first(meta.get("description")).strip(), _first(meta.get("homepage")), licence,
            int(bool(meta.get("unfree", licence_unfree))), int(bool(meta.get("broken"))),
            int(bool(insecure)), _first(meta.get("mainProgram")), _first(meta.get("position")))


_NIX_SEARCH_PREFIXES = ("legacyPackages.", "packages.")


def _strip_prefix(key: str) -> str:
    """``legacyPackages.x86_64-linux.hello`` → ``hello``; ``nixos.hello`` → ``hello``."""
    for prefix in _NIX_SEARCH_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):].partition(".")[2] or key
    head, dot, rest = key.partition(".")
    return rest if dot and head in ("nixos", "nixpkgs") else key


def rows(data: Any, where: str = "the package list") -> Iterator[tuple[Any, ...]]:
    """The package rows of decoded JSON in any of the three shapes."""
    if not isinstance(data, dict):
        raise CatalogueError(f"{where} is not a package list (expected a JSON object)")
    if isinstance(data.get("packages"), dict) and "version" in data:
        for attr, rec in data["packages"].items():
            if isinstance(rec, dict):
                yield _row(attr, rec)
        return
    for key, rec in data.items():
        if isinstance(rec, dict) and ("pname" in rec or "name" in rec or "meta" in rec):
            yield _row(_strip_prefix(key), rec)


def decode(raw: bytes, where: str) -> Any:
    """Decompressed and parsed JSON of a package list (gzip and brotli are recognised)."""
    if raw[:2] == b"\x1f\x8b":
        import gzip
        import zlib

        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error):
            raise CatalogueError(f"{where} is damaged or incomplete (gzip data); "
                                 "download or copy it again") from None
    elif where.endswith(".br") or raw[:1] not in (b"{", b"[", b" ", b"\n", b"\r", b"\t"):
        import brotli

        try:
            raw = brotli.decompress(raw)
        except brotli.error:
            raise CatalogueError(f"{where} is damaged or incomplete (brotli data); "
                                 "download or copy it again") from None
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise CatalogueError(f"{where} is not valid JSON ({err}); download or copy it "
                             "again") from None


def read_file(path: Path) -> list[tuple[Any, ...]]:
    """Every package row of a local package list (``.json``, ``.json.br``, ``.json.gz``)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise CatalogueError(f"cannot read the package list {path}: {err.strerror}") from None
    found = list(rows(decode(raw, str(path)), str(path)))
    if not found:
        raise CatalogueError(f"{path} holds no packages (expected a channel packages.json "
                             "or the output of nix search --json)")
    return found
