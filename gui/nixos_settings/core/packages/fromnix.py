"""The package list of the installed Nix: ``nix search nixpkgs --json``, else
``nix-env -qaP --json --meta`` (for flakes and set-ups without a channel download).

Nix is asked every time (it knows which nixpkgs the system uses); the index is rebuilt only
when its answer changed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nixos_settings.core.packages.catalogue import CatalogueError
from nixos_settings.core.packages.files import Progress, cache_dir, key, open_or_build, say
from nixos_settings.core.packages.index import PackageIndex

COMMANDS = (
    ["nix", "--extra-experimental-features", "nix-command flakes", "search", "nixpkgs",
     "--json", "^"],
    ["nix-env", "-qaP", "--json", "--meta"],
)


def _ask_nix(progress: Progress | None) -> bytes:
    problems: list[str] = []
    for argv in COMMANDS:
        exe = shutil.which(argv[0])
        if exe is None:
            problems.append(f"{argv[0]} is not installed")
            continue
        say(progress, f"Asking {argv[0]} for its packages (this can take a minute) …")
        try:
            proc = subprocess.run([exe, *argv[1:]], capture_output=True, timeout=900,
                                  check=False)
        except (OSError, subprocess.SubprocessError) as err:
            problems.append(f"{argv[0]} could not run ({err})")
            continue
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        problems.append(f"{argv[0]} failed: {last[0]}")
    raise CatalogueError("Nix could not list its packages (" + "; ".join(problems) + ")")


def nix_index(progress: Progress | None = None, directory: Path | None = None) -> PackageIndex:
    """The index of what the installed Nix lists."""
    out = _ask_nix(progress)
    revision = key(out.decode("utf-8", "replace"))

    def build(path: Path) -> None:
        from nixos_settings.core.packages import catalogue, index

        rows = list(catalogue.rows(catalogue.decode(out, "the output of nix"), "Nix's answer"))
        if not rows:
            raise CatalogueError("Nix listed no packages")
        say(progress, f"Indexing {len(rows)} packages …")
        index.build(rows, path, {"label": "the installed Nix", "kind": "nix",
                                 "revision": revision})

    return open_or_build((directory or cache_dir()) / f"nix-{revision}.sqlite", build)
