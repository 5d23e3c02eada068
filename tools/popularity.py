"""Build ``gui/nixos_settings/core/options/data/popularity.json``: how many public NixOS and
Home Manager configuration repositories set each option.

Method
======

For every repository: every ``.nix`` file of its newest commit is parsed with tree-sitter-nix;
every binding's full attribute path is built from the attribute sets around it (``services =
{ openssh.enable = true; }`` gives ``services.openssh.enable``; ``mkIf``, ``mkMerge``,
``with`` and ``let … in`` bodies are looked through, ``let`` bindings themselves are not
definitions).  A leading ``config.`` is dropped, and so is ``home-manager.users.<user>.``
(Home Manager used as a NixOS module); ``options.…`` paths (module declarations) are skipped.
Each path is matched against the option metadata in ``shared/data/options/`` (NixOS 20.09pre
and Home Manager): an exact option, the template option of a concrete path
(``users.users.alice.shell`` → ``users.users.<name?>.shell``) or, failing those, the deepest
option that is a prefix (``nixpkgs.config.allowUnfree`` → ``nixpkgs.config``).  A path that
matches none of them (an option of a newer release, such as
``services.desktopManager.gnome.enable``) is counted under its own name when it is a leaf (its
value is not an attribute set), is written with plain names only (no quoted ones such as
``"Lock Session"``, which name entries of free-form settings), starts with a top-level name
the metadata knows
(``services``, ``programs``, ``home`` …) and is set by at least three repositories.  An
option counts once per repository, however often that repository sets it; options set by
only one repository are left out.

Only the counts are written (option name → number of repositories), plus the number of
repositories read.  Nothing from the repositories themselves is kept.

Sources
=======

The repositories are listed in ``tools/popularity_sources.txt`` (``owner/name`` per line):
public repositories found by name (``nixos-config``, ``nix-config``, ``nixfiles``,
``dotfiles``, ``home-manager-config`` …) in a public code index, and fetched as snapshots of
their default branch in December 2026.  254 repositories were read for the committed table
(the time available allowed that many, not the few hundred the issue hoped for).

Re-running
==========

    python tools/popularity.py [--mirror DIR] [--clone-missing] [--out FILE]

Each listed repository is looked for as a git directory under ``--mirror`` (default
``/work/.mirror/<owner>+<name>/repo``, where the session tooling puts fetched snapshots); with
``--clone-missing`` a missing one is cloned shallowly from GitHub into ``--mirror``.  Needs the
project installed (tree-sitter, tree-sitter-nix) and ``NIXOS_SETTINGS_SHARED`` (or
``../shared``) for the option metadata.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import tree_sitter as ts
import tree_sitter_nix as tsn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "gui"))

from nixos_settings.core.nix.optpath import is_identifier, show  # noqa: E402
from nixos_settings.core.options.model import OptionSet, load_file  # noqa: E402

SOURCES = REPO / "tools" / "popularity_sources.txt"
OUT = REPO / "gui" / "nixos_settings" / "core" / "options" / "data" / "popularity.json"
FILES = ("nixos-20.09pre-options.json.gz", "home-manager-options.json.gz")
MAX_FILE = 400_000  # generated or vendored files bigger than this are not configurations

_PARSER = ts.Parser(ts.Language(tsn.language()))
_ATTRSETS = {"attrset_expression", "rec_attrset_expression"}


def _segment(node: ts.Node) -> str | None:
    if node.type == "identifier":
        return (node.text or b"").decode("utf-8", "replace")
    if node.type == "string_expression":
        parts = [c for c in node.named_children]
        if all(c.type == "string_fragment" for c in parts):
            return "".join((c.text or b"").decode("utf-8", "replace") for c in parts)
    return None  # interpolation: unknown name


def _paths(node: ts.Node, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Full attribute paths of the bindings under ``node``, each with whether its value is a
    leaf (not an attribute set); iterative: deep files."""
    stack: list[tuple[ts.Node, tuple[str, ...]]] = [(node, prefix)]
    while stack:
        n, pre = stack.pop()
        if n.type == "let_expression":
            body = n.child_by_field_name("body")
            if body is not None:
                stack.append((body, pre))
            continue
        if n.type == "binding":
            ap = n.child_by_field_name("attrpath")
            value = n.child_by_field_name("expression")
            segs = [_segment(a) for a in (ap.named_children if ap is not None else [])]
            if not segs or any(s is None for s in segs):
                continue
            path = pre + tuple(s for s in segs if s is not None)
            yield path, value is None or value.type not in _ATTRSETS
            if value is not None:
                stack.append((value, path))
            continue
        for c in n.named_children:
            stack.append((c, pre))


