"""The tables behind option search (:mod:`nixos_settings.core.options.search`).

``IndexTables(options)`` builds, for one option set: option ids in tie-break order
(popularity from ``data/popularity.json``, then shallower and shorter names; aliases last),
lowercase name token → option ids (and the same for the "module" segment), description word
→ option ids for the first sentence and for the rest, sorted vocabularies for prefix lookup,
one newline-joined blob of names for substring search, and flags for the filters.  Tables
that only some queries need (initials, stems, name → id) are built on first use or by
``prepare()``.

``state()`` gives the built tables as builtin values (posting lists packed as 32-bit ids, the
options packed as the metadata cache packs them) and ``from_state(state)`` makes an index from
them that unpacks an option or a posting list only when it is read: see
:mod:`nixos_settings.core.options.search_cache`.

The weights and word lists that ranking uses live here too, beside the tokenizer.
"""

from __future__ import annotations

import bisect
import gc
import marshal
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, Self, overload

from nixos_settings.core.nix.optpath import is_placeholder
from nixos_settings.core.options.model import OptionInfo, OptionSet
from nixos_settings.core.options.words import popularity, stem_many, synonyms

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



class IndexTables:
    """The tables of a search index over one option set, built from the options or loaded
    from a saved state; :class:`~nixos_settings.core.options.search.SearchIndex` queries
    them."""

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
    def from_state(cls, state: dict[str, Any]) -> Self:
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
