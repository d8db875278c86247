"""What only the PostgreSQL backend promises: writes in the change's own transaction,
incremental re-indexing, chunks that never split a query, rebuilds readers never see
half done, and no whoosh index at all. Skipped unless the test database is PostgreSQL."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from essays.models import Essay, Section
from search.backends import get_backend
from search.backends.postgres import documents, store
from search.models import PendingReindex
from search.services import search_essays
from tests.search.backends.conftest import needs_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(needs_postgresql(), reason="needs PostgreSQL"),
]


@pytest.fixture
def pg(corpus, settings):
    settings.PORTAL_SEARCH_BACKEND = "postgres"
    backend = get_backend("postgres")
    backend.clear()
    backend.index([essay.pk for essay in corpus])
    backend.forget_token()
    return backend


def _found(query: str) -> set[int]:
    return {hit.essay_id for hit in search_essays(query).hits}


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _RolledBack(Exception):
    pass


def test_an_edit_is_found_inside_its_transaction_and_gone_with_its_rollback(pg, corpus):
    section = Section.objects.filter(essay=corpus[0]).exclude(text="").first()
    before = PendingReindex.objects.count()
    with pytest.raises(_RolledBack), transaction.atomic():
        section.text += "\n鹦鹉螺号潜水艇"
        section.save()
        assert _found("鹦鹉螺号潜水艇") == {corpus[0].pk}  # the same transaction sees it
        assert PendingReindex.objects.count() == before  # no outbox: nothing to catch up
        raise _RolledBack
    assert _found("鹦鹉螺号潜水艇") == set()
    section.refresh_from_db()
    section.text += "\n鹦鹉螺号潜水艇"
    section.save()
    assert _found("鹦鹉螺号潜水艇") == {corpus[0].pk}
    section.delete()
    assert _found("鹦鹉螺号潜水艇") == set()


def test_reindexing_analyses_only_the_parts_that_changed(pg, corpus):
    essay = Essay.objects.get(pk=corpus[1].pk)
    assert store.index_essays([essay.pk]) == 0  # nothing changed: nothing analysed
    section = essay.sections.exclude(text="").first()
    section.text = section.text + "补充一句新的话。"
    Section.objects.filter(pk=section.pk).update(text=section.text)  # no signal: count here
    assert store.index_essays([essay.pk]) == 1
    parts = {
        row[0]
        for row in _rows(
            "SELECT DISTINCT part FROM search_searchchunk WHERE essay_id = %s", [essay.pk]
        )
    }
    assert f"s{section.pk}" in parts
    Section.objects.filter(pk=section.pk).delete()
    store.index_essays([essay.pk])
    parts = {
        row[0]
        for row in _rows(
            "SELECT DISTINCT part FROM search_searchchunk WHERE essay_id = %s", [essay.pk]
        )
    }
    assert f"s{section.pk}" not in parts
    Essay.objects.filter(pk=essay.pk).delete()
    store.index_essays([essay.pk])
    assert _rows("SELECT count(*) FROM search_searchchunk WHERE essay_id = %s", [essay.pk]) == [
        (0,)
    ]
    assert pg.document_count() == len(corpus) - 1


def test_a_long_line_is_cut_into_windows_that_never_split_a_query(pg, corpus):
    rng = random.Random(7)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"
    line = "".join(rng.choice(alphabet) for _ in range(3 * documents.CHUNK_CHARS + 123))
    essay = corpus[2]
    Section.objects.create(essay=essay, order=999, heading="长段落", text=line)
    bodies = [
        row[0]
        for row in _rows(
            "SELECT body FROM search_searchchunk WHERE essay_id = %s AND part LIKE 's%%' "
            "AND length(body) >= %s",
            [essay.pk, documents.CHUNK_CHARS // 2],
        )
    ]
    assert len(bodies) >= 3 and all(len(body) <= documents.CHUNK_CHARS for body in bodies)
    step = documents.CHUNK_CHARS - documents.OVERLAP
    for boundary in (step, 2 * step, documents.CHUNK_CHARS, 2 * documents.CHUNK_CHARS):
        for length in (5, 60, 199, 200):  # queries hold at most 200 characters
            start = max(0, boundary - length // 2)
            piece = line[start : start + length]
            assert essay.pk in _found(piece), (boundary, length)


def test_a_rebuild_is_never_seen_half_done_and_keeps_edits_made_meanwhile(pg, corpus, monkeypatch):
    monkeypatch.setattr(store, "REBUILD_BATCH", 3)
    before = {query: _found(query) for query in ("城乡统筹", "laodongli", "人事部门服务态度")}
    token = pg.state_token()
    generation = store.read_state(connection.cursor()).generation
    seen = []

    def progress(done: int) -> None:
        # Readers still see the whole old generation, never the half-built one.
        seen.append((done, pg.document_count(), _found("城乡统筹") == before["城乡统筹"]))
        if done == 3:  # an essay already written to the new generation is edited
            section = Section.objects.filter(essay=corpus[0]).exclude(text="").first()
            section.text += "\n重建期间新增的句子鸵鸟蛋"
            section.save()

    assert pg.rebuild(progress=progress) == len(corpus)
    assert all(count == len(corpus) and same for _, count, same in seen) and len(seen) >= 3
    assert store.read_state(connection.cursor()).generation > generation
    assert pg.state_token() != token
    assert {query: _found(query) for query in before} == before
    assert _found("鸵鸟蛋") == {corpus[0].pk}
    assert _rows("SELECT DISTINCT generation FROM search_searchchunk") == [
        (store.read_state(connection.cursor()).generation,)
    ]


def test_a_failed_rebuild_leaves_the_live_index_untouched(pg, corpus, monkeypatch):
    def fail(done: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        pg.rebuild(progress=fail)
    state = store.read_state(connection.cursor())
    assert state.building is None
    assert pg.document_count() == len(corpus) and _found("城乡统筹")
    assert _rows("SELECT DISTINCT generation FROM search_searchchunk") == [(state.generation,)]


def test_with_postgres_no_whoosh_index_is_written(pg, corpus, search_index, client):
    def whoosh_files() -> set[str]:
        base = search_index.base_path
        return {str(p.relative_to(base)) for p in base.rglob("*")} if base.exists() else set()

    files = whoosh_files()
    essay = Essay.objects.get(pk=corpus[3].pk)
    essay.title += "（修订）"
    essay.save()
    out = io.StringIO()
    call_command("rebuild_index_swapped", stdout=out)
    assert f"已索引 {len(corpus)} 篇文章" in out.getvalue()
    # haystack's own commands, as an operator used to them would type them.
    call_command("rebuild_index", interactive=False, stdout=out)
    call_command("update_index", stdout=out)
    assert f"已更新 {len(corpus)} 篇文章的搜索文档" in out.getvalue()
    assert whoosh_files() == files
    assert essay.pk in _found("修订")
    health = client.get("/healthz")
    checks = health.json()["checks"]
    assert health.status_code == 200, checks
    assert checks["index"]["backend"] == "postgres"
    assert checks["index"]["documents"] == len(corpus)
    assert checks["search_tables"]["ok"] is True


def test_tsvectors_hold_the_same_analysis_as_the_whoosh_index(pg, corpus):
    from search.backends.whoosh.analysis import GramTokenizer, JiebaTokenizer

    essay = corpus[4]
    rows = _rows(
        "SELECT body, tsvector_to_array(words), tsvector_to_array(grams) "
        "FROM search_searchchunk WHERE essay_id = %s",
        [essay.pk],
    )
    words = set().union(*(set(row[1]) for row in rows))
    grams = set().union(*(set(row[2]) for row in rows))
    from search.documents import essay_text, join_lines

    text = join_lines(essay_text(essay).all)
    assert words == {w for w in JiebaTokenizer().term_positions(text) if len(w) <= 100}
    assert grams == set(GramTokenizer().term_positions(text))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rebuild_waits_for_a_writer_longer_than_the_lock_timeout(settings, monkeypatch):
    """``PORTAL_PG_LOCK_TIMEOUT`` bounds how long a save waits; a rebuild waits for a
    slow writer of the same essays (an import) as long as it takes, and completes."""
    import threading
    import time

    from tests.factories import make_essay
    from tests.postgres_locks import another_writer

    settings.PORTAL_SEARCH_BACKEND = "postgres"
    essay = make_essay(title="慢写入", intro="导语")
    # An import holding the essay's lock for 2 s, while a save would give up after 0.5 s.
    with another_writer(monkeypatch, lock_timeout_ms=500) as writer:
        writer.autocommit = True
        with writer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [store.LOCK_CLASS, essay.pk])
        release = threading.Timer(2.0, writer.close)  # closing the session frees the lock
        release.start()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                assert cursor.fetchone()[0] == "500ms"
            started = time.monotonic()
            count, _ = store.rebuild_all()
            waited = time.monotonic() - started
        finally:
            release.join()
    assert count == 1 and waited >= 1.5
    assert {hit.essay_id for hit in search_essays("慢写入").hits} == {essay.pk}
