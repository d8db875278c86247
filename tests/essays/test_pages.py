"""The reading pages added for browsing: essay list with filters, collections, the essay
page's navigation (markers, prev/next, related, reading time), topic extracts, and the
discovery files (sitemap, Atom, OpenSearch, robots.txt, canonical links, descriptions)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_collection, make_essay, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    """Two collections, three essays; two share both topics."""
    city = make_topic(name="城乡测试", slug="chengxiang-ceshi", keywords={"城乡统筹": 5})
    work = make_topic(name="就业测试", slug="jiuye-ceshi", keywords={"就业": 2})
    first = make_collection(title="甲文集")
    second = make_collection(title="乙文集")
    one = make_essay(
        collection=first,
        number=1,
        title="第一篇",
        intro="城郊乡位于县城周边。",
        topics=[city, work],
        sections=[
            {"number": "一", "heading": "引言", "text": "无关的话。"},
            {"number": "二", "heading": "推进", "text": "要推进城乡统筹，促进就业。[1]另见[2]"},
        ],
        references=[{"label": "[1]", "text": "张三.农村[M].2002."}],
    )
    two = make_essay(collection=first, number=2, title="第二篇", topics=[city, work])
    three = make_essay(collection=second, number=1, title="第三篇", topics=[work])
    return {"city": city, "work": work, "first": first, "essays": [one, two, three]}


def test_essay_list_filters_by_topic_and_collection(client, shelf):
    one, two, three = shelf["essays"]
    html = client.get("/essays/").content.decode()
    assert all(e.title in html for e in (one, two, three))
    assert "共 3 篇文章" in html
    html = client.get("/essays/", {"topic": "chengxiang-ceshi"}).content.decode()
    assert "第一篇" in html and "第二篇" in html and "第三篇" not in html
    assert '<option value="chengxiang-ceshi" selected>' in html
    html = client.get(
        "/essays/", {"topic": "jiuye-ceshi", "collection": shelf["first"].pk}
    ).content.decode()
    assert "共 2 篇文章" in html and "第三篇" not in html
    assert "清除筛选" in html


@pytest.mark.parametrize(
    "query",
    [{"topic": "no-such"}, {"collection": "abc"}, {"collection": "999999"}, {"page": "9"}],
)
def test_essay_list_bad_filters_are_chinese_404(client, shelf, query):
    response = client.get("/essays/", query)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_essay_list_query_count_is_bounded(client, django_assert_num_queries):
    collection = make_collection()
    for n in range(1, 31):
        make_essay(collection=collection, number=n, topics=[make_topic()])
    # topics for the menu, collections for the menu, count, page of essays, their topics,
    # their headings (for the summaries)
    with django_assert_num_queries(6):
        response = client.get("/essays/")
    assert response.content.decode().count('class="tag"') == 30


def test_collection_page_lists_its_essays_in_order(client, shelf):
    url = reverse("essays:collection-detail", kwargs={"pk": shelf["first"].pk})
    html = client.get(url).content.decode()
    assert '<h1 dir="auto">甲文集</h1>' in html
    assert html.index("第一篇") < html.index("第二篇")
    assert "第三篇" not in html
    assert "城郊乡位于县城周边。" in html  # the lede tells same-titled essays apart
    assert client.get("/collections/999999/").status_code == 404


def test_essay_page_links_markers_pager_related_and_reading_time(client, shelf):
    one, two, _ = shelf["essays"]
    html = client.get(one.get_absolute_url()).content.decode()
    assert (
        '<a class="ref-marker" id="cite-ref-1-1" href="#ref-1" aria-label="参考文献 1">[1]</a>另见[2]'
        in html
    )
    # the reference links back to where it is cited
    assert '<a href="#cite-ref-1-1" aria-label="回到正文第 1 处引用">↩</a>' in html
    assert f'rel="next" href="{two.get_absolute_url()}"' in html
    assert 'rel="prev"' not in html
    related = html[html.index('id="related-heading"') :]
    # the essay sharing both topics comes before the one sharing one
    assert related.index("第二篇") < related.index("第三篇")
    assert "约 1 分钟读完 · 2 节 · 1 条参考文献" in html
    assert 'href="#s2" data-copy-link' in html
    html = client.get(two.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{one.get_absolute_url()}"' in html


def test_topic_shelf_shows_why_each_essay_belongs(client, shelf):
    html = client.get("/topics/chengxiang-ceshi/").content.decode()
    one = shelf["essays"][0]
    assert f'href="{one.get_absolute_url()}#s2">二 推进</a>' in html
    assert "<mark>城乡统筹</mark>" in html
    assert "无关的话" not in html


def test_every_page_has_canonical_link_and_description(client, shelf):
    one = shelf["essays"][0]
    for url in ("/", "/essays/", "/topics/", "/topics/chengxiang-ceshi/", one.get_absolute_url()):
        html = client.get(url + "?utm=x").content.decode()
        assert f'<link rel="canonical" href="http://testserver{url}">' in html, url
        match = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert match and match.group(1).strip(), url
    html = client.get(one.get_absolute_url()).content.decode()
    assert '<meta name="description" content="城郊乡位于县城周边。">' in html


def test_sitemap_lists_every_public_page(client, shelf):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    for path in ("/", "/essays/", "/topics/", "/topics/chengxiang-ceshi/"):
        assert f"http://testserver{path}" in locations
    for essay in shelf["essays"]:
        assert f"http://testserver{essay.get_absolute_url()}" in locations
    assert f"http://testserver/collections/{shelf['first'].pk}/" in locations
    assert root.find("s:url/s:lastmod", ns) is not None


def test_atom_feed_has_newest_essays_with_updated_dates(client, shelf):
    response = client.get("/feeds/essays.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles[0] == "第三篇（乙文集 · 篇1）"  # created last
    assert len(titles) == 3
    assert root.find("a:entry/a:updated", ns) is not None
    html = client.get("/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in html


def test_opensearch_description_points_at_the_search_page(client):
    response = client.get("/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    ns = {"o": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("o:ShortName", namespaces=ns) == "文章库"
    templates = [url.get("template") for url in root.findall("o:Url", ns)]
    assert "http://testserver/search/?q={searchTerms}" in templates
    html = client.get("/").content.decode()
    assert 'rel="search" type="application/opensearchdescription+xml"' in html


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_pages_load_only_local_assets_and_no_inline_script(client, shelf):
    html = client.get(shelf["essays"][0].get_absolute_url()).content.decode()
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/site.js" defer>']
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!testserver)', html)


def test_a_server_error_is_the_chinese_500_page_in_the_sites_layout(client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("数据库出错")

    monkeypatch.setattr("essays.selectors.topic_list_with_counts", broken)
    client.raise_request_exception = False
    response = client.get("/topics/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>服务器出错了</h1>" in html
    assert '<html lang="zh-CN">' in html and 'class="site-header"' in html
    assert "数据库出错" not in html


def test_filtered_and_later_pages_keep_their_filters_in_the_canonical_link(client, shelf):
    html = client.get("/essays/", {"topic": "jiuye-ceshi", "utm": "x"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/essays/?topic=jiuye-ceshi">' in html


def test_collection_page_is_paginated_with_bounded_queries(client, django_assert_num_queries):
    collection = make_collection(title="大文集")
    for n in range(1, 56):
        make_essay(collection=collection, number=n, title=f"第{n}篇文章")
    url = reverse("essays:collection-detail", kwargs={"pk": collection.pk})
    # collection, count, page of essays, their topics, their headings (for the summaries)
    with django_assert_num_queries(5):
        first = client.get(url).content.decode()
    assert "共 55 篇文章" in first
    assert "第50篇文章" in first and "第51篇文章" not in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert "第55篇文章" in second and "第1篇文章<" not in second
    for bad in ("0", "3", "abc"):
        assert client.get(url, {"page": bad}).status_code == 404


def test_list_pages_keep_their_filter_when_paging(client):
    collection = make_collection(title="分页文集")
    topic = make_topic(name="分页主题", slug="fenye-zhuti")
    for n in range(1, 52):
        make_essay(collection=collection, number=n, topics=[topic])
    html = client.get("/essays/", {"topic": "fenye-zhuti"}).content.decode()
    assert 'rel="next" href="?topic=fenye-zhuti&amp;page=2"' in html
    html = client.get("/essays/", {"topic": "fenye-zhuti", "page": "2"}).content.decode()
    assert 'rel="prev" href="?topic=fenye-zhuti&amp;page=1"' in html
    html = client.get(topic.get_absolute_url()).content.decode()
    assert 'rel="next" href="?page=2"' in html


def test_essay_list_drops_the_collection_menu_when_it_would_grow_long(client):
    from essays.views import COLLECTION_MENU_LIMIT

    collections = [make_collection(title=f"文集{n:03d}") for n in range(COLLECTION_MENU_LIMIT)]
    make_essay(collection=collections[-1], number=1, title="最后一个文集的文章")
    assert 'id="filter-collection"' in client.get("/essays/").content.decode()
    extra = make_collection(title="多出来的文集")
    make_essay(collection=extra, number=1, title="多出来的文章")
    html = client.get("/essays/").content.decode()
    assert 'id="filter-collection"' not in html and "文集000" not in html
    assert '<a href="/#collections-heading">按文集浏览</a>' in html
    # a collection chosen elsewhere still filters the list
    filtered = client.get("/essays/", {"collection": extra.pk}).content.decode()
    assert "多出来的文章" in filtered and "最后一个文集的文章" not in filtered
    assert f'<input type="hidden" name="collection" value="{extra.pk}">' in filtered
