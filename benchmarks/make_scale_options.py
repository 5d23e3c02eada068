"""Build a large options.json (default 25,000 options) from the three shared real files.

The NixOS 20.09, Home Manager and nix-darwin files are combined; Home Manager and nix-darwin
options are put under a first segment of their own (``hm.``/``darwin.``) so that names do
not collide, then the whole set is replicated under ``replicaN.`` prefixes until the target
count is reached; every name segment of a replica gets the replica's number
(``replica1.services1.openssh1.enable1``), so the copies are distinct names, as the options
of a real 20,000-option set are, not repeats that an index could share.  The result is
written to a directory the caller gives (a temporary one
by default) and is never committed.

    python benchmarks/make_scale_options.py [--count N] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "gui"))

from nixos_settings.core.nix.optpath import show  # noqa: E402

FILES = (
    ("nixos-20.09pre-options.json.gz", None),
    ("home-manager-options.json.gz", "hm"),
    ("nix-darwin-options.json.gz", "darwin"),
)


def shared_dir() -> Path:
    env = os.environ.get("NIXOS_SETTINGS_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def _renamed(rec: dict[str, Any], prefix: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    loc = [*prefix, *rec["loc"]]
    return show(loc), {**rec, "loc": loc}


def build(count: int = 25_000, shared: Path | None = None) -> dict[str, Any]:
    """A dict keyed by option name with ``count`` records in the options.json shape."""
    base_dir = (shared or shared_dir()) / "data" / "options"
    base: list[tuple[str, dict[str, Any]]] = []
    for name, prefix in FILES:
        data = orjson.loads(gzip.decompress((base_dir / name).read_bytes()))
        for key, rec in data.items():
            base.append(_renamed(rec, (prefix,)) if prefix else (key, rec))
    out: dict[str, Any] = {}
    replica = 0
    while len(out) < count:
        for key, rec in base:
            if len(out) >= count:
                break
            if replica == 0:
                out[key] = rec
            else:
                loc = [f"replica{replica}", *(seg if seg.startswith("<") or seg == "*"
                                             else f"{seg}{replica}" for seg in rec["loc"])]
                out[show(loc)] = {**rec, "loc": loc}
        replica += 1
    return out


def write(count: int = 25_000, out_dir: Path | None = None) -> Path:
    """Write ``options-<count>.json`` into ``out_dir`` (default: a new temp dir)."""
    d = out_dir or Path(tempfile.mkdtemp(prefix="nixos-settings-scale-"))
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"options-{count}.json"
    path.write_bytes(orjson.dumps(build(count)))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=25_000)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    print(write(args.count, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
