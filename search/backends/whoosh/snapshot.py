"""Matching and ranking on whoosh's posting lists, a whole posting list at a time.

whoosh evaluates a query one document at a time in Python: at 10,000 essays a common
word matched every essay through a tree of matchers and took seconds. Here whoosh
stays the index (its files, writer, segments and term dictionary), but a query is
answered from its posting lists read whole and combined with numpy:

- a term's postings (document numbers and frequencies) are read block by block and
  kept per segment (:class:`PostingCache`; a segment never changes once written);
- the essays matching a query are boolean masks combined with ``&`` and ``|``;
- a substring of three characters or more (a phrase of character bigrams) first takes
  the essays having all its bigrams; those where jieba indexed the whole string as a
  word match without looking further, and only the rest are checked position by
  position (:func:`verify_phrase`);
- ranking is BM25 over whole arrays (:func:`bm25`).

The query language and what each construct matches are described in
:mod:`search.query`.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from search.analysis import grams

K1 = 1.2
B = 0.75
_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


class PostingCache:
    """Posting lists of immutable segments, least recently used dropped past a byte budget."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached postings for ``key``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[np.ndarray, np.ndarray]) -> None:
        """Remember ``value``, dropping the least recently used beyond the budget."""
        size = value[0].nbytes + value[1].nbytes
        if size > self.budget_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[0].nbytes + old[1].nbytes
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped[0].nbytes + dropped[1].nbytes

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


#: Postings and field lengths of every segment read so far, and each searcher's postings
#: across its segments, for the whole process: the one bound on the memory postings take.
#: (Before, the segments had 24 MB and each searcher's cross-segment copies no bound; at
#: 10,000 essays in 10 segments a term takes ~120 KB per copy, so 48 MB keeps a query
#: mix's terms, both copies, without re-reading.)
POSTINGS = PostingCache(budget_bytes=48 * 1024 * 1024)


