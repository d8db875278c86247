"""Essays readers can tell apart: display titles suggested on import, kept when an editor
sets one, shown wherever an essay is named; summaries that say what an essay is about;
user text isolated so a right-to-left override cannot reverse the page around it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from essays.display_titles import EssayText, Heading, suggest_short_titles, summary
from essays.models import Essay
from essays.selectors import with_summaries
from tests.corpus import COLLECTION_SOURCE, import_essays
from tests.factories import make_collection, make_essay

# the corpus fixture: the bundled documents imported and indexed
from tests.search.conftest import corpus, corpus_snapshot, search_index  # noqa: F401

pytestmark = pytest.mark.django_db

LABELS = {"引言", "课程背景", "基本情况", "结束语", "前言", "结语", "背景"}


def test_no_two_bundled_essays_share_a_display_title(corpus):  # noqa: F811
    titles = [essay.display_title for essay in Essay.objects.all()]
    assert len(titles) == 12
    assert len(set(titles)) == len(titles), titles
    # the collection's title, printed over 8 of its essays, names at most one of them
    assert sum(title == "提升服务意识 统筹城乡发展" for title in titles) <= 1
    # an essay with a title of its own keeps it
    own = Essay.objects.get(title="试析如何提升党政管理服务意识")
    assert own.display_title == own.title and own.short_title == ""


def test_summaries_say_what_an_essay_is_about_not_its_first_heading(corpus):  # noqa: F811
    essays = with_summaries(Essay.objects.select_related("collection"))
    for essay in essays:
        assert essay.summary, essay
        first = essay.summary.split("；")[0]
        assert first not in LABELS, (essay, essay.summary)
        assert essay.summary != essay.display_title
    # the training course opens with 课程背景, 课程目标 …: its summary names its modules
    course = next(e for e in essays if e.sections.filter(heading="课程背景").exists())
    assert "客户服务" in course.summary


@pytest.mark.parametrize(
    "path",
    ["/", "/essays/", "/topics/chengxiang-tongchou/", "/collections/{collection}/"],
)
def test_lists_and_shelves_name_essays_by_display_title(client, corpus, path):  # noqa: F811
    collection = corpus[1].collection_id
    html = client.get(path.format(collection=collection)).content.decode()
    shown = [e for e in Essay.objects.all() if f">{e.display_title}</bdi></a>" in html]
    assert shown, path
    assert html.count("<bdi>提升服务意识 统筹城乡发展</bdi></a>") <= 1


def test_search_results_and_api_carry_the_display_title(client, corpus):  # noqa: F811
    essay = Essay.objects.exclude(short_title="").order_by("number").first()
    html = client.get("/search/", {"q": "劳动力转移"}).content.decode()
    assert any(f">{e.display_title}</a>" in html for e in Essay.objects.exclude(short_title=""))
    data = client.get(reverse("essays:api-essay-detail", kwargs={"pk": essay.pk})).json()
    assert data["display_title"] == essay.short_title
    assert data["title"] == essay.title  # the printed title is still there
    listing = client.get("/api/essays/").json()["results"]
    assert {item["display_title"] for item in listing} >= {essay.short_title}


def test_essay_page_feed_and_neighbours_use_the_display_title(client, corpus):  # noqa: F811
    essay = Essay.objects.exclude(short_title="").order_by("number")[1]
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f"<title>\u2068{essay.short_title}\u2069（篇{essay.number}） · 文章库</title>" in html
    assert f'<h1 id="essay-title" dir="auto">{essay.short_title}</h1>' in html
    assert f"原题：<bdi>{essay.title}</bdi>" in html
    previous = Essay.objects.get(collection=essay.collection, number=essay.number - 1)
    assert f"</span><bdi>{previous.display_title}</bdi></a>" in html
    feed = ET.fromstring(client.get("/feeds/essays.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert f"{essay.short_title}（{essay.collection.title} · 篇{essay.number}）" in titles


def test_import_suggests_and_a_reimport_keeps_the_editors_short_title():
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.filter(title="提升服务意识 统筹城乡发展").order_by("number").first()
    assert essay.short_title and essay.short_title != essay.title
    Essay.objects.filter(pk=essay.pk).update(short_title="编辑改过的标题")
    import_essays(COLLECTION_SOURCE, force=True)
    essay.refresh_from_db()
    assert essay.display_title == "编辑改过的标题"


def test_suggestions_are_unique_within_a_collection_and_skip_own_titles():
    def essay(number: int, title: str, *headings: str) -> EssayText:
        return EssayText(
            number=number,
            title=title,
            intro="",
            headings=[Heading(level=1, text=text) for text in headings],
        )

    suggestions = suggest_short_titles(
        collection_title="文集",
        essays=[
            essay(1, "文集", "引言", "农村劳动力转移的现状", "农村劳动力转移的对策"),
            essay(2, "文集", "引言", "农村劳动力转移的现状", "农村劳动力转移的对策"),
            essay(3, "自己的标题", "引言"),
            essay(4, "文集", "引言"),
        ],
    )
    assert 3 not in suggestions
    assert suggestions[1] != suggestions[2] and "农村劳动力转移" in suggestions[1]
    assert suggestions[4] == "文集（篇4）"  # nothing but a label to go by
    assert summary(subtitle="", intro="", headings=[Heading(1, "引言")]) == "引言"


def test_a_right_to_left_override_is_isolated_wherever_a_title_is_shown(client):
    rlo = "\u202e"
    collection = make_collection(title=f"文集{rlo}甲乙")
    essay = make_essay(collection=collection, number=1, title=f"标题{rlo}丙丁")
    for path in ("/", "/essays/", f"/collections/{collection.pk}/", essay.get_absolute_url()):
        html = client.get(path).content.decode()
        # not shown as running text: meta tags are data for reference managers, and in a
        # <pre> (the BibTeX/RIS shown for copying) every line is a bidi paragraph of its own
        html = re.sub(r"<meta [^>]*>|<pre[^>]*>.*?</pre>", "", html, flags=re.S)
        # every occurrence of the override is inside an isolating element or FSI…PDI
        for piece in html.split(rlo)[1:]:
            rest = piece.split("<", 1)
            closing = rest[1] if len(rest) > 1 else ""
            assert closing.startswith(("/bdi>", "/h1>", "/option>")) or piece.startswith(
                ("丙丁\u2069", "甲乙\u2069")
            ), (path, piece[:40])


def test_import_normalises_text_as_the_admin_does():
    from essays.importer.parsed import ParsedEssay, ParsedReference, ParsedSection
    from essays.services.imports import parsed_essay_normalize

    parsed = ParsedEssay(
        number=1,
        title=" 标题\u3000",
        intro="第一段  \r\n第二段\r\n\r\n",
        sections=[ParsedSection(level=1, number="一 ", heading="小标题 ", text="正文\r甲 \n")],
        references=[ParsedReference(label="[1] ", text="文献\u2028续")],
    )
    parsed_essay_normalize(parsed)
    assert (parsed.title, parsed.intro) == ("标题", "第一段\n第二段")
    section = parsed.sections[0]
    assert (section.number, section.heading, section.text) == ("一", "小标题", "正文\n甲")
    assert (parsed.references[0].label, parsed.references[0].text) == ("[1]", "文献\n续")
