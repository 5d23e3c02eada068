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
import gc
import heapq
import marshal
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from nixos_settings.core.options.model import OptionInfo, OptionSet, is_placeholder
from nixos_settings.core.options.words import popularity, stem, stem_many, synonyms

#: the postings of one query word: (weight, option ids) per layer (name, words, description)
_Layers = list[tuple[float, list[int]]]

Loc = tuple[str, ...]

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_WORD = re.compile(r"[a-z0-9]+")
_DESC_WORD = re.compile(r"[a-z0-9]{2,}")
_TAG = re.compile(r"<[^>]*>")
_ASSIGN = re.compile(r"\s*=.*$", re.S)

# Words too common in descriptions, or too vague in a query, to say which option is meant.
_STOP = frozenset(
    """a an and are as at be by can for from has have if in into is it its may not of on or
    that the then this to use used uses using when whether which will with you your
    option options set default value values see also e g i etc should must only
    my me how do does want wants make way please what where which""".split()
)
# Verbs that say what to do rather than what with: they count a little, and an option
# that does not match them loses little.
_WEAK = frozenset(
    """enable enabled disable turn add change setup configure install get run start allow
    automatically new""".split()
)

# Expansions that most options share: a synonym expanding to one of these says little.
_GENERIC = frozenset(
    "enable service services server settings config default name options package".split()
)

# Term weights (a term's score on one option is the best of its matches there).
W_EXACT = 10.0
W_STEM = 9.5
W_SYN_NAME = 10.5  # a synonym that is a whole option name (unfree → nixpkgs.config)
W_SYNONYM = 10.0  # a synonym or abbreviation is the same word
W_SYN_GENERIC = 6.5  # ... unless it expands to a word most options have (server → enable)
W_PHRASE = 11.0  # a two-word phrase from the table (caps lock → xkbOptions)
W_SUFFIX = 8.0
W_PREFIX = 7.0
W_TYPO = 5.0
W_INFIX = 4.0
W_DESC_FIRST = 3.5
W_DESC = 2.5
W_DESC_PREFIX = 2.0
W_DESC_SYN = 2.0
W_INITIALS = 15.0
W_MODULE = 2.5  # bonus when the token comes from the module segment
MISSING = 5.0  # per query word an option does not match (soft AND)
WEAK = 0.15  # share of a weak word's weight added as a bonus (it is never "missing")
POPULARITY = 2.0  # the bonus of the most popular option; others by log of their count
DESC_INDEX_CHARS = 400


def _tie_key(o: OptionInfo, pop: dict[str, int], log_max: float) -> float:
    pen = 0.05 * len(o.loc) + 0.002 * len(o.name)
    count = pop.get(o.name)
    if count:
        pen -= POPULARITY * math.log1p(count) / log_max
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
    return _union_lists(by_token)


