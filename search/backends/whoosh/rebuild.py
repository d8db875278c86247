"""Full rebuilds in forked worker processes, each writing segments of its own.

A rebuild of a QuerySet shares its rows out among ``PORTAL_INDEX_PROCESSES`` forked
workers (:func:`index_processes`, default two on SQLite): each loads a contiguous
share from the database with a connection of its own and writes its own segments into
the new index directory (:func:`.bulk_writer.build_segments`); one commit then lists
them all, in the queryset's order (:func:`build_index`). Any other iterable, or a
QuerySet inside an open transaction, is indexed in this process. A worker's failure, or
an interrupt, stops the others and raises.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from search.backends.whoosh.bulk_writer import (
    REBUILD_SEGMENT_POSTINGS,
    build_segments,
    commit_segments,
)

# Essays a rebuild worker loads from the database per query.
REBUILD_CHUNK = 200


@dataclass(frozen=True)
class Built:
    """How a rebuild ran: documents indexed, processes used, segments written."""

    count: int
    processes: int
    segments: int


def build_index(
    fresh: Any,
    documents: Callable[[Iterable[Any]], Iterator[dict]],
    iterable: Iterable[Any],
    *,
    batch_size: int = REBUILD_CHUNK,
    processes: int | None = None,
    segment_postings: int = REBUILD_SEGMENT_POSTINGS,
) -> Built:
    """Index ``iterable`` (objects, made whoosh documents by ``documents``) into the new,
    empty index ``fresh`` and commit it.

    A QuerySet is indexed by ``processes`` forked workers (default
    :func:`index_processes`), each loading a contiguous share of its rows and writing
    segments of its own; the documents keep the queryset's order and the index holds
    what one process would write. Segments are finished every ``segment_postings``
    postings and committed together at the end.
    """
    from django.db.models import QuerySet

    wanted = processes if processes is not None else index_processes()
    pks: list = []
    if isinstance(iterable, QuerySet) and wanted > 1 and _fork_safe():
        pks = list(iterable.values_list("pk", flat=True))
    used = max(1, min(wanted, len(pks)))
    if used > 1:
        shares = [pks[i * len(pks) // used : (i + 1) * len(pks) // used] for i in range(used)]

        def share_builder(share: list) -> Any:
            docs = documents(_objects_by_pk(iterable, share, batch_size))
            return lambda: build_segments(fresh, docs, segment_postings)

        built = _in_children([share_builder(share) for share in shares])
        segments = [segment for part, _ in built for segment in part]
        count = sum(number for _, number in built)
    else:
        if isinstance(iterable, QuerySet):
            iterable = iterable.iterator(chunk_size=batch_size)
        segments, count = build_segments(fresh, documents(iterable), segment_postings)
    commit_segments(fresh, segments)
    return Built(count=count, processes=used, segments=len(segments))


def index_processes() -> int:
    """How many processes a rebuild uses: ``settings.PORTAL_INDEX_PROCESSES`` if set
    (environment variable of the same name), else ``min(2, os.cpu_count())`` on SQLite
    and 1 on other databases (a forked worker lost its PostgreSQL connection in a CI run,
    not yet explained; set the variable to use more there)."""
    from django.conf import settings
    from django.db import connection

    configured = getattr(settings, "PORTAL_INDEX_PROCESSES", None)
    if configured:
        return max(1, int(configured))
    if connection.vendor != "sqlite":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _fork_safe() -> bool:
    """Whether forked workers see the rows this process sees.

    Not when a transaction is open: a worker's own connection would not see its rows.
    An in-memory SQLite database (tests) is inherited whole by a forked worker, with
    this process's connection and its open transaction, so that is fine.
    """
    from django.db import connections as databases

    for connection in databases.all(initialized_only=True):
        if connection.in_atomic_block and not (
            connection.vendor == "sqlite" and connection.is_in_memory_db()
        ):
            return False
    return True


def _objects_by_pk(queryset: Any, pks: list, chunk: int = REBUILD_CHUNK) -> Iterator[Any]:
    """The objects of ``queryset`` with primary keys ``pks``, in that order, loaded
    ``chunk`` at a time (with the queryset's prefetches)."""
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        found = {obj.pk: obj for obj in queryset.filter(pk__in=part)}
        for pk in part:
            obj = found.get(pk)
            if obj is not None:
                yield obj


def _run_child(send: Any, build: Any, inherited: dict[str, Any]) -> None:
    """In a forked worker: run ``build()`` and send its result (or the error) back.

    ``inherited``: the parent's in-memory SQLite connections, used as they are (the
    database is in the memory this process inherited; a new connection would find
    another connection's locks in it). Other databases get a connection of their own.
    """
    from django.db import connections as databases

    for alias, connection in inherited.items():
        databases[alias] = connection  # thread-local lookups may differ after the fork
    try:
        send.send(("ok", build()))
    except BaseException:
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()
        databases.close_all()


def _in_children(builds: list) -> list:
    """Run each of ``builds`` (callables) in a forked process; their results, in order.

    The database connections are closed first so that each child opens its own (a
    connection must not be shared across a fork). A child's failure, or an interrupt,
    stops the other children and raises here.
    """
    from django.db import connections as databases

    databases.close_all()
    inherited = {
        connection.alias: connection
        for connection in databases.all(initialized_only=True)
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    context = multiprocessing.get_context("fork")
    children = []
    results: dict[int, Any] = {}
    try:
        for number, build in enumerate(builds):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(
                target=_run_child, args=(send, build, inherited), name=f"index-worker-{number}"
            )
            child.start()
            send.close()
            children.append((child, receive))
        waiting = {receive: number for number, (_, receive) in enumerate(children)}
        while waiting:
            for receive in wait(list(waiting)):
                number = waiting.pop(receive)
                try:
                    status, payload = receive.recv()
                except EOFError:
                    child = children[number][0]
                    child.join()
                    raise RuntimeError(
                        f"index worker {number} died (exit code {child.exitcode})"
                    ) from None
                if status != "ok":
                    raise RuntimeError(f"index worker {number} failed:\n{payload}")
                results[number] = payload
    finally:
        for child, receive in children:
            if child.is_alive() and len(results) < len(builds):
                child.terminate()
            child.join()
            receive.close()
    return [results[number] for number in range(len(builds))]
