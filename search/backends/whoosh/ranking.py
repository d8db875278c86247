"""Ranking on a snapshot: BM25 over whole arrays, and the order of tiered matches.

:func:`bm25` scores a term in every document at once, with whoosh's IDF (:func:`idf`)
and the field lengths the index stores; :func:`rank` orders matching documents tier by
tier (:mod:`.matching`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.analysis import grams
from search.backends.base import EXACT
from search.backends.rules import K1, B
from search.backends.whoosh.snapshot import Snapshot


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
    """Matching documents in rank order, with their scores and tier numbers (from 1)."""

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
    for number, mask in enumerate(tiers, start=EXACT):
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
