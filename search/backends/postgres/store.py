"""Writing the PostgreSQL backend's tables: incremental updates, rebuilds, the state row.

- :func:`write_essays` brings essays' documents in line with the database inside the
  caller's transaction: each part whose source text is unchanged keeps its chunks; a
  changed part is analysed again; a gone part, section or essay loses its rows.
- The state row (:class:`search.models.SearchState`) names the generation readers
  see. A rebuild writes a new generation beside it (edits meanwhile write both), then
  makes it live in one short transaction: readers never see half an index.
- Writers of one essay take a transaction-scoped advisory lock on it, so two
  transactions (an edit and a rebuild batch, or two edits) never interleave their rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from essays.models import Essay
from search.backends.postgres.documents import Chunk, essay_parts, part_chunks

log = logging.getLogger(__name__)

CHUNKS = "search_searchchunk"
DOCUMENTS = "search_searchdocument"
GRAMS = "search_searchgram"
STATE = "search_searchstate"
#: The advisory lock class of "this essay's search rows" (a constant of this backend).
LOCK_CLASS = 0x5E4C
#: Essays a rebuild reads and writes per transaction.
REBUILD_BATCH = 40


@dataclass(frozen=True)
class State:
    """Which generation readers see, and which one a rebuild is writing (if any)."""

    generation: int
    building: int | None

    @property
    def written(self) -> list[int]:
        """The generations an edit must write."""
        return [self.generation] + ([self.building] if self.building else [])


@contextmanager
def _maintenance() -> Iterator[Any]:
    """A transaction of a rebuild or a clear, with its cursor. It waits for other
    writers' locks as long as they hold them (no ``lock_timeout``, which bounds a save's
    wait: a rebuild must not fail because an import of the same essays is slow)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = 0")
        yield cursor


def read_state(cursor, *, lock: str = "") -> State:
    """The state row (created when missing); ``lock`` is "" or a row-lock clause."""
    cursor.execute(f"SELECT generation, building FROM {STATE} WHERE id = 1 {lock}")
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            f"INSERT INTO {STATE} (id, generation, building) VALUES (1, 1, NULL) "
            "ON CONFLICT (id) DO NOTHING"
        )
        cursor.execute(f"SELECT generation, building FROM {STATE} WHERE id = 1 {lock}")
        row = cursor.fetchone()
    return State(int(row[0]), int(row[1]) if row[1] is not None else None)


def lock_essays(cursor, essay_ids: list[int]) -> None:
    """Hold each essay's advisory lock until the transaction ends (ascending order)."""
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, (id %% 2147483647)::int) "
        "FROM unnest(%s::bigint[]) AS t(id) ORDER BY id",
        [LOCK_CLASS, sorted(essay_ids)],
    )
    cursor.fetchall()


def _load(essay_ids: list[int]) -> dict[int, Essay]:
    essays = Essay.objects.filter(pk__in=essay_ids).prefetch_related("sections", "references")
    return {essay.pk: essay for essay in essays}


class _Analysed(dict):
    """Chunks analysed in this write, by (essay, part, digest): shared by generations."""


def write_essays(
    cursor, generation: int, essay_ids: list[int], essays: dict[int, Essay], cache: _Analysed
) -> int:
    """Bring ``essay_ids``' rows of ``generation`` in line with ``essays`` (those absent
    from it are gone); returns how many parts were analysed."""
    cursor.execute(
        f"SELECT DISTINCT essay_id, part, digest FROM {CHUNKS} "
        "WHERE generation = %s AND essay_id = ANY(%s)",
        [generation, essay_ids],
    )
    stored: dict[int, dict[str, set[str]]] = {}
    for essay_id, part, digest in cursor.fetchall():
        stored.setdefault(essay_id, {}).setdefault(part, set()).add(digest)
    gone_essays = [pk for pk in essay_ids if pk not in essays]
    stale: list[tuple[int, str]] = []
    fresh: list[tuple[int, Chunk]] = []
    analysed = 0
    for essay_id, essay in essays.items():
        old = stored.get(essay_id, {})
        parts = essay_parts(essay)
        keys = {part.key for part in parts}
        stale.extend((essay_id, key) for key in old if key not in keys)
        for part in parts:
            digest = part.digest
            if old.get(part.key) == {digest}:
                continue  # unchanged: keep its chunks
            if part.key in old:
                stale.append((essay_id, part.key))
            key = (essay_id, part.key, digest)
            chunks = cache.get(key)
            if chunks is None:
                chunks = cache[key] = part_chunks(part)
                analysed += 1
            fresh.extend((essay_id, chunk) for chunk in chunks)
    if gone_essays:
        cursor.execute(
            f"DELETE FROM {CHUNKS} WHERE generation = %s AND essay_id = ANY(%s)",
            [generation, gone_essays],
        )
        cursor.execute(
            f"DELETE FROM {DOCUMENTS} WHERE generation = %s AND essay_id = ANY(%s)",
            [generation, gone_essays],
        )
    if stale:
        cursor.execute(
            f"DELETE FROM {CHUNKS} AS c "
            "USING unnest(%s::bigint[], %s::text[]) AS s(essay_id, part) "
            "WHERE c.generation = %s AND c.essay_id = s.essay_id AND c.part = s.part",
            [[pk for pk, _ in stale], [part for _, part in stale], generation],
        )
    if fresh:
        _insert_chunks(cursor, generation, fresh)
    if essays:
        _update_documents(cursor, generation, sorted(essays))
    return analysed


