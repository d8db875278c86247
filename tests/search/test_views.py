"""/search/ and /api/search/: the public contract, errors that are never 500s."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

API_KEYS = {"query", "count", "page", "num_pages", "results", "suggestion"}
RESULT_KEYS = {"essay_id", "title", "url", "section_id", "section_heading", "snippet", "score"}


def test_api_shape_and_best_section(client, corpus):
    response = client.get("/api/search/", {"q": "恩格尔系数"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "恩格尔系数" in response.content.decode("utf-8")  # ensure_ascii=False
    data = response.json()
    assert set(data) >= API_KEYS
    assert data["count"] == 1 and data["page"] == 1 and data["num_pages"] == 1
    (result,) = data["results"]
    assert set(result) >= RESULT_KEYS
    from essays.models import Section

    section = Section.objects.get(pk=result["section_id"])
    assert result["url"] == f"{section.essay.get_absolute_url()}#s{section.order}"
    assert "<mark>恩格尔系数</mark>" in result["snippet"]


def test_api_paging(client, corpus):
    data = client.get("/api/search/", {"q": "服务", "page_size": 2, "page": 2}).json()
    assert data["page"] == 2 and len(data["results"]) == 2
    assert data["num_pages"] == -(-data["count"] // 2)
    assert client.get("/api/search/", {"q": "服务", "page": 99}).status_code == 404
    assert client.get("/api/search/", {"q": "服务", "page": "x"}).status_code == 404
    for bad in ("0", "51", "abc"):
        assert client.get("/api/search/", {"q": "服务", "page_size": bad}).status_code == 400


def test_api_topic_filter(client, corpus):
    everything = client.get("/api/search/", {"q": "服务"}).json()
    narrowed = client.get("/api/search/", {"q": "服务", "topic": "laodongli-zhuanyi"}).json()
    assert 0 < narrowed["count"] < everything["count"]
    facets = {f["slug"]: f["count"] for f in everything["facets"]}
    assert facets["laodongli-zhuanyi"] == narrowed["count"]
    assert client.get("/api/search/", {"q": "服务", "topic": "nope"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "藕",
        "a",
        "*",
        "?",
        '"',
        '"""',
        "-",
        "--",
        "OR",
        "OR OR",
        "AND NOT",
        "(",
        ")",
        "[",
        "{x}",
        "title:藕",
        "~",
        "\\",
        "城乡 OR",
        "NOT 城乡",
        "-城乡",
        '"城乡',
        "城乡^2",
        "%",
        "\x00",
        "<script>alert(1)</script>",
    ],
)
def test_no_query_is_a_server_error(client, corpus, query):
    page = client.get("/search/", {"q": query})
    api = client.get("/api/search/", {"q": query})
    assert page.status_code == 200
    assert api.status_code in {200, 400}
    assert "<script>alert" not in page.content.decode()
    assert "<script>alert" not in api.json().get("results", [{}]).__repr__()


def test_a_too_long_query_gets_a_clear_message(client, corpus):
    page = client.get("/search/", {"q": "城" * 201})
    assert page.status_code == 200
    assert "查询太长了" in page.content.decode()
    api = client.get("/api/search/", {"q": "城" * 201})
    assert api.status_code == 400 and "查询太长了" in api.json()["error"]


