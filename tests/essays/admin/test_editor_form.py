"""The essay editor as a browser drives it: only real changes are recorded (browsers send
textareas with CRLF line ends), keywords typed as text, Chinese throughout, an icon."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from essays.admin_selectors import essay_history_entries
from essays.models import Essay
from essays.text_normalize import normalize_text
from tests.essays.admin.conftest import form_data

pytestmark = pytest.mark.django_db


def change_url(essay: Essay) -> str:
    return reverse("admin:essays_essay_change", args=[essay.pk])


def as_a_browser_sends(data: dict) -> dict:
    """What a browser submits: every line break in a textarea as CRLF (HTML's form
    submission rules), single-line inputs as they are."""
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


def test_editing_one_section_records_exactly_one_changed_section(
    corpus,
    editor_client,
    django_capture_on_commit_callbacks,
):
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=4)
    page = editor_client.get(change_url(essay)).content.decode()
    data = as_a_browser_sends(form_data(page))
    multiline = [k for k, v in data.items() if isinstance(v, str) and "\r\n" in v]
    assert "intro" in multiline and len(multiline) >= 3  # the test means something
    section = next(k for k in multiline if re.fullmatch(r"sections-\d+-text", k))
    data[section] = data[section] + "\r\n新增的一段话。  \r\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(essay), data)
    assert response.status_code == 302, response.context["errors"]

    latest = essay_history_entries(essay.pk)[0]
    assert latest.changes == []  # no field of the essay itself (导语 included)
    assert [(row.kind, row.action) for row in latest.rows] == [("章节", "修改")]
    index = int(section.split("-")[1])
    saved = essay.sections.order_by("order")[index]
    assert saved.text.endswith("\n新增的一段话。")  # stored with \n, no trailing spaces
    assert "\r" not in saved.text

    # saving the same form again changes nothing at all
    page = editor_client.get(change_url(essay)).content.decode()
    before = essay.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(essay), as_a_browser_sends(form_data(page)))
    entries = essay_history_entries(essay.pk)
    assert essay.history.count() == before + 1
    assert entries[0].changes == [] and entries[0].rows == []


def test_keywords_are_typed_as_text_separated_by_chinese_punctuation(
    corpus,
    editor_client,
    django_capture_on_commit_callbacks,
):
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=2)
    page = editor_client.get(change_url(essay)).content.decode()
    data = form_data(page)
    assert data["keywords"] == "劳动力；转移；城乡就业；劳动力转移"
    data["keywords"] = "劳动力、 转移；城乡就业；；农民工"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(essay), data)
    assert response.status_code == 302
    essay.refresh_from_db()
    assert essay.keywords == ["劳动力", "转移", "城乡就业", "农民工"]
    # the API still gives a list of strings
    api = editor_client.get(reverse("essays:api-essay-detail", kwargs={"pk": essay.pk}))
    assert json.loads(api.content)["keywords"] == ["劳动力", "转移", "城乡就业", "农民工"]

    page = editor_client.get(change_url(essay)).content.decode()
    data = {**form_data(page), "keywords": "甲乙丙丁戊己庚辛壬癸" * 6}
    response = editor_client.post(change_url(essay), data)
    assert response.status_code == 200
    assert "少了分隔符" in response.content.decode()
    essay.refresh_from_db()
    assert essay.keywords == ["劳动力", "转移", "城乡就业", "农民工"]


def test_the_editor_edits_the_short_title_and_readers_see_it(
    corpus,
    editor_client,
    client,
    django_capture_on_commit_callbacks,
):
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=9)
    data = form_data(editor_client.get(change_url(essay)).content.decode())
    assert data["short_title"] == essay.short_title != ""
    data["short_title"] = "  工商政务信息公开\u3000"
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(essay), data).status_code == 302
    essay.refresh_from_db()
    assert essay.short_title == "工商政务信息公开"
    html = client.get(essay.get_absolute_url()).content.decode()
    assert '<h1 id="essay-title" dir="auto">工商政务信息公开</h1>' in html


def test_text_normalisation_keeps_what_matters():
    assert normalize_text("甲\r\n乙\r丙\u2028丁") == "甲\n乙\n丙\n丁"
    assert normalize_text("\n\n  缩进的段落  \n第二段\u3000\n\n") == "  缩进的段落\n第二段"
    assert normalize_text("") == ""


def test_admin_strings_are_chinese(editor_client, admin_client):
    catalog = editor_client.get("/admin/jsi18n/").content.decode()
    entries = json.loads(re.search(r"const newcatalog = (\{.*?\});", catalog, re.S).group(1))
    for english in (
        'Choose %s by selecting them and then select the "Choose" arrow button.',
        "Choose all %s",
        "Remove all %s",
        "Chosen %s",
    ):
        assert re.search(r"[\u4e00-\u9fff]", entries[english]), english
    index = admin_client.get("/admin/").content.decode()
    assert "登录保护" in index and "登录尝试" in index
    assert "Access attempts" not in index and "Axes" not in index
    attempts = admin_client.get("/admin/axes/accessattempt/").content.decode()
    assert "以 尝试时间" in attempts and "以 已锁定" in attempts  # the list's filters
    assert "Attempt Time" not in attempts and "Access lock out" not in attempts


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("favicon.svg")


def test_essay_list_title_column_names_the_display_title(corpus, editor_client):
    html = editor_client.get(reverse("admin:essays_essay_changelist")).content.decode()
    assert 'class="sortable column-list_title">' in html
    essay = Essay.objects.exclude(short_title="").first()
    assert f"{essay.short_title}（原题：{essay.title}）" in html
