"""Searching the real corpus: the traps of haystack + whoosh + jieba, and recall."""

import pytest
from whoosh import query as wq

from essays.text.normalize import collapse_whitespace, normalize
from search import query as q
from search.documents import essay_text, join_lines
from search.relevance import CASES, LACKING, UNSPACED, essay_key, evaluate, summary
from search.services import search_essays

pytestmark = pytest.mark.django_db


def keys(query, **kwargs):
    outcome = search_essays(query, **kwargs)
    return [essay_key_by_id[hit.essay_id] for hit in outcome.hits]


essay_key_by_id: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _keys(corpus):
    essay_key_by_id.clear()
    essay_key_by_id.update({essay.pk: essay_key(essay) for essay in corpus})


def test_one_character_queries_are_found():
    assert keys("藕") == ["000#1"]  # jieba only ever yields 莲藕
    farm = set(keys("农"))  # jieba's search mode never yields 农 from 农村
    assert {"000#1", "000#2", "000#7", "000#11"} <= farm


def test_numbers_and_latin():
    assert keys("74.9%") == ["000#7"]
    assert keys("2003年") == ["000#2"]
    assert keys("MBTI") == keys("mbti") == keys("ＭＢＴＩ") == ["000#6"]


def test_reference_years_have_their_own_field(search_index):
    # "2004.11" is one jieba token; the year is kept as a field of its own.
    with search_index.searcher() as searcher:
        ids = {int(hit["django_id"]) for hit in searcher.search(wq.Term("years", "2004"))}
    assert {essay_key_by_id[pk] for pk in ids} == {"000#2"}
    assert "000#2" in keys("2004")


def test_phrases_match_exactly():
    assert keys('"农村劳动力转移"')[0] == "000#2"
    assert keys('"转移农村劳动力"') == []  # not in that order anywhere


def test_compounds_match_in_either_order():
    assert set(keys("城乡统筹")) == set(keys("统筹城乡"))
    assert set(keys("劳动力转移")) == set(keys("转移劳动力"))


def test_traditional_and_full_width_queries_find_the_simplified_essays():
    for traditional, simplified in [
        ("統籌城鄉", "统筹城乡"),
        ("勞動力轉移", "劳动力转移"),
        ("恩格爾係數", "恩格尔系数"),
        ("ＭＢＴＩ", "MBTI"),
        ("７４．９％", "74.9%"),
    ]:
        assert set(keys(traditional)) == set(keys(simplified)) != set()


def test_pinyin_finds_the_same_essays_as_the_chinese_after_direct_matches():
    assert set(keys("laodongli")) >= set(keys("劳动力"))
    assert set(keys("zhong shan shi")) == set(keys("中山市")) == {"000#7"}
    assert set(keys("gongyixing")) == set(keys("公益性"))
    outcome = search_essays("公共 gongyixing")
    assert all(hit.tier == 2 for hit in outcome.hits)
    mixed = search_essays("mbti OR gongyixing")
    tiers = [hit.tier for hit in mixed.hits]
    assert tiers == sorted(tiers) and tiers[0] == 1 and 2 in tiers


def test_operators():
    assert set(keys("恩格尔系数 OR 藕")) == {"000#11", "000#1"}
    assert "000#11" not in keys("服务意识 -城乡")
    assert set(keys("统筹城乡 就业")) <= set(keys("就业"))


def test_title_and_heading_hits_outrank_passing_mentions():
    # 学习型 is in 003's title and headings, and mentioned once in 000#8 and 000#10.
    assert keys("学习型")[0] == "003#1"
    assert keys("客户服务")[0] == "000#6"


def test_topic_filter_and_facets(corpus):
    from essays.models import Topic

    topic = Topic.objects.get(slug="laodongli-zhuanyi")
    outcome = search_essays("农村", topic=topic)
    assert outcome.hits and all(
        topic in essay.topics.all()
        for essay in corpus
        if essay.pk in {h.essay_id for h in outcome.hits}
    )
    facets = {t.slug: t.hit_count for t in outcome.facets}
    assert facets["laodongli-zhuanyi"] == len(outcome.hits)


# Recall guarantee ------------------------------------------------------------------------


def _scan_text(essay) -> str:
    return "\n".join(
        collapse_whitespace(line)
        for line in normalize(join_lines(essay_text(essay).all)).split("\n")
    )


