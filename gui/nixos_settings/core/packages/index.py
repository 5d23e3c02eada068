"""The package index: one SQLite file (FTS5) per catalogue revision, with ranked search.

Built once from catalogue rows (:func:`build`) into the cache directory, written under a
temporary name and renamed, so a half-built index is never used.  :class:`PackageIndex`
answers searches in this order:

1. exact name: the attribute, ``pname`` or ``mainProgram`` equals the query;
2. name prefix: the attribute or ``pname`` starts with the query;
3. words: every word of the query starts a word of the names or the description (FTS5,
   bm25 with names weighted above the description).

Within each group top-level attributes (``firefox``) come before nested ones
(``python3Packages.x``), shorter names before longer ones.  There are no download counts to
rank by, so the shape of the name stands in for popularity.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nixos_settings.core.packages.catalogue import COLUMNS, CatalogueError, Package

SCHEMA_VERSION = "2"
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[a-z]+|[A-Z][a-z]*|[0-9]+")
_SELECT = ", ".join(f"p.{c}" for c in COLUMNS)


def _name_words(attr: str, pname: str, main_program: str) -> str:
    """The words of a package's names for the full-text index: ``python3Packages.pyyaml``
    gives ``python3Packages pyyaml python 3 Packages …`` so parts of names are found too."""
    words: list[str] = []
    for name in (attr, pname, main_program):
        for w in _WORD.findall(name):
            words.append(w)
            parts = _CAMEL.findall(w)
            if len(parts) > 1:
                words.extend(parts)
    return " ".join(words)


def build(rows: Iterable[tuple[Any, ...]], path: Path, meta: dict[str, str]) -> Path:
    """Write the index of ``rows`` to ``path`` (atomically: temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE pkg(id INTEGER PRIMARY KEY, attr TEXT, pname TEXT, version TEXT,"
            " description TEXT, homepage TEXT, license TEXT, unfree INT, broken INT,"
            " insecure INT, main_program TEXT, position TEXT,"
            " attr_lc TEXT, pname_lc TEXT, mp_lc TEXT, nested INT);"
            "CREATE VIRTUAL TABLE fts USING fts5(names, description, content='',"
            " prefix='2 3', tokenize='unicode61 remove_diacritics 2');"
        )
        n = 0
        pkg_rows = []
        fts_rows = []
        # ids in popularity order, for lack of download counts: top-level attributes first,
        # then shorter names (searches take windows of matches in id order)
        ordered = sorted(rows, key=lambda r: ("." in r[0], len(r[0]), r[0].lower()))
        for n, r in enumerate(ordered, 1):
            attr, pname, main_program = r[0], r[1], r[9]
            pkg_rows.append((n, *r, attr.lower(), pname.lower(), main_program.lower(),
                             int("." in attr)))
            fts_rows.append((n, _name_words(attr, pname, main_program), r[3]))
        db.executemany(f"INSERT INTO pkg VALUES ({', '.join('?' * 16)})", pkg_rows)
        db.executemany("INSERT INTO fts(rowid, names, description) VALUES (?, ?, ?)",
                       fts_rows)
        db.executescript(
            "CREATE INDEX pkg_attr ON pkg(attr_lc); CREATE INDEX pkg_pname ON pkg(pname_lc);"
            "CREATE INDEX pkg_nested_attr ON pkg(nested, attr_lc);"
            "CREATE INDEX pkg_mp ON pkg(mp_lc) WHERE mp_lc != '';"
            "INSERT INTO fts(fts) VALUES ('optimize');"
        )
        info = dict(meta, schema=SCHEMA_VERSION, count=str(n), built=str(time.time()))
        db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(info.items()))
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)
    return path


def _word_score(words: list[str], fields: tuple[str, str, str, str]) -> int:
    """How well a package matches the query's words: a word that starts a name counts more
    than one in a name, which counts more than one in the description."""
    attr, pname, main_program, description = fields
    names = (attr, pname, main_program)
    total = 3 if len(words) > 1 and " ".join(words) in description else 0
    for w in words:
        if any(n.startswith(w) for n in names):
            total += 6
        elif any(w in n for n in names):
            total += 3
        elif re.search(rf"\b{re.escape(w)}", description):
            total += 1 + (description.startswith(w))
    return total


