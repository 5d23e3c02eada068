"""Option metadata: the records of an ``options.json`` file, and a tree over their locs.

Public API
==========

Data classes (all plain, slotted, no Qt):

* :class:`Literal` ``(kind, text, value=None)`` – a ``default`` / ``example`` value.
  ``kind`` is ``"expression"`` (Nix code in ``text``; from ``literalExpression`` and the
  legacy ``literalExample``), ``"markdown"`` (``literalMD``), ``"docbook"``
  (``literalDocBook``), ``"json"`` (a raw JSON value from pre-2023 files; ``value`` keeps it and
  ``text`` is its Nix rendering) or ``"derivation"``.
* :class:`Declaration` ``(name, url=None)`` – where an option is declared.
* :class:`OptionInfo` – one option: ``name`` (the key as written in options.json), ``loc``
  (tuple of segments), ``type`` (type description string), ``description`` (str or None),
  ``description_format`` (``"markdown"`` | ``"docbook"``), ``default``/``example``
  (:class:`Literal` or None), ``declarations`` (tuple of :class:`Declaration`), ``read_only``,
  ``internal``, ``visible``, ``related_packages``.
* :class:`SourceInfo` ``(kind, label, revision, path, fetched_at)`` with ``.age`` ("3 days
  old") and ``.display()`` for the "which metadata is in use" banner.
* :class:`OptionSet` – all options of one source:

  - ``len(s)``, ``iter(s)`` (OptionInfo in file order), ``s.options`` (list),
  - ``get(loc) -> OptionInfo | None`` (exact loc, placeholders literal),
  - ``by_name(name) -> OptionInfo | None`` (key as in options.json),
  - ``children(prefix_loc) -> list[str]`` (child segments in the loc tree, sorted),
  - ``is_prefix(loc) -> bool`` (some option lies strictly below ``loc``),
  - ``under(prefix_loc) -> list[OptionInfo]`` (options at or below a prefix),
  - ``match(loc) -> OptionInfo | None``: a concrete definition loc such as
    ``("users", "users", "alice", "isNormalUser")`` → ``users.users.<name>.isNormalUser``
    (placeholders ``<name>``, ``<name?>``, ``*``, any ``<...>``; exact segments win),
  - ``match_prefix(loc) -> tuple[OptionInfo, int] | None``: the deepest option whose loc
    matches a prefix of ``loc`` (and how many segments it covered),
  - ``source: SourceInfo``, ``problem: str | None`` (why the set is empty / degraded).

Loaders:

* ``load_file(path, source=None) -> OptionSet`` for ``.json``, ``.json.gz``, ``.json.br``
  (compression also recognised by magic bytes),
* ``load_bytes(data, path) -> OptionSet`` (already decompressed JSON text),
* ``from_records(records, source, path) -> OptionSet`` (a parsed JSON object keyed by name,
  or the list that ``lib.optionAttrSetToDocList`` returns).

Errors: :class:`~nixos_settings.core.common.errors.OptionsError` naming the file and the position
(line/column for JSON syntax errors, byte offset for compression errors, the option key for
shape errors).  A failed load never returns a partial set.

The loc tree is built from ``loc`` (never by splitting names on dots) on the first call that
needs it.
"""

from __future__ import annotations

import gc
import gzip
import json
import re
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nixos_settings.core.common.errors import OptionsError
from nixos_settings.core.nix.optpath import is_placeholder
from nixos_settings.core.nix.render import NixExpr, render_double, to_nix

Loc = tuple[str, ...]

#: Literal kinds (see :class:`Literal`).
EXPRESSION = "expression"
MARKDOWN = "markdown"
DOCBOOK = "docbook"
JSON = "json"
DERIVATION = "derivation"

_LITERAL_KINDS = {
    "literalExpression": EXPRESSION,
    "literalExample": EXPRESSION,
    "literalMD": MARKDOWN,
    "literalDocBook": DOCBOOK,
}


@dataclass(slots=True)
class Literal:
    """A default or example value as the metadata shows it."""

    kind: str
    text: str
    value: Any = None

    def is_code(self) -> bool:
        """True when ``text`` is Nix code (shown in a monospace block)."""
        return self.kind in (EXPRESSION, JSON, DERIVATION)