def _scan(parsed, texts):
    """Essays whose normalised text contains the query's words, by plain substring test."""
    found = set()
    for pk, text in texts.items():
        if all(any(c.text in text for c in group) for group in parsed.groups) and not any(
            c.text in text for c in parsed.excluded
        ):
            found.add(pk)
    return found


@pytest.mark.parametrize("case", CASES + UNSPACED, ids=lambda case: case.query)
def test_search_finds_at_least_what_a_substring_scan_finds(corpus, case):
    texts = {essay.pk: _scan_text(essay) for essay in corpus}
    parsed = q.parse(case.query)
    expected = _scan(parsed, texts)
    found = {hit.essay_id for hit in search_essays(case.query).hits}
    assert expected <= found


@pytest.mark.parametrize(
    "term", ["城", "乡", "的", "7", "%", "m", "农村", "2004.11", "卫生院", "（"]
)
def test_substring_recall_for_short_and_odd_terms(corpus, term):
    texts = {essay.pk: _scan_text(essay) for essay in corpus}
    expected = {pk for pk, text in texts.items() if normalize(term) in text}
    assert expected <= {hit.essay_id for hit in search_essays(term).hits}


def test_relevance_set_passes():
    results = evaluate()
    figures = summary(results)
    failing = [r.case.query for r in results if r.recall < 1 or not r.top1]
    assert not failing
    assert figures["recall"] == 1.0
    assert figures["mrr"] >= 0.95
    assert figures["precision"] >= 0.85


# Unspaced queries: the whole string first, then all its words, then most of them -------


def test_relevance_set_of_unspaced_queries_puts_a_rightful_essay_in_the_first_three():
    results = evaluate(UNSPACED)
    assert len(results) >= 30
    missing = [r.case.query for r in results if not r.top3 or r.recall < 1]
    assert not missing
    assert summary(results)["mrr"] >= 0.9


@pytest.mark.parametrize("query", LACKING)
def test_a_query_whose_words_the_corpus_lacks_finds_nothing(query):
    outcome = search_essays(query)
    assert not outcome.hits and outcome.exact_count == 0


def test_the_whole_string_ranks_above_essays_holding_only_its_words():
    outcome = search_essays("城乡统筹 就业")  # AND of two words: exact hits only
    assert outcome.exact_count == len(outcome.hits)
    loosened = search_essays("农村劳动力转移培训")  # a heading of 篇2; 篇1 holds its words
    tiers = [hit.tier for hit in loosened.hits]
    assert tiers == sorted(tiers) and tiers[0] == 1
    assert loosened.exact_count == tiers.count(1) < len(tiers)
    assert keys("农村劳动力转移培训")[:2] == ["000#2", "000#1"]


def test_an_unspaced_query_no_essay_holds_finds_the_essay_holding_all_its_words():
    outcome = search_essays("人事部门服务态度")
    assert outcome.exact_count == 0
    (hit,) = list(outcome.hits)
    assert essay_key_by_id[hit.essay_id] == "000#4"
    assert hit.tier == 3 and hit.matched == ("人事部门", "服务态度")


def test_essays_holding_most_words_rank_by_how_informative_the_words_are():
    # 路径 is in one essay only: the essays holding 学习型 政府 建设 come after it,
    # and an essay with only 政府 and 建设 (common words) is not found at all.
    found = keys("学习型政府建设路径")
    assert set(found) == {"000#1", "003#1", "000#10"}
    hits = list(search_essays("学习型政府建设路径").hits)
    assert all(hit.tier == 4 for hit in hits)


def test_words_that_carry_no_meaning_never_make_a_match_alone():
    assert keys("如何研究") == []
    # 的 and 问题 are in nearly every essay; 政府服务 and 滞后 decide.
    assert keys("政府服务滞后的问题") == ["003#1"]
    # The exact string still matches wherever it is written.
    assert len(keys("的问题")) == 6


def test_phrases_or_and_exclusions_are_never_loosened():
    assert keys('"人事部门服务态度"') == []
    assert keys("人事部门服务态度 -投诉") == []  # 000#4 holds 投诉
    assert keys("人事部门服务态度 OR 恩格尔系数") == ["000#11", "000#4"]
