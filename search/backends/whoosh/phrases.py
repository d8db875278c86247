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
from search.backends.whoosh.snapshot import Snapshot


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
