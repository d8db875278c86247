"""The whoosh backend: our analysers in the schema, one writer, swapped rebuilds."""

import io
import multiprocessing
import threading

import pytest
from django.core.management import call_command
from whoosh.analysis import StemmingAnalyzer

from search.backends.whoosh.analysis import GramTokenizer, JiebaTokenizer
from search.services import search_essays

pytestmark = pytest.mark.django_db


def test_text_fields_use_chinese_analysers_not_english_stemming(search_index):
    search_index.setup()
    schema = search_index.schema
    assert schema["text"].analyzer == JiebaTokenizer()
    assert schema["title"].analyzer == JiebaTokenizer()
    assert schema["grams"].analyzer == GramTokenizer()
    assert "pinyin" not in schema  # pinyin queries are spelled out in Chinese instead
    for name in ("text", "title", "head", "grams"):
        assert not isinstance(schema[name].analyzer, type(StemmingAnalyzer()))
    # Positions only where phrases and proximity are checked: grams and jieba text.
    assert schema["grams"].format.supports("positions")
    assert schema["text"].format.supports("positions")
    assert not schema["title"].format.supports("positions")
    assert not schema["head"].format.supports("positions")
    assert not any(schema[name].stored for name in ("text", "title", "head", "grams"))


def test_each_test_has_its_own_index_directory(search_index, tmp_path):
    search_index.setup()
    assert str(tmp_path) in search_index.path


def test_rebuild_index_and_update_index_commands(corpus, search_index):
    call_command("rebuild_index", interactive=False, stdout=io.StringIO())
    assert search_index.index.refresh().doc_count() == len(corpus)
    call_command("update_index", stdout=io.StringIO())
    assert search_index.index.refresh().doc_count() == len(corpus)
    assert search_essays("恩格尔系数").count == 1


def test_rebuild_builds_a_new_directory_and_swaps(corpus, search_index, reindex):
    old = search_index.path
    reader = search_index.searcher()  # a search in progress on the old index
    reindex()
    assert search_index.path != old
    assert search_essays("恩格尔系数").count == 1
    assert reader.doc_count() == len(corpus)
    reader.close()
    assert [p.name for p in search_index.base_path.glob("index-*")] == [
        search_index.current_path().name
    ]


def test_a_failed_rebuild_leaves_the_live_index(corpus, search_index):
    from haystack import connections

    from essays.models import Essay

    live = search_index.current_path()

    def crashing():
        yield Essay.objects.first()
        raise RuntimeError("crash while indexing")

    index = connections["default"].get_unified_index().get_index(Essay)
    with pytest.raises(RuntimeError):
        search_index.rebuild_swapped(index, crashing())
    assert search_index.current_path() == live
    assert search_essays("恩格尔系数").count == 1


def test_writes_wait_for_another_writer_instead_of_lock_error(corpus, search_index):
    from haystack import connections

    from essays.models import Essay

    index = connections["default"].get_unified_index().get_index(Essay)
    essay = corpus[0]
    other = search_index.index.refresh().writer()  # another process holds the lock
    threading.Timer(0.3, other.cancel).start()
    search_index.update(index, [essay])  # haystack's backend raised LockError here
    search_index.remove(corpus[1])
    assert search_index.index.refresh().doc_count() == len(corpus) - 1
    assert Essay.objects.count() == len(corpus)


def test_rebuild_index_swapped_command(corpus, search_index):
    old = search_index.current_path()
    out = io.StringIO()
    call_command("rebuild_index_swapped", stdout=out)
    assert f"已索引 {len(corpus)} 篇文章" in out.getvalue()
    assert search_index.current_path() != old and not old.exists()
    assert search_essays("恩格尔系数").count == 1


