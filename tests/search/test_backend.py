"""The whoosh backend: our analysers in the schema, one writer, swapped rebuilds."""

import io
import threading

import pytest
from django.core.management import call_command
from whoosh.analysis import StemmingAnalyzer

from search.analysis import GramTokenizer, JiebaTokenizer
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
        assert schema[name].format.supports("positions")
    assert not schema["grams"].stored


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
