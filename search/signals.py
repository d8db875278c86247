"""Keep the search index in step with the database: search's part of the corpus event.

The essays app sends :data:`essays.signals.corpus_changed` for every change to an
essay, its sections, references or topics, or a topic itself, naming the essays
concerned, inside the transaction that made it (:mod:`essays.signals`). Here
(:func:`corpus_changed_received`, connected in :mod:`search.apps`):

- with a backend that indexes in the database's own transaction
  (:attr:`~search.backends.SearchBackend.transactional`, the PostgreSQL backend), the
  essays are indexed at once, in the sender's transaction: a rollback undoes both, and
  no outbox row is needed;
- otherwise (whoosh) an outbox row is written in the same transaction
  (:mod:`search.outbox`), and the essays are re-indexed (or removed, if gone) when it
  commits. A write that fails leaves the rows, and it is retried until it succeeds.
  Inside a :func:`essays.signals.corpus_batch` (an import of many documents) the rows
  are still written per transaction, and the index once, at the batch's end.

A batch with ``reindex=False`` (``--no-index``: the caller rebuilds the index) is
ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from essays.signals import CorpusBatch
from search import outbox
from search.backends import get_backend
from search.indexing import reindex_essays

__all__ = [
    "corpus_changed_received",
    "flush",
    "reindex_essays",
    "schedule_reindex",
]

log = logging.getLogger(__name__)
_pending = threading.local()


def _pending_ids() -> set[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    return _pending.ids


def corpus_changed_received(
    sender: Any,
    essay_ids: Iterable[int] = (),
    using: str | None = None,
    batch: CorpusBatch | None = None,
    **kwargs: Any,
) -> None:
    """Bring the changed essays' search documents in line: now, in the sender's
    transaction, with a transactional backend; through the outbox on commit otherwise."""
    ids = {int(pk) for pk in essay_ids}
    if not ids or (batch is not None and not batch.reindex):
        return
    backend = get_backend()
    if backend.transactional:
        backend.index(sorted(ids))
        return
    if batch is not None:  # rows now, in this transaction; the index write at the batch's end
        outbox.record(ids, using=using)
        batch.at_end(_drain_batch)
        return
    schedule_reindex(ids, using=using)


def _drain_batch(batch: CorpusBatch) -> None:
    """Write every essay of the batch still in the outbox, in one bulk write."""
    if batch.reindex and batch.essay_ids:
        outbox.drain(sorted(batch.essay_ids), stale=False)


def schedule_reindex(essay_ids: Iterable[int], *, using: str | None = None) -> None:
    """Record these essays in the outbox in the current transaction, and write them to
    the index when it commits (now outside a transaction); see :mod:`search.outbox`."""
    ids = {int(pk) for pk in essay_ids}
    if not ids:
        return
    _pending_ids().update(ids)
    outbox.record(ids, using=using, on_commit=flush)


def flush() -> None:
    """Write the essays marked on this thread (those still in the outbox) to the index,
    with any that failed earlier; a failure leaves them in the outbox, to be retried."""
    ids = _pending_ids()
    batch = sorted(ids)
    ids.clear()
    outbox.drain(batch)