def _index_contents(index) -> dict:
    """Everything a search can read from an index: postings, term statistics, stored
    fields and field lengths."""
    reader = index.reader()
    contents: dict = {"stored": list(reader.all_stored_fields())}
    for fieldname in sorted(reader.indexed_field_names()):
        for term in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, term)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, term)
            contents[fieldname, term] = (
                postings,
                (info.weight(), info.doc_frequency(), info.min_length(), info.max_length()),
            )
        if reader.schema[fieldname].scorable:
            # No length is None, or 0 from a segment where no document has the field.
            contents[fieldname] = [
                reader.doc_field_length(doc, fieldname) or 0
                for doc in range(reader.doc_count_all())
            ]
            contents[fieldname, "total length"] = reader.field_length(fieldname)
    contents["documents"] = (reader.doc_count(), reader.doc_count_all())
    reader.close()
    return contents


# Worker processes open their own database connections: they see only committed rows, so
# these tests commit theirs (and restore the database afterwards), on PostgreSQL too.
_COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _skip_forking_on_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip(
            "rebuild worker processes are not used on PostgreSQL by default: a worker lost "
            "its connection in a CI run (search.backends.whoosh.rebuild.index_processes)"
        )


@_COMMITTED
@pytest.mark.parametrize(
    ("processes", "segment_postings"), [(1, 3_000_000), (1, 3_000), (2, 3_000_000), (2, 3_000)]
)
def test_a_rebuild_writes_the_index_whooshs_own_writer_would(
    corpus, search_index, tmp_path, processes, segment_postings
):
    """The bulk writer of rebuilds is faster, in one or two processes, in one or several
    segments; what it writes answers the same."""
    if processes > 1:
        _skip_forking_on_postgresql()
    from haystack import connections
    from whoosh.filedb.filestore import FileStorage

    from essays.models import Essay
    from search.backends.whoosh.generations import open_live_index

    index = connections["default"].get_unified_index().get_index(Essay)
    (tmp_path / "reference").mkdir()
    reference = FileStorage(str(tmp_path / "reference")).create_index(search_index._schema())
    writer = reference.writer()
    for essay in index.index_queryset():
        doc = index.full_prepare(essay)
        doc.pop("boost", None)
        writer.add_document(**{k: search_index._from_python(v) for k, v in doc.items()})
    writer.commit()
    count = search_index.rebuild_swapped(
        index, index.index_queryset(), processes=processes, segment_postings=segment_postings
    )
    assert count == len(corpus)
    live = open_live_index(search_index.base_path)
    assert search_index.last_rebuild["processes"] == processes
    segments = len(live._segments())
    assert segments == search_index.last_rebuild["segments"]
    assert segments >= processes and (segments > processes) == (segment_postings < 1_000_000)
    assert _index_contents(live) == _index_contents(reference)
    assert search_essays("恩格尔系数").count == 1


def _other_generations(search_index) -> list:
    live = search_index.current_path()
    return [p for p in search_index.base_path.glob("index-*") if p != live]


@_COMMITTED
def test_a_worker_that_fails_leaves_the_live_index(corpus, search_index, monkeypatch):
    """A rebuild in two processes where one essay cannot be indexed: nothing changes."""
    _skip_forking_on_postgresql()
    from haystack import connections

    from essays.models import Essay

    live = search_index.current_path()
    index = connections["default"].get_unified_index().get_index(Essay)
    prepare = index.full_prepare
    broken = corpus[-1].pk

    def failing(obj):
        if obj.pk == broken:
            raise ValueError("cannot index this essay")
        return prepare(obj)

    monkeypatch.setattr(index, "full_prepare", failing)
    with pytest.raises(RuntimeError, match="cannot index this essay"):
        search_index.rebuild_swapped(index, index.index_queryset(), processes=2)
    assert search_index.current_path() == live
    assert _other_generations(search_index) == []
    assert search_essays("恩格尔系数").count == 1


