"""Where a file that does not parse is broken, in the words both faces use.

tree-sitter recovers from errors and may place them far from the real mistake (at the first
line, for a set never closed); so the place is the one ``nix-instantiate --parse`` reports
(the evaluator's own parser), with tree-sitter's as the fallback when Nix is not installed.
The desktop app's banner and Problems list, the CLI's notes and the refusal of an edit in
the file all come from here."""

from __future__ import annotations

import re
from pathlib import Path

from nixos_settings.core.common.records import record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.config.document import Document

_AT = re.compile(r"\bat (?:«stdin»|\S+?):(\d+):(\d+)")


@record
class SyntaxProblem:
    """A file that does not parse: where (1-based) and what, in Nix's words when known."""

    path: Path
    line: int
    column: int
    message: str
    by_nix: bool

    @property
    def sentence(self) -> str:
        """``syntax error, unexpected …`` (Nix) or ``syntax error: missing ]``."""
        return self.message if self.message.startswith("syntax error") else \
            f"syntax error: {self.message}"


def nix_message(text: str) -> str:
    """The first sentence of Nix's error, without the ``error:`` prefix and the excerpt."""
    text = re.sub(r"^warning:.*?(?=error:)", "", text)
    text = text.removeprefix("error:").strip()
    return _AT.split(text)[0].strip().rstrip(",") if _AT.search(text) else text


_said: dict[tuple[Path, int], str | None] = {}


def _nix_says(path: Path, source: bytes) -> str | None:
    """``nix-instantiate --parse``'s error for ``source`` (remembered per content: the
    problems list is refreshed on every edit)."""
    from nixos_settings.core.edit.save import nix_parse_check

    key = (path, hash(source))
    if key not in _said:
        if len(_said) > 64:
            _said.clear()
        _said[key] = nix_parse_check(source, path)
    return _said[key]


def document_problem(doc: Document) -> SyntaxProblem | None:
    """The syntax error of ``doc`` (None when it parses), placed where Nix says."""
    errors = [p for p in doc.problems if "syntax error" in p.message]
    if not errors:
        return None
    said = _nix_says(doc.path, doc.source)
    at = _AT.search(said or "")
    if said and at:
        return SyntaxProblem(doc.path, int(at.group(1)), int(at.group(2)), nix_message(said),
                             True)
    p = errors[0]
    return SyntaxProblem(doc.path, p.line, p.column, p.message.removeprefix("syntax error: "),
                         False)


def syntax_problems(cfg: Configuration) -> list[SyntaxProblem]:
    """One entry per file that does not parse, placed where ``nix-instantiate`` says."""
    out = [p for doc in cfg.documents.values() if (p := document_problem(doc)) is not None]
    order = {Path(p.path): n for n, p in enumerate(cfg.problems)}
    return sorted(out, key=lambda p: order.get(p.path, len(order)))


__all__ = ["SyntaxProblem", "document_problem", "nix_message", "syntax_problems"]