def _union_lists(groups: dict[str, list[list[int]]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for key, lists in groups.items():
        # one list: already sorted and unique; several: merge at C speed
        out[key] = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
    return out


def _stem_table(*vocabs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Stem → the words of ``vocabs`` with that stem (one call into the stemmer)."""
    words = sorted(set().union(*vocabs))
    groups: dict[str, list[str]] = {}
    for w, st in zip(words, stem_many(words), strict=True):
        groups.setdefault(st, []).append(w)
    return {st: tuple(ws) for st, ws in groups.items()}


def _edits(term: str) -> set[str]:
    """Every string one edit (delete, swap, replace, insert) away from ``term``."""
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
    return cands


def _plural(w: str) -> str:
    """Very light plural folding (ports→port, passwords→password, but not 'ss')."""
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def segment_tokens(seg: str) -> tuple[str, ...]:
    """Lowercase tokens of one loc segment: itself, its camelCase/-/_ parts, and plurals."""
    if is_placeholder(seg):
        return ()
    if seg.isalnum() and seg.islower():
        # the common case (enable, services, openssh): no camelCase parts to split off
        st = _plural(seg)
        return (seg,) if st == seg else (seg, st)
    low = seg.lower()
    out = {low}
    out.update(p.lower() for p in _CAMEL.findall(seg))
    out.update(_WORD.findall(low))
    out |= {_plural(t) for t in out}
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


class _PackedOptions(Sequence[OptionInfo]):
    """Options kept packed (as the metadata cache packs them, one marshal record each,
    end to end in one bytes object) and unpacked one by one when first read: a cached index
    loads without creating every option."""

    def __init__(self, blob: bytes, ends: list[int]) -> None:
        self._blob = blob
        self._ends = ends
        self._got: list[OptionInfo | None] = [None] * len(ends)

    def __len__(self) -> int:
        return len(self._ends)

    def _one(self, i: int) -> OptionInfo:
        got = self._got[i]
        if got is None:
            from nixos_settings.core.options.cache import _unpack_all

            start = self._ends[i - 1] if i else 0
            row = marshal.loads(self._blob[start : self._ends[i]])
            got = self._got[i] = _unpack_all([row])[0]
        return got

    @overload
    def __getitem__(self, i: int) -> OptionInfo: ...
    @overload
    def __getitem__(self, i: slice) -> list[OptionInfo]: ...
    def __getitem__(self, i: int | slice) -> OptionInfo | list[OptionInfo]:
        if isinstance(i, slice):
            return [self._one(k) for k in range(len(self._ends))[i]]
        return self._one(range(len(self._ends))[i])

    def __iter__(self) -> Iterator[OptionInfo]:
        return (self._one(k) for k in range(len(self._ends)))


class _PackedPostings(Mapping[str, list[int]]):
    """Posting lists kept as packed 32-bit ids (what a cached index loads fast) and turned
    into lists when first read."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._got: dict[str, list[int]] = {}

    def __getitem__(self, key: str) -> list[int]:
        got = self._got.get(key)
        if got is None:
            got = self._got[key] = array("i", self._packed[key]).tolist()
        return got

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


def _pack_postings(post: Mapping[str, list[int]]) -> dict[str, bytes]:
    return {k: array("i", v).tobytes() for k, v in post.items()}


#: posting tables, saved packed
_POSTINGS = ("_name_post", "_module_post", "_desc_first", "_desc_rest")

#: SearchIndex attributes that make up its saved state (see :meth:`SearchIndex.state`)
_STATE = (
    "_penalty", "_enable", "_blob", "_starts", "_sorted_names",
    "_name_vocab", "_name_vocab_blob", "_desc_vocab", "_hidden", "_read_only",
    "_initials_map", "_name_stems", "_desc_stems",
)


@dataclass(slots=True)
class _Term:
    """One query word (or two-word phrase) and what it matches."""

    text: str
    layers: _Layers
    typo_only: bool
    weak: bool


class SearchIndex:
    """Precomputed search structures over one option set (see module docstring)."""

    options: Sequence[OptionInfo]

    def __init__(self, options: OptionSet | Sequence[OptionInfo]) -> None:
        # The index is hundreds of thousands of acyclic lists and strings; the cyclic GC
        # would scan them repeatedly while they are built for nothing.
        self._lazy_init()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(options)
        finally:
            if was_enabled:
                gc.enable()

    def _lazy_init(self) -> None:
        self._initials_map: dict[str, list[int]] | None = None
        self._name_index: dict[str, int] | None = None
        self._name_stems: dict[str, tuple[str, ...]] | None = None
        self._desc_stems: dict[str, tuple[str, ...]] | None = None
        self._only_cache: tuple[frozenset[Loc], frozenset[int]] | None = None

    def state(self) -> dict[str, Any]:
        """The built index as builtin values only (for :mod:`marshal`; see
        :mod:`nixos_settings.core.options.search_cache`)."""
        from nixos_settings.core.options.cache import _pack

        self._initials()
        self._stems()
        out = {k: getattr(self, k) for k in _STATE}
        for k in _POSTINGS:
            out[k] = _pack_postings(getattr(self, k))
        out["names"] = "\n".join(self._name_list)
        ends: list[int] = []
        rows: list[bytes] = []
        end = 0
        for o in self.options:
            row = marshal.dumps(_pack(o))
            rows.append(row)
            end += len(row)
            ends.append(end)
        out["options"] = b"".join(rows)
        out["ends"] = ends
        return out

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SearchIndex:
        """An index from :meth:`state` (options are unpacked when first read)."""
        self = cls.__new__(cls)
        self._lazy_init()
        for k in _STATE:
            setattr(self, k, state[k])
        for k in _POSTINGS:
            setattr(self, k, _PackedPostings(state[k]))
        self._name_list = state["names"].split("\n") if state["ends"] else []
        self._lower = self._blob.split("\n") if state["ends"] else []
        self._sorted_lower = [self._lower[i] for i in self._sorted_names]
        self._locs = []  # only for the initials table, which is part of the state
        self.options = _PackedOptions(state["options"], state["ends"])
        self._set = None
        self._kind_cache = [None] * len(self.options)
        return self

    def _build(self, options: OptionSet | Sequence[OptionInfo]) -> None:
        self._set = options if isinstance(options, OptionSet) else None
        # Option ids are assigned best tie-break first (popular, shallow, short), so every
        # posting list is already in tie-break order: the best few of a large list are its head.
        given = list(options)
        pop = popularity()
        log_max = math.log1p(max(pop.values(), default=1))
        given_pen = [_tie_key(o, pop, log_max) for o in given]
        order = sorted(range(len(given)), key=given_pen.__getitem__)
        self.options: list[OptionInfo] = [given[i] for i in order]
        opts = self.options
        n = len(opts)
        self._penalty: list[float] = [given_pen[i] for i in order]
        self._lower: list[str] = [o.name.lower() for o in opts]
        self._enable: list[bool] = [o.loc[-1] == "enable" for o in opts]
        self._name_list: list[str] = [o.name for o in opts]
        self._locs: list[Loc] = [o.loc for o in opts]
        self._hidden: list[bool] = [o.internal or not o.visible for o in opts]
        self._read_only: list[bool] = [o.read_only for o in opts]
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
                # services.xserver.desktopManager.<gnome3>.enable: the thing it switches on
                if loc[-1] == "enable" and len(loc) > 3 and not is_placeholder(loc[-2]):
                    mod_post[loc[-2]].append(i)
            elif len(loc) == 2:
                # time.timeZone, gtk.theme: both segments name the thing
                mod_post[loc[0]].append(i)
                if not is_placeholder(loc[1]):
                    mod_post[loc[1]].append(i)
        seg_tokens: dict[str, tuple[str, ...]] = {}
        self._name_post: Mapping[str, list[int]] = _token_postings(seg_post, seg_tokens)
        self._module_post: Mapping[str, list[int]] = _token_postings(mod_post, seg_tokens)
        self._name_vocab = sorted(self._name_post)
        self._name_vocab_blob = "\n" + "\n".join(self._name_vocab) + "\n"

    def _build_descriptions(self, opts: list[OptionInfo]) -> None:
        first_post: defaultdict[str, list[int]] = defaultdict(list)
        rest_post: defaultdict[str, list[int]] = defaultdict(list)
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
            # the first sentence: up to ". " or a blank line
            cut = low.find(". ")
            if cut < 0:
                cut = len(low)
            para = low.find("\n\n", 0, cut)
            if para >= 0:
                cut = para
            first = set(findall(low, 0, cut))
            first -= stop
            for w in first:
                first_post[w].append(i)
            if cut < len(low):
                rest = set(findall(low, cut))
                rest -= first
                rest -= stop
                for w in rest:
                    rest_post[w].append(i)
        self._desc_first: Mapping[str, list[int]] = dict(first_post)
        self._desc_rest: Mapping[str, list[int]] = dict(rest_post)
        self._desc_vocab = sorted(self._desc_first.keys() | self._desc_rest.keys())

    def __len__(self) -> int:
        return len(self.options)

    # ------------------------------------------------------------------ lazily built tables

    def prepare(self) -> None:
        """Build the tables that are otherwise built on first use (the app calls this in its
        background loader, so no keystroke pays for them)."""
        self._initials()
        self._names()
        self._stems()
        synonyms()

    def _stems(self) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """Stem → name tokens, stem → description words; built on first use (a few ms)."""
        if self._name_stems is None or self._desc_stems is None:
            self._name_stems = _stem_table(self._name_post)
            self._desc_stems = _stem_table(self._desc_first, self._desc_rest)
        return self._name_stems, self._desc_stems

    def _initials(self) -> dict[str, list[int]]:
        """First letters of every segment → option ids; built on first use (not part of the
        index build budget, and most sessions never need it)."""
        if self._initials_map is None:
            table: dict[str, list[int]] = {}
            for i, loc in enumerate(self._locs):
                key = "".join(seg[:1] for seg in loc).lower()
                if key.isalpha():
                    table.setdefault(key, []).append(i)
            self._initials_map = table
        return self._initials_map

    def _names(self) -> dict[str, int]:
        """Option name → id (for synonyms that are whole option names, and pasted paths)."""
        if self._name_index is None:
            self._name_index = {name: i for i, name in enumerate(self._name_list)}
        return self._name_index

    def _id_of(self, name: str) -> int | None:
        """The id of the option named ``name`` (binary search: no table to build)."""
        low = name.lower()
        sl, sn = self._sorted_lower, self._sorted_names
        k = bisect.bisect_left(sl, low)
        while k < len(sl) and sl[k] == low:
            if self._name_list[sn[k]] == name:
                return sn[k]
            k += 1
        return None

    def _option_set(self) -> OptionSet:
        if self._set is None:
            self._set = OptionSet(list(self.options))
        return self._set

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
        oset = self._option_set()
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
        hidden, read_only = self._hidden, self._read_only
        for i in ids:
            if allowed is not None and i not in allowed:
                continue
            if hide_internal and hidden[i]:
                continue
            if hide_read_only and read_only[i]:
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

    def _every_word(self, q: str, terms: list[_Term], word_why: str,
                    why: dict[int, str]) -> dict[int, float]:
        """Scores of the options matching the words: every word (weak verbs count half), and
        those missing some words lower by :data:`MISSING` per word."""
        strong = [t for t in terms if t.layers and not t.weak]
        weak = [t for t in terms if t.layers and t.weak]
        if not strong:
            strong, weak = weak, []
        if not strong:
            return {}
        # A word matching about as many options as there are (services, enable, config) says
        # little beside rarer words, and merging its postings would cost most of the query.
        common = len(self.options) * 3 // 4
        size = {id(t): sum(len(ids) for _, ids in t.layers) for t in strong}
        rare = [t for t in strong if size[id(t)] <= common]
        if rare and len(rare) < len(strong):
            strong = rare
            weak = [t for t in weak if size.get(id(t), 0) <= common]
        dicts = [self._merge(t.layers) for t in strong]
        need = len(dicts)
        plain_words = " " in q and "." not in q
        pen, enable = self._penalty, self._enable
        # "system packages" written as one name segment (systemPackages) is a strong hint
        joined = set(self._name_post.get("".join(t.text.replace(" ", "") for t in terms), ()))
        total: dict[int, float] = {}
        have: dict[int, int] = {}
        for d in dicts:
            for i, w in d.items():
                total[i] = total.get(i, 0.0) + w
                have[i] = have.get(i, 0) + 1
        bonus: dict[int, float] = {}
        for t in weak:
            if sum(len(ids) for _, ids in t.layers) > len(self.options) * 3 // 4:
                continue
            for i, w in self._merge(t.layers).items():
                if i in total:
                    bonus[i] = bonus.get(i, 0.0) + w * WEAK
        cand: dict[int, float] = {}
        for i, tot in total.items():
            missing = need - have[i]
            score = (tot / need * 3.0 - pen[i] - MISSING * missing + bonus.get(i, 0.0)
                     + (3.0 if i in joined else 0.0))
            if plain_words and enable[i]:
                score += 1.5
            cand[i] = score
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
        return not hits or hits[0].why in ("some words", "description", "typo")

    def did_you_mean(self, query: str, limit: int = 3) -> list[str]:
        """Queries with each word that matches no option name or description replaced by
        the closest word that does (fewest edits, then most options), best first."""
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        words = _WORD.findall(query.lower())
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
