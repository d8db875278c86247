"""One "corpus changed" event: every change to the essays, from any write, in one place.

:data:`corpus_changed` is sent whenever public content changes: an essay, its sections,
references or topics, a topic, a collection. Whoever keeps something derived from the
corpus subscribes to it, and the essays app knows none of them:

- the page cache (:mod:`pagecache`) gives the content a new version;
- search (:mod:`search.signals`) brings the named essays' documents in line.

Receivers get ``essay_ids`` (a frozenset: the essays whose content changed; empty when
only something else did, e.g. a collection's title), ``using`` (the database alias) and
``batch`` (the :class:`CorpusBatch` it belongs to, or None). It is sent inside the
transaction that made the change (its receivers may write in it, or wait for its
commit with ``transaction.on_commit``), and a receiver's exception reaches the writer.

Who sends it:

- the model-signal receivers of :mod:`essays.change_receivers`, for every save and
  delete of a row and every change to essays' topics (admin edits, inlines, deletes);
- services whose writes send no per-row signals (bulk inserts, ``update()``, raw
  deletes), through :func:`send_corpus_changed`;
- :func:`corpus_changes`: a block (one transaction) whose changes are collected and sent
  as one event at its end, still inside the transaction: an import of a document, a
  revert, a restore send one event naming every essay they touched, not one per row.

:func:`corpus_batch` groups the events of several transactions (a command importing
many documents, one transaction each): each event is still sent in its own
transaction, and says which batch it belongs to, so a subscriber can leave the costly
part of its work to the batch's end (search writes the index once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

__all__ = [
    "CorpusBatch",
    "CorpusChanges",
    "corpus_batch",
    "corpus_changed",
    "corpus_changes",
    "current_batch",
    "send_corpus_changed",
]

log = logging.getLogger(__name__)

#: Sent whenever public content changed, with ``essay_ids`` (frozenset[int]), ``using``
#: (str) and ``batch`` (:class:`CorpusBatch` or None); the sender is :class:`CorpusChanges`.
#: See the module's doc.
corpus_changed = Signal()

_local = threading.local()


@dataclass(eq=False)
class CorpusBatch:
    """The changes of several transactions that belong together (one command's run).

    Every event sent inside :func:`corpus_batch` carries it. A subscriber may register
    a callback (:meth:`at_end`) to finish its work once, when the batch ends, with
    :attr:`essay_ids` (every essay an event of the batch named; some of them may have
    been rolled back since).
    """

    #: Whether subscribers that keep an index of the essays should update it for these
    #: changes (False: the caller rebuilds the index afterwards, e.g. ``--no-index``).
    reindex: bool = True
    essay_ids: set[int] = field(default_factory=set)
    _finishers: dict[Callable[[CorpusBatch], None], None] = field(default_factory=dict)

    def at_end(self, callback: Callable[[CorpusBatch], None]) -> None:
        """Call ``callback(batch)`` once when the batch ends (once per callback)."""
        self._finishers.setdefault(callback, None)

    def finish(self) -> None:
        """Run the callbacks registered with :meth:`at_end`; each runs even if one fails
        (the first failure is raised after all have run)."""
        failure: BaseException | None = None
        for callback in list(self._finishers):
            try:
                callback(self)
            except Exception as error:
                log.exception("A corpus batch's end callback %r failed", callback)
                failure = failure or error
        self._finishers.clear()
        if failure is not None:
            raise failure


def current_batch() -> CorpusBatch | None:
    """The batch this thread's changes belong to now, if any."""
    return getattr(_local, "batch", None)


@contextmanager
def corpus_batch(*, reindex: bool = True) -> Iterator[CorpusBatch]:
    """Group the events sent inside the block (in any number of transactions) into one
    :class:`CorpusBatch`, whose subscribers finish their work when the block ends (also
    when it raises: the transactions committed before that need it too).

    A block inside another joins the outer batch (and its ``reindex``).
    """
    outer = current_batch()
    if outer is not None:
        yield outer
        return
    batch = CorpusBatch(reindex=reindex)
    _local.batch = batch
    try:
        yield batch
    finally:
        _local.batch = None
        batch.finish()


@dataclass(eq=False)
class CorpusChanges:
    """The changes collected by one :func:`corpus_changes` block."""

    using: str
    essay_ids: set[int] = field(default_factory=set)
    #: Whether anything changed at all (an event without essays still tells the page cache).
    changed: bool = False

    def add(self, essay_ids: Iterable[int | None] = ()) -> None:
        """Record a change touching ``essay_ids`` (none: a change to something else)."""
        self.changed = True
        self.essay_ids.update(int(pk) for pk in essay_ids if pk is not None)


def _collectors() -> list[CorpusChanges]:
    if not hasattr(_local, "collectors"):
        _local.collectors = []
    return _local.collectors


def _collector(using: str) -> CorpusChanges | None:
    """The innermost open :func:`corpus_changes` block for database ``using``."""
    for collector in reversed(_collectors()):
        if collector.using == using:
            return collector
    return None


@contextmanager
def corpus_changes(using: str | None = None) -> Iterator[CorpusChanges]:
    """Run the block in one transaction (``atomic``) and send one :data:`corpus_changed`
    at its end, inside that transaction, naming every essay changed in it.

    Model signals and :func:`send_corpus_changed` calls inside the block (on this
    thread, for this database) are collected instead of sent; the block may add essays
    itself (:meth:`CorpusChanges.add`). Nothing is sent when nothing changed, nor when
    the block raises or is marked for rollback (its writes are undone). A block inside another hands
    its changes to the outer one, which sends them. Usable as a decorator.
    """
    using = using or DEFAULT_DB_ALIAS
    stack = _collectors()
    with transaction.atomic(using=using):
        outer = _collector(using)
        collector = CorpusChanges(using=using)
        stack.append(collector)
        try:
            yield collector
        finally:
            stack.remove(collector)
        # Reached only when the block did not raise. A block marked for rollback
        # (``set_rollback``, a dry run) leaves nothing to announce.
        if not collector.changed or transaction.get_rollback(using=using):
            return
        if outer is not None:
            outer.add(collector.essay_ids)
        else:
            _send(collector.essay_ids, using=using)


def send_corpus_changed(essay_ids: Iterable[int | None] = (), *, using: str | None = None) -> None:
    """Announce that public content changed, touching ``essay_ids`` (none: only something
    that is not an essay's own content, e.g. a collection's title).

    Inside :func:`corpus_changes` (for the same database) the change is collected, to be
    sent with the others at the block's end; otherwise it is sent now.
    """
    using = using or DEFAULT_DB_ALIAS
    collector = _collector(using)
    if collector is not None:
        collector.add(essay_ids)
        return
    _send({int(pk) for pk in essay_ids if pk is not None}, using=using)


def _send(essay_ids: Iterable[int], *, using: str) -> None:
    ids = frozenset(essay_ids)
    batch = current_batch()
    if batch is not None:
        batch.essay_ids.update(ids)
    corpus_changed.send(sender=CorpusChanges, essay_ids=ids, using=using, batch=batch)
