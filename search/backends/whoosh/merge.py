"""The merge policy of saves: small segments merged in tiers, a rebuild's never.

A save commits a small segment of its own without merging (the edit is searchable at
once, :func:`commit_save`); once a tier of small segments is full, a second commit
merges it (:func:`segments_to_merge`, :func:`merge_small_segments`). whoosh's default
policy could merge every segment when there are few, and a save would then wait for a
rewrite of most of the index.
"""

from __future__ import annotations

import logging
from typing import Any

from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from search.backends.whoosh import codec
from search.backends.whoosh.bulk_writer import BulkSegmentWriter

log = logging.getLogger(__name__)
# A save adds a one-essay segment; once this many small segments exist, they are merged.
SMALL_SEGMENTS_MAX = 8
# Saves never merge segments of this many documents or more (a rebuild's segments).
SAVE_MERGE_MAX_DOCS = 256


def segments_to_merge(segments: list) -> list:
    """The small segments due for merging (none, usually).

    A save adds a segment with the essays it re-indexed. Segments are grouped in tiers
    by size (1–7 documents, 8–63, 64–511 …); once a tier holds
    :data:`SMALL_SEGMENTS_MAX` segments, they are due to be merged into one of the next
    tier. Segments of :data:`SAVE_MERGE_MAX_DOCS` documents or more (a rebuild's) are
    never merged by a save (whoosh's default policy may merge every segment when there
    are few, and a save would wait for a rewrite of most of the index).
    """
    tiers: dict[int, list] = {}
    for segment in segments:
        if segment.doc_count_all() >= SAVE_MERGE_MAX_DOCS:
            continue  # a rebuild's segment (or a large merged one): left as it is
        tier = max(0, segment.doc_count_all()).bit_length() // 3  # powers of 8
        tiers.setdefault(tier, []).append(segment)
    return next((tier for _, tier in sorted(tiers.items()) if len(tier) >= SMALL_SEGMENTS_MAX), [])


def merge_small_segments(writer: SegmentWriter, segments: list) -> list:
    """A whoosh merge policy: merge :func:`segments_to_merge` into the writer's segment."""
    merging = segments_to_merge(segments)
    for segment in merging:
        reader = codec.open_segment(writer.storage.folder, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in merging]


def commit_save(ix: Any, writer: Any) -> bool:
    """Commit a save's writer without merging: the edit is searchable at once.

    Then, if a tier of small segments is full (every few saves), merge it with a
    second commit; searches already see the edit while it runs (a failed merge is
    logged: the edit is committed, and a later save merges). Returns False when the
    writer is whoosh's background writer (the lock was held too long), which
    commits later.
    """
    if not isinstance(writer, BulkSegmentWriter):  # AsyncWriter: commits later
        writer.commit()
        return False
    writer.commit(merge=False)
    ix = ix.refresh()
    if not segments_to_merge(codec.segments(ix)):
        return True
    try:
        merger = BulkSegmentWriter(ix)  # no waiting: merge at a later save
    except LockError:
        return True
    try:
        merger.commit(mergetype=merge_small_segments)  # cleans up after a failure
    except Exception:
        log.warning("Merging small index segments failed; a later save retries", exc_info=True)
    return True
