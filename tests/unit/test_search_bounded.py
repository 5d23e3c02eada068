"""Search on hostile input: a pasted page of text is cut to the first MAX_QUERY characters
(and words to MAX_WORD), so its cost is bounded like a normal query's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nixos_settings.core.options import search_cache
from nixos_settings.core.options.search import MAX_QUERY, MAX_WORD

ROOT = Path(__file__).resolve().parents[2]


def test_long_queries_are_cut_to_what_counts(shared_dir: Path) -> None:
    index = search_cache.index_for_file(
        shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz")
    long = "ssh server time zone printer " * 5000
    cut = " ".join(long.split())[:MAX_QUERY]
    assert [h.option.name for h in index.search(long, 10)] == \
        [h.option.name for h in index.search(cut, 10)]
    assert index.search("a" * 100_000, 10) == index.search("a" * MAX_WORD, 10)
    assert index.did_you_mean("wifi " * 100_000) == index.did_you_mean(("wifi " * 100)[:MAX_QUERY])


def test_cli_search_with_a_huge_query_answers(shared_dir: Path, tmp_path: Path) -> None:
    opts = shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "gui"))
    out = subprocess.run([sys.executable, "-m", "nixos_settings", "search", "x" * 100_000,
                          "--options", str(opts)], capture_output=True, text=True, env=env,
                         timeout=120, check=False)
    assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr[:500]
    assert len(out.stderr) < 300  # the query is shown shortened