@_COMMITTED
def test_an_interrupted_rebuild_stops_its_workers_and_leaves_the_live_index(
    corpus, search_index, monkeypatch
):
    from haystack import connections

    from essays.models import Essay
    from search.backends.whoosh import rebuild

    _skip_forking_on_postgresql()
    live = search_index.current_path()
    index = connections["default"].get_unified_index().get_index(Essay)
    started = []

    def interrupted(connections, timeout=None):
        started.extend(multiprocessing.active_children())
        raise KeyboardInterrupt

    monkeypatch.setattr(rebuild, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        search_index.rebuild_swapped(index, index.index_queryset(), processes=2)
    assert len(started) == 2 and not any(child.is_alive() for child in started)
    assert search_index.current_path() == live
    assert _other_generations(search_index) == []
    assert search_essays("恩格尔系数").count == 1


@_COMMITTED
def test_a_rebuild_uses_the_configured_number_of_processes(corpus, search_index, settings):
    from haystack import connections

    from essays.models import Essay

    _skip_forking_on_postgresql()
    index = connections["default"].get_unified_index().get_index(Essay)
    settings.PORTAL_INDEX_PROCESSES = 1
    assert search_index.rebuild_swapped(index) == len(corpus)
    assert search_index.last_rebuild["processes"] == 1
    settings.PORTAL_INDEX_PROCESSES = 2
    assert search_index.rebuild_swapped(index) == len(corpus)
    assert search_index.last_rebuild["processes"] == 2
    # A generator cannot be shared out: it is indexed in this process.
    assert search_index.rebuild_swapped(index, iter(index.index_queryset())) == len(corpus)
    assert search_index.last_rebuild["processes"] == 1
    assert search_essays("恩格尔系数").count == 1


def test_a_field_can_be_indexed_without_positions_or_storage(search_index):
    from haystack import indexes

    from search.backends.whoosh.analysis import JiebaAnalyzer

    fields = {
        "text": indexes.CharField(document=True, analyzer=JiebaAnalyzer()),
        "plain": indexes.CharField(analyzer=JiebaAnalyzer(positions=False), stored=False),
    }
    for name, field in fields.items():
        field.set_instance_name(name)
    schema = search_index.build_schema(fields)[1]
    assert schema["text"].format.supports("positions")
    assert not schema["plain"].format.supports("positions")
    assert schema["plain"].format.supports("frequency") and not schema["plain"].stored


def test_saves_add_small_segments_and_merge_them_without_the_big_one(
    corpus, search_index, monkeypatch
):
    """A save never re-writes the rebuilt segment; small segments merge every few saves."""
    from haystack import connections

    from essays.models import Essay
    from search.backends.whoosh import merge

    monkeypatch.setattr(merge, "SMALL_SEGMENTS_MAX", 3)
    big = search_index.index.refresh()._segments()[0].segment_id()
    index = connections["default"].get_unified_index().get_index(Essay)
    for number, essay in enumerate(corpus[:5]):
        Essay.objects.filter(pk=essay.pk).update(title=f"第{number}次保存的标题")
        search_index.update(index, [Essay.objects.get(pk=essay.pk)])
        assert search_essays(f"第{number}次保存的标题").exact_count == 1
        segments = search_index.index.refresh()._segments()
        assert segments[0].segment_id() == big
        assert len(segments) <= 1 + 3
    assert search_index.index.refresh().doc_count() == len(corpus)
    assert search_essays("恩格尔系数").count == 1


def test_one_searcher_is_kept_open_while_the_index_is_unchanged(corpus, search_index):
    with search_index.searcher() as first:
        pass
    with search_index.searcher() as second:
        assert second is first  # not reopened (nor closed by leaving ``with``)
        assert second.doc_count() == len(corpus)


def test_the_searcher_is_reopened_after_a_save(
    corpus, search_index, django_capture_on_commit_callbacks
):
    from essays.models import Essay

    with search_index.searcher() as before:
        pass
    essay = Essay.objects.get(pk=corpus[0].pk)
    essay.title = "保存之后就能搜到的标题"
    with django_capture_on_commit_callbacks(execute=True):
        essay.save()
    with search_index.searcher() as after:
        assert after is not before
    assert search_essays("保存之后就能搜到的标题").count == 1


def test_a_lent_searcher_outlives_a_swap_until_given_back(corpus, search_index, reindex):
    lease = search_index.searcher()
    held = lease.searcher
    reindex()
    with search_index.searcher() as fresh:
        assert fresh is not held
    assert held.doc_count() == len(corpus)  # still readable: not closed under the caller
    assert not held.is_closed
    lease.close()
    assert held.is_closed  # retired and given back: its files are released
