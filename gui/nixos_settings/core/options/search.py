"""Instant, ranked option search.

``SearchIndex(options: OptionSet | Sequence[OptionInfo])`` builds the index (pure Python, no
Qt; safe to build in a worker thread and query from the GUI thread afterwards: queries do
not mutate shared state except a lazily built typo table guarded by construction order).

``index.search(query, limit=50, *, only, kinds, hide_internal, hide_read_only)``:

* ``only``: a collection of locs (concrete definition locs like
  ``("users","users","alice","shell")`` or template locs); only options they map to are
  returned ("only options my configuration sets").
* ``kinds``: type kinds (:func:`nixos_settings.core.options.types.kinds`: ``"bool"``,
  ``"int"``, ``"str"``, ``"list"``, ...) of the type or, for ``null or T``, of ``T``.
* An empty query with filters lists every matching option in name order.

``SearchHit(option, score, why)``; ``why`` is a short reason (``"exact name"``, ``"name
prefix"``, ``"path"``, ``"words"``, ``"typo"``, ``"description"``).

Ranking, best first: exact name; name prefix; the query as a path fragment aligned on
segments (``openssh.enable``, ``allowedTCP``); every word matching name tokens (segments and
their camelCase parts: exact > prefix > suffix > infix), typo-tolerant token matches, then
description words.  Words matching the "module" segment (``services.<openssh>``) count
more; words that together spell one segment (``system packages`` → ``systemPackages``) get
a bonus; ``*.enable`` switches come first among equals; remaining ties go to shallower,
shorter names.  Descriptions are indexed by their first 400 characters.

Design for ~25k options: lowercase token → option-id posting lists for names and
descriptions, a sorted vocabulary for prefix lookup via :mod:`bisect`, one newline-joined
blob of names for substring search, and a deletion-neighbourhood table (built lazily on the
first query that needs it) for typos.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from nixos_settings.core.nix.optpath import is_placeholder
from nixos_settings.core.options.model import OptionInfo, OptionSet

#: the postings of one query word: (weight, option ids) per layer (name, words, description)
_Layers = list[tuple[float, list[int]]]

Loc = tuple[str, ...]

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_WORD = re.compile(r"[a-z0-9]+")
_DESC_WORD = re.compile(r"[a-z0-9]{2,}")
_TAG = re.compile(r"<[^>]*>")

# Words too common in descriptions to say anything about which option is meant.
_STOP = frozenset(
    """a an and are as at be by can for from has have if in into is it its may not of on or
    that the then this to use used uses using when whether which will with you your
    option options set default value values see also e g i etc should must only""".split()
)

# Plain words people type → words the metadata uses instead.  Kept small and literal.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "server": ("daemon", "service", "services", "sshd", "server"),
    "daemon": ("service", "services", "server"),
    "keyboard": ("keymap", "xkb", "kbd", "layout"),
    "wifi": ("wireless", "wlan", "networkmanager"),
    "sound": ("audio", "pulseaudio", "alsa", "pipewire"),
    "audio": ("sound", "pulseaudio", "alsa", "pipewire"),
    "printer": ("printing", "cups"),
    "printing": ("cups",),
    "timezone": ("time", "zone"),
    "password": ("passwd", "hashedpassword"),
    "packages": ("systempackages",),
    "dns": ("nameservers", "resolved", "resolvconf"),
    "hostname": ("hostname",),
    "autologin": ("autologin", "autologinuser"),
    "login": ("autologin", "logind", "greeter"),
    "user": ("users",),
    "fonts": ("font",),
    "gpu": ("video", "opengl", "graphics", "nvidia"),
    "vpn": ("wireguard", "openvpn", "tailscale"),
    "docker": ("docker", "oci"),
}

# Term weights (a term's score on one option is the best of its matches there).
W_EXACT = 10.0
W_PREFIX = 7.0
W_SUFFIX = 8.0
W_INFIX = 4.0
W_TYPO = 5.0
W_SYNONYM = 5.0
W_DESC = 3.0
W_DESC_PREFIX = 2.0
DESC_INDEX_CHARS = 400
W_INITIALS = 15.0
W_MODULE = 2.5  # bonus when the token comes from the module segment


def _tie_key(o: OptionInfo) -> float:
    pen = 0.05 * len(o.loc) + 0.002 * len(o.name)
    # Aliases and renamed options rank after the option they stand for.  (Plain substring
    # tests on the opening, case-free by leaving out the first letter: this runs for every
    # option of the index build.)
    d = o.description
    if isinstance(d, str):
        head = d[:60]
        if "lias of" in head or "bsolete" in head or "eprecated" in head or "renamed" in head:
            pen += 4.0
    return pen


def _token_postings(
    seg_post: dict[str, list[int]], seg_tokens: dict[str, tuple[str, ...]]
) -> dict[str, list[int]]:
    """Token → sorted option ids, from segment → sorted option ids."""
    by_token: dict[str, list[list[int]]] = {}
    for seg, ids in seg_post.items():
        toks = seg_tokens.get(seg)
        if toks is None:
            toks = seg_tokens[seg] = segment_tokens(seg)
        for tok in toks:
            by_token.setdefault(tok, []).append(ids)
    out: dict[str, list[int]] = {}
    for tok, lists in by_token.items():
        # one segment: already sorted and unique; several: merge at C speed
        out[tok] = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
    return out


def _stem(w: str) -> str:
    """Very light plural folding (ports→port, passwords→password, but not 'ss')."""
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def segment_tokens(seg: str) -> tuple[str, ...]:
    """Lowercase tokens of one loc segment: itself, its camelCase/-/_ parts, and stems."""
    if is_placeholder(seg):
        return ()
    if seg.isalnum() and seg.islower():
        # the common case (enable, services, openssh): no camelCase parts to split off
        st = _stem(seg)
        return (seg,) if st == seg else (seg, st)
    low = seg.lower()
    out = {low}
    out.update(p.lower() for p in _CAMEL.findall(seg))
    out.update(_WORD.findall(low))
    out |= {_stem(t) for t in out}
    out.discard("")
    return tuple(out)


def name_tokens(loc: Sequence[str]) -> set[str]:
    """Lowercase tokens of a whole loc (union of :func:`segment_tokens`)."""
    out: set[str] = set()
    for seg in loc:
        out.update(segment_tokens(seg))
    return out


@dataclass(slots=True)
class SearchHit:
    """One ranked result."""

    option: OptionInfo
    score: float
    why: str


class SearchIndex:
    """Precomputed search structures over one option set (see module docstring)."""

    def __init__(self, options: OptionSet | Sequence[OptionInfo]) -> None:
        # The index is hundreds of thousands of acyclic lists and strings; the cyclic GC
        # would scan them repeatedly while they are built for nothing.
        self._initials_map: dict[str, list[int]] | None = None
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(options)
        finally:
            if was_enabled:
                gc.enable()

    def _build(self, options: OptionSet | Sequence[OptionInfo]) -> None:
        self._set = options if isinstance(options, OptionSet) else None
        # Option ids are assigned shallowest/shortest name first, so every posting list is
        # already in tie-break order: the best few of a large list are simply its head.
        given = list(options)
        given_pen = [_tie_key(o) for o in given]
        order = sorted(range(len(given)), key=given_pen.__getitem__)
        self.options: list[OptionInfo] = [given[i] for i in order]
        opts = self.options
        n = len(opts)
        # Ties: shallower, then shorter names first.
        self._penalty: list[float] = [given_pen[i] for i in order]
        self._lower: list[str] = [o.name.lower() for o in opts]
        self._enable: list[bool] = [o.loc[-1] == "enable" for o in opts]
        self._blob = "\n".join(self._lower)
        starts = [0] * n
        pos = 0
        for i, low in enumerate(self._lower):
            starts[i] = pos
            pos += len(low) + 1
        self._starts = starts
        self._sorted_names = sorted(range(n), key=self._lower.__getitem__)
        self._sorted_lower = [self._lower[i] for i in self._sorted_names]
        self._build_names(opts)
        self._build_descriptions(opts)
        self._kind_cache: list[frozenset[str] | None] = [None] * n
        self._only_cache: tuple[frozenset[Loc], frozenset[int]] | None = None

    def _build_names(self, opts: list[OptionInfo]) -> None:
        """Token postings of names, built per distinct segment (segments repeat a lot)."""
        seg_post: defaultdict[str, list[int]] = defaultdict(list)
        mod_post: defaultdict[str, list[int]] = defaultdict(list)
        for i, o in enumerate(opts):
            loc = o.loc
            for seg in loc:
                seg_post[seg].append(i)
            # Tokens of the "module" segment (services.<openssh>.enable, <home>.packages)
            # weigh more: that is usually the thing a plain-word query names.
            if len(loc) >= 3:
                mod_post[loc[1]].append(i)
            elif len(loc) == 2:
                mod_post[loc[0]].append(i)
        seg_tokens: dict[str, tuple[str, ...]] = {}
        self._name_post = _token_postings(seg_post, seg_tokens)
        self._module_post = _token_postings(mod_post, seg_tokens)
        self._name_vocab = sorted(self._name_post)
        self._name_vocab_blob = "\n" + "\n".join(self._name_vocab) + "\n"

    def _build_descriptions(self, opts: list[OptionInfo]) -> None:
        desc_post: defaultdict[str, list[int]] = defaultdict(list)
        stop = _STOP
        findall = _DESC_WORD.findall
        for i, o in enumerate(opts):
            d = o.description
            if not d:
                continue
            # The opening of a description says what the option is; indexing only that
            # keeps the build inside its budget (90% of descriptions are shorter anyway).
            low = d[:DESC_INDEX_CHARS].lower()
            if "<" in low:
                low = _TAG.sub(" ", low)
            for w in set(findall(low)) - stop:
                desc_post[w].append(i)
        # Fold plurals into the stem's list too (only words ending in s); keep lists sorted.
        folded: dict[str, list[int]] = {}
        for w in [w for w in desc_post if w.endswith("s")]:
            st = _stem(w)
            if st != w:
                folded.setdefault(st, list(desc_post.get(st, ()))).extend(desc_post[w])
        for st, ids in folded.items():
            desc_post[st] = sorted(set(ids))
        self._desc_post = dict(desc_post)
        self._desc_vocab = sorted(self._desc_post)

    def __len__(self) -> int:
        return len(self.options)

    # ------------------------------------------------------------------ name matches

    def prepare(self) -> None:
        """Build the tables that are otherwise built on first use (the app calls this in its
        background loader, so no keystroke pays for them)."""
        self._initials()

    def _initials(self) -> dict[str, list[int]]:
        """First letters of every segment → option ids; built on first use (not part of the
        index build budget, and most sessions never need it)."""
        if self._initials_map is None:
            table: dict[str, list[int]] = {}
            for i, o in enumerate(self.options):
                key = "".join(seg[:1] for seg in o.loc).lower()
                if key.isalpha():
                    table.setdefault(key, []).append(i)
            self._initials_map = table
        return self._initials_map

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

    # ------------------------------------------------------------------ per-term matches

    def _typos(self, term: str) -> set[str]:
        """Name tokens one edit (delete, swap, replace, insert) away from ``term``.

        Generating the ~50·len edits of the query and probing the posting dict costs tens of
        microseconds and needs no extra index memory or build time.
        """
        np = self._name_post
        letters = "abcdefghijklmnopqrstuvwxyz0123456789"
        splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
        cands: set[str] = set()
        for left, right in splits:
            if right:
                cands.add(left + right[1:])
                if len(right) > 1:
                    cands.add(left + right[1] + right[0] + right[2:])
                for c in letters:
                    cands.add(left + c + right[1:])
            for c in letters:
                cands.add(left + c + right)
        cands.discard(term)
        return {c for c in cands if c in np}

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
        stem = _stem(term)
        found: dict[str, float] = {}

        def put(tok: str, w: float) -> None:
            if found.get(tok, 0.0) < w:
                found[tok] = w

        for syn in _SYNONYMS.get(term, ()) + _SYNONYMS.get(stem, ()):
            if syn in np:
                put(syn, W_SYNONYM)
        if len(term) >= 2:
            for tok in self._vocab_prefix(self._name_vocab, term, 60):
                put(tok, W_PREFIX)
        if len(term) >= 3:
            for tok in self._infix(term):
                put(tok, W_SUFFIX if tok.endswith(term) or tok.endswith(stem) else W_INFIX)
        for t in (term, stem):
            if t in np:
                put(t, W_EXACT)
        if found or len(term) < 4:
            return found, False
        for tok in self._typos(term):
            put(tok, W_TYPO)
        return found, bool(found)

    def _layers(self, term: str) -> tuple[list[tuple[float, list[int]]], bool]:
        """(weight, posting list) pairs one query word matches, best weight first; flag:
        matched only through typos."""
        np, mp, dp = self._name_post, self._module_post, self._desc_post
        stem = _stem(term)
        layers: list[tuple[float, list[int]]] = []
        for t in {term, stem}:
            if t in dp:
                layers.append((W_DESC, dp[t]))
        for syn in _SYNONYMS.get(term, ()) + _SYNONYMS.get(stem, ()):
            if syn in dp:
                layers.append((W_DESC - 0.5, dp[syn]))
        if len(term) >= 4:
            for tok in self._vocab_prefix(self._desc_vocab, term, 40):
                if tok != term and tok != stem:
                    layers.append((W_DESC_PREFIX, dp[tok]))
        names, typo_only = self._name_matches(term)
        for tok, w in names.items():
            layers.append((w, np[tok]))
            if tok in mp:
                layers.append((w + W_MODULE, mp[tok]))
        layers.sort(key=lambda x: -x[0])
        return layers, typo_only

    @staticmethod
    def _merge(layers: list[tuple[float, list[int]]]) -> dict[int, float]:
        """Best weight per option (applied worst first: C-speed dict updates)."""
        scores: dict[int, float] = {}
        for w, ids in reversed(layers):
            scores.update(dict.fromkeys(ids, w))
        return scores

    def _top_of_layers(self, layers: list[tuple[float, list[int]]], k: int) -> dict[int, float]:
        """The ``k`` best options of one word without touching every posting.

        Posting lists are in tie-break order and weight classes are further apart than any
        tie-break penalty, so taking heads of lists class by class is exact.
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

    # ------------------------------------------------------------------ filters

    def kinds_of(self, i: int) -> frozenset[str]:
        """Type kinds of option ``i`` (cached)."""
        got = self._kind_cache[i]
        if got is None:
            from nixos_settings.core.options.types import kinds

            got = self._kind_cache[i] = kinds(self.options[i].type)
        return got

    def _only_ids(self, only: Collection[Loc]) -> frozenset[int]:
        # Keyed by content, not identity: the GUI may pass a fresh set each keystroke.
        key = frozenset(tuple(loc) for loc in only)
        if self._only_cache is not None and self._only_cache[0] == key:
            return self._only_cache[1]
        index = {id(o): i for i, o in enumerate(self.options)}
        oset = self._set if self._set is not None else OptionSet(self.options)
        ids: set[int] = set()
        for loc in only:
            found = oset.match(loc)
            if found is None:
                pm = oset.match_prefix(loc)
                found = pm[0] if pm else None
            if found is not None and id(found) in index:
                ids.add(index[id(found)])
        result = frozenset(ids)
        self._only_cache = (key, result)
        return result

    def _filter(
        self,
        ids: Iterable[int],
        only: Collection[Loc] | None,
        kinds: Collection[str] | None,
        hide_internal: bool,
        hide_read_only: bool,
    ) -> list[int]:
        allowed = self._only_ids(only) if only is not None else None
        want = frozenset(kinds) if kinds else None
        out: list[int] = []
        for i in ids:
            o = self.options[i]
            if allowed is not None and i not in allowed:
                continue
            if hide_internal and (o.internal or not o.visible):
                continue
            if hide_read_only and o.read_only:
                continue
            if want is not None and not (self.kinds_of(i) & want):
                continue
            out.append(i)
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
        """Ranked hits for ``query`` (see module docstring)."""
        q = " ".join(query.strip().lower().split())
        if not q:
            if only is None and not kinds:
                return []
            ids = self._filter(self._sorted_names, only, kinds, hide_internal, hide_read_only)
            return [SearchHit(self.options[i], 0.0, "filter") for i in ids[:limit]]

        words = _WORD.findall(q)
        terms = list(dict.fromkeys(t for t in words if t not in _STOP or len(words) == 1))[:6]
        filtered = only is not None or bool(kinds) or hide_read_only
        per_term = [self._layers(t) for t in terms]
        word_why = "typo" if any(typo for _, typo in per_term) else "words"
        why: dict[int, str] = {}
        if len(terms) == 1 and not filtered:
            cand = self._one_word(per_term[0][0], limit, word_why, why)
        elif terms:
            cand = self._every_word(q, terms, per_term, word_why, why)
        else:
            cand = {}
        if " " not in q:
            for i, (sc, reason) in self._direct(q).items():
                cand[i] = max(cand.get(i, -1e9), sc + cand.get(i, 0.0) * 0.1 - self._penalty[i])
                why[i] = reason
        if only is None and not kinds and not hide_read_only:
            top = heapq.nlargest(limit + 20, cand, key=cand.__getitem__)
        else:
            top = sorted(cand, key=cand.__getitem__, reverse=True)
        ids = self._filter(top, only, kinds, hide_internal, hide_read_only)
        ids.sort(key=lambda i: (-cand[i], self._lower[i]))
        return [SearchHit(self.options[i], round(cand[i], 3), why[i]) for i in ids[:limit]]

    def _one_word(self, layers: _Layers, limit: int, word_why: str,
                  why: dict[int, str]) -> dict[int, float]:
        """Scores for a one-word query (no filters): the top of its layers, enable options
        first ("zsh" most likely means programs.zsh.enable)."""
        cand = self._top_of_layers(layers, limit + 20)
        enable = self._enable
        for i in cand:
            if enable[i]:
                cand[i] += 0.6
        for i, sc in cand.items():
            why[i] = word_why if sc > W_DESC * 3.0 else "description"
        return cand

    def _every_word(self, q: str, terms: list[str], per_term: list[tuple[_Layers, bool]],
                    word_why: str, why: dict[int, str]) -> dict[int, float]:
        """Scores of the options that match every word (else those with the most words)."""
        need = len(terms)
        dicts = sorted((self._merge(layers) for layers, _ in per_term), key=len)
        common = set(dicts[0])
        for d in dicts[1:]:
            common &= d.keys()
        plain_words = " " in q and "." not in q
        pen, enable = self._penalty, self._enable
        # "system packages" written as one name segment (systemPackages) is a strong hint
        joined = set(self._name_post.get("".join(terms), ()))
        cand: dict[int, float] = {}
        for i in common:
            total = sum(d[i] for d in dicts)
            score = total / need * 3.0 - pen[i] + (3.0 if i in joined else 0.0)
            if plain_words and enable[i]:
                score += 1.5
            cand[i] = score
            why[i] = word_why if total > W_DESC * need else "description"
        if not cand and need > 1:
            self._most_words(dicts, need, cand, why)
        return cand

    def _most_words(self, dicts: list[dict[int, float]], need: int, cand: dict[int, float],
                    why: dict[int, str]) -> None:
        """No option has every word: rank those with the most words, lower."""
        counts: dict[int, int] = {}
        sums: dict[int, float] = {}
        for d in dicts:
            for i, w in d.items():
                counts[i] = counts.get(i, 0) + 1
                sums[i] = sums.get(i, 0.0) + w
        best = max(counts.values(), default=0)
        for i, c in counts.items():
            if c == best:
                cand[i] = sums[i] / need * 3.0 - self._penalty[i] - 10.0
                why[i] = "some words"
