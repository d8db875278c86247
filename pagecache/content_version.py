"""The site's content version: a cheap token that changes whenever public content may have.

The page cache (:mod:`pagecache.middleware`) keys every stored response by this token, so
a change to the corpus makes every cached page and search answer unreachable at once,
in every worker, without deleting anything.

The token combines three things, each read with a stat or a small read (microseconds,
no database query):

- ``DATA_DIR/content-version``, a file holding a fresh random value, replaced atomically
  (:func:`bump`) when a transaction that changed essays, sections, references, topics or
  collections commits (the app subscribes :func:`content_changed` to
  :data:`essays.signals.corpus_changed`, see :mod:`pagecache.apps`). Every process on
  the machine sees the new value on its next request. With a shared cache
  (``PORTAL_CACHE_URL``, :mod:`portal.shared_cache`) the value is a key in Redis
  instead, so every process on every machine sees it (one round trip to Redis per
  request).
- The search backend's state token (:meth:`search.backends.SearchBackend.state_token`).
  With whoosh, re-indexing happens after the database commit (search/signals.py), so
  a search answered between the commit and the index write would be cached under the
  already bumped token; the index's own change (a new generation's files) changes the
  token again, and so does a damaged index file, so search answers 503 at once.
- A per-process generation, advanced at once by every change made in this process
  (:func:`content_changed`), even before its transaction commits. Other processes only
  see committed data, for which the file is the signal; this covers the process that
  made the change (a command rendering pages afterwards, a test whose transaction never
  commits). Processes that never write keep generation 0, so with a shared cache
  backend they share entries; one that has written keeps entries of its own.
- The transaction a request would read from, when it runs inside one (never in the
  portal's own requests: ``ATOMIC_REQUESTS`` is off and the page cache sits outside
  any view; but a test, or code that renders pages inside ``atomic()``, does): what it
  renders may hold uncommitted rows, so it is keyed to that transaction alone and a
  rollback leaves nothing reachable behind.

A missing file or directory gives a stable part ("-"), never an exception.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from portal.shared_cache import CACHE_ERRORS, is_shared
from portal.small_files import read_small

log = logging.getLogger(__name__)

#: The file under ``settings.DATA_DIR`` whose contents change on every committed change.
VERSION_FILE = "content-version"
#: The key of the content version in the shared cache (``caches["default"]``).
SHARED_KEY = "content-version"

_generations = itertools.count(1)
_local_generation = 0
_pending = threading.local()
_scopes = itertools.count(1)


def version_path() -> Path:
    """Where the content-version file lives."""
    return Path(settings.DATA_DIR) / VERSION_FILE


def index_token() -> str:
    """The search backend's part of the token (its :meth:`state_token`; "-" on failure)."""
    try:
        from search.backends import get_backend

        return get_backend().state_token()
    except Exception:  # a token must never fail a request; the page is then served live
        log.exception("Content version: the search backend gave no state token")
        return f"unavailable-{uuid.uuid4().hex}"


def transaction_scope() -> str:
    """Which open transaction a read on this thread would see ("-" outside any).

    The outermost ``atomic()`` block of each open transaction is labelled with a number
    never used before, so a transaction opened later (after a rollback) never shares it.
    """
    labels = []
    for connection in connections.all(initialized_only=True):
        blocks = getattr(connection, "atomic_blocks", None)
        if connection.in_atomic_block and blocks:
            outermost = blocks[0]
            label = getattr(outermost, "_content_version_scope", None)
            if label is None:
                label = outermost._content_version_scope = next(_scopes)
            labels.append(f"{connection.alias}:{label}")
    return ",".join(labels) or "-"


def _shared_version() -> str:
    """The version every machine shares, from Redis ("-" before the first change).

    When Redis cannot answer, a value no stored page has: nothing stale is served, and
    the page cache (in the same Redis) is unusable anyway.
    """
    try:
        return caches["default"].get(SHARED_KEY) or "-"
    except CACHE_ERRORS as error:
        log.warning("Content version: shared cache unavailable: %s", error)
        return f"unavailable-{uuid.uuid4().hex}"


def current() -> str:
    """The content version now: changes whenever a public page or search may have."""
    if is_shared():
        version = _shared_version()
    else:
        version = read_small(os.path.join(settings.DATA_DIR, VERSION_FILE))
    return f"{version}|{index_token()}|{_local_generation}|{transaction_scope()}"


def bump() -> None:
    """Give the content a new version, for every process (atomic file replace).

    Called on commit. With a shared cache the new value goes to Redis (for every machine)
    and to the file. A failure to write is logged, never raised (the commit happened, and
    the page cache's timeout bounds how long a stale page can be served).
    """
    value = uuid.uuid4().hex
    if is_shared():
        try:
            caches["default"].set(SHARED_KEY, value, timeout=None)
        except CACHE_ERRORS:
            log.exception("Could not write the content version to the shared cache")
    path = version_path()
    temporary = path.with_name(f".{VERSION_FILE}.{uuid.uuid4().hex}")
    try:
        temporary.write_text(value, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        log.exception("Could not write the content version %s", path)
        temporary.unlink(missing_ok=True)


def _advance_local() -> None:
    global _local_generation
    _local_generation = next(_generations)


class _CommitBump:
    """One scheduled :func:`bump`, which knows whether it has run."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        bump()


def _savepoints(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    """The savepoints open on ``connection`` (``atomic(savepoint=False)`` blocks make none)."""
    return tuple(sid for sid in connection.savepoint_ids if sid is not None)


def _bump_pending(using: str) -> bool:
    """Whether a :func:`bump` scheduled from this same atomic block still waits for commit.

    The last one scheduled on this thread is remembered with the connection's savepoint
    stack at the time and its place in the list of on-commit callbacks: a rolled-back
    savepoint drops it from the list (so the place holds something else, or nothing), a
    commit runs it. Checking the one place keeps this constant-time for transactions of
    many thousands of rows; a change in another (nested) block schedules its own.
    """
    scheduled = getattr(_pending, using, None)
    if scheduled is None:
        return False
    callback, savepoints, place = scheduled
    connection = transaction.get_connection(using)
    entries = getattr(connection, "run_on_commit", None) or []
    return (
        not callback.done
        and _savepoints(connection) == savepoints
        and place < len(entries)
        and entries[place][1] is callback
    )


def content_changed(using: str | None = None) -> None:
    """Record that public content changed: this process at once, every process on commit.

    Called for every :data:`essays.signals.corpus_changed` event (which writes that
    bypass model signals send too: bulk inserts, ``update()``, raw deletes), and by
    anything else that changes what pages show. Within a transaction :func:`bump` is
    scheduled once, for its commit; outside one it runs now.
    """
    using = using or DEFAULT_DB_ALIAS
    _advance_local()
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        bump()
        return
    if _bump_pending(using):
        return
    callback = _CommitBump()
    place = len(connection.run_on_commit)
    setattr(_pending, using, (callback, _savepoints(connection), place))
    transaction.on_commit(callback, using=using)
