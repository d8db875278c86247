"""The admin upload reads what the command reads: markdown and Word papers get the same
preview; a field too long for the database is named in the preview, nothing stored."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from essays.models import Collection, Essay

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/essays/collection/import/"

MARKDOWN = """# 综述

# 家禽采食量调控机制及主要调控因子研究进展

孙永波 王亚

摘要：采食量是影响家禽生长发育的重要因素。

关键词：家禽；采食量；调控因子

# 1采食量

家禽采食量通常是指家禽在一天内采食饲料的总量。

# 2采食量调控机理

采食量受中枢和外周信号共同调控。

# 参考文献

[1] 王五.家禽营养[J].动物营养学报,2015,27(1):1-9.
"""


def test_a_markdown_paper_is_previewed_then_imported(
    editor_client, django_capture_on_commit_callbacks
):
    preview = editor_client.post(
        IMPORT_URL, {"source": SimpleUploadedFile("paper.md", MARKDOWN.encode("utf-8"))}
    )
    html = preview.content.decode()
    assert "家禽采食量调控机制及主要调控因子研究进展" in html
    assert "采食量调控机理" in html and "新文集" in html
    with django_capture_on_commit_callbacks(execute=True):
        done = editor_client.post(IMPORT_URL, {"confirm": "1", "token": preview.context["token"]})
    assert done.status_code == 302
    essay = Essay.objects.get()
    assert [s.number for s in essay.sections.all()] == ["1", "2"]
    assert essay.keywords == ["家禽", "采食量", "调控因子"]
    assert essay.front_matter["column"] == ["综述"]
    assert essay.references.count() == 1


def _word_paper() -> bytes:
    document = docx.Document()
    document.add_heading("基于专利的技术熵分析法研究", level=0)
    document.add_paragraph("侯剑华 郭爽")
    document.add_paragraph("摘要：提出技术熵分析方法，并用专利数据验证。")
    document.add_paragraph("关键词：技术熵；专利；技术监测")
    document.add_heading("引言", level=1)
    document.add_paragraph("技术监测已经成为跟踪技术发展的重要手段。")
    document.add_heading("研究方法", level=1)
    document.add_heading("数据来源", level=2)
    document.add_paragraph("数据来自专利数据库。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_paper_keeps_its_heading_styles_as_the_outline(
    editor_client, django_capture_on_commit_callbacks
):
    preview = editor_client.post(
        IMPORT_URL, {"source": SimpleUploadedFile("paper.docx", _word_paper())}
    )
    assert "基于专利的技术熵分析法研究" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(IMPORT_URL, {"confirm": "1", "token": preview.context["token"]})
    essay = Essay.objects.get()
    assert essay.title == "基于专利的技术熵分析法研究"
    outline = [(s.level, s.heading) for s in essay.sections.all()]
    assert outline == [(1, "引言"), (1, "研究方法"), (2, "数据来源")]
    assert essay.keywords == ["技术熵", "专利", "技术监测"]


def test_a_document_title_too_long_is_named_in_the_preview(editor_client):
    text = "题" * 600 + "\n第一段正文，内容完整。\n"
    response = editor_client.post(
        IMPORT_URL, {"source": SimpleUploadedFile("long.txt", text.encode("utf-8"))}
    )
    html = response.content.decode()
    assert "long.txt" in html and "篇1" in html and "标题" in html and "超过上限 500 字" in html
    assert not response.context.get("token")
    assert Collection.objects.count() == 0


def test_a_broken_word_file_is_refused_with_a_message(editor_client):
    response = editor_client.post(
        IMPORT_URL, {"source": SimpleUploadedFile("paper.docx", b"PK\x03\x04 not really")}
    )
    assert "不是有效的 Word" in response.content.decode()
    assert Collection.objects.count() == 0
