"""Ask the real Nix parser (``nix-instantiate --parse``) whether a text parses.

Used where this program's grammar and Nix may disagree: a file the grammar marks as broken
but Nix accepts is trusted as Nix reads it (the disputed spot is reported in a note and never
edited).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def nix_accepts(data: bytes, base: Path | None = None, timeout: float = 30) -> bool | None:
    """True/False when ``nix-instantiate --parse`` accepts/rejects ``data``; None when Nix is
    not installed or could not run."""
    exe = shutil.which("nix-instantiate")
    if exe is None:
        return None
    env = dict(os.environ)
    env.setdefault("NIX_STATE_DIR", tempfile.gettempdir() + "/nixos-settings-nix-state")
    try:
        proc = subprocess.run([exe, "--parse", "-"], input=data, capture_output=True,
                              timeout=timeout, env=env, check=False,
                              cwd=str(base) if base is not None and base.is_dir() else None)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.returncode == 0
