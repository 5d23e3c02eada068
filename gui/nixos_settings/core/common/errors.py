"""Exception family of the core.

Every error carries enough to tell the user *what* went wrong and *where*, in one line
(``str(err)``).
"""

from __future__ import annotations

from pathlib import Path


class NixSettingsError(Exception):
    """Base class of every error the core raises on purpose."""


class LocatedError(NixSettingsError):
    """An error at a place in a file (1-based line and column)."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(str(self))

    def where(self) -> str:
        if self.path is None:
            return ""
        out = str(self.path)
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class ParseError(LocatedError):
    """The Nix text does not parse."""


class OptionPathError(NixSettingsError):
    """An option name the user typed is malformed."""


class EditError(LocatedError):
    """An edit cannot be made safely (unknown definition, not editable, would break syntax)."""


class SaveError(LocatedError):
    """The file could not be written (changed on disk, read-only, validation failed)."""


class FileChangedError(SaveError):
    """The file changed on disk since it was read."""


class OptionsError(LocatedError):
    """Option metadata could not be loaded."""


class _Where(str):
    """``file:line`` that can also be called like :meth:`LocatedError.where`."""

    def __call__(self) -> str:
        return str(self)


class InsideCondition(EditError):
    """The only place for a new option is inside an ``mkIf cond { … }`` body, where it would
    apply only when ``cond`` holds; the user must choose that place explicitly
    (``inside_condition=True`` on the planners, ``--inside-condition`` in the CLI).

    ``condition`` is the condition's source text, ``where`` its ``file:line`` (a string;
    calling it, as on every located error, gives the same text).
    """

    where: _Where

    def __init__(self, message: str, condition: str, path: Path | str, line: int) -> None:
        self.condition = condition
        super().__init__(message, path, line)
        self.__dict__["where"] = _Where(f"{path}:{line}")


class Refused(EditError):
    """The option metadata (or the package catalogue) rules an edit out: an unknown name,
    a read-only option, a value of the wrong type."""
