"""How a run of ``nixos-rebuild`` or ``home-manager`` ended, in words for the status line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """How a rebuild ended, for the status bar and for callers.

    Attributes:
        action: the action that ran.
        exit_code: the process exit status; ``None`` if it never started or was killed
            by a signal.
        cancelled: the user asked to stop it.
        duration: wall-clock seconds.
        error: why it could not start, if it did not.
        first_error: the first ``error:`` line, to show next to a failure.
    """

    action: str
    exit_code: int | None
    cancelled: bool = False
    duration: float = 0.0
    error: str | None = None
    first_error: str | None = None

    @property
    def ok(self) -> bool:
        """Finished by itself with status 0."""
        return self.exit_code == 0 and not self.cancelled and self.error is None

    def __str__(self) -> str:
        took = format_duration(self.duration)
        if self.error is not None:
            return f"{self.action} could not start: {self.error}"
        if self.cancelled:
            return f"{self.action} cancelled after {took}"
        if self.exit_code == 0:
            return f"{self.action} succeeded in {took}"
        status = "crashed" if self.exit_code is None else f"exit status {self.exit_code}"
        detail = f": {self.first_error}" if self.first_error else ""
        return f"{self.action} failed ({status}) after {took}{detail}"


def format_duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
