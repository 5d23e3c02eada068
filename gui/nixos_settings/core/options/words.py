"""Words for search: word forms (stemming), the synonym table and the popularity table.

* ``stem(word) -> str`` – the English Snowball stem of a lowercase word (``upgrades`` →
  ``upgrad`` = ``upgrade``'s stem; ``collecting``/``collection`` → ``collect``), memoised.
  ``snowballstemmer`` runs at C speed when PyStemmer is installed.
* ``synonyms() -> Synonyms`` – the table in ``data/synonyms.json`` (everyday words,
  abbreviations and product names → name tokens or option names), keyed by word, by the
  word's stem and by two-word phrase.
* ``popularity() -> dict[str, int]`` – option name → number of public configuration
  repositories that set it (``data/popularity.json``, built by ``tools/popularity.py``).

The data files are read once per process, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball (Porter 2) stem of a lowercase word; digits and short words unchanged."""
    got = _STEMS.get(word)
    if got is None:
        got = _STEMS[word] = word if len(word) < 4 else _STEMMER.stemWord(word)
    return got


def stem_many(words: list[str]) -> list[str]:
    """Stems of many words at once (one call into the stemmer for the unknown ones)."""
    cache_ = _STEMS
    todo = [w for w in words if w not in cache_ and len(w) >= 4]
    if todo:
        for w, s in zip(todo, _STEMMER.stemWords(todo), strict=True):
            cache_[w] = s
    return [cache_.get(w, w) for w in words]


def _read(name: str) -> Any:
    ref = resources.files("nixos_settings.core.options").joinpath("data", name)
    return json.loads(ref.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Synonyms:
    """``words``: word (and its stem) → expansions; ``phrases``: (first word, last word) →
    expansions, also keyed by the two stems (a three-word phrase such as "tap to click" is
    keyed by its outer words).  An expansion with a dot is an option name, else a
    lowercase name token."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def of_word(self, word: str) -> tuple[str, ...]:
        return self.words.get(word) or self.words.get(stem(word), ())

    def of_phrase(self, first: str, second: str) -> tuple[str, ...]:
        return self.phrases.get((first, second)) or self.phrases.get(
            (stem(first), stem(second)), ()
        )


def _norm(expansions: list[str]) -> tuple[str, ...]:
    # option names keep their case (exact names); tokens are lowercase
    return tuple(e if "." in e else e.lower() for e in expansions)


@cache
def synonyms() -> Synonyms:
    data = _read("synonyms.json")
    words: dict[str, tuple[str, ...]] = {}
    phrases: dict[tuple[str, str], tuple[str, ...]] = {}
    entries = list(data["words"].items()) + list(data["phrases"].items())
    for key, exp in entries:
        parts = key.lower().split()
        val = _norm(exp)
        if len(parts) == 1:
            words[parts[0]] = val
        else:
            # "tap to click": the outer words, matched around one small word in the query
            phrases[(parts[0], parts[-1])] = val
    # stems as keys too, without overriding a word written in the table
    for key, val in list(words.items()):
        words.setdefault(stem(key), val)
    for (a, b), val in list(phrases.items()):
        phrases.setdefault((stem(a), stem(b)), val)
    return Synonyms(words, phrases)


def synonym_entries() -> dict[str, list[str]]:
    """The table as written (key → expansions), for tests and tools."""
    data = _read("synonyms.json")
    return {**data["words"], **data["phrases"]}


@cache
def popularity() -> dict[str, int]:
    counts: dict[str, int] = _read("popularity.json")["counts"]
    return counts
