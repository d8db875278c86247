"""The re-indexing outbox: a change reaches the search index even if the first write fails.

A change to an essay (or its sections, references, topics) writes a
:class:`~search.models.PendingReindex` row in the same transaction (:func:`record`,
called from the model signals in :mod:`search.signals`). After the commit the essays
are written to the index and their rows deleted (:func:`drain`). If the write fails
(a full disk, a read-only index folder, a worker killed between the commit and the
write) the rows stay, and the write is tried again:

- by the next change's drain, in any process, which also takes rows that failed or
  have waited longer than :data:`STALE_SECONDS`;
- by a timer in the process that saw the failure, after ``PORTAL_REINDEX_RETRY_SECONDS``
  and then twice as long each time (at most :data:`RETRY_MAX_SECONDS`), until the
  outbox is empty; a gunicorn worker also drains once when it starts (a killed worker's
  rows);
- by ``manage.py reindex_pending`` (cron, or by hand).

``/healthz`` reports the oldest row (:func:`status`) and fails once it is older than
``PORTAL_REINDEX_MAX_DELAY`` seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from search.indexing import reindex_essays
from search.models import PendingReindex

log = logging.getLogger(__name__)

#: A row older than this (or one whose write failed) is any drain's to write: the
#: process that wrote it has had time to write it itself.
STALE_SECONDS = 30
#: Rows a save's drain takes besides its own (so a save after an outage stays quick).
OPPORTUNISTIC_BATCH = 100
#: Rows per index commit when draining everything.
DRAIN_BATCH = 500
#: The longest wait between two background retries.
RETRY_MAX_SECONDS = 300.0
#: Rows deleted per statement (an OR of (essay, token) pairs).
_DELETE_CHUNK = 100


@dataclass
class DrainResult:
    """What one drain did: essays written, essays whose write failed or was deferred."""

    indexed: int = 0
    failed: int = 0
    deferred: int = 0
    error: str = ""

    def __iadd__(self, other: DrainResult) -> DrainResult:
        self.indexed += other.indexed
        self.failed += other.failed
        self.deferred += other.deferred
        self.error = other.error or self.error
        return self

    @property
    def complete(self) -> bool:
        """Whether every essay taken was written and confirmed."""
        return not self.failed and not self.deferred


# Recording, in the changing transaction ----------------------------------------------------


class _Recorded:
    """The essays recorded in one transaction (at one savepoint level); run on its commit."""

    def __init__(self, on_commit: Callable[[], None] | None) -> None:
        self.ids: set[int] = set()
        self.done = False
        self._on_commit = on_commit

    def __call__(self) -> None:
        self.done = True
        if self._on_commit is not None:
            self._on_commit()


_recorded = threading.local()


def _savepoints(connection) -> tuple:
    return tuple(connection.savepoint_ids)


def _current_record(using: str) -> _Recorded | None:
    """This transaction's record at the current savepoint level, if still valid.

    It is valid while its commit callback waits at the place it was registered with the
    same savepoints open: a rolled-back savepoint removes the callback (and the rows it
    stands for), a commit runs it.
    """
    held = getattr(_recorded, using, None)
    if held is None:
        return None
    record_, savepoints, place = held
    connection = transaction.get_connection(using)
    entries = connection.run_on_commit
    if (
        record_.done
        or _savepoints(connection) != savepoints
        or place >= len(entries)
        or entries[place][1] is not record_
    ):
        return None
    return record_


def record(
    essay_ids: Iterable[int],
    *,
    using: str | None = None,
    on_commit: Callable[[], None] | None = None,
) -> None:
    """Write outbox rows for ``essay_ids`` in the current transaction.

    A row already there keeps its ``pending_since`` (the oldest change not yet indexed)
    and gets a new ``token``. Each essay is written once per transaction. ``on_commit``
    runs once when the transaction commits (at once outside a transaction).
    """
    using = using or DEFAULT_DB_ALIAS
    ids = {int(pk) for pk in essay_ids}
    if not ids:
        return
    connection = transaction.get_connection(using)
    current = _current_record(using) if connection.in_atomic_block else None
    if current is not None:
        ids -= current.ids
        if not ids:
            return
    now = timezone.now()
    PendingReindex.objects.using(using).bulk_create(
        [PendingReindex(essay_id=pk, token=uuid.uuid4(), pending_since=now) for pk in sorted(ids)],
        update_conflicts=True,
        unique_fields=["essay_id"],
        update_fields=["token"],
    )
    if not connection.in_atomic_block:
        if on_commit is not None:
            on_commit()
        return
    if current is None:
        current = _Recorded(on_commit)
        place = len(connection.run_on_commit)
        transaction.on_commit(current, using=using)
        setattr(_recorded, using, (current, _savepoints(connection), place))
    current.ids.update(ids)


# Draining, after the commit ---------------------------------------------------------------


def _rows(queryset) -> dict[int, uuid.UUID]:
    return dict(queryset.values_list("essay_id", "token"))


def _stale_rows(limit: int) -> dict[int, uuid.UUID]:
    cutoff = timezone.now() - timedelta(seconds=STALE_SECONDS)
    stale = PendingReindex.objects.filter(Q(pending_since__lt=cutoff) | Q(attempts__gt=0))
    return _rows(stale.order_by("pending_since")[:limit])


def _forget(rows: dict[int, uuid.UUID]) -> None:
    """Delete the rows written — unless a later change gave one a new token."""
    pairs = [Q(essay_id=pk, token=token) for pk, token in rows.items()]
    with transaction.atomic():
        for start in range(0, len(pairs), _DELETE_CHUNK):
            PendingReindex.objects.filter(
                reduce(or_, pairs[start : start + _DELETE_CHUNK])
            ).delete()


def pending_rows() -> dict[int, uuid.UUID]:
    """Every row now: ``{essay id: token}`` (before a full rebuild, see :func:`forget`)."""
    return _rows(PendingReindex.objects.all())


def forget(rows: dict[int, uuid.UUID]) -> None:
    """Delete ``rows`` (from :func:`pending_rows`) once a full rebuild that read the
    database after taking them is live; rows changed since are kept."""
    if rows:
        _forget(rows)


def _note_failure(ids: list[int], error: BaseException) -> None:
    try:
        PendingReindex.objects.filter(essay_id__in=ids).update(
            attempts=F("attempts") + 1,
            last_error=repr(error)[:1000],
            last_attempt_at=timezone.now(),
        )
    except Exception:  # the database may be failing too: the rows stay as they are
        log.warning("Could not record the failed re-index of essays %s", ids, exc_info=True)


def _write(rows: dict[int, uuid.UUID]) -> DrainResult:
    """Index the essays of ``rows``; delete the rows if it worked, else note the failure."""
    ids = sorted(rows)
    try:
        complete = reindex_essays(ids)
    except Exception as error:
        log.exception("Re-indexing essays %s failed; they stay in the outbox", ids[:20])
        _note_failure(ids, error)
        schedule_retry()
        return DrainResult(failed=len(ids), error=repr(error))
    if not complete:  # handed to whoosh's background writer: confirm with a later write
        schedule_retry()
        return DrainResult(deferred=len(ids))
    _forget(rows)
    return DrainResult(indexed=len(ids))


def drain(essay_ids: Iterable[int] = (), *, stale: bool = True) -> DrainResult:
    """Write the pending essays among ``essay_ids`` (and, with ``stale``, up to
    :data:`OPPORTUNISTIC_BATCH` rows that failed or waited too long) in one index commit.

    Essays without a row (a rolled-back change, or written meanwhile) are skipped.
    Never raises: a failure is logged, noted on the rows and retried later.
    """
    try:
        ids = sorted({int(pk) for pk in essay_ids})
        rows: dict[int, uuid.UUID] = {}
        for start in range(0, len(ids), DRAIN_BATCH):
            rows.update(
                _rows(PendingReindex.objects.filter(essay_id__in=ids[start : start + DRAIN_BATCH]))
            )
        if stale:
            rows.update(_stale_rows(OPPORTUNISTIC_BATCH))
        if not rows:
            return DrainResult()
        return _write(rows)
    except Exception as error:  # e.g. the database went away after the commit
        log.exception("Draining the re-index outbox failed")
        schedule_retry()
        return DrainResult(failed=1, error=repr(error))


def drain_all(batch: int = DRAIN_BATCH) -> DrainResult:
    """Write every pending essay, oldest first, ``batch`` per index commit.

    Stops at the first failure (the rest would most likely fail alike). Rows added
    while it runs may be left for the next drain.
    """
    total = DrainResult()
    rounds = PendingReindex.objects.count() // batch + 2
    for _ in range(rounds):
        rows = _rows(PendingReindex.objects.order_by("pending_since")[:batch])
        if not rows:
            break
        total += _write(rows)
        if not total.complete:
            break
    return total


# Background retries -------------------------------------------------------------------------


class _RetryState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self.pid = 0
        self.delay = 0.0


_retry = _RetryState()


def retry_base_seconds() -> float:
    """The first background retry's delay (``PORTAL_REINDEX_RETRY_SECONDS``; 0: none)."""
    return float(getattr(settings, "PORTAL_REINDEX_RETRY_SECONDS", 5.0))


