"""The array engine: what it matches must be what the words mean, on a real index."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _keys(*documents: list[list[int]]) -> list[np.ndarray]:
    """Position keys (as :meth:`Snapshot.positions` gives them) of each term's positions
    in documents 0, 1, …: ``_keys([[0, 20], [4]])`` is one document, two terms."""
    terms = len(documents[0])
    return [
        np.array(
            sorted(
                (doc << snapshot.POSITION_BITS) | p for doc, d in enumerate(documents) for p in d[t]
            ),
            dtype=np.int64,
        )
        for t in range(terms)
    ]


def test_within_window():
    assert list(phrases.within_window(_keys([[0, 20], [4]]), 4)) == [0]
    assert not len(phrases.within_window(_keys([[0, 20], [5]]), 4))
    assert list(phrases.within_window(_keys([[9], [3], [5, 30]]), 6)) == [0]
    assert not len(phrases.within_window(_keys([[9], [3], [30]]), 6))
    # Positions of another document never make a window.
    assert list(phrases.within_window(_keys([[0], [50]], [[40], [1]]), 4)) == []


def _within_as_written(positions: list[list[int]], window: int) -> bool:
    """One position of each list within ``window`` of the others: every window tried."""
    events = sorted(p for plist in positions for p in plist)
    return any(
        all(any(start <= p <= start + window for p in plist) for plist in positions)
        for start in events
    )


def _shortest_as_written(positions: list[list[int]]) -> int:
    """The narrowest window holding one position of each list: every window tried."""
    events = sorted(p for plist in positions for p in plist)
    return min(
        (
            max(min(p for p in plist if p >= start) for plist in positions) - start
            for start in events
            if all(any(p >= start for p in plist) for plist in positions)
        ),
        default=0,
    )


_TERM_POSITIONS = st.lists(st.integers(0, 60), min_size=1, max_size=6, unique=True).map(sorted)
#: Documents, each with the positions of the same number of terms (one to four).
_DOCUMENTS = st.integers(1, 4).flatmap(
    lambda terms: st.lists(
        st.lists(_TERM_POSITIONS, min_size=terms, max_size=terms), min_size=1, max_size=4
    )
)


@given(_DOCUMENTS, st.integers(0, 12))
@settings(max_examples=300, deadline=None)
def test_windows_over_many_documents_equal_the_rule_as_written(documents, window):
    keys = _keys(*documents)
    within = set(phrases.within_window(keys, window).tolist())
    assert within == {d for d, doc in enumerate(documents) if _within_as_written(doc, window)}
    docs, spans = phrases.shortest_windows(keys)
    assert dict(zip(docs.tolist(), spans.tolist(), strict=True)) == {
        d: _shortest_as_written(doc) for d, doc in enumerate(documents)
    }


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
    def shortest(*lists):
        return phrases.shortest_windows(_keys(list(lists)))[1].tolist()

    assert shortest([0, 20], [1]) == [1]
    assert shortest([9], [3], [5, 30]) == [6]
    assert shortest([4]) == [0]


def test_substrings_across_line_breaks_are_not_found_and_within_lines_are(corpus, search_index):
    """The gram check reads every other character pair; a string running over a line
    break is in no essay, and every string within a line is found exactly where it is."""
    from tests.search.test_search import _scan_text

    texts = {essay.pk: _scan_text(essay) for essay in corpus}
    rng = np.random.default_rng(3)
    across, within = [], []
    for text in texts.values():
        for first, second in itertools.pairwise(text.split("\n")):
            if len(first.strip()) >= 2 and len(second.strip()) >= 3:
                across.append(first[-2:] + second[:3])  # five characters over the break
        lines = [line for line in text.split("\n") if len(line.strip()) >= 4]
        for line in rng.choice(lines, size=min(8, len(lines)), replace=False):
            start = int(rng.integers(0, max(1, len(line) - 7)))
            within.append(line[start : start + int(rng.integers(3, 8))])
    searcher, snap = _snapshot(search_index)
    try:
        for text in [*across[:60], *within]:
            if not text.strip() or " " in text:
                continue
            found = {snap.essay_id(int(d)) for d in phrases.substring(snap, text).nonzero()[0]}
            assert found == {pk for pk, body in texts.items() if text in body}, text
    finally:
        searcher.close()


def test_a_string_whose_pairs_stand_apart_is_not_found(
    corpus, search_index, django_capture_on_commit_callbacks
):
    """甲乙丙丁戊: its first and last pairs three apart (甲乙零丁戊) and the middle pairs
    elsewhere in the essay are not the string."""
    from essays.models import Section

    essay = corpus[0]
    with django_capture_on_commit_callbacks(execute=True):
        Section.objects.create(
            essay=essay, order=999, heading="校验", text="甲乙零丁戊。乙丙。丙丁。\n甲乙丙\n丁戊"
        )
    searcher, snap = _snapshot(search_index)
    try:
        for text in ["甲乙丙丁戊", "甲乙丙丁", "乙丙丁戊", "丙丁戊"]:
            found = {snap.essay_id(int(d)) for d in phrases.substring(snap, text).nonzero()[0]}
            assert essay.pk not in found, text
        for text in ["甲乙零丁戊", "零丁戊", "甲乙丙"]:
            found = {snap.essay_id(int(d)) for d in phrases.substring(snap, text).nonzero()[0]}
            assert essay.pk in found, text
    finally:
        searcher.close()


def test_positions_asked_again_equal_a_fresh_read(corpus, search_index):
    """ "near" and closeness ask for the same words: the second question is answered from
    the first read when it can be, and exactly as a fresh read would."""
    searcher, snap = _snapshot(search_index)
    try:
        words = ["劳动力", "农村"]
        every = np.flatnonzero(snap.live)
        some = every[::2]

        def fresh(docnums):
            snap._positions_read.clear()
            return {w: k.tolist() for w, k in snap.positions("text", words, docnums).items()}

        expected_some, expected_every = fresh(some), fresh(every)
        assert any(expected_every.values())  # the words stand somewhere
        snap.positions("text", words, every)
        got = snap.positions("text", list(reversed(words)), some)  # cut from the first
        assert {w: k.tolist() for w, k in got.items()} == expected_some
        snap._positions_read.clear()
        snap.positions("text", words, some)
        got = snap.positions("text", words, every)  # more documents: read again
        assert {w: k.tolist() for w, k in got.items()} == expected_every
    finally:
        searcher.close()


def test_positions_kept_with_the_postings_equal_those_read_from_the_file(
    corpus, search_index, monkeypatch
):
    """The positions unpacked with a term's postings answer later position checks
    (no second decompression), exactly as reading them from the index file does."""
    searcher, snap = _snapshot(search_index)
    try:
        texts = {"text": ["劳动力", "农村"], "grams": ["劳动", "转移", "服务"]}
        every = np.flatnonzero(snap.live)

        def positions(kept_bytes):
            monkeypatch.setattr(snapshot, "POSTINGS", snapshot.PostingCache(48 << 20))
            kept = snapshot.PostingCache(kept_bytes)
            monkeypatch.setattr(snapshot, "POSITION_VALUES", kept)
            snap._positions_read.clear()
            found = {
                field: {w: k.tolist() for w, k in snap.positions(field, words, every).items()}
                for field, words in texts.items()
            }
            return found, kept._bytes

        from_kept, kept_bytes = positions(32 << 20)
        from_file, nothing_kept = positions(0)
        assert kept_bytes > 0 and nothing_kept == 0  # the first really used what it kept
        assert all(any(words.values()) for words in from_file.values())
        assert from_kept == from_file
    finally:
        searcher.close()
