"""Keep the search index in step with the database, on commit.

haystack's realtime processor only sees an indexed model's own save and delete, and
indexes at once — inside a transaction that may still roll back.  Here any change to
an essay, its sections or references (admin inlines included), its topics, or a topic
itself marks the essays concerned, and they are re-indexed (or removed, if gone) when
the transaction commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.db import transaction
from django.db.models import signals
from haystack.exceptions import NotHandled
from haystack.signals import BaseSignalProcessor

from essays.models import Essay, Reference, Section, Topic

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
        """Re-index these essays once the current transaction commits (now if none);
        inside :func:`reindex_deferred`, once at its end instead."""
        ids = {int(pk) for pk in essay_ids}
        if not ids:
            return
        deferred = getattr(_pending, "deferred", None)
        if deferred is not None:
            deferred.update(ids)
            return
        _pending_ids().update(ids)
        transaction.on_commit(partial(self.flush), using=using)

    def flush(self):
        """Re-index every essay marked so far; callbacks after the first find none."""
        ids = _pending_ids()
        if not ids:
            return
        batch = sorted(ids)
        ids.clear()
        try:
            reindex_essays(batch, connections=self.connections, router=self.connection_router)
        except Exception:  # the database is the truth; `rebuild_index` repairs the index
            log.exception("Re-indexing essays %s failed", batch)


@contextmanager
def reindex_deferred() -> Iterator[set[int]]:
    """Collect the essays changes inside the block touch and re-index them once, at its
    end, in bulk (:func:`reindex_essays`): a batch import indexes once, not per essay.

    Essays whose change was rolled back are re-indexed from what the database holds (or
    removed if gone), so the index is right either way.
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
                try:
                    reindex_essays(sorted(collected))
                except Exception:  # the database is the truth; `rebuild_index` repairs it
                    log.exception("Re-indexing %d essays after a batch failed", len(collected))


def reindex_essays(essay_ids, *, connections=None, router=None, batch_size=500) -> None:
    """Bring these essays' search documents in line with the database.

    Essays are loaded and indexed ``batch_size`` at a time (one writer commit each), and
    the documents of essays that are gone are removed together.
    """
    if connections is None:
        from haystack import connection_router as router
        from haystack import connections
    essay_ids = list(dict.fromkeys(int(pk) for pk in essay_ids))
    targets = []
    for using in router.for_write():
        try:
            index = connections[using].get_unified_index().get_index(Essay)
        except NotHandled:
            continue
        targets.append((index, index.get_backend(using)))
    found: set[int] = set()
    for start in range(0, len(essay_ids), batch_size):
        essays = list(
            Essay.objects.filter(pk__in=essay_ids[start : start + batch_size]).prefetch_related(
                "sections", "references", "topics"
            )
        )
        found.update(essay.pk for essay in essays)
        for index, backend in targets:
            if essays:
                backend.update(index, essays)
    gone = [f"essays.essay.{essay_id}" for essay_id in essay_ids if essay_id not in found]
    for _, backend in targets:
        if gone and hasattr(backend, "remove_many"):
            backend.remove_many(gone)
        else:
            for identifier in gone:
                backend.remove(identifier)