def _normalise(path: tuple[str, ...]) -> tuple[str, ...] | None:
    if path[:1] == ("config",):
        path = path[1:]
    if path[:2] == ("home-manager", "users") and len(path) > 3:
        path = path[3:]
    if not path or path[0] in ("options", "imports", "_module"):
        return None
    return path


def repo_files(gitdir: Path) -> Iterator[bytes]:
    """Contents of the ``.nix`` files of HEAD in a (bare) git directory."""
    ls = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "-l", "HEAD"],
                        capture_output=True, check=False)
    shas = []
    for line in ls.stdout.decode("utf-8", "replace").splitlines():
        meta, _, name = line.partition("\t")
        parts = meta.split()
        if len(parts) == 4 and parts[1] == "blob" and name.endswith(".nix"):
            if parts[3].isdigit() and int(parts[3]) <= MAX_FILE:
                shas.append(parts[2])
    if not shas:
        return
    cat = subprocess.run(["git", "--git-dir", str(gitdir), "cat-file", "--batch"],
                         input=("\n".join(shas) + "\n").encode(), capture_output=True,
                         check=False)
    out, pos = cat.stdout, 0
    while pos < len(out):
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        size = int(header[2]) if len(header) == 3 else 0
        yield out[nl + 1 : nl + 1 + size]
        pos = nl + 1 + size + 1


def options_of_repo(gitdir: Path, sets: list[OptionSet],
                    tops: set[str]) -> tuple[set[str], set[str]]:
    """(options of the metadata set, other leaf paths under known top-level names)."""
    found: set[str] = set()
    other: set[str] = set()
    memo: dict[tuple[str, ...], str | None] = {}
    for data in repo_files(gitdir):
        tree = _PARSER.parse(data)
        for raw, leaf in _paths(tree.root_node, ()):
            path = _normalise(raw)
            if path is None:
                continue
            if path not in memo:
                memo[path] = _match(path, sets)
            name = memo[path]
            if name is not None:
                found.add(name)
            elif (leaf and len(path) >= 2 and path[0] in tops
                  and all(is_identifier(seg) for seg in path)):
                other.add(show(path))
    return found, other


def _match(path: tuple[str, ...], sets: list[OptionSet]) -> str | None:
    for s in sets:
        o = s.match(path)
        if o is not None:
            return o.name
    for s in sets:
        pm = s.match_prefix(path)
        # a prefix match must be a real option (not a whole subtree like "services")
        if pm is not None and pm[1] >= 2:
            return pm[0].name
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--sources", type=Path, default=SOURCES)
    ap.add_argument("--clone-missing", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    env = os.environ.get("NIXOS_SETTINGS_SHARED")
    shared = Path(env) if env else REPO.parent / "shared"
    sets = [load_file(shared / "data" / "options" / f) for f in FILES]
    tops = {o.loc[0] for s in sets for o in s.options} - {"_module"}
    counts: Counter[str] = Counter()
    others: Counter[str] = Counter()
    read = 0
    for line in args.sources.read_text().splitlines():
        name = line.split("#")[0].strip()
        if not name:
            continue
        gitdir = args.mirror / name.replace("/", "+") / "repo"
        if not gitdir.is_dir() and args.clone_missing:
            subprocess.run(["git", "clone", "--bare", "--depth", "1",
                            f"https://github.com/{name}", str(gitdir)], check=False)
        if not gitdir.is_dir():
            print(f"popularity: skipped {name} (not found under {args.mirror})", file=sys.stderr)
            continue
        opts, other = options_of_repo(gitdir, sets, tops)
        read += 1
        counts.update(opts)
        others.update(other)
        print(f"popularity: {name}: {len(opts)} options, {len(other)} others", file=sys.stderr)
    # Options set by only one repository say little and would bloat the file.
    merged = {k: v for k, v in counts.items() if v >= 2}
    merged.update((k, v) for k, v in others.items() if v >= 3 and k not in merged)
    table = dict(sorted(merged.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"repositories": read, "counts": table}
    args.out.write_text(json.dumps(doc, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"popularity: {read} repositories, {len(table)} options -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
