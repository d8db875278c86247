"""Keep the search index in step with the database, on commit.

haystack's realtime processor only sees an indexed model's own save and delete, and
indexes at once — inside a transaction that may still roll back.  Here any change to
an essay, its sections or references (admin inlines included), its topics, or a topic
itself marks the essays concerned: an outbox row is written in the same transaction
(:mod:`search.outbox`), and they are re-indexed (or removed, if gone) when it commits.
A write that fails leaves the rows, and it is retried until it succeeds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from essays.models import Essay, Reference, Section, Topic
from search import outbox
from search.indexing import reindex_essays

__all__ = [
    "EssaySignalProcessor",
    "flush",
    "reindex_deferred",
    "reindex_essays",
    "schedule_reindex",
]

log = logging.getLogger(__name__)
_pending = threading.local()


def _pending_ids() -> set[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    return _pending.ids


class EssaySignalProcessor(BaseSignalProcessor):
    """Re-index the essays a change touches when its transaction commits."""

    def setup(self):
        for model in (Essay, Section, Reference):
            signals.post_save.connect(self.handle_change, sender=model)
            signals.post_delete.connect(self.handle_change, sender=model)
        signals.m2m_changed.connect(self.handle_topics_changed, sender=Essay.topics.through)
        signals.post_save.connect(self.handle_topic_saved, sender=Topic)
        signals.pre_delete.connect(self.handle_topic_saved, sender=Topic)

    def teardown(self):
        for model in (Essay, Section, Reference):
            signals.post_save.disconnect(self.handle_change, sender=model)
            signals.post_delete.disconnect(self.handle_change, sender=model)
        signals.m2m_changed.disconnect(self.handle_topics_changed, sender=Essay.topics.through)
        signals.post_save.disconnect(self.handle_topic_saved, sender=Topic)
        signals.pre_delete.disconnect(self.handle_topic_saved, sender=Topic)

    # Receivers ----------------------------------------------------------------------

    def handle_change(self, sender, instance, using=None, **kwargs):
        essay_id = instance.pk if isinstance(instance, Essay) else instance.essay_id
        if essay_id is not None:
            self.schedule([essay_id], using=using)

    def handle_topics_changed(self, sender, instance, action, reverse, pk_set, using=None, **kw):
        if not reverse:  # essay.topics.add/remove/clear/set
            if action in {"post_add", "post_remove", "post_clear"}:
                self.schedule([instance.pk], using=using)
        elif action == "pre_clear":  # topic.essays.clear(): remember who is losing it
            self.schedule(list(instance.essays.values_list("pk", flat=True)), using=using)
        elif action in {"post_add", "post_remove"}:
            self.schedule(pk_set or [], using=using)

    def handle_topic_saved(self, sender, instance, using=None, **kwargs):
        if instance.pk is not None:
            self.schedule(list(instance.essays.values_list("pk", flat=True)), using=using)

    # Scheduling ---------------------------------------------------------------------

    def schedule(self, essay_ids, using=None):
        """Re-index these essays once the current transaction commits (now if none)."""
        schedule_reindex(essay_ids, using=using)

    def flush(self):
        """Re-index every essay marked so far; callbacks after the first find none."""
        flush()


def schedule_reindex(essay_ids: Iterable[int], *, using: str | None = None) -> None:
    """Record these essays in the outbox in the current transaction, and write them to
    the index when it commits (now outside a transaction); see :mod:`search.outbox`.
    A transactional backend (PostgreSQL) writes them at once, in that transaction."""
    ids = {int(pk) for pk in essay_ids}
    if not ids:
        return
    deferred = getattr(_pending, "deferred", None)
    if deferred is not None:  # inside reindex_deferred(): rows now, the index write at its end
        deferred.update(ids)
        outbox.record(ids, using=using)
        return
    from search.backends import get_backend

    if get_backend().transactional:  # written now, in the transaction of the change
        get_backend().index(ids)
        return
    _pending_ids().update(ids)
    outbox.record(ids, using=using, on_commit=flush)


@contextmanager
def reindex_deferred() -> Iterator[set[int]]:
    """Collect the essays that changes inside the block touch, and write them to the index
    once at its end, in one bulk write: a batch import indexes once, not per essay.

    The outbox rows are still written in each change's own transaction, so an essay whose
    index write fails (or whose process dies before the end) is retried like any other;
    a change rolled back leaves no row and needs no index write.
    """
    outer = getattr(_pending, "deferred", None)
    collected: set[int] = set() if outer is None else outer
    _pending.deferred = collected
    try:
        yield collected
    finally:
        if outer is None:
            _pending.deferred = None
            if collected:
                outbox.drain(sorted(collected), stale=False)


def flush() -> None:
    """Write the essays marked on this thread (those still in the outbox) to the index,
    with any that failed earlier; a failure leaves them in the outbox, to be retried."""
    ids = _pending_ids()
    batch = sorted(ids)
    ids.clear()
    outbox.drain(batch)
