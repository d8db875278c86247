"""The JSON API for essays and topics: exact shapes, pagination, errors, query counts."""

import json

import pytest
from django.urls import reverse

from tests.factories import make_collection, make_essay, make_sections, make_topic

pytestmark = pytest.mark.django_db

LIST_URL = reverse("essays:api-essay-list")
TOPICS_URL = reverse("essays:api-topic-list")


def detail_url(pk: int) -> str:
    return reverse("essays:api-essay-detail", kwargs={"pk": pk})


@pytest.fixture
def essay():
    """An essay with a three-level outline, references and a topic."""
    topic = make_topic(name="城乡统筹测试", slug="chengxiang-ceshi")
    return make_essay(
        collection=make_collection(title="提升服务意识 统筹城乡发展"),
        number=7,
        title="统筹城乡发展",
        subtitle="——以城郊乡为例",
        intro="导语第一段\n导语第二段",
        keywords=["劳动力", "转移"],
        topics=[topic],
        sections=[
            {"level": 1, "number": "一", "heading": "加快发展现代农业", "text": "甲\n乙"},
            {"level": 2, "number": "2.1", "heading": "培训", "text": "", "parent": 0},
            {"level": 3, "number": "2.1.1", "heading": "技能", "text": "丙", "parent": 1},
            {"level": 1, "number": "二", "heading": "结论", "text": "丁"},
        ],
        references=[
            {
                "label": "[1]",
                "text": "[1]张三.农村[M].北京:人民出版社,2002.",
                "kind": "M",
                "year": 2002,
                "authors": "张三",
                "title": "农村",
                "publisher": "人民出版社",
                "place": "北京",
            },
            {"label": "[2]", "text": "[2]某网站资料", "kind": "", "year": None},
        ],
    )