def test_results_page(client, corpus):
    page = client.get("/search/", {"q": "统筹城乡"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "共找到" in html and "query-echo" in html
    assert "分词" in html
    assert 'aria-label="按主题筛选"' in html and "topic=chengxiang-tongchou" in html
    assert "<mark>" in html
    assert "搜索语法" in html and "OR" in html


def test_results_page_paginates_and_bad_page_is_404(client, corpus):
    html = client.get("/search/", {"q": "的"}).content.decode()
    assert 'rel="next"' in html
    assert client.get("/search/", {"q": "的", "page": 2}).status_code == 200
    assert client.get("/search/", {"q": "的", "page": 50}).status_code == 404


def test_empty_state_suggests_and_lists_topics(client, corpus):
    html = client.get("/search/", {"q": "恩格尔系数 火星殖民"}).content.decode()
    assert "没有找到" in html
    assert "试试" in html and "恩格尔系数</a>" in html
    assert "/topics/chengxiang-tongchou/" in html


def test_query_markup_is_escaped_on_the_page(client, corpus):
    html = client.get("/search/", {"q": "<b>服务</b>"}).content.decode()
    assert "<b>服务</b>" not in html
    assert "&lt;b&gt;服务&lt;/b&gt;" in html


def test_search_as_you_type_waits_for_the_input_method():
    script = Path(finders.find("search/search-as-you-type.js")).read_text(encoding="utf-8")
    assert "compositionend" in script and "isComposing" in script


def test_a_partial_match_says_so_on_the_page_and_in_the_api(client, corpus):
    html = client.get("/search/", {"q": "人事部门服务态度"}).content.decode()
    assert "共找到 <strong>1</strong> 篇" in html
    assert "没有文章包含完整的“人事部门服务态度”；以下文章包含其中的词" in html
    assert 'class="matched">包含：<span class="word">人事部门</span>' in html
    data = client.get("/api/search/", {"q": "人事部门服务态度"}).json()
    assert data["count"] == 1 and data["exact_count"] == 0
    assert data["partial_message"].startswith("没有文章包含完整的“人事部门服务态度”")
    (result,) = data["results"]
    assert result["matched"] == ["人事部门", "服务态度"]
    assert set(result) >= RESULT_KEYS  # the existing fields stay


def test_exact_matches_come_first_and_partial_ones_are_labelled(client, corpus):
    data = client.get("/api/search/", {"q": "农村劳动力转移培训"}).json()
    assert data["exact_count"] == 1 < data["count"] and data["partial_message"] is None
    assert data["results"][0]["matched"] == ["农村", "劳动力转移", "培训"]
    html = client.get("/search/", {"q": "农村劳动力转移培训"}).content.decode()
    assert "没有文章包含完整的" not in html
    assert "以下文章不含完整的“农村劳动力转移培训”，只包含其中的词" in html
    assert html.index("partial-heading") > html.index('class="search-result"')


def _results(client, query):
    return client.get("/api/search/", {"q": query, "page_size": 50}).json()["results"]


def test_the_link_lands_on_the_section_covering_most_of_the_query(client, corpus):
    first = _results(client, "农村劳动力转移培训")[0]
    assert first["section_heading"].startswith("加强农村劳动力转移培训")
    assert first["url"].endswith(f"#s{4}")
    # The heading holding the string as typed beats one holding its words apart.
    assert (
        _results(client, "客户服务礼仪")[0]["section_heading"] == "必须建立的客户服务礼仪规范要点"
    )


def test_snippets_never_repeat_a_bare_heading_or_the_title(client, corpus):
    heading_only = _results(client, "农村劳动力转移方向感")[0]
    assert heading_only["section_heading"] == "农村劳动力转移方向感增强"
    assert not heading_only["snippet"].endswith("：")
    assert "<mark>农村劳动力转移方向感</mark>" in heading_only["snippet"]
    for result in _results(client, "统筹城乡发展"):
        assert result["snippet"] != f"{result['title']}" and "：" not in result["snippet"][-2:]
        plain = result["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert plain != result["title"], result  # an essay matched by its title only


def test_the_longest_matched_word_is_marked_not_the_shorter_words_inside_it(client, corpus):
    (result,) = [
        r for r in _results(client, "服务态度") if r["section_id"] and "端正" in r["title"]
    ]
    assert "<mark>服务态度</mark>" in result["snippet"]
    assert (
        "<mark>服务</mark>" not in result["snippet"]
        and "<mark>态度</mark>" not in result["snippet"]
    )


@pytest.mark.parametrize(("typed", "meant"), [("服物意识", "服务意识"), ("统愁城乡", "统筹城乡")])
def test_a_homophone_typo_is_corrected_from_the_index_words(client, corpus, typed, meant):
    html = client.get("/search/", {"q": typed}).content.decode()
    assert f'您要找的是不是：<a href="/search/?q={quote(meant)}">{meant}</a>' in html
    assert client.get("/api/search/", {"q": typed}).json()["suggestion"] == meant
    assert client.get("/api/search/", {"q": meant}).json()["count"] > 0  # it finds essays


def test_a_typo_in_one_word_of_an_unspaced_query_is_corrected(client, corpus):
    data = client.get("/api/search/", {"q": "农民工陪训"}).json()
    assert data["count"] == 0 and data["suggestion"] == "农民工培训"


@pytest.mark.parametrize("query", ["量子计算", "区块链金融"])
def test_an_unknown_term_gets_no_suggestion_leading_elsewhere(client, corpus, query):
    html = client.get("/search/", {"q": query}).content.decode()
    assert "没有找到" in html and "试试" not in html and "您要找的是不是" not in html
    assert client.get("/api/search/", {"q": query}).json()["suggestion"] is None
