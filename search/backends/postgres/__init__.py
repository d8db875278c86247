"""The PostgreSQL engine: full-text search in the portal's own database.

For deployments whose ``DATABASE_URL`` names PostgreSQL and that run several web
machines: every machine reads the same tables, and an essay's documents are written
**in the transaction that changed it** (:attr:`PostgresBackend.transactional`), so
search never disagrees with the database. No whoosh index is written.

- :mod:`.documents`: an essay as parts and chunks, with ``words`` (jieba) and ``grams``
  (characters and pairs) tsvectors fed by the whoosh index's own analysers;
- :mod:`.store`: incremental writes, the generation readers see, rebuilds beside it;
- :mod:`.reading`: what PostgreSQL answers (GIN indexes, ``strpos``, phrase queries);
- :mod:`.matching`: the tiers and ranking of :mod:`search.matching`, on those answers.

Schema: ``search`` migration 0002 (tsvector columns and GIN indexes on PostgreSQL only).
After switching ``PORTAL_SEARCH_BACKEND`` to ``postgres``, run
``manage.py rebuild_index_swapped`` once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

from search.backends.base import Check, Hit, IndexUnavailable, Match, SearchBackend
from search.backends.postgres import store
from search.backends.postgres.matching import homophones, match
from search.backends.postgres.reading import Reader, id_array

log = logging.getLogger(__name__)

#: How long a process trusts the generation it read for :meth:`state_token` (seconds).
TOKEN_SECONDS = 2.0
#: The indexes the backend needs (reported by ``/healthz`` when missing).
GIN_INDEXES = ("search_chunk_words_gin", "search_chunk_grams_gin")


@contextmanager
def _engine(action: str, *, snapshot: bool = False) -> Iterator:
    """A cursor on the search tables; any database failure becomes IndexUnavailable.

    With ``snapshot`` (reads), a transaction of its own runs at REPEATABLE READ, so all
    the statements of one search see one state of the index (a savepoint inside a
    caller's transaction, which already sees one state). A failure inside a caller's
    transaction rolls back to the savepoint, leaving the caller's work intact.
    """
    if connection.vendor != "postgresql":
        raise IndexUnavailable("the postgres search backend needs a PostgreSQL database")
    try:
        outer = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            if snapshot:
                if not outer:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # The planner prices a sequential scan by the rows' pages, not by the
                # tsvectors it would decompress: for a common character it would read
                # every chunk's (~1 s at 3,000 papers) instead of the GIN index (~50 ms).
                cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            yield cursor
            if snapshot and outer:  # leave the caller's transaction as it was (a failure
                # rolls back to the savepoint, which undoes the setting too)
                cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")
    except IndexUnavailable:
        raise
    except DatabaseError as error:
        log.exception("The PostgreSQL search tables failed (%s)", action)
        raise IndexUnavailable(f"cannot {action}: {error}") from error


class PostgresBackend(SearchBackend):
    """Search on PostgreSQL's full-text machinery, in the portal's own database."""

    name = "postgres"
    transactional = True
    check_names = ("search_tables",)

    def __init__(self) -> None:
        self._token: tuple[float, str] | None = None
        self._token_lock = threading.Lock()

    # Reading ------------------------------------------------------------------------

    def match(self, parsed, *, topic=None, limit=None, facets=True) -> Match:
        with _engine("search", snapshot=True) as cursor:
            reader = Reader(cursor, store.read_state(cursor).generation)
            found = match(reader, parsed)
            everything = found.everything
            allow = _topic_members(cursor, topic, everything) if topic is not None else None
            ranked = found.ranked(allow)
            stop = len(ranked) if limit is None else min(limit, len(ranked))
            hits = [
                Hit(pk, float(found.scores.get(pk, 0.0)), tier, found.matched(pk))
                for pk, tier in ranked[:stop]
            ]
            exact = found.exact if allow is None else found.exact & allow
            return Match(
                total=len(ranked),
                exact_count=len(exact),
                hits=hits,
                topic_counts=_topic_counts(cursor, everything) if facets else {},
                spellings=list(found.spellings),
            )

    def holds(self, text: str) -> bool:
        with _engine("suggest", snapshot=True) as cursor:
            return bool(Reader(cursor, store.read_state(cursor).generation).holders(text))

    def homophones(self, text: str, *, whole_words: bool = False) -> list[str]:
        with _engine("suggest", snapshot=True) as cursor:
            reader = Reader(cursor, store.read_state(cursor).generation)
            found = homophones(reader, text)
            if whole_words:
                found = [word for word in found if reader.whole_word(word)]
            return found

    def document_count(self) -> int:
        with _engine("count", snapshot=True) as cursor:
            generation = store.read_state(cursor).generation
            cursor.execute(
                f"SELECT count(*) FROM {store.DOCUMENTS} WHERE generation = %s", [generation]
            )
            return int(cursor.fetchone()[0])

    def state_token(self) -> str:
        """``pg:<generation>``: changes when a rebuild goes live (edits are committed
        with the essays, and the content version changes with them). Read at most every
        :data:`TOKEN_SECONDS` per process; never raises."""
        now = time.monotonic()
        cached = self._token
        if cached is not None and now - cached[0] < TOKEN_SECONDS:
            return cached[1]
        with self._token_lock:
            try:
                with _engine("read the state", snapshot=True) as cursor:
                    token = f"pg:{store.read_state(cursor).generation}"
            except IndexUnavailable:
                token = "pg:-"
            self._token = (now, token)
            return token

    def forget_token(self) -> None:
        """Read the generation afresh on the next :meth:`state_token`."""
        self._token = None

    def checks(self) -> list[Check]:
        try:
            with _engine("check", snapshot=True) as cursor:
                state = store.read_state(cursor)
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s", [store.CHUNKS]
                )
                present = {row[0] for row in cursor.fetchall()}
        except IndexUnavailable:
            return [Check("search_tables", False, {"error": "无法读取搜索表。"})]
        missing = [name for name in GIN_INDEXES if name not in present]
        details: dict = {"generation": state.generation}
        if state.building:
            details["building"] = state.building
        if missing:
            details.update(missing=missing, error=f"搜索表缺少索引：{'、'.join(missing)}。")
        return [Check("search_tables", not missing, details)]

    # Writing ------------------------------------------------------------------------

    def index(self, essay_ids: Iterable[int]) -> bool:
        with _engine("index"):
            store.index_essays(essay_ids)
        return True

    def clear(self) -> None:
        with _engine("clear"):
            store.clear_all()
        self.forget_token()

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        if connection.vendor != "postgresql":
            raise IndexUnavailable("the postgres search backend needs a PostgreSQL database")
        try:
            count, _ = store.rebuild_all(progress)
        except DatabaseError as error:
            log.exception("Rebuilding the PostgreSQL search tables failed")
            raise IndexUnavailable(f"cannot rebuild: {error}") from error
        finally:
            self.forget_token()
        return count

    def location(self) -> str:
        return f"PostgreSQL 表 {store.CHUNKS}"


def _topic_members(cursor, slug: str, essays: set[int]) -> set[int]:
    """Which of ``essays`` have the topic ``slug``."""
    from essays.models import Essay, Topic

    if not essays:
        return set()
    cursor.execute(
        f"SELECT et.essay_id FROM {Essay.topics.through._meta.db_table} AS et "
        f"JOIN {Topic._meta.db_table} AS t ON t.id = et.topic_id "
        "WHERE t.slug = %s AND et.essay_id = ANY(%s::bigint[])",
        [slug, id_array(essays)],
    )
    return {row[0] for row in cursor.fetchall()}


def _topic_counts(cursor, essays: set[int]) -> dict[str, int]:
    """For each topic, how many of ``essays`` have it (counted by PostgreSQL)."""
    from essays.models import Essay, Topic

    if not essays:
        return {}
    cursor.execute(
        f"SELECT t.slug, count(*) FROM {Essay.topics.through._meta.db_table} AS et "
        f"JOIN {Topic._meta.db_table} AS t ON t.id = et.topic_id "
        "WHERE et.essay_id = ANY(%s::bigint[]) GROUP BY t.slug",
        [id_array(essays)],
    )
    return {slug: int(count) for slug, count in cursor.fetchall()}