def _insert_chunks(cursor, generation: int, fresh: list[tuple[int, Chunk]]) -> None:
    from psycopg2.extras import execute_values

    rows = [
        (generation, essay_id, c.part, c.seq, c.kind, c.digest, c.body, c.length, c.words, c.grams)
        for essay_id, c in fresh
    ]
    execute_values(
        cursor.cursor,  # psycopg2's own cursor under Django's wrapper
        f"INSERT INTO {CHUNKS} "
        "(generation, essay_id, part, seq, kind, digest, body, length, words, grams) VALUES %s",
        rows,
        template="(%s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s::tsvector)",
        page_size=50,
    )
    vocabulary = sorted(set().union(*(c.vocabulary for _, c in fresh)))
    if vocabulary:
        cursor.execute(
            f"INSERT INTO {GRAMS} (generation, gram) SELECT %s, g FROM unnest(%s::text[]) AS g "
            "ON CONFLICT (generation, gram) DO NOTHING",
            [generation, vocabulary],
        )


def _update_documents(cursor, generation: int, essay_ids: list[int]) -> None:
    cursor.execute(
        f"""
        INSERT INTO {DOCUMENTS} (generation, essay_id, length, chunks)
        SELECT %s, e.id, COALESCE(sum(c.length), 0), count(c.id) FILTER (WHERE c.kind = 'C')
        FROM unnest(%s::bigint[]) AS e(id)
        LEFT JOIN {CHUNKS} AS c ON c.generation = %s AND c.essay_id = e.id
        GROUP BY e.id
        ON CONFLICT (generation, essay_id)
        DO UPDATE SET length = EXCLUDED.length, chunks = EXCLUDED.chunks
        """,
        [generation, essay_ids, generation],
    )


def index_essays(essay_ids: Iterable[int]) -> int:
    """Write these essays (remove the gone) in every generation readers or a rebuild use,
    inside the current transaction (a savepoint of it). Returns the parts analysed."""
    ids = sorted({int(pk) for pk in essay_ids})
    if not ids:
        return 0
    analysed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # FOR SHARE: a rebuild's switch waits for this transaction, and sees its rows.
        state = read_state(cursor, lock="FOR SHARE")
        lock_essays(cursor, ids)
        for start in range(0, len(ids), REBUILD_BATCH):  # a bulk import: bounded memory
            batch = ids[start : start + REBUILD_BATCH]
            essays = _load(batch)
            cache = _Analysed()
            analysed += sum(write_essays(cursor, g, batch, essays, cache) for g in state.written)
    return analysed


def clear_all() -> None:
    """Remove every document of every generation."""
    with _maintenance() as cursor:
        read_state(cursor, lock="FOR UPDATE")
        for table in (CHUNKS, DOCUMENTS, GRAMS):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"UPDATE {STATE} SET building = NULL WHERE id = 1")


def _drop_generations(keep: list[int]) -> None:
    with _maintenance() as cursor:
        for table in (CHUNKS, DOCUMENTS, GRAMS):
            cursor.execute(f"DELETE FROM {table} WHERE NOT (generation = ANY(%s))", [keep])


def rebuild_all(progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Write every essay into a new generation, then make it live. Returns the number
    of essays and the new generation. A failure leaves the live generation untouched."""
    with _maintenance() as cursor:
        state = read_state(cursor, lock="FOR UPDATE")
        new = max(state.generation, state.building or 0) + 1
        cursor.execute(f"UPDATE {STATE} SET building = %s WHERE id = 1", [new])
    try:
        _drop_generations([state.generation, new])  # a failed rebuild's rows
        essay_ids = list(Essay.objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(essay_ids), REBUILD_BATCH):
            batch = essay_ids[start : start + REBUILD_BATCH]
            with _maintenance() as cursor:
                lock_essays(cursor, batch)
                write_essays(cursor, new, batch, _load(batch), _Analysed())
            done += len(batch)
            if progress is not None:
                progress(done)
        with _maintenance() as cursor:
            current = read_state(cursor, lock="FOR UPDATE")
            if current.building != new:
                raise RuntimeError("another rebuild started meanwhile; this one is abandoned")
            cursor.execute(
                f"UPDATE {STATE} SET generation = %s, building = NULL, rebuilt_at = %s "
                "WHERE id = 1",
                [new, timezone.now()],
            )
    except BaseException:
        with _maintenance() as cursor:
            current = read_state(cursor, lock="FOR UPDATE")
            if current.building == new:
                cursor.execute(f"UPDATE {STATE} SET building = NULL WHERE id = 1")
        _drop_generations([state.generation])
        raise
    _drop_generations([new])
    return len(essay_ids), new
