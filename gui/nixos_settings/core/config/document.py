"""A Nix file held as bytes, its tree-sitter tree, and what the core found in it.

The document never decodes the whole file: every edit is a byte splice, so bytes the user
wrote (including ones that are not valid UTF-8) survive untouched outside the edited spans.
"""

from __future__ import annotations

from pathlib import Path

from nixos_settings.core.common.errors import LocatedError
from nixos_settings.core.common.records import field, record
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix import syntax


class FileAccessError(LocatedError):
    """The file is missing, unreadable, or not a regular file."""


@record(frozen=True)
class Problem:
    """Something the user should know about a file: a syntax error or a note."""

    path: Path
    line: int  # 1-based
    column: int  # 1-based, in characters
    message: str
    severity: str = "error"  # "error" | "warning" | "note"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def sha256(data: bytes) -> str:
    import hashlib  # not at import time: start-up of the CLI

    return hashlib.sha256(data).hexdigest()


def detect_newline(data: bytes) -> bytes:
    """``b"\\r\\n"`` when most line breaks are CRLF, else ``b"\\n"``."""
    crlf = data.count(b"\r\n")
    return b"\r\n" if crlf and crlf * 2 >= data.count(b"\n") else b"\n"


def char_column(data: bytes, offset: int) -> int:
    """1-based column of byte ``offset`` counted in characters of its line."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return len(data[line_start:offset].decode("utf-8", errors="replace")) + 1


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def first_invalid_utf8(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start
    return None


@record
class Document:
    """One Nix file: bytes, tree and problems.  ``disk_sha256`` is the hash read from disk."""

    path: Path
    source: bytes
    tree: syntax.Tree = None
    disk_sha256: str | None = None
    problems: list[Problem] = field(default_factory=list)
    original: bytes = b""  # the bytes as read (or created); what ``modified`` compares to

    def __post_init__(self) -> None:
        if not self.original:
            self.original = self.source
        if self.tree is None:
            self.tree = syntax.parse(self.source)
        self._refresh_problems()

    @classmethod
    def read(cls, path: Path | str) -> Document:
        from nixos_settings.core.common.files import SourceFileError, read_source

        p = Path(path)
        try:
            data = read_source(p)  # regular files only, bounded size: never hangs
        except SourceFileError as err:
            raise FileAccessError(err.message, p) from None
        except FileNotFoundError:
            raise FileAccessError("file not found", p) from None
        except IsADirectoryError:
            raise FileAccessError("is a directory, not a Nix file", p) from None
        except PermissionError:
            raise FileAccessError("permission denied (cannot read the file)", p) from None
        except OSError as err:
            raise FileAccessError(f"cannot read: {err.strerror}", p) from None
        return cls(p, data, disk_sha256=sha256(data))

    @classmethod
    def from_bytes(cls, data: bytes, path: Path | str = "<memory>") -> Document:
        return cls(Path(path), data)

    # -- derived facts -------------------------------------------------------------------
    @property
    def newline(self) -> bytes:
        return detect_newline(self.source)

    @property
    def has_syntax_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def modified(self) -> bool:
        return self.source != self.original

    def text(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", errors="replace")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column-in-characters) of a byte offset."""
        return line_of(self.source, offset), char_column(self.source, offset)

    def node_position(self, node: syntax.Node) -> tuple[int, int]:
        """1-based (line, column-in-characters) of a node's start, without scanning the file."""
        row, byte_col = node.start_point
        start = node.start_byte
        prefix = self.source[start - byte_col : start]
        if prefix.isascii():
            return row + 1, byte_col + 1
        return row + 1, len(prefix.decode("utf-8", errors="replace")) + 1

    def replace_source(
        self,
        new: bytes,
        splices: list[tuple[int, int, bytes]] | None,
        tree: syntax.Tree | None = None,
    ) -> None:
        """Swap in ``new`` (``self.source`` with ``splices`` applied) and reparse.

        ``tree``, when given, is ``new`` already parsed (by the edit planner).
        """
        if tree is not None:
            self.tree = tree
        elif splices:
            self.tree = syntax.reparse_after_splices(self.tree, self.source, new, splices)
        else:
            self.tree = syntax.parse(new)
        self.source = new
        self._refresh_problems()

    def _refresh_problems(self) -> None:
        probs: list[Problem] = []
        for sp in syntax.problems(self.tree):
            line, col = self.position(sp.start_byte)
            probs.append(Problem(self.path, line, col, f"syntax error: {sp.message}"))
        bad = first_invalid_utf8(self.source)
        if bad is not None:
            line, col = self.position(bad)
            probs.append(
                Problem(
                    self.path,
                    line,
                    col,
                    "bytes that are not UTF-8 (kept as they are; edits elsewhere are safe)",
                    "warning",
                )
            )
        root = self.tree.root_node
        if not self.source.strip() or root.named_child_count == 0 or (
            all(c.type == g.COMMENT for c in root.named_children)
        ):
            probs.append(Problem(self.path, 1, 1, "the file holds no Nix expression"))
        self.problems = probs