def test_essay_detail_has_exact_contract_shape(client, essay):
    response = client.get(detail_url(essay.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    sections = list(essay.sections.order_by("order"))
    assert data == {
        "id": essay.pk,
        "title": "统筹城乡发展",
        "display_title": "统筹城乡发展",
        "subtitle": "——以城郊乡为例",
        "collection": "提升服务意识 统筹城乡发展",
        "number": 7,
        "intro": "导语第一段\n导语第二段",
        "keywords": ["劳动力", "转移"],
        "topics": [{"slug": "chengxiang-ceshi", "name": "城乡统筹测试"}],
        "url": f"/essays/{essay.pk}/",
        "sections": [
            {
                "id": sections[0].pk,
                "order": 1,
                "number": "一",
                "heading": "加快发展现代农业",
                "level": 1,
                "parent": None,
                "text": "甲\n乙",
                "anchor": "s1",
            },
            {
                "id": sections[1].pk,
                "order": 2,
                "number": "2.1",
                "heading": "培训",
                "level": 2,
                "parent": sections[0].pk,
                "text": "",
                "anchor": "s2",
            },
            {
                "id": sections[2].pk,
                "order": 3,
                "number": "2.1.1",
                "heading": "技能",
                "level": 3,
                "parent": sections[1].pk,
                "text": "丙",
                "anchor": "s3",
            },
            {
                "id": sections[3].pk,
                "order": 4,
                "number": "二",
                "heading": "结论",
                "level": 1,
                "parent": None,
                "text": "丁",
                "anchor": "s4",
            },
        ],
        "references": [
            {
                "order": 1,
                "label": "[1]",
                "text": "[1]张三.农村[M].北京:人民出版社,2002.",
                "kind": "M",
                "year": 2002,
                "authors": "张三",
                "title": "农村",
                "publisher": "人民出版社",
                "place": "北京",
                "anchor": "ref-1",
            },
            {
                "order": 2,
                "label": "[2]",
                "text": "[2]某网站资料",
                "kind": None,
                "year": None,
                "authors": "",
                "title": "",
                "publisher": "",
                "place": "",
                "anchor": "ref-2",
            },
        ],
    }


def test_essay_detail_body_is_utf8_chinese_not_escaped(client, essay):
    body = client.get(detail_url(essay.pk)).content
    assert "统筹城乡发展".encode() in body
    assert b"\\u" not in body


def test_essay_detail_sections_come_in_reading_order_whatever_the_insert_order(client):
    essay = make_essay(
        sections=[
            {"order": 3, "heading": "第三"},
            {"order": 1, "heading": "第一"},
            {"order": 2, "heading": "第二"},
        ]
    )
    data = client.get(detail_url(essay.pk)).json()
    assert [s["heading"] for s in data["sections"]] == ["第一", "第二", "第三"]


def test_year_is_an_int_and_empty_kind_is_null(client, essay):
    references = client.get(detail_url(essay.pk)).json()["references"]
    assert [r["kind"] for r in references] == ["M", None]
    assert [r["year"] for r in references] == [2002, None]
    assert isinstance(references[0]["year"], int)


def test_essay_detail_query_count_does_not_grow_with_sections(client, django_assert_num_queries):
    small = make_essay(sections=make_sections(2), references=[{"text": "甲"}])
    big = make_essay(
        sections=make_sections(60), references=[{"text": f"文献{i}"} for i in range(20)]
    )
    with django_assert_num_queries(4):
        assert client.get(detail_url(small.pk)).status_code == 200
    with django_assert_num_queries(4):
        response = client.get(detail_url(big.pk))
    assert len(response.json()["sections"]) == 60


def test_unknown_essay_is_json_404_in_chinese(client):
    response = client.get(detail_url(999_999))
    assert response.status_code == 404
    assert response.json() == {"error": "没有找到这篇文章。"}


@pytest.mark.parametrize("path", ["/api/essays/abc/", "/api/essays/-1/", "/api/nothing/"])
def test_unmatched_api_paths_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "没有找到" in response.json()["error"]


def test_huge_essay_id_is_404_not_500(client):
    response = client.get("/api/essays/99999999999999999999999/")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url_name", ["api-essay-list", "api-topic-list"])
def test_only_get_and_head_are_allowed(client, method, url_name):
    response = getattr(client, method)(reverse(f"essays:{url_name}"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "只读" in response.json()["error"]


def test_post_to_essay_detail_is_405_even_with_csrf_checks(essay):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(detail_url(essay.pk))
    assert response.status_code == 405


def test_head_is_allowed(client, essay):
    assert client.head(detail_url(essay.pk)).status_code == 200
    assert client.head(LIST_URL).status_code == 200


def test_essay_list_item_shape(client, essay):
    data = client.get(LIST_URL).json()
    assert data == {
        "count": 1,
        "page": 1,
        "num_pages": 1,
        "results": [
            {
                "id": essay.pk,
                "title": "统筹城乡发展",
                "display_title": "统筹城乡发展",
                "collection": "提升服务意识 统筹城乡发展",
                "number": 7,
                "topics": [{"slug": "chengxiang-ceshi", "name": "城乡统筹测试"}],
                "url": f"/essays/{essay.pk}/",
            }
        ],
    }


def test_empty_essay_list_is_one_empty_page(client):
    assert client.get(LIST_URL).json() == {"count": 0, "page": 1, "num_pages": 1, "results": []}


@pytest.fixture
def fifty_one_essays():
    collection = make_collection(title="大文集")
    topic = make_topic()
    return [
        make_essay(collection=collection, number=n, title=f"文章{n}", topics=[topic])
        for n in range(1, 52)
    ]


def test_essay_list_paginates_fifty_a_page(client, fifty_one_essays):
    first = client.get(LIST_URL).json()
    assert (first["count"], first["page"], first["num_pages"]) == (51, 1, 2)
    assert [r["number"] for r in first["results"]] == list(range(1, 51))
    second = client.get(LIST_URL, {"page": 2}).json()
    assert (second["count"], second["page"], second["num_pages"]) == (51, 2, 2)
    assert [r["title"] for r in second["results"]] == ["文章51"]


def test_essay_list_query_count_is_bounded(client, fifty_one_essays, django_assert_num_queries):
    # count, page of essays with collections, topics of the page
    with django_assert_num_queries(3):
        response = client.get(LIST_URL)
    assert len(response.json()["results"]) == 50


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("0", "页码必须从 1 开始。"),
        ("abc", "页码无效：页码必须是正整数。"),
        ("-1", "页码无效：页码必须是正整数。"),
        ("1.5", "页码无效：页码必须是正整数。"),
        ("99", "页码 99 超出范围：共 2 页。"),
        ("3", "页码 3 超出范围：共 2 页。"),
    ],
)
def test_bad_page_is_404_with_chinese_message(client, fifty_one_essays, page, message):
    response = client.get(LIST_URL, {"page": page})
    assert response.status_code == 404
    assert response.json() == {"error": message}


def test_full_width_page_number_is_accepted(client, fifty_one_essays):
    assert client.get(LIST_URL, {"page": "２"}).json()["page"] == 2


def test_topic_filter_keeps_only_that_topics_essays(client, essay):
    make_essay(number=1, title="无主题文章")
    other_topic = make_topic(slug="qita")
    make_essay(number=2, title="其他主题文章", topics=[other_topic])
    data = client.get(LIST_URL, {"topic": "chengxiang-ceshi"}).json()
    assert data["count"] == 1
    assert [r["id"] for r in data["results"]] == [essay.pk]
    assert client.get(LIST_URL).json()["count"] == 3


def test_known_topic_without_essays_is_an_empty_list(client):
    data = client.get(LIST_URL, {"topic": "fuwu-yishi"}).json()
    assert data == {"count": 0, "page": 1, "num_pages": 1, "results": []}


def test_unknown_topic_is_json_404_in_chinese(client):
    response = client.get(LIST_URL, {"topic": "no-such-topic"})
    assert response.status_code == 404
    assert response.json() == {"error": "没有找到主题“no-such-topic”。"}
    assert "没有找到主题".encode() in response.content


def test_topic_list_shape_and_counts(client, essay, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(TOPICS_URL)
    results = response.json()["results"]
    by_slug = {t["slug"]: t for t in results}
    assert by_slug["chengxiang-ceshi"] == {
        "slug": "chengxiang-ceshi",
        "name": "城乡统筹测试",
        "description": "",
        "essay_count": 1,
        "url": "/topics/chengxiang-ceshi/",
    }
    assert by_slug["fuwu-yishi"]["essay_count"] == 0
    assert by_slug["fuwu-yishi"]["description"].startswith("提升服务意识")
    assert b"\\u" not in response.content
    assert [t["name"] for t in results] == sorted(t["name"] for t in results)


def test_json_body_is_valid_utf8(client, essay):
    body = client.get(LIST_URL).content
    assert json.loads(body.decode("utf-8"))["count"] == 1