class PackageIndex:
    """Read access to a built index."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
            self._db.execute("PRAGMA mmap_size = 268435456")  # read pages without copying
            self.meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as err:
            raise CatalogueError(f"the package index {self.path} cannot be read ({err}); "
                                 "it will be built again from the package list") from None
        if self.meta.get("schema") != SCHEMA_VERSION:
            raise CatalogueError(f"the package index {self.path} is from another version")

    def close(self) -> None:
        self._db.close()

    @property
    def count(self) -> int:
        return int(self.meta.get("count", "0"))

    @property
    def label(self) -> str:
        return str(self.meta.get("label", self.path))

    def get(self, attr: str) -> Package | None:
        """The package with attribute ``attr`` (exact, then case-insensitive)."""
        row = self._db.execute(f"SELECT {_SELECT} FROM pkg p WHERE attr_lc = ? "
                               "ORDER BY attr = ? DESC LIMIT 1",
                               (attr.lower(), attr)).fetchone()
        return None if row is None else Package.from_row(row)

    def search(self, query: str, limit: int = 20) -> list[Package]:
        """Packages matching ``query``, best first (see the module's docstring)."""
        q = " ".join(query.split()).lower()
        if not q or limit <= 0:
            return []
        ids: list[int] = []
        for stage in (self._exact, self._prefix, self._words):
            for i in stage(q, limit):
                if i not in ids:
                    ids.append(i)
            if len(ids) >= limit:
                break
        ids = ids[:limit]
        if not ids:
            return []
        rows = self._db.execute(f"SELECT p.id, {_SELECT} FROM pkg p WHERE p.id IN "
                                f"({', '.join('?' * len(ids))})", ids).fetchall()
        by_id = {r[0]: r[1:] for r in rows}
        return [Package.from_row(by_id[i]) for i in ids]

    def _ids(self, sql: str, args: tuple[Any, ...]) -> list[int]:
        return [r[0] for r in self._db.execute(sql, args)]

    def _exact(self, q: str, limit: int) -> list[int]:
        # ids are in popularity order (see build): the attribute itself first, then the rest
        return self._ids(
            "SELECT id FROM (SELECT id, 0 AS k FROM pkg WHERE attr_lc = ?1 UNION ALL "
            "SELECT id, 1 FROM pkg WHERE pname_lc = ?1 UNION ALL "
            "SELECT id, 1 FROM pkg WHERE mp_lc = ?1 AND mp_lc != '') ORDER BY k, id LIMIT ?2",
            (q, limit))

    def _prefix(self, q: str, limit: int) -> list[int]:
        if " " in q:
            return []
        hi = q + "\U0010ffff"
        # top-level attributes by popularity; nested ones and pnames from a window of the
        # range (a prefix like "python" has thousands of nested matches)
        found = self._ids("SELECT id FROM pkg WHERE nested = 0 AND attr_lc >= ?1 AND "
                          "attr_lc < ?2 ORDER BY id LIMIT ?3", (q, hi, limit))
        if len(found) < limit:
            found += self._ids("SELECT id FROM pkg WHERE nested = 1 AND attr_lc >= ?1 AND "
                               "attr_lc < ?2 LIMIT 500", (q, hi))
        found += self._ids("SELECT id FROM pkg WHERE pname_lc >= ?1 AND pname_lc < ?2 "
                           "LIMIT 500", (q, hi))
        return sorted(set(found))[:limit]

    def _words(self, q: str, limit: int) -> list[int]:
        words = _WORD.findall(q)
        if not words:
            return []
        terms = " ".join(f'"{w}"*' if len(w) >= 2 else f'"{w}"' for w in words)
        window = max(limit * 10, 100)
        found: list[int] = []
        # a window of matches in popularity order (FTS5 stops early when ordered by rowid),
        # names first, then anywhere; ranked below by where the words are
        for match in (f"names : ({terms})", terms):
            try:
                found += [r[0] for r in self._db.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid LIMIT ?2",
                    (match, window))]
            except sqlite3.OperationalError:
                break
            if len(set(found)) >= limit:
                break
        if not found:
            return []
        ids = list(dict.fromkeys(found))
        rows = self._db.execute(
            f"SELECT id, attr_lc, pname_lc, mp_lc, lower(description) FROM pkg WHERE id IN "
            f"({', '.join('?' * len(ids))})", ids).fetchall()
        score = {r[0]: _word_score(words, r[1:]) for r in rows}
        return sorted(ids, key=lambda i: (-score.get(i, 0), i))

    def similar(self, name: str, n: int = 3) -> list[str]:
        """Attributes close to ``name`` (a misspelt or half-remembered package), best first."""
        import difflib

        q = name.lower()
        ids: set[int] = set()
        for cut in {len(q), max(1, len(q) - 2), 3, 2, 1}:
            ids.update(self._prefix(q[:cut], 200))
        ids.update(self._words(q, 50))
        if not ids:
            return []
        rows = self._db.execute(f"SELECT attr FROM pkg WHERE id IN ({', '.join('?' * len(ids))})",
                                sorted(ids)).fetchall()
        names = [r[0] for r in rows]
        by_lower = {a.lower(): a for a in names}
        close = difflib.get_close_matches(q, list(by_lower), n=n, cutoff=0.6)
        return [by_lower[c] for c in close]