def schedule_retry(delay: float | None = None) -> None:
    """Drain the outbox in a background thread after ``delay`` seconds (default: the
    next step of the backoff), unless a retry is already scheduled in this process."""
    base = retry_base_seconds()
    if base <= 0:
        return
    with _retry.lock:
        timer = _retry.timer
        if timer is not None and _retry.pid == os.getpid() and timer.is_alive():
            return
        if delay is None:
            _retry.delay = min(RETRY_MAX_SECONDS, _retry.delay * 2) if _retry.delay else base
            delay = _retry.delay
        timer = threading.Timer(delay, _retry_now)
        timer.daemon = True
        timer.name = "search-outbox-retry"
        _retry.timer, _retry.pid = timer, os.getpid()
        timer.start()


def _retry_now() -> None:
    try:
        result = drain_all()
    except Exception as error:
        log.exception("Background re-index failed")
        result = DrainResult(failed=1, error=repr(error))
    finally:
        connections.close_all()  # this thread's connections only
    with _retry.lock:
        _retry.timer = None
        if result.complete:
            _retry.delay = 0.0
    if not result.complete:
        schedule_retry()


# Reporting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    """How many essays wait to be indexed, and for how long the oldest has waited."""

    pending: int
    oldest_seconds: float | None


def status() -> OutboxStatus:
    """The outbox now (one aggregate query)."""
    found = PendingReindex.objects.aggregate(pending=Count("id"), oldest=Min("pending_since"))
    oldest = found["oldest"]
    waited = (timezone.now() - oldest).total_seconds() if oldest is not None else None
    return OutboxStatus(pending=found["pending"], oldest_seconds=waited)
