"""One open whoosh index seen as numpy arrays, a whole posting list at a time.

whoosh evaluates a query one document at a time in Python: at 10,000 essays a common
word matched every essay through a tree of matchers and took seconds. Here whoosh
stays the index (its files, writer, segments and term dictionary), but a query is
answered from its posting lists read whole (:mod:`.codec`) and combined with numpy
(:mod:`.phrases`, :mod:`.ranking`, :mod:`.matching`):

- a term's postings (document numbers and frequencies) are read block by block and
  kept per segment (:class:`PostingCache`; a segment never changes once written);
- a :class:`Snapshot` holds one reader's documents as arrays over its document
  numbers (all segments): postings, masks, field lengths, positions, the characters
  indexed, the essay each document was made from.

The query language and what each construct matches are described in
:mod:`search.query`.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from search.backends.whoosh.codec import (
    EMPTY,
    deleted_docnums,
    read_positions,
    read_term,
    segment_lengths,
    stored_positions,
)
from search.backends.whoosh.codec import (
    segment_key as key_of_segment,
)


def _size(value: tuple[np.ndarray, ...]) -> int:
    return sum(part.nbytes for part in value)


class PostingCache:
    """Posting lists of immutable segments (tuples of arrays), least recently used
    dropped past a byte budget."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[np.ndarray, ...] | None:
        """The cached postings for ``key``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[np.ndarray, ...]) -> None:
        """Remember ``value``, dropping the least recently used beyond the budget."""
        size = _size(value)
        if size > self.budget_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= _size(dropped)

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
#: The encoded positions unpacked with a segment's postings of a positions field
#: (:class:`~.codec.StoredPositions`), for the position checks that usually follow on
#: the same words: without them each check decompressed the blocks a second time. A
#: common word's take ~150 KB at 3,000 papers; 16 MB keeps a query's and its
#: neighbours' while adding little to a worker's memory (the 250 MB target).
POSITION_VALUES = PostingCache(budget_bytes=16 * 1024 * 1024)


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
#: A position key is ``docnum << POSITION_BITS | position`` (:meth:`Snapshot.positions`).
POSITION_BITS = 32
#: How many reads of positions a snapshot keeps for the next question on the same words.
POSITIONS_KEPT = 8


def phrase_holders(snap: Snapshot, fieldname: str, texts: Sequence[str]) -> np.ndarray:
    """The documents holding every one of ``texts`` in ``fieldname``."""
    held = snap.live.copy()
    for text in texts:
        held &= snap.mask(fieldname, text)
    return held


class Snapshot:
    """One open whoosh reader seen as arrays over its document numbers (all segments)."""

    def __init__(self, reader):
        self.reader = reader
        self.leaves = [  # an empty index has one leaf without a segment: nothing to read
            (leaf, offset, key_of_segment(leaf))
            for leaf, offset in reader.leaf_readers()
            if leaf.segment() is not None
        ]
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for leaf, offset, _ in self.leaves:
            if leaf.has_deletions():
                deleted = deleted_docnums(leaf)
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
        # The last positions read (:meth:`positions`), by field and words.
        self._positions_read: OrderedDict[tuple, tuple[np.ndarray, dict]] = OrderedDict()

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

    @staticmethod
    def _segment_postings(leaf, segment_key: tuple, fieldname: str, text: str):
        """One segment's postings of a term, from the cache or read (and cached, with
        the positions unpacked beside them)."""
        cache_key = (segment_key, fieldname, text)
        found = POSTINGS.get(cache_key)
        if found is None:
            ids, weights, stored = read_term(leaf, fieldname, text)
            found = (ids, weights)
            POSTINGS.put(cache_key, found)
            if stored is not None and len(ids):
                POSITION_VALUES.put(cache_key, stored)
        return found

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Live global document numbers holding the term, and its frequency in each."""
        if self._whole:  # one segment, nothing deleted: its postings are the snapshot's
            leaf, _, segment_key = self.leaves[0]
            return self._segment_postings(leaf, segment_key, fieldname, text)
        key = ("snapshot", self._token, fieldname, text)
        found = POSTINGS.get(key)
        if found is not None:
            return found
        parts_ids, parts_weights = [], []
        for leaf, offset, segment_key in self.leaves:
            local = self._segment_postings(leaf, segment_key, fieldname, text)
            if len(local[0]):
                parts_ids.append(local[0] + offset)
                parts_weights.append(local[1])
        if not parts_ids:
            found = EMPTY
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
                cached = (segment_lengths(leaf, fieldname), EMPTY[1])
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
    ) -> dict[str, np.ndarray]:
        """Where each of ``texts`` stands in those of ``docnums`` that hold them all.

        Each text's positions come as one sorted array of keys, the document number
        times 2**32 plus the position (:data:`POSITION_BITS`): whole-corpus position
        checks are then array operations (:mod:`.phrases`).
        """
        docnums = np.unique(np.fromiter(docnums, dtype=np.int64))
        texts = list(dict.fromkeys(texts))
        key = (fieldname, frozenset(texts))
        read = self._positions_read.get(key)
        if read is not None:  # "near", then closeness, ask for the same words
            asked, keys = read
            holding = docnums[phrase_holders(self, fieldname, texts)[docnums]]
            if np.isin(holding, asked).all():
                return {t: k[np.isin(k >> POSITION_BITS, docnums)] for t, k in keys.items()}
        keys = self._read_positions(fieldname, texts, docnums)
        self._positions_read[key] = (docnums, keys)
        while len(self._positions_read) > POSITIONS_KEPT:
            try:
                self._positions_read.popitem(last=False)  # the oldest
            except KeyError:  # another thread emptied it
                break
        return keys

    def _read_positions(
        self, fieldname: str, texts: list[str], docnums: np.ndarray
    ) -> dict[str, np.ndarray]:
        parts: dict[str, list[np.ndarray]] = {text: [] for text in texts}
        for leaf, offset, segment_key in self.leaves:
            end = offset + leaf.doc_count_all()
            local = docnums[(docnums >= offset) & (docnums < end)] - offset
            found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            # The rarest first: each next term is read only where the others are.
            for text in sorted(texts, key=lambda t: len(self.postings(fieldname, t)[0])):
                if not len(local):
                    break
                stored = POSITION_VALUES.get((segment_key, fieldname, text))
                if stored is not None:  # unpacked with the postings: no file, no zlib
                    found[text] = stored_positions(stored, local)
                else:
                    found[text] = read_positions(leaf, fieldname, text, local)
                local = np.unique(found[text][0])
            if len(found) < len(texts) or not len(local):
                continue
            for text, (docs, positions) in found.items():
                keep = np.isin(docs, local, assume_unique=False)
                parts[text].append(((docs[keep] + offset) << POSITION_BITS) | positions[keep])
        return {
            text: np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
            for text, arrays in parts.items()
        }

    # Stored fields ------------------------------------------------------------------

    def essay_id(self, docnum: int) -> int:
        """The essay (database id) a document was made from."""
        found = self._essay_ids.get(docnum)
        if found is None:
            found = self._essay_ids[docnum] = int(self.reader.stored_fields(docnum)["django_id"])
        return found


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
