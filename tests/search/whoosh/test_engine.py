"""The array engine: what it matches must be what the words mean, on a real index."""

import pytest

from search import query as q
from search.backends.whoosh import matching, phrases, ranking, snapshot
from search.services import search_essays

pytestmark = pytest.mark.django_db


def _snapshot(search_index):
    searcher = search_index.searcher()
    return searcher, snapshot.snapshot(searcher)


def test_an_empty_index_finds_nothing_without_error(search_index):
    search_index.clear()
    outcome = search_essays("城乡统筹")
    assert outcome.count == 0 and list(outcome.hits) == [] and outcome.facets == []


def test_substring_matches_exactly_the_essays_containing_it(corpus, search_index):
    from tests.search.test_search import _scan_text

    texts = {essay.pk: _scan_text(essay) for essay in corpus}
    searcher, snap = _snapshot(search_index)
    try:
        # Words jieba indexes whole, and strings it never yields as one word.
        for text in ["劳动力转移", "服务意识", "动力转", "务意识", "村劳动", "镇村一体化"]:
            found = {snap.essay_id(int(d)) for d in phrases.substring(snap, text).nonzero()[0]}
            assert found == {pk for pk, body in texts.items() if text in body}, text
    finally:
        searcher.close()


def test_near_needs_the_parts_close_together(corpus, search_index):
    searcher, snap = _snapshot(search_index)
    try:
        parts = q.compound_parts("镇村一体化")
        close = phrases.near(snap, parts, q.NEAR_SLOP, skip=snap.none())
        loose = phrases.near(snap, parts, 10_000, skip=snap.none())
        assert close.sum() >= 1
        assert not (close & ~loose).any()  # a wider window never finds less
    finally:
        searcher.close()


def test_within_window():
    assert phrases._within([[0, 20], [4]], 4)
    assert not phrases._within([[0, 20], [5]], 4)
    assert phrases._within([[9], [3], [5, 30]], 6)
    assert not phrases._within([[9], [3], [30]], 6)


def test_pinyin_is_spelled_as_chinese_the_index_holds(corpus, search_index):
    searcher, snap = _snapshot(search_index)
    try:
        found = matching.match(snap, q.parse("zhong shan shi"))
        assert "中山市" in found.spellings
        assert not (found.direct & found.pinyin).any()  # an essay is in one tier only
    finally:
        searcher.close()


def test_a_deleted_essay_is_not_found_even_in_a_cached_segment(
    corpus, search_index, django_capture_on_commit_callbacks
):
    before = {hit.essay_id for hit in search_essays("恩格尔系数").hits}
    assert before
    essay = next(e for e in corpus if e.pk in before)
    with django_capture_on_commit_callbacks(execute=True):
        essay.delete()  # its document is deleted in the segment whose postings are cached
    searcher, snap = _snapshot(search_index)
    searcher.close()
    assert not snap.live.all()
    assert essay.pk not in {hit.essay_id for hit in search_essays("恩格尔系数").hits}


def test_the_index_stores_plain_frequencies_and_boosts_apply_once(corpus, search_index):
    # A title word once in one title: its posting weight is 1, not 1 × the title boost
    # (the title weight is applied when scoring, in search.backends.whoosh.matching, and only there).
    searcher, snap = _snapshot(search_index)
    try:
        ids, weights = snap.postings("title", "党政管理")
        assert len(ids) == 1 and list(weights) == [1.0]
        title = matching.TITLE_WEIGHT * ranking.term_score(snap, "title", "党政管理")
        found = matching.match(snap, q.parse("党政管理"))
        assert found.scores[ids[0]] >= title[ids[0]] > 0
    finally:
        searcher.close()


def test_snapshot_postings_stay_within_the_one_memory_budget(corpus, search_index, monkeypatch):
    budget = snapshot.PostingCache(budget_bytes=4096)
    monkeypatch.setattr(snapshot, "POSTINGS", budget)
    searcher, snap = _snapshot(search_index)
    try:
        first = snap.postings("grams", "服务")
        for char in sorted(snap.characters("grams"))[:300]:
            snap.postings("grams", char)
            assert budget._bytes <= 4096
        again = snap.postings("grams", "服务")  # read again once forgotten: the same
        assert list(again[0]) == list(first[0]) and list(again[1]) == list(first[1])
    finally:
        searcher.close()


def test_closeness_falls_as_words_stand_apart():
    assert phrases._shortest_window([[0, 20], [1]]) == 1
    assert phrases._shortest_window([[9], [3], [5, 30]]) == 6
    assert phrases._shortest_window([[4]]) == 0