class _SegmentFacts(dict):
    """Answers about immutable segments (does it hold a term…), forgotten past a size."""

    limit = 200_000

    def remember(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


_TERMS_HELD = _SegmentFacts()
_SNAPSHOT_TOKENS = itertools.count()


def _read_postings(segment_reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """All of a term's (local) document numbers and frequencies in one segment."""
    try:
        matcher = segment_reader.postings(fieldname, text)
    except TermNotFound:
        return _EMPTY
    if isinstance(matcher, FilterMatcher):  # deletions: the snapshot's live mask drops them
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():  # block by block: ids and weights are arrays there
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:  # any other codec: the public, slower way
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)


def _segment_key(segment_reader) -> tuple:
    segment = segment_reader.segment()
    return (segment.segment_id(), segment.doc_count_all())


class Snapshot:
    """One open whoosh reader seen as arrays over its document numbers (all segments)."""

    def __init__(self, reader):
        self.reader = reader
        self.leaves = [  # an empty index has one leaf without a segment: nothing to read
            (leaf, offset, _segment_key(leaf))
            for leaf, offset in reader.leaf_readers()
            if leaf.segment() is not None
        ]
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for leaf, offset, _ in self.leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
                self.live[deleted + offset] = False
        self.doc_count = int(self.live.sum())
        # Postings across segments live in the process-wide POSTINGS budget too, under
        # a key of this snapshot's own: one bound for all the memory postings take.
        self._token = next(_SNAPSHOT_TOKENS)
        self._whole = len(self.leaves) == 1 and self.leaves[0][1] == 0 and self.live.all()
        self._lengths: dict[str, np.ndarray] = {}
        self._essay_ids: dict[int, int] = {}
        self._masks: OrderedDict[tuple, Any] = OrderedDict()
        self._characters: dict[str, frozenset[str]] = {}

    def remembered(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered for this snapshot (the last 512 keys).

        What a word matches does not change while the index does not: a repeated word
        (the next results page, the same query again) costs nothing.
        """
        found = self._masks.get(key)
        if found is None:
            found = compute()
            self._masks[key] = found
            if len(self._masks) > 512:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        return found

    # Postings -----------------------------------------------------------------------

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Live global document numbers holding the term, and its frequency in each."""
        if self._whole:  # one segment, nothing deleted: its postings are the snapshot's
            leaf, _, segment_key = self.leaves[0]
            cache_key = (segment_key, fieldname, text)
            found = POSTINGS.get(cache_key)
            if found is None:
                found = _read_postings(leaf, fieldname, text)
                POSTINGS.put(cache_key, found)
            return found
        key = ("snapshot", self._token, fieldname, text)
        found = POSTINGS.get(key)
        if found is not None:
            return found
        parts_ids, parts_weights = [], []
        for leaf, offset, segment_key in self.leaves:
            cache_key = (segment_key, fieldname, text)
            local = POSTINGS.get(cache_key)
            if local is None:
                local = _read_postings(leaf, fieldname, text)
                POSTINGS.put(cache_key, local)
            if len(local[0]):
                parts_ids.append(local[0] + offset)
                parts_weights.append(local[1])
        if not parts_ids:
            found = _EMPTY
        else:
            ids = np.concatenate(parts_ids)
            weights = np.concatenate(parts_weights)
            keep = self.live[ids]
            found = (ids[keep], weights[keep])
        POSTINGS.put(key, found)
        return found

    def mask(self, fieldname: str, text: str) -> np.ndarray:
        """Which documents hold the term."""
        result = self.none()
        result[self.postings(fieldname, text)[0]] = True
        return result

    def frequencies(self, fieldname: str, text: str) -> np.ndarray:
        """The term's frequency in every document (0 where absent)."""
        ids, weights = self.postings(fieldname, text)
        result = np.zeros(self.size, dtype=np.float32)
        result[ids] = weights
        return result

    def none(self) -> np.ndarray:
        """A mask matching nothing."""
        return np.zeros(self.size, dtype=bool)

    def characters(self, fieldname: str) -> frozenset[str]:
        """The one-character terms of ``fieldname`` (for grams: every character indexed)."""
        found = self._characters.get(fieldname)
        if found is None:
            found = frozenset().union(
                *(segment_characters(leaf, key, fieldname) for leaf, _, key in self.leaves)
            )
            self._characters[fieldname] = found
        return found

    def following(self, fieldname: str, char: str) -> set[str]:
        """The characters that follow ``char`` in the two-character terms of ``fieldname``."""
        found: set[str] = set()
        for leaf, _, segment_key in self.leaves:
            key = (segment_key, fieldname, char, "following")
            part = _TERMS_HELD.get(key)
            if part is None:
                part = frozenset(
                    term[1]
                    for term in (
                        t.decode("utf-8") if isinstance(t, bytes) else t
                        for t in leaf.expand_prefix(fieldname, char)
                    )
                    if len(term) == 2
                )
                _TERMS_HELD.remember(key, part)
            found |= part
        return found

    # Lengths ------------------------------------------------------------------------

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length in ``fieldname`` (in tokens, as whoosh stores it)."""
        found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = []
        for leaf, _, segment_key in self.leaves:
            cache_key = (segment_key, "_length", fieldname)
            cached = POSTINGS.get(cache_key)
            if cached is None:
                cached = (_segment_lengths(leaf, fieldname), _EMPTY[1])
                POSTINGS.put(cache_key, cached)
            parts.append(cached[0])
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        self._lengths[fieldname] = found
        return found

    def average_length(self, fieldname: str) -> float:
        """The mean length of ``fieldname`` over live documents (at least 1)."""
        if not self.doc_count:
            return 1.0
        return max(1.0, float(self.lengths(fieldname)[self.live].mean()))

    # Positions ----------------------------------------------------------------------

    def positions(
        self, fieldname: str, texts: Sequence[str], docnums: Iterable[int]
    ) -> Iterable[tuple[int, list[list[int]]]]:
        """For each document (ascending), the positions of each of ``texts`` in it.

        Documents lacking one of the terms are skipped.
        """
        docnums = sorted(int(d) for d in docnums)
        for leaf, offset, _ in self.leaves:
            end = offset + leaf.doc_count_all()
            local = [d - offset for d in docnums if offset <= d < end]
            if not local:
                continue
            try:
                matchers = [leaf.postings(fieldname, text) for text in texts]
            except TermNotFound:
                continue
            for docnum in local:
                if not all(matcher.is_active() for matcher in matchers):
                    break  # a term has no more documents in this segment
                found = []
                for matcher in matchers:
                    matcher.skip_to(docnum)
                    if not matcher.is_active() or matcher.id() != docnum:
                        break
                    found.append(matcher.value_as("positions"))
                if len(found) == len(texts):
                    yield docnum + offset, found

    # Stored fields ------------------------------------------------------------------

    def essay_id(self, docnum: int) -> int:
        """The essay (database id) a document was made from."""
        found = self._essay_ids.get(docnum)
        if found is None:
            found = self._essay_ids[docnum] = int(self.reader.stored_fields(docnum)["django_id"])
        return found


def _segment_lengths(leaf, fieldname: str) -> np.ndarray:
    size = leaf.doc_count_all()
    try:
        column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = np.frombuffer(column.load(), dtype=np.uint8) if column is not None else None
    except AttributeError:  # another codec: ask document by document
        raw = None
    if raw is None or len(raw) != size:
        return np.array(
            [leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(size)], dtype=np.float32
        )
    return _LENGTH_OF_BYTE[raw]


def segment_characters(leaf, segment_key: tuple, fieldname: str) -> frozenset[str]:
    """The one-character terms of one segment's ``fieldname`` (read once per segment)."""
    key = (segment_key, fieldname, "characters")
    found = _TERMS_HELD.get(key)
    if found is None:
        found = frozenset(
            term.decode("utf-8")
            for term in leaf.lexicon(fieldname)
            if len(term) <= 4 and len(term.decode("utf-8", "ignore")) == 1
        )
        _TERMS_HELD.remember(key, found)
    return found


def warm(searcher) -> None:
    """Read what the first pinyin query would (each segment's characters) ahead of time.

    Called in the gunicorn master before the workers fork, so they share the result.
    """
    for leaf, _, key in Snapshot(searcher.reader()).leaves:
        segment_characters(leaf, key, "grams")


def snapshot(searcher) -> Snapshot:
    """The :class:`Snapshot` of ``searcher``'s reader (made once per reader)."""
    reader = searcher.reader()
    found = getattr(reader, "_essay_portal_snapshot", None)
    if found is None:
        found = Snapshot(reader)
        reader._essay_portal_snapshot = found
    return found


# Matching ---------------------------------------------------------------------------


def all_of(snap: Snapshot, masks: Iterable[np.ndarray]) -> np.ndarray:
    """Documents in every one of ``masks``."""
    result = None
    for mask in masks:
        result = mask.copy() if result is None else result & mask
        if not result.any():
            break
    return snap.none() if result is None else result


def any_of(snap: Snapshot, masks: Iterable[np.ndarray]) -> np.ndarray:
    """Documents in at least one of ``masks``."""
    result = snap.none()
    for mask in masks:
        result |= mask
    return result


def verify_phrase(snap: Snapshot, fieldname: str, terms: Sequence[str], docnums) -> np.ndarray:
    """Which of ``docnums`` hold ``terms`` at consecutive positions."""
    result = snap.none()
    for docnum, positions in snap.positions(fieldname, list(dict.fromkeys(terms)), docnums):
        by_term = dict(zip(dict.fromkeys(terms), positions, strict=True))
        first, *rest = (set(by_term[t]) for t in terms)
        if any(all(start + i + 1 in later for i, later in enumerate(rest)) for start in first):
            result[docnum] = True
    return result


def substring(snap: Snapshot, text: str) -> np.ndarray:
    """Documents whose normalised text contains ``text`` (already normalised)."""
    terms = grams(text)
    if not terms:
        return snap.none()
    if len(terms) == 1:
        return snap.mask("grams", terms[0])
    by_rarity = sorted(set(terms), key=lambda t: len(snap.postings("grams", t)[0]))
    candidates = all_of(snap, (snap.mask("grams", t) for t in by_rarity))
    if not candidates.any():
        return candidates
    # jieba indexed the whole string as a word there: it is in the text, no need to look.
    found = candidates & snap.mask("text", text)
    rest = np.flatnonzero(candidates & ~found)
    if len(rest):
        found |= verify_phrase(snap, "grams", terms, rest)
    return found


def _within(positions: list[list[int]], window: int) -> bool:
    """Whether one position of each list lies within ``window`` of the others."""
    events = sorted((p, i) for i, plist in enumerate(positions) for p in plist)
    need = len(positions)
    counts = [0] * need
    covered = 0
    left = 0
    for right_pos, right_term in events:
        if counts[right_term] == 0:
            covered += 1
        counts[right_term] += 1
        while covered == need:
            left_pos, left_term = events[left]
            if right_pos - left_pos <= window:
                return True
            counts[left_term] -= 1
            if counts[left_term] == 0:
                covered -= 1
            left += 1
    return False


def _shortest_window(positions: list[list[int]]) -> int:
    """The fewest positions from the first to the last of a window holding one position
    of each list (0 when there is one list)."""
    events = sorted((p, i) for i, plist in enumerate(positions) for p in plist)
    need = len(positions)
    counts = [0] * need
    covered = 0
    left = 0
    best = None
    for right_pos, right_term in events:
        if counts[right_term] == 0:
            covered += 1
        counts[right_term] += 1
        while covered == need:
            left_pos, left_term = events[left]
            if best is None or right_pos - left_pos < best:
                best = right_pos - left_pos
            counts[left_term] -= 1
            if counts[left_term] == 0:
                covered -= 1
            left += 1
    return 0 if best is None else best


def closeness(snap: Snapshot, words: Sequence[str], docnums: np.ndarray) -> np.ndarray:
    """How close jieba's ``words`` stand in each of ``docnums``: 1 when side by side,
    falling towards 0 as more words lie between them (0 elsewhere, or when a word is
    not one jieba indexed)."""
    result = np.zeros(snap.size, dtype=np.float32)
    words = list(dict.fromkeys(words))
    if len(words) < 2 or not len(docnums):
        return result
    for docnum, positions in snap.positions("text", words, docnums):
        gap = max(0, _shortest_window(positions) - (len(words) - 1))
        result[docnum] = 1.0 / (1.0 + gap / 8.0)
    return result


def near(snap: Snapshot, parts: Sequence[str], slop: int, skip: np.ndarray) -> np.ndarray:
    """Documents (not in ``skip``) where jieba's words ``parts`` stand close, in any order.

    Close: at most ``slop`` other words between them.
    """
    candidates = all_of(snap, (snap.mask("text", part) for part in parts)) & ~skip
    result = snap.none()
    if not candidates.any():
        return result
    window = slop + len(parts) - 1
    for docnum, positions in snap.positions("text", list(parts), np.flatnonzero(candidates)):
        if _within(positions, window):
            result[docnum] = True
    return result


# Ranking ----------------------------------------------------------------------------


def idf(snap: Snapshot, document_frequency: int) -> float:
    """whoosh's inverse document frequency."""
    return math.log(snap.doc_count / (document_frequency + 1)) + 1


def bm25(snap: Snapshot, fieldname: str, frequencies: np.ndarray, df: int) -> np.ndarray:
    """BM25 of a term with ``frequencies`` per document in ``fieldname``."""
    if df == 0:
        return np.zeros(snap.size, dtype=np.float32)
    lengths = snap.lengths(fieldname)
    norm = K1 * (1 - B + B * lengths / snap.average_length(fieldname))
    return (idf(snap, df) * frequencies * (K1 + 1) / (frequencies + norm)).astype(np.float32)


def term_score(snap: Snapshot, fieldname: str, text: str) -> np.ndarray:
    """BM25 of one indexed term in every document."""
    ids, _ = snap.postings(fieldname, text)
    return bm25(snap, fieldname, snap.frequencies(fieldname, text), len(ids))


def substring_score(snap: Snapshot, text: str, matched: np.ndarray) -> np.ndarray:
    """BM25 of a substring in the documents ``matched`` by it.

    Its frequency is taken as that of its rarest bigram (an upper bound).
    """
    terms = grams(text)
    if not terms:
        return np.zeros(snap.size, dtype=np.float32)
    frequencies = np.min([snap.frequencies("grams", t) for t in set(terms)], axis=0)
    frequencies = np.where(matched, frequencies, 0).astype(np.float32)
    return bm25(snap, "grams", frequencies, int(matched.sum()))


@dataclass
class Ranked:
    """Matching documents in rank order, with their scores and tiers (1 direct, 2 pinyin)."""

    docnums: np.ndarray
    scores: np.ndarray
    tiers: np.ndarray

    def __len__(self) -> int:
        return len(self.docnums)


def rank(
    scores: np.ndarray, tiers: Sequence[np.ndarray], primary: np.ndarray | None = None
) -> Ranked:
    """Documents of each tier's mask (a document in its first tier only), best first.

    Within a tier: higher ``primary`` first (when given), then higher score, then the
    earlier document.
    """
    docnums, ordered_scores, tier_numbers = [], [], []
    seen = None
    for number, mask in enumerate(tiers, start=1):
        mask = mask if seen is None else mask & ~seen
        seen = mask.copy() if seen is None else seen | mask
        members = np.flatnonzero(mask)
        keys = [members, -scores[members]]
        if primary is not None:
            keys.append(-primary[members])
        order = np.lexsort(keys)
        docnums.append(members[order])
        ordered_scores.append(scores[members][order])
        tier_numbers.append(np.full(len(members), number, dtype=np.int8))
    return Ranked(
        np.concatenate(docnums) if docnums else np.zeros(0, dtype=np.int64),
        np.concatenate(ordered_scores) if ordered_scores else np.zeros(0, dtype=np.float32),
        np.concatenate(tier_numbers) if tier_numbers else np.zeros(0, dtype=np.int8),
    )
