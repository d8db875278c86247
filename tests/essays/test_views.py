"""Reading pages: home, essay, topics; anchors, escaping, Chinese 404, query counts."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_collection, make_essay, make_sections, make_topic

pytestmark = pytest.mark.django_db


def essay_url(pk: int) -> str:
    return reverse("essays:essay-detail", kwargs={"pk": pk})


@pytest.fixture
def essay():
    topic = make_topic(name="服务测试", slug="fuwu-ceshi")
    return make_essay(
        collection=make_collection(title="提升服务意识 统筹城乡发展"),
        number=2,
        title="统筹城乡就业",
        subtitle="——一个副标题",
        intro="导语一\n导语二",
        keywords=["劳动力", "转移"],
        topics=[topic],
        sections=[
            {"level": 1, "number": "一", "heading": "统筹城乡就业", "text": "第一段\n第二段"},
            {"level": 2, "number": "2.1", "heading": "培训", "text": "培训正文", "parent": 0},
            {"level": 3, "number": "2.1.1", "heading": "技能", "text": "技能正文", "parent": 1},
            {"level": 1, "number": "二", "heading": "结语", "text": ""},
        ],
        references=[
            {"text": "[1]张三.农村[M].北京:人民出版社,2002.", "kind": "M", "year": 2002},
            {"text": "[2]李四.城乡[J].经济研究,2004(3).", "kind": "J", "year": 2004},
        ],
    )


def test_essay_page_shows_title_block(client, essay):
    response = client.get(essay_url(essay.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="essay-title" dir="auto">统筹城乡就业</h1>' in html
    assert "——一个副标题" in html
    assert "提升服务意识 统筹城乡发展</bdi></a> · 篇2" in html
    assert 'href="/topics/fuwu-ceshi/"' in html
    assert "劳动力" in html and "转移" in html
    assert '<html lang="zh-CN">' in html


def test_essay_page_has_every_section_heading_with_anchor(client, essay):
    html = client.get(essay_url(essay.pk)).content.decode()
    assert re.search(
        r'<h2 id="s1"><span class="section-number">一</span> <bdi>统筹城乡就业</bdi></h2>', html
    )
    assert re.search(
        r'<h3 id="s2"><span class="section-number">2.1</span> <bdi>培训</bdi></h3>', html
    )
    assert re.search(
        r'<h4 id="s3"><span class="section-number">2.1.1</span> <bdi>技能</bdi></h4>', html
    )
    assert re.search(
        r'<h2 id="s4"><span class="section-number">二</span> <bdi>结语</bdi></h2>', html
    )


def test_section_text_lines_become_paragraphs_after_intro(client, essay):
    html = client.get(essay_url(essay.pk)).content.decode()
    assert "<p>第一段</p><p>第二段</p>" in html
    assert html.index("<p>导语一</p>") < html.index('id="s1"')


def test_toc_links_match_section_anchors_and_nest(client, essay):
    html = client.get(essay_url(essay.pk)).content.decode()
    toc = html[html.index('class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    links = re.findall(r'href="#(s\d+)"', toc)
    anchors = re.findall(r'<h[2-6] id="(s\d+)"', html)
    assert links == anchors == ["s1", "s2", "s3", "s4"]
    # 2.1.1 sits in a list nested two levels inside 一's list item
    assert toc.count("<ol>") == 3


def test_references_are_an_ordered_list_with_ids(client, essay):
    html = client.get(essay_url(essay.pk)).content.decode()
    assert '<li id="ref-1" value="1"><bdi>[1]张三.农村[M].北京:人民出版社,2002.</bdi></li>' in html
    assert '<li id="ref-2" value="2"><bdi>[2]李四.城乡[J].经济研究,2004(3).</bdi></li>' in html


def test_heading_levels_are_capped_at_h6(client):
    essay = make_essay(sections=[{"level": 7, "number": "", "heading": "很深"}])
    html = client.get(essay_url(essay.pk)).content.decode()
    assert '<h6 id="s1"><bdi>很深</bdi></h6>' in html


def test_html_in_essay_text_is_escaped(client):
    essay = make_essay(
        title="<b>标题</b>",
        intro="<img src=x onerror=alert(1)>",
        sections=[{"heading": "<i>章</i>", "text": "<script>alert(1)</script>"}],
        references=[{"text": "<a href='x'>文献</a>"}],
    )
    html = client.get(essay_url(essay.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;标题&lt;/b&gt;" in html
    assert "&lt;i&gt;章&lt;/i&gt;" in html
    assert "<a href='x'>" not in html


def test_essay_page_query_count_does_not_grow_with_sections(client, django_assert_num_queries):
    small = make_essay(sections=make_sections(2), topics=[make_topic()])
    big = make_essay(
        sections=make_sections(80),
        references=[{"text": f"文献{i}"} for i in range(30)],
        topics=[make_topic(), make_topic()],
    )
    # essay, sections, references, topics, the collection's essays (previous/next),
    # related essays
    with django_assert_num_queries(6):
        client.get(essay_url(small.pk))
    with django_assert_num_queries(6):
        html = client.get(essay_url(big.pk)).content.decode()
    assert len(re.findall(r'<h[2-6] id="s\d+"', html)) == 80


def test_unknown_essay_is_chinese_404_page(client):
    response = client.get(essay_url(999_999))
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert '<html lang="zh-CN">' in html


@pytest.mark.parametrize("path", ["/essays/abc/", "/no/such/page/", "/topics/no-such-topic/"])
def test_bad_paths_are_chinese_404_pages(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_home_lists_topics_with_counts_and_collections(
    client, essay, django_assert_max_num_queries
):
    # collections: count and page; topics with counts; recent changes: ids, essays,
    # headings, versions, sections' history (when there was an earlier version); notable
    # essays: the most referenced (then the longest) ids, essays, headings
    with django_assert_max_num_queries(12):
        response = client.get(reverse("essays:home"))
    html = response.content.decode()
    assert '<a href="/topics/fuwu-ceshi/"><bdi>服务测试</bdi></a>' in html
    assert "1 篇" in html
    assert "提升服务意识：服务理念与态度" in html  # a default topic's description
    assert (
        f'<a href="/collections/{essay.collection_id}/"><bdi>提升服务意识 统筹城乡发展</bdi></a>'
        in html
    )
    assert f'<a href="/essays/{essay.pk}/"><bdi>统筹城乡就业</bdi></a>' in html


def test_base_layout_has_search_form_and_stylesheet(client):
    html = client.get(reverse("essays:topic-list")).content.decode()
    assert '<form class="search-form" action="/search/" method="get" role="search"' in html
    assert 'name="q"' in html
    assert ">搜索</label>" in html
    assert '<meta name="viewport"' in html
    assert 'href="/static/css/site.css"' in html
    assert '<a class="site-name" href="/">文章库</a>' in html


def test_topic_list_page(client, essay):
    html = client.get(reverse("essays:topic-list")).content.decode()
    assert '<a href="/topics/fuwu-ceshi/"><bdi>服务测试</bdi></a>' in html
    assert '<a href="/topics/chengxiang-tongchou/"><bdi>城乡统筹</bdi></a>' in html


def test_topic_shelf_shows_description_and_only_its_essays(client, essay):
    make_essay(number=1, title="不相干的文章")
    response = client.get(reverse("essays:topic-detail", kwargs={"slug": "fuwu-ceshi"}))
    html = response.content.decode()
    assert '<h1 dir="auto">服务测试</h1>' in html
    assert f'<a href="/essays/{essay.pk}/"><bdi>统筹城乡就业</bdi></a>' in html
    assert "不相干的文章" not in html


def test_topic_shelf_paginates_and_rejects_bad_pages(client):
    topic = make_topic(slug="da-zhuti")
    collection = make_collection()
    for n in range(1, 52):
        make_essay(collection=collection, number=n, title=f"第{n}篇文章", topics=[topic])
    url = reverse("essays:topic-detail", kwargs={"slug": "da-zhuti"})
    second = client.get(url, {"page": 2}).content.decode()
    assert "第51篇文章" in second and "第50篇文章" not in second
    assert "第 2 页，共 2 页" in second
    for bad in ("0", "abc", "3"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()


def test_500_page_renders_without_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "服务器出错了" in html
    assert '<html lang="zh-CN">' in html


def test_pages_only_allow_get_and_head(client):
    assert client.post(reverse("essays:home")).status_code == 405
    assert client.head(reverse("essays:home")).status_code == 200


def test_topic_shelf_query_count_is_bounded(client, django_assert_num_queries):
    topic = make_topic(slug="chaxun")
    for n in range(1, 21):
        make_essay(number=n, topics=[topic, make_topic()])
    # topic with count, essay count, page of essays with collections, their topics,
    # their sections (for the extracts)
    with django_assert_num_queries(5):
        response = client.get(reverse("essays:topic-detail", kwargs={"slug": "chaxun"}))
    assert response.content.decode().count('class="tag"') == 20  # the other topic of each


def test_home_stays_the_same_size_however_many_collections_and_essays(
    client, django_assert_max_num_queries
):
    from essays.views import COLLECTIONS_PER_HOME_PAGE, HOME_NOTABLE, HOME_RECENT

    def home() -> str:
        with django_assert_max_num_queries(12):
            return client.get(reverse("essays:home")).content.decode()

    for c in range(COLLECTIONS_PER_HOME_PAGE):
        collection = make_collection(title=f"文集{c:03d}")
        make_essay(collection=collection, number=1, title=f"文集{c:03d}的文章")
    small = home()
    for c in range(COLLECTIONS_PER_HOME_PAGE, 3 * COLLECTIONS_PER_HOME_PAGE):
        collection = make_collection(title=f"文集{c:03d}")
        for n in range(1, 4):
            make_essay(collection=collection, number=n, title=f"文集{c:03d}的第{n}篇")
    large = home()
    # three times the collections and seven times the essays: the page hardly grows
    assert len(large.encode()) < 1.2 * len(small.encode())
    assert large.count('href="/essays/') <= HOME_RECENT + HOME_NOTABLE + 2  # + two 全部文章 links
    assert large.count('href="/collections/') == COLLECTIONS_PER_HOME_PAGE
    assert "第 1 页，共 3 页" in large
    last = client.get(reverse("essays:home"), {"page": 3}).content.decode()
    assert "文集059" in last and "文集000" not in last
    assert client.get(reverse("essays:home"), {"page": 4}).status_code == 404
