"""Instant, ranked option search that understands people's words, not only option names.

``SearchIndex(options: OptionSet | Sequence[OptionInfo])`` builds the index (pure Python, no
Qt; safe to build in a worker thread and query from the GUI thread afterwards: queries do
not mutate shared state except lazily built tables guarded by construction order).

``index.search(query, limit=50, *, only, kinds, hide_internal, hide_read_only)``:

* ``only``: a collection of locs (concrete definition locs like
  ``("users","users","alice","shell")`` or template locs); only options they map to are
  returned ("only options my configuration sets").
* ``kinds``: type kinds (:func:`nixos_settings.core.options.types.kinds`: ``"bool"``,
  ``"int"``, ``"str"``, ``"list"``, ...) of the type or, for ``null or T``, of ``T``.
* An empty query with filters lists every matching option in name order.

``SearchHit(option, score, why)``; ``why`` is a short reason (``"exact name"``, ``"name
prefix"``, ``"path"``, ``"pasted path"``, ``"words"``, ``"typo"``, ``"description"``,
``"some words"``).  ``index.did_you_mean(query)`` gives corrected queries for words that
match nothing; ``index.weak(hits)`` says whether results are worth such a hint.

Ranking, best first: exact name; a pasted path (``users.users.alice.description``,
``config.x.y = 1;``) resolved to its (template) option; name prefix; the query as a path
fragment aligned on segments (``openssh.enable``, ``allowedTCP``); then per-word scores:

* name tokens (segments and their camelCase parts): exact > same word form (Snowball stem:
  ``upgrades`` ~ ``autoUpgrade``) > synonym (``data/synonyms.json``: wifi → wireless, pg →
  postgresql, unfree → ``nixpkgs.config``; two-word phrases such as "caps lock") > suffix >
  prefix (``postgres`` → ``postgresql``) > infix > one-edit typo;
* words of the "module" segment (``services.<openssh>``) count more, and ``*.enable`` comes
  first when the query names a service or program;
* description words: the first sentence above the rest, both below name matches;
* every word of the query should match; options missing a word rank lower, not out;
* popularity (``data/popularity.json``: how many public configurations set the option)
  orders ties and near-ties, with shallower, shorter names; aliases and renamed options
  come after the option they stand for.

Design for ~25k options: lowercase token → option-id posting lists for names (and for their
stems) and descriptions, a sorted vocabulary for prefix lookup via :mod:`bisect`, one
newline-joined blob of names for substring search, and tables built on first use
(initials, typo vocabulary).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from nixos_settings.core.options.model import OptionInfo
from nixos_settings.core.options.search_index import (
    _ASSIGN,
    _GENERIC,
    _STOP,
    _WEAK,
    _WORD,
    MISSING,
    W_DESC,
    W_DESC_FIRST,
    W_DESC_PREFIX,
    W_DESC_SYN,
    W_EXACT,
    W_INFIX,
    W_INITIALS,
    W_MODULE,
    W_PHRASE,
    W_PREFIX,
    W_STEM,
    W_SUFFIX,
    W_SYN_GENERIC,
    W_SYN_NAME,
    W_SYNONYM,
    W_TYPO,
    WEAK,
    IndexTables,
    Loc,
    _edits,
    _plural,
    name_tokens,
    segment_tokens,
)
from nixos_settings.core.options.words import stem, synonyms

#: the longest query and word that count (longer input is cut: bounded work)
MAX_QUERY = 200
MAX_WORD = 60

__all__ = ["Loc", "SearchHit", "SearchIndex", "name_tokens", "segment_tokens"]

#: the postings of one query word: (weight, option ids) per layer (name, words, description)
_Layers = list[tuple[float, list[int]]]


#: how a best hit matched when the query may be misspelt ("did you mean" is worth showing)
WEAK_MATCHES = frozenset({"some words", "description", "typo"})


@dataclass(slots=True)
class SearchHit:
    """One ranked result."""

    option: OptionInfo
    score: float
    why: str


@dataclass(slots=True)
class _Term:
    """One query word (or two-word phrase) and what it matches."""

    text: str
    layers: _Layers
    typo_only: bool
    weak: bool


class SearchIndex(IndexTables):
    """Ranked search over one option set (see module docstring); ``SearchIndex(options)``
    builds the index, ``SearchIndex.from_state(...)`` loads a saved one."""

    # ------------------------------------------------------------------ name matches

    def _direct(self, q: str) -> dict[int, tuple[float, str]]:
        """Whole-query matches on names: exact, prefix, segment-aligned fragment."""
        out: dict[int, tuple[float, str]] = {}
        if not q:
            return out
        lo = bisect.bisect_left(self._sorted_lower, q)
        hi = bisect.bisect_left(self._sorted_lower, q + "\uffff", lo)
        for k in range(lo, min(hi, lo + 400)):
            i = self._sorted_names[k]
            if self._lower[i] == q:
                out[i] = (100.0, "exact name")
            else:
                nxt = self._lower[i][len(q)]
                out[i] = (90.0 if nxt == "." else 80.0, "name prefix")
        if 3 <= len(q) <= 8 and q.isalpha():
            # "nfe" → networking.firewall.enable: below real word matches, above descriptions
            for i in self._initials().get(q, ()):
                out.setdefault(i, (W_INITIALS, "initials"))
        if len(q) < 3 or "." not in q:
            # Without a dot, word tokens already cover segment matches (cheaper).
            return out
        blob, starts = self._blob, self._starts
        pos = blob.find(q)
        seen = 0
        while pos >= 0 and seen < 3000:
            seen += 1
            i = bisect.bisect_right(starts, pos) - 1
            if i not in out:
                before = blob[pos - 1] if pos > 0 else "\n"
                end = pos + len(q)
                after = blob[end] if end < len(blob) else "\n"
                if before in ".\n":
                    score = 70.0 if after in ".\n" else 60.0
                    out[i] = (score, "path")
                elif q[0] == "." or q[-1] == ".":
                    out[i] = (55.0, "path")
            pos = blob.find(q, pos + 1)
        return out

    def _pasted(self, text: str) -> dict[int, tuple[float, str]]:
        """A path pasted from a configuration (``users.users.alice.description``, with
        ``config.`` in front or ``= value;`` after): its option, or the template option of
        the entry it names, or the deepest option it lies under."""
        from nixos_settings.core.common.errors import OptionPathError
        from nixos_settings.core.nix.optpath import parse

        t = _ASSIGN.sub("", text.strip()).rstrip(";").strip()
        if t.startswith("config."):
            t = t[len("config."):]
        if "." not in t or " " in t.replace('" ', "").replace(' "', ""):
            return {}
        try:
            loc = parse(t)
        except OptionPathError:
            return {}
        oset = self._option_set()
        names = self._names()
        out: dict[int, tuple[float, str]] = {}
        found = oset.match(loc)
        if found is not None and found.name in names:
            out[names[found.name]] = (95.0, "pasted path")
            return out
        pm = oset.match_prefix(loc)
        if pm is not None and pm[1] >= 2 and pm[0].name in names:
            out[names[pm[0].name]] = (85.0, "pasted path")
        return out

    # ------------------------------------------------------------------ per-term matches

    def _typos(self, term: str) -> set[str]:
        """Name tokens one edit (delete, swap, replace, insert) away from ``term``.

        Generating the ~50·len edits of the query and probing the posting dict costs tens of
        microseconds and needs no extra index memory or build time.
        """
        np = self._name_post
        return {c for c in _edits(term) if c in np}

    def _vocab_prefix(self, vocab: list[str], term: str, cap: int) -> list[str]:
        lo = bisect.bisect_left(vocab, term)
        hi = bisect.bisect_left(vocab, term + "\uffff", lo)
        return vocab[lo : min(hi, lo + cap)]

    def _infix(self, term: str, cap: int = 200) -> list[str]:
        """Name tokens containing ``term`` not at their start."""
        blob = self._name_vocab_blob
        out: list[str] = []
        pos = blob.find(term)
        while pos >= 0 and len(out) < cap:
            if blob[pos - 1] != "\n":
                start = blob.rfind("\n", 0, pos) + 1
                end = blob.find("\n", pos)
                out.append(blob[start:end])
                pos = end
            pos = blob.find(term, pos + 1)
        return out

    def _name_matches(self, term: str) -> tuple[dict[str, float], bool]:
        """Name tokens matching ``term`` with their weight; flag: found only through typos."""
        np = self._name_post
        plural = _plural(term)
        found: dict[str, float] = {}

        def put(tok: str, w: float) -> None:
            if found.get(tok, 0.0) < w:
                found[tok] = w

        if len(term) >= 2:
            for tok in self._vocab_prefix(self._name_vocab, term, 60):
                put(tok, W_PREFIX)
        if len(term) >= 3:
            for tok in self._infix(term):
                put(tok, W_SUFFIX if tok.endswith(term) or tok.endswith(plural) else W_INFIX)
        for t in (term, plural):
            if t in np:
                put(t, W_EXACT)
        if found or len(term) < 4:
            return found, False
        for tok in self._typos(term):
            put(tok, W_TYPO)
        return found, bool(found)

    def _expansions(self, exps: Iterable[str], layers: _Layers, weight: float) -> None:
        """Layers for synonym expansions: name tokens, or whole option names."""
        np, mp, dp = self._name_post, self._module_post, self._desc_first
        for e in exps:
            if "." in e:
                i = self._id_of(e)
                if i is not None:
                    layers.append((W_SYN_NAME + weight - W_SYNONYM, [i]))
                continue
            if e in np:
                w = min(weight, W_SYN_GENERIC) if e in _GENERIC else weight
                layers.append((w, np[e]))
                if e in mp:
                    layers.append((w + W_MODULE, mp[e]))
            if e in dp:
                layers.append((W_DESC_SYN, dp[e]))

    def _layers(self, term: str) -> tuple[_Layers, bool]:
        """(weight, posting list) pairs one query word matches, best weight first; flag:
        matched only through typos."""
        np, mp = self._name_post, self._module_post
        st = stem(term)
        name_stems, desc_stems = self._stems()
        layers: _Layers = []
        same_form = desc_stems.get(st, ())
        for post, w in ((self._desc_first, W_DESC_FIRST), (self._desc_rest, W_DESC)):
            for word in same_form:
                ids = post.get(word)
                if ids is not None:
                    layers.append((w, ids))
        if len(term) >= 4:
            for tok in self._vocab_prefix(self._desc_vocab, st, 20):
                if tok not in same_form:
                    ids = self._desc_first.get(tok)
                    if ids is not None:
                        layers.append((W_DESC_PREFIX, ids))
        syn = synonyms()
        exps = syn.of_word(term)
        self._expansions(exps, layers, W_SYNONYM)
        names, typo_only = self._name_matches(term)
        if not exps and len(term) >= 4 and (typo_only or not names) and term not in np:
            # a typo of an everyday word ("prnter", "wifii"): what that word stands for
            for key in sorted(_edits(term) & syn.words.keys()):
                self._expansions(syn.words[key], layers, W_TYPO + 1.0)
                typo_only = True
        if len(st) >= 3:
            for tok in name_stems.get(st, ()):
                if tok != term:
                    layers.append((W_STEM, np[tok]))
                    if tok in mp:
                        layers.append((W_STEM + W_MODULE, mp[tok]))
                    typo_only = False
        for tok, w in names.items():
            layers.append((w, np[tok]))
            if tok in mp and w >= W_PREFIX and w != W_SUFFIX:
                layers.append((w + W_MODULE, mp[tok]))
        layers.sort(key=lambda x: -x[0])
        return layers, typo_only

    def _terms(self, words: list[str]) -> list[_Term]:
        """Query words → terms; two adjacent words in the phrase table become one term, stop
        words and repeated words are left out (unless nothing else is left)."""
        syn = synonyms()
        out: list[_Term] = []
        seen: set[str] = set()
        kept = [w for w in words if w not in _STOP] or words[:1]
        i = 0
        while i < len(words):
            w = words[i]
            # the phrase's second word: next, or after one small word ("tap to click")
            j, exps = i + 1, syn.of_phrase(w, words[i + 1]) if i + 1 < len(words) else ()
            if not exps and i + 2 < len(words) and words[i + 1] in _STOP:
                j, exps = i + 2, syn.of_phrase(w, words[i + 2])
            if exps:
                a, ta = self._layers(w)
                b, tb = self._layers(words[j])
                layers = [(x * 0.8, ids) for x, ids in a + b]
                self._expansions(exps, layers, W_PHRASE)
                layers.sort(key=lambda x: -x[0])
                out.append(_Term(" ".join(words[i : j + 1]), layers, ta and tb, False))
                seen.update((w, words[j]))
                i = j + 1
                continue
            if w in seen or w not in kept:
                i += 1
                continue
            seen.add(w)
            layers, typo = self._layers(w)
            out.append(_Term(w, layers, typo, w in _WEAK))
            i += 1
        return out

    @staticmethod
    def _merge(layers: _Layers) -> dict[int, float]:
        """Best weight per option (applied worst first: C-speed dict updates)."""
        scores: dict[int, float] = {}
        for w, ids in reversed(layers):
            scores.update(dict.fromkeys(ids, w))
        return scores

    def _top_of_layers(self, layers: _Layers, k: int) -> dict[int, float]:
        """The ``k`` best options of one word without touching every posting.

        Posting lists are in tie-break order, so taking heads of lists class by class finds
        the best of each class; a few more than asked are taken so that the tie-break
        (popularity, depth) can reorder near-ties across classes.
        """
        out: dict[int, float] = {}
        pen = self._penalty
        i = 0
        while i < len(layers) and len(out) < k:
            w = layers[i][0]
            group = []
            while i < len(layers) and layers[i][0] == w:
                group.append(layers[i][1])
                i += 1
            for oid in heapq.merge(*group):
                if oid in out:
                    continue
                out[oid] = w * 3.0 - pen[oid]
                if len(out) >= k:
                    break
        return out

    # ------------------------------------------------------------------ search

    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        only: Collection[Loc] | None = None,
        kinds: Collection[str] | None = None,
        hide_internal: bool = True,
        hide_read_only: bool = False,
    ) -> list[SearchHit]:
        """Ranked hits for ``query`` (see module docstring).  Only the first
        :data:`MAX_QUERY` characters and :data:`MAX_WORD` characters of a word count, so a
        pasted page of text costs no more than a long query (nothing real is longer)."""
        q = " ".join(w[:MAX_WORD] for w in query[: MAX_QUERY * 2].strip().lower().split())
        q = q[:MAX_QUERY]
        if not q:
            if only is None and not kinds:
                return []
            ids = self._filter(self._sorted_names, only, kinds, hide_internal, hide_read_only)
            return [SearchHit(self.options[i], 0.0, "filter") for i in ids[:limit]]

        words = _WORD.findall(q)
        terms = self._terms(words)[:6]
        filtered = only is not None or bool(kinds) or hide_read_only
        word_why = "typo" if any(t.typo_only for t in terms) else "words"
        why: dict[int, str] = {}
        if len(terms) == 1 and not filtered:
            cand = self._one_word(terms[0].layers, limit, word_why, why)
        elif terms:
            cand = self._every_word(q, terms, word_why, why)
        else:
            cand = {}
        direct = self._direct(q) if " " not in q else {}
        if "." in q:
            for i, hit in self._pasted(query).items():
                if i not in direct or direct[i][0] < hit[0]:
                    direct[i] = hit
        for i, (sc, reason) in direct.items():
            cand[i] = max(cand.get(i, -1e9), sc + cand.get(i, 0.0) * 0.1 - self._penalty[i])
            why[i] = reason
        if only is None and not kinds and not hide_read_only:
            top = heapq.nlargest(limit + 20, cand, key=cand.__getitem__)
        else:
            top = sorted(cand, key=cand.__getitem__, reverse=True)
        self._parents_first(top, cand)
        ids = self._filter(top, only, kinds, hide_internal, hide_read_only)
        ids.sort(key=lambda i: (-cand[i], self._lower[i]))
        return [SearchHit(self.options[i], round(cand[i], 3), why[i]) for i in ids[:limit]]

    def _parents_first(self, top: list[int], cand: dict[int, float]) -> None:
        """An option that groups others (``home.pointerCursor``) before the options in it
        that match no better (``home.pointerCursor.size``): ``cand`` is lowered for those."""
        lower, name_list = self._lower, self._name_list
        for i in top:
            name = name_list[i]
            cut = name.rfind(".")
            while cut > 0:
                p = self._id_of(name[:cut])
                if p is not None and p in cand and cand[p] >= cand[i] - 2.0:
                    if cand[i] >= cand[p]:
                        cand[i] = cand[p] - 0.01 * (1 + lower[i].count("."))
                    break
                cut = name.rfind(".", 0, cut)

    def _one_word(self, layers: _Layers, limit: int, word_why: str,
                  why: dict[int, str]) -> dict[int, float]:
        """Scores for a one-word query (no filters): the top of its layers, enable options
        first ("zsh" most likely means programs.zsh.enable)."""
        cand = self._top_of_layers(layers, limit + 40)
        enable = self._enable
        for i in cand:
            if enable[i]:
                cand[i] += 0.6
        for i, sc in cand.items():
            why[i] = word_why if sc > W_DESC_FIRST * 3.0 + 0.5 else "description"
        return cand

    def _informative(self, terms: list[_Term]) -> tuple[list[_Term], list[_Term]]:
        """(words every result should match, weak words that only add a bonus).

        A word matching about as many options as there are (services, enable, config) says
        little beside rarer words, and merging its postings would cost most of the query."""
        strong = [t for t in terms if t.layers and not t.weak]
        weak = [t for t in terms if t.layers and t.weak]
        if not strong:
            strong, weak = weak, []
        common = len(self.options) * 3 // 4
        size = {id(t): sum(len(ids) for _, ids in t.layers) for t in strong + weak}
        rare = [t for t in strong if size[id(t)] <= common]
        if rare and len(rare) < len(strong):
            strong = rare
        return strong, [t for t in weak if size[id(t)] <= common]

    def _every_word(self, q: str, terms: list[_Term], word_why: str,
                    why: dict[int, str]) -> dict[int, float]:
        """Scores of the options matching the words: every word (weak verbs only add a
        bonus), and those missing some words lower by :data:`MISSING` per word."""
        strong, weak = self._informative(terms)
        if not strong:
            return {}
        need = len(strong)
        total: dict[int, float] = {}
        have: dict[int, int] = {}
        for d in (self._merge(t.layers) for t in strong):
            for i, w in d.items():
                total[i] = total.get(i, 0.0) + w
                have[i] = have.get(i, 0) + 1
        bonus: dict[int, float] = {}
        for t in weak:
            for i, w in self._merge(t.layers).items():
                if i in total:
                    bonus[i] = bonus.get(i, 0.0) + w * WEAK
        # "system packages" written as one name segment (systemPackages) is a strong hint
        for i in self._name_post.get("".join(t.text.replace(" ", "") for t in terms), ()):
            if i in total:
                bonus[i] = bonus.get(i, 0.0) + 3.0
        enable_bonus = 1.5 if " " in q and "." not in q else 0.0
        pen, enable = self._penalty, self._enable
        cand: dict[int, float] = {}
        for i, tot in total.items():
            missing = need - have[i]
            cand[i] = (tot / need * 3.0 - pen[i] - MISSING * missing + bonus.get(i, 0.0)
                       + (enable_bonus if enable[i] else 0.0))
            if missing:
                why[i] = "some words"
            else:
                why[i] = word_why if tot > W_DESC_FIRST * need else "description"
        return cand

    # ------------------------------------------------------------------ hints

    @staticmethod
    def weak(hits: Sequence[SearchHit]) -> bool:
        """True when ``hits`` are empty or only partial/description/typo matches, so that a
        "did you mean" hint is worth showing."""
        return not hits or hits[0].why in WEAK_MATCHES

    def did_you_mean(self, query: str, limit: int = 3) -> list[str]:
        """Queries with each word that matches no option name or description replaced by
        the closest word that does (fewest edits, then most options), best first."""
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        words = [w[:MAX_WORD] for w in _WORD.findall(query[:MAX_QUERY].lower())]
        if not words:
            return []
        vocab = self._name_vocab
        known = self._name_post
        out: list[list[str]] = [[]]
        changed = False
        for w in words:
            if w in known or stem(w) in self._stems()[0] or w in _STOP or len(w) < 3:
                out = [o + [w] for o in out]
                continue
            cutoff = 1 if len(w) <= 4 else 2
            found = extract(w, vocab, scorer=Levenshtein.distance, limit=12,
                            score_cutoff=cutoff)
            if not found:
                out = [o + [w] for o in out]
                continue
            found.sort(key=lambda f: (f[1], -len(known[f[0]]), f[0]))
            alts = [f[0] for f in found[:limit]]
            changed = True
            out = [o + [a] for o in out for a in alts][:limit]
        if not changed:
            return []
        return [" ".join(o) for o in out][:limit]
