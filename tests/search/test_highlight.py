"""Highlighting: jieba-aware, on escaped text, every matched form marked."""

import time

from hypothesis import given
from hypothesis import strategies as st

from search import query as q
from search.highlight import best_window, snippet
from search.services import highlight_terms


def _snippet(text, query, **kwargs):
    terms, pinyin = highlight_terms(q.parse(query))
    return str(snippet(text, terms, pinyin, **kwargs))


def test_marks_every_match_and_escapes_the_text():
    html = _snippet("<b>统筹城乡</b>发展，城乡统筹<script>x</script>", "城乡统筹")
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;" in html
    assert "<mark>城乡统筹</mark>" in html
    assert "<mark>统筹</mark><mark>城乡</mark>" in html or "<mark>统筹城乡</mark>" in html


def test_query_markup_never_comes_through():
    html = _snippet("a<mark>b 城乡", "<mark>")
    assert html.count("<mark>") == 1 and "&lt;mark&gt;" in html


def test_traditional_and_full_width_queries_mark_simplified_text():
    assert "<mark>统筹城乡</mark>" in _snippet("要统筹城乡发展", "統籌城鄉")
    assert "<mark>MBTI</mark>" in _snippet("5.MBTI客户服务", "ｍｂｔｉ")


def test_simplified_queries_mark_traditional_text_as_written():
    assert "<mark>統籌城鄉</mark>" in _snippet("要統籌城鄉發展", "统筹城乡")


def test_pinyin_marks_the_characters_that_read_so():
    assert "<mark>劳动力</mark>" in _snippet("加快农村劳动力转移", "laodongli")
    assert "<mark>中山市</mark>" in _snippet("中山市位于广东", "zhong shan shi")


def test_snippet_centres_on_the_densest_matches():
    text = "服务" + "。" * 300 + "恩格尔系数与恩格尔系数" + "。" * 300
    html = _snippet(text, "恩格尔系数", length=60)
    assert html.count("<mark>") == 2 and html.startswith("…") and html.endswith("…")


def test_the_longest_word_held_is_marked_and_a_word_is_never_cut():
    html = _snippet("端正服务态度，服务技巧与服务意识", "服务态度")
    assert html.count("<mark>") == 1 and "<mark>服务态度</mark>" in html
    # Where the text lacks the compound, its parts are marked.
    assert "<mark>态度</mark>" in _snippet("由态度、性格决定的客户服务偏好", "服务态度")
    # A window ending inside a marked word takes the whole word.
    html = _snippet("。" * 100 + "服务态度" + "。" * 100, "服务态度", length=102)
    assert "<mark>服务态度</mark>" in html


def test_words_only_whitespace_separates_are_one_mark():
    html = _snippet("加快人事部门 服务态度建设", "人事部门服务态度")
    assert "<mark>人事部门 服务态度</mark>" in html


def _naive_best_window(text: str, spans: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """The window rule spelt out: each anchor's window, its cover summed span by span."""
    if len(text) <= length or not spans:
        return 0, min(len(text), length)
    best_start, best_cover = 0, -1
    for anchor, _ in spans:
        start = max(0, min(anchor - length // 4, len(text) - length))
        end = start + length
        cover = sum(max(0, min(e, end) - max(s, start)) for s, e in spans)
        if cover > best_cover:
            best_start, best_cover = start, cover
    return best_start, best_start + length


@given(
    gaps=st.lists(st.tuples(st.integers(1, 40), st.integers(1, 8)), max_size=200),
    length=st.sampled_from([5, 20, 120]),
)
def test_the_snippet_window_is_the_densest_however_many_matches(gaps, length):
    spans, position = [], 0
    for gap, size in gaps:
        position += gap
        spans.append((position, position + size))
        position += size
    text = "字" * (position + 10)
    assert best_window(text, spans, length) == _naive_best_window(text, spans, length)


def test_a_word_on_every_line_of_a_long_paper_is_still_cut_quickly():
    text = "的研究" * 40_000  # 的 thousands of times: the window search must not be n²
    started = time.perf_counter()
    result = snippet(text, ["的"])
    assert "<mark>的</mark>" in result
    assert time.perf_counter() - started < 2.0
