"""Highlighting: jieba-aware, on escaped text, every matched form marked."""

from search import query as q
from search.highlight import snippet
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