@dataclass(slots=True)
class Declaration:
    """A file declaring an option: a repo-relative path or ``<repo/path>`` plus URL."""

    name: str
    url: str | None = None


@dataclass(slots=True)
class OptionInfo:
    """Metadata of one option (one record of options.json)."""

    name: str
    loc: Loc
    type: str
    description: str | None
    description_format: str = MARKDOWN
    default: Literal | None = None
    example: Literal | None = None
    declarations: tuple[Declaration, ...] = ()
    read_only: bool = False
    internal: bool = False
    visible: bool = True
    related_packages: str | None = None

# --------------------------------------------------------------------------- sources


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def format_age(seconds: float) -> str:
    """Human age: "just now", "5 minutes old", "3 days old"."""
    s = max(0, int(seconds))
    if s < 60:
        return "just now"
    for limit, unit, div in (
        (3600, "minute", 60),
        (86400, "hour", 3600),
        (86400 * 60, "day", 86400),
        (86400 * 730, "month", 86400 * 30),
    ):
        if s < limit:
            return _plural(s // div, unit) + " old"
    return _plural(s // (86400 * 365), "year") + " old"


@dataclass(slots=True)
class SourceInfo:
    """Where an option set came from.

    ``kind`` is one of ``"file"``, ``"channel"``, ``"eval"``, ``"flake"``, ``"home-manager"``,
    ``"cache"``, ``"none"``; ``label`` is what the banner shows; ``revision`` e.g. a channel
    release or a file hash; ``fetched_at`` is a UNIX time (when it was produced/downloaded).
    """

    kind: str
    label: str
    revision: str | None = None
    path: Path | None = None
    fetched_at: float | None = None

    def age_seconds(self, now: float | None = None) -> float | None:
        if self.fetched_at is None:
            return None
        return (time.time() if now is None else now) - self.fetched_at

    @property
    def age(self) -> str:
        """Age for display; ``"age unknown"`` without a timestamp."""
        secs = self.age_seconds()
        return "age unknown" if secs is None else format_age(secs)

    def display(self) -> str:
        """One line: ``"NixOS channel nixos-24.05 (24.05.1234), 3 days old"``."""
        rev = f" ({self.revision})" if self.revision else ""
        return f"{self.label}{rev}, {self.age}"


# --------------------------------------------------------------------------- tree


class _Node:
    __slots__ = ("children", "option")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.option: OptionInfo | None = None


_ALIAS = re.compile(r"^Alias of (?:\{option\})?`([^`]+)`")


def retired_kind(option: OptionInfo) -> str | None:
    """``"renamed:NEW"`` for the hidden alias nixpkgs' ``mkRenamedOptionModule`` leaves
    (described "Alias of `NEW`"), ``"removed"`` for the hidden, untyped, undescribed one
    ``mkRemovedOptionModule`` leaves, else None."""
    if option.visible:
        return None
    m = _ALIAS.match(option.description or "")
    if m:
        return "renamed:" + m.group(1)
    if option.description is None and option.default is None and option.type in (
            "unspecified value", "unspecified"):
        return "removed"
    return None


@dataclass
class OptionSet:
    """All options from one source, keyed by loc; see the module docstring."""

    options: list[OptionInfo] = field(default_factory=list)
    source: SourceInfo = field(default_factory=lambda: SourceInfo("none", "no option metadata"))
    problem: str | None = None
    #: set when this metadata may not describe the configuration (another release, or no
    #: NixOS metadata at all): unknown options are then warned about, not refused
    release_note: str | None = None
    #: hidden traces of renamed and removed options (see :func:`retired_kind`), kept out of
    #: ``options`` (no tree, search or join sees them) but known to the checks
    retired: dict[Loc, OptionInfo] = field(default_factory=dict, repr=False)
    #: the Home Manager metadata joined in under ``home-manager.users.<name>`` (see
    #: :mod:`.home_manager`), and a sentence saying which one, or how to give one
    home_manager: SourceInfo | None = None
    home_manager_note: str | None = None
    _by_loc: dict[Loc, OptionInfo] = field(default_factory=dict, repr=False)
    _by_name: dict[str, OptionInfo] | None = field(default=None, repr=False)
    _root: _Node | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if any(not o.visible for o in self.options):
            gone = {o.loc: o for o in self.options if retired_kind(o) is not None}
            if gone:
                self.retired.update(gone)
                self.options = [o for o in self.options if o.loc not in gone]
        if not self._by_loc and self.options:
            self._by_loc = {o.loc: o for o in self.options}

    # -- basic access
    def __len__(self) -> int:
        return len(self.options)

    def __iter__(self) -> Iterator[OptionInfo]:
        return iter(self.options)

    def __contains__(self, loc: object) -> bool:
        return loc in self._by_loc

    def get(self, loc: Sequence[str]) -> OptionInfo | None:
        """The option with exactly this loc (placeholders compared literally)."""
        return self._by_loc.get(tuple(loc))

    def by_name(self, name: str) -> OptionInfo | None:
        """The option whose options.json key is ``name``."""
        if self._by_name is None:
            self._by_name = {o.name: o for o in self.options}
        return self._by_name.get(name)

    # -- tree
    def _tree(self) -> _Node:
        if self._root is None:
            root = _Node()
            for opt in self.options:
                node = root
                for seg in opt.loc:
                    nxt = node.children.get(seg)
                    if nxt is None:
                        nxt = node.children[seg] = _Node()
                    node = nxt
                node.option = opt
            self._root = root
        return self._root

    def _node(self, prefix: Sequence[str]) -> _Node | None:
        node: _Node | None = self._tree()
        for seg in prefix:
            assert node is not None
            node = node.children.get(seg)
            if node is None:
                return None
        return node

    def children(self, prefix_loc: Sequence[str] = ()) -> list[str]:
        """Child segments below ``prefix_loc`` (placeholders included), sorted."""
        node = self._node(prefix_loc)
        return sorted(node.children) if node is not None else []

    def is_prefix(self, loc: Sequence[str]) -> bool:
        """True when at least one option lies strictly below ``loc``."""
        node = self._node(loc)
        return node is not None and bool(node.children)

    def under(self, prefix_loc: Sequence[str]) -> list[OptionInfo]:
        """Options at or below ``prefix_loc``, in tree (sorted) order."""
        node = self._node(prefix_loc)
        out: list[OptionInfo] = []
        stack = [node] if node is not None else []
        while stack:
            n = stack.pop()
            if n.option is not None:
                out.append(n.option)
            stack.extend(n.children[k] for k in sorted(n.children, reverse=True))
        return out

    def _walk(
        self, node: _Node, loc: Sequence[str], i: int, full: bool
    ) -> tuple[_Node, int] | None:
        """Depth-first match of ``loc[i:]``; exact segments are tried before placeholders."""
        if i == len(loc):
            return (node, i) if node.option is not None else None
        seg = loc[i]
        candidates: list[_Node] = []
        exact = node.children.get(seg)
        if exact is not None:
            candidates.append(exact)
        candidates.extend(c for k, c in node.children.items() if k != seg and is_placeholder(k))
        best: tuple[_Node, int] | None = None
        for child in candidates:
            found = self._walk(child, loc, i + 1, full)
            if found is not None:
                return found
        if not full and node.option is not None:
            best = (node, i)
        return best

    def match(self, loc: Sequence[str]) -> OptionInfo | None:
        """The (template) option a concrete definition loc belongs to, or None."""
        direct = self._by_loc.get(tuple(loc))
        if direct is not None:
            return direct
        found = self._walk(self._tree(), loc, 0, True)
        return found[0].option if found is not None else None

    def match_prefix(self, loc: Sequence[str]) -> tuple[OptionInfo, int] | None:
        """The deepest option matching a prefix of ``loc`` and the prefix length."""
        found = self._walk(self._tree(), loc, 0, False)
        if found is None or found[0].option is None:
            return None
        return found[0].option, found[1]

    def template_prefix_exists(self, loc: Sequence[str]) -> bool:
        """True when ``loc`` (with placeholders matching anything) is a prefix of an option."""
        nodes = [self._tree()]
        for seg in loc:
            nxt: list[_Node] = []
            for node in nodes:
                exact = node.children.get(seg)
                if exact is not None:
                    nxt.append(exact)
                nxt.extend(c for k, c in node.children.items() if k != seg and is_placeholder(k))
            if not nxt:
                return False
            nodes = nxt
        return True


# --------------------------------------------------------------------------- JSON → Nix text


def _renderable(value: Any) -> object:
    """A JSON value with what :func:`to_nix` cannot write replaced by shown text: a
    derivation as ``«derivation NAME»``, a number JSON allows but Nix has no literal for."""
    if isinstance(value, dict):
        if value.get("_type") == "derivation" and "name" in value:
            return NixExpr(f"«derivation {value['name']}»")
        return {str(k): _renderable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renderable(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return NixExpr(repr(value))
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return NixExpr(repr(value))


def json_to_nix(value: Any) -> str:
    """Render a JSON value (a pre-2023 raw default/example) as Nix text (with
    :func:`~nixos_settings.core.nix.render.to_nix`, the one renderer)."""
    if value is None or value is True or value is False or type(value) is int:
        return "null" if value is None else str(value).lower()  # the common cases, fast
    if type(value) is str and "\n" not in value:
        return render_double(value)
    try:
        return to_nix(_renderable(value))
    except ValueError:  # a float too small for a Nix literal
        return repr(value)


# --------------------------------------------------------------------------- records → options


def _literal(raw: Any) -> Literal:
    if isinstance(raw, dict):
        t = raw.get("_type")
        if isinstance(t, str):
            kind = _LITERAL_KINDS.get(t)
            if kind is not None and "text" in raw:
                text = raw["text"]
                if isinstance(text, str):
                    return Literal(kind, text)
                # Seen in 2020 NixOS: literalExample applied to a number/list/attrset.
                return Literal(EXPRESSION, json_to_nix(text), text)
            if t == "derivation":
                return Literal(DERIVATION, f"«derivation {raw.get('name', '?')}»", raw)
    return Literal(JSON, json_to_nix(raw), raw)


def _declaration(raw: Any) -> Declaration:
    if isinstance(raw, str):
        return Declaration(raw)
    if isinstance(raw, dict):
        name = raw.get("name")
        url = raw.get("url")
        return Declaration(
            str(name) if name is not None else str(url or "?"),
            str(url) if isinstance(url, str) else None,
        )
    return Declaration(str(raw))


def _modern(records: Iterable[Mapping[str, Any]]) -> bool:
    """Does the file come from the 2023+ pipeline (Markdown descriptions)?"""
    for rec in records:
        for key in ("default", "example"):
            v = rec.get(key)
            if isinstance(v, dict) and v.get("_type") in ("literalExpression", "literalMD"):
                return True
    return False


class _ShapeError(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _option(key: str, rec: Any, desc_fmt: str) -> OptionInfo:
    if not isinstance(rec, dict):
        raise _ShapeError(key, f"option {key!r} is a {type(rec).__name__}, not an object")
    loc_raw = rec.get("loc")
    if not isinstance(loc_raw, list) or not loc_raw or set(map(type, loc_raw)) != {str}:
        raise _ShapeError(key, f"option {key!r} has no valid 'loc' (list of strings)")
    desc = rec.get("description")
    fmt = desc_fmt
    if isinstance(desc, dict):
        fmt = MARKDOWN if desc.get("_type") in ("mdDoc", "literalMD") else DOCBOOK
        desc = desc.get("text")
    if desc is not None and not isinstance(desc, str):
        desc = str(desc)
    decls = rec.get("declarations") or []
    if not isinstance(decls, list):
        decls = [decls]
    type_ = rec.get("type")
    related = rec.get("relatedPackages")
    return OptionInfo(
        name=key,
        loc=tuple(loc_raw),
        type=type_ if isinstance(type_, str) else "unspecified",
        description=desc,
        description_format=fmt,
        default=_literal(rec["default"]) if "default" in rec else None,
        example=_literal(rec["example"]) if "example" in rec else None,
        declarations=tuple(_declaration(d) for d in decls),
        read_only=bool(rec.get("readOnly", False)),
        internal=bool(rec.get("internal", False)),
        visible=rec.get("visible", True) is not False,
        related_packages=related if isinstance(related, str) else None,
    )


def _key_offset(data: bytes | None, key: str) -> int | None:
    if data is None:
        return None
    for enc in (json.dumps(key), json.dumps(key, ensure_ascii=False)):
        pos = data.find(enc.encode("utf-8"))
        if pos >= 0:
            return pos
    return None


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def from_records(
    records: Any,
    source: SourceInfo | None = None,
    path: Path | str | None = None,
    raw: bytes | None = None,
) -> OptionSet:
    """Build an OptionSet from parsed JSON (object keyed by name, or a doc list).

    Doc-list records (from ``optionAttrSetToDocList``) carry ``name``, ``visible`` and
    ``internal``; invisible and internal ones are dropped, as make-options-doc does.
    """
    src = source or SourceInfo("file", str(path) if path else "options", path=_opt_path(path))
    if isinstance(records, list):
        items: list[tuple[str, Any]] = []
        for i, rec in enumerate(records):
            if not isinstance(rec, dict) or not isinstance(rec.get("name"), str):
                raise OptionsError(f"doc-list entry {i} has no 'name'", path)
            if rec.get("visible", True) is False or rec.get("internal", False) is True:
                continue
            items.append((rec["name"], rec))
    elif isinstance(records, dict):
        items = list(records.items())
    else:
        raise OptionsError(
            f"expected a JSON object keyed by option name, found {type(records).__name__}", path
        )
    fmt = MARKDOWN if _modern(r for _, r in items if isinstance(r, dict)) else DOCBOOK
    # Tens of thousands of small acyclic records: cyclic GC passes would find nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        opts = [_option(k, r, fmt) for k, r in items]
    except _ShapeError as e:
        off = _key_offset(raw, e.key)
        if off is not None and raw is not None:
            line, col = _line_col(raw, off)
            raise OptionsError(e.message, path, line, col) from None
        raise OptionsError(e.message, path) from None
    finally:
        if was_enabled:
            gc.enable()
    return OptionSet(opts, src)


def _opt_path(path: Path | str | None) -> Path | None:
    return Path(path) if path is not None else None


# --------------------------------------------------------------------------- files


def decompress(data: bytes, path: Path | str) -> bytes:
    """Undo gzip/brotli compression, chosen by magic bytes or suffix."""
    name = str(path)
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as e:
            raise OptionsError(
                f"corrupt or truncated gzip data ({len(data)} bytes read): {e}", path
            ) from None
    if name.endswith(".br"):
        import brotli

        try:
            out: bytes = brotli.decompress(data)
        except brotli.error as e:
            raise OptionsError(
                f"corrupt or truncated brotli data ({len(data)} bytes read): {e}", path
            ) from None
        return out
    return data


def load_bytes(data: bytes, path: Path | str, source: SourceInfo | None = None) -> OptionSet:
    """Parse decompressed options JSON; errors carry line and column."""
    try:
        import orjson  # a C extension: loaded when metadata is read, not at start-up

        records = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        msg = e.msg if hasattr(e, "msg") else str(e)
        raise OptionsError(
            f"invalid JSON: {msg} (byte offset {e.pos})", path, e.lineno, e.colno
        ) from None
    return from_records(records, source, path, data)


def load_file(path: Path | str, source: SourceInfo | None = None) -> OptionSet:
    """Load ``.json``, ``.json.gz`` or ``.json.br`` option metadata from ``path``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise OptionsError(f"cannot read options file: {e.strerror or e}", p) from None
    if not data.strip():
        raise OptionsError("options file is empty", p)
    src = source or SourceInfo(
        "file", f"options file {p.name}", revision=None, path=p, fetched_at=_mtime(p)
    )
    return load_bytes(decompress(data, p), p, src)


def _mtime(p: Path) -> float | None:
    try:
        return p.stat().st_mtime
    except OSError:
        return None


def empty(problem: str) -> OptionSet:
    """An empty set that explains why (the app still opens with it)."""
    return OptionSet([], SourceInfo("none", "no option metadata"), problem)
