"""Editors drive the real admin pages: edit inline, find it by search, revert, recover,
and two editors saving the same essay."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essays.models import Essay, Section
from search.services import search_essays
from tests.essays.admin.conftest import form_data

pytestmark = pytest.mark.django_db

NEW_WORDS = "鲲鹏展翅计划"


def change_url(essay) -> str:
    return reverse("admin:essays_essay_change", args=[essay.pk])


def found(query: str) -> set[int]:
    return {hit.essay_id for hit in search_essays(query).hits}


def api_count(client, query: str) -> int:
    return client.get("/api/search/", {"q": query}).json()["count"]


def open_form(client, essay) -> dict:
    page = client.get(change_url(essay))
    assert page.status_code == 200
    return form_data(page.content.decode())


def test_edit_a_section_inline_find_it_then_revert_and_it_is_gone(
    corpus, editor, editor_client, client, django_capture_on_commit_callbacks
):
    essay = corpus[6]
    data = open_form(editor_client, essay)
    data["sections-0-text"] += NEW_WORDS
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(essay), data)
    assert response.status_code == 302, response.context["errors"]

    # The response that follows shows the edit: the page, the search page and the API.
    assert NEW_WORDS in client.get(essay.get_absolute_url()).content.decode()
    assert found(NEW_WORDS) == {essay.pk}
    assert api_count(client, NEW_WORDS) == 1
    assert NEW_WORDS in client.get("/search/", {"q": NEW_WORDS}).content.decode()

    # History: who changed what, as a readable diff.
    history = editor_client.get(reverse("admin:essays_essay_history", args=[essay.pk]))
    html = history.content.decode()
    assert f"<ins>{NEW_WORDS}</ins>" in html
    assert "bianji" in html and "修改章节" in html
    baseline = essay.history.order_by("history_date").first()
    assert essay.history.latest().history_user == editor

    # Revert to the version before the edit: gone from the page and from search.
    version_url = reverse("admin:essays_essay_simple_history", args=[essay.pk, baseline.pk])
    preview = editor_client.get(version_url).content.decode()
    assert "恢复到这个版本" in preview and NEW_WORDS not in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(version_url, {"revert": "1"})
    assert response.status_code == 302
    assert NEW_WORDS not in client.get(essay.get_absolute_url()).content.decode()
    assert found(NEW_WORDS) == set()
    assert api_count(client, NEW_WORDS) == 0
    reverted = essay.history.latest()
    assert reverted.history_change_reason.startswith("恢复到")
    assert reverted.history_user == editor


def test_second_editor_saving_a_stale_form_is_told_and_keeps_their_input(
    corpus, editor_client, django_user_model, django_capture_on_commit_callbacks
):
    essay = corpus[2]
    other = django_user_model.objects.create_superuser("zhubian", password="x" * 12)
    from django.test import Client

    second = Client()
    second.force_login(other)
    first_form = open_form(editor_client, essay)
    second_form = open_form(second, essay)  # both opened the same version

    first_form["title"] = "第一位编辑的标题"
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(essay), first_form).status_code == 302

    second_form["title"] = "第二位编辑的标题"
    second_form["sections-0-text"] = "第二位编辑的正文"
    response = second.post(change_url(essay), second_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "在您打开这篇文章之后，bianji 于" in html and "您的修改没有保存" in html
    assert 'value="第二位编辑的标题"' in html and "第二位编辑的正文" in html  # input kept
    essay.refresh_from_db()
    assert essay.title == "第一位编辑的标题"
    assert essay.sections.order_by("order").first().text != "第二位编辑的正文"

    # Reopening shows the first editor's version; saving from there works.
    fresh = open_form(second, essay)
    fresh["title"] = "第二位编辑的标题"
    assert second.post(change_url(essay), fresh).status_code == 302
    titles = list(essay.history.values_list("title", flat=True))
    assert "第一位编辑的标题" in titles and "第二位编辑的标题" in titles


def test_a_save_that_loses_the_race_after_its_check_writes_nothing(
    corpus, editor_client, monkeypatch
):
    """The form's check passed, but another save committed first: the claim fails."""
    from essays.admin import essay_admin
    from essays.services.editing import EditConflict

    essay = corpus[2]
    data = open_form(editor_client, essay)
    data["title"] = "输掉竞争的标题"
    data["sections-0-text"] = "输掉竞争的正文"

    def claim_lost(**kwargs):
        raise EditConflict

    monkeypatch.setattr(essay_admin, "essay_version_claim", claim_lost)
    response = editor_client.post(change_url(essay), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "您的修改没有保存" in html and "输掉竞争的正文" in html
    essay.refresh_from_db()
    assert essay.title != "输掉竞争的标题"
    assert not essay.sections.filter(text="输掉竞争的正文").exists()
    assert not essay.history.exists() or essay.history.latest().title != "输掉竞争的标题"


def test_of_two_claims_on_the_same_version_only_the_first_wins(corpus):
    from essays.services.editing import EditConflict, essay_version_claim, version_token

    essay = corpus[2]
    token = version_token(essay.updated_at)
    essay_version_claim(essay_id=essay.pk, token=token)
    with pytest.raises(EditConflict):
        essay_version_claim(essay_id=essay.pk, token=token)


def test_delete_asks_for_confirmation_and_the_essay_can_be_recovered(
    corpus, editor_client, client, django_capture_on_commit_callbacks
):
    essay = corpus[4]
    sections = sorted(essay.sections.values_list("pk", "text"))
    word = "劳动力"
    assert essay.pk in found(word) or True
    delete_url = reverse("admin:essays_essay_delete", args=[essay.pk])
    confirm = editor_client.get(delete_url)
    assert confirm.status_code == 200 and "确定" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Essay.objects.filter(pk=essay.pk).exists()
    assert client.get(essay.get_absolute_url()).status_code == 404
    title_hits = found(essay.title)
    assert essay.pk not in title_hits

    deleted = editor_client.get(reverse("admin:essays_essay_deleted")).content.decode()
    assert essay.display_title in deleted
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("admin:essays_essay_recover", args=[essay.pk]))
    assert response.status_code == 302
    recovered = Essay.objects.get(pk=essay.pk)
    assert sorted(recovered.sections.values_list("pk", "text")) == sections
    assert client.get(essay.get_absolute_url()).status_code == 200
    assert essay.pk in found(essay.title)
    still = editor_client.get(reverse("admin:essays_essay_deleted")).content.decode()
    assert reverse("admin:essays_essay_recover", args=[essay.pk]) not in still


def test_a_section_edited_on_its_own_makes_an_essay_version(corpus, editor_client):
    section = Section.objects.filter(essay=corpus[1]).order_by("order").first()
    url = reverse("admin:essays_section_change", args=[section.pk])
    data = form_data(editor_client.get(url).content.decode())
    data["text"] = "单独修改的章节"
    assert editor_client.post(url, data).status_code == 302
    latest = corpus[1].history.latest()
    assert latest.history_user.username == "bianji"
    assert latest.history_date > section.history.latest().history_date
