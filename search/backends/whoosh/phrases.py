"""Which documents hold a substring, a phrase, or words near each other, on a snapshot.

Matches are boolean masks over a :class:`~.snapshot.Snapshot`'s document numbers,
combined with ``&`` and ``|`` (:func:`all_of`, :func:`any_of`). A substring of three
characters or more (a phrase of character bigrams) first takes the essays having all
its bigrams; those where jieba indexed the whole string as a word match without looking
further, and only the rest are checked position by position (:func:`verify_phrase`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from search.analysis import grams
from search.backends.whoosh.snapshot import POSITION_BITS, Snapshot

_POSITION = (1 << POSITION_BITS) - 1
_NONE = 1 << POSITION_BITS  # no such position in the document


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


def verify_phrase(
    snap: Snapshot,
    fieldname: str,
    terms: Sequence[str],
    docnums,
    offsets: Sequence[int] | None = None,
) -> np.ndarray:
    """Which of ``docnums`` hold ``terms`` at consecutive positions (or, given
    ``offsets``, each term at its offset from the first)."""
    result = snap.none()
    keys = snap.positions(fieldname, terms, docnums)
    starts = None
    for offset, term in zip(offsets or range(len(terms)), terms, strict=True):
        held = keys[term]
        # Where the phrase would start if this were its term number ``offset``.
        shifted = held[(held & _POSITION) >= offset] - offset
        starts = shifted if starts is None else np.intersect1d(starts, shifted, True)
        if not len(starts):
            return result
    if starts is not None:
        result[np.unique(starts >> POSITION_BITS)] = True
    return result


def _next_at_or_after(keys: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """For each anchor, how far on the first key at or after it lies in the same
    document (a distance of 2**32 or more where there is none)."""
    if not len(keys):
        return np.full(len(anchors), _NONE, dtype=np.int64)
    index = np.searchsorted(keys, anchors)
    distance = keys[np.minimum(index, len(keys) - 1)] - anchors
    return np.where(index < len(keys), distance, _NONE)


def _spans(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For each position of each of ``keys`` taken as a window's first, the window
    reaching one position of every other: its document, and its span in positions
    (2**32 or more when a list has no position after it in the document)."""
    docs, spans = [], []
    for index, anchors in enumerate(keys):
        span = np.zeros(len(anchors), dtype=np.int64)
        for other, later in enumerate(keys):
            if other != index:
                span = np.maximum(span, _next_at_or_after(later, anchors))
        docs.append(anchors >> POSITION_BITS)
        spans.append(span)
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(docs), np.concatenate(spans)


def within_window(keys: list[np.ndarray], window: int) -> np.ndarray:
    """The documents where one position of each of ``keys`` (position keys of
    :meth:`Snapshot.positions`) lies within ``window`` positions of the others."""
    docs, spans = _spans(keys)
    return np.unique(docs[spans <= window])


def shortest_windows(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For each document holding a position of each of ``keys``, the fewest positions
    from the first to the last of a window holding one of each (0 for one list)."""
    docs, spans = _spans(keys)
    held = spans < _NONE
    docs, spans = docs[held], spans[held]
    order = np.lexsort((spans, docs))
    docs, spans = docs[order], spans[order]
    first = np.ones(len(docs), dtype=bool)
    first[1:] = docs[1:] != docs[:-1]
    return docs[first], spans[first]


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
        offsets = covering_pairs(len(text))
        found |= verify_phrase(snap, "grams", [terms[i] for i in offsets], rest, offsets)
    return found


def covering_pairs(length: int) -> list[int]:
    """Which of a string's character pairs (by offset) spell all of it: every other one,
    and the last (``abcdef``: ab, cd, ef; ``abcde``: ab, cd, de).

    Enough to find the string: a gram's position is its first character's, and lines
    stand :data:`~search.analysis.LINE_GAP` positions apart, so pairs found at ``p``
    and ``p + 2`` are four neighbouring characters of one line.
    """
    last = length - 2
    return [*range(0, last, 2), last]


def closeness(snap: Snapshot, words: Sequence[str], docnums: np.ndarray) -> np.ndarray:
    """How close jieba's ``words`` stand in each of ``docnums``: 1 when side by side,
    falling towards 0 as more words lie between them (0 elsewhere, or when a word is
    not one jieba indexed)."""
    result = np.zeros(snap.size, dtype=np.float32)
    words = list(dict.fromkeys(words))
    if len(words) < 2 or not len(docnums):
        return result
    keys = snap.positions("text", words, docnums)
    docs, spans = shortest_windows([keys[word] for word in words])
    gaps = np.maximum(0, spans - (len(words) - 1))
    result[docs] = 1.0 / (1.0 + gaps / 8.0)
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
    keys = snap.positions("text", parts, np.flatnonzero(candidates))
    result[within_window([keys[part] for part in dict.fromkeys(parts)], window)] = True
    return result
