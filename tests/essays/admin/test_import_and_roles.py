"""Import from the admin after a preview; roles; login lockout; actions; list views."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from essays.models import Collection, Essay, Section, Topic
from search.services import search_essays
from tests.corpus import STANDALONE_SOURCE
from tests.essays.admin.conftest import PASSWORD

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/essays/collection/import/"


def counts() -> tuple[int, int, int]:
    return Collection.objects.count(), Essay.objects.count(), Section.objects.count()


def upload(client, name: str, data: bytes, **extra):
    return client.post(IMPORT_URL, {"source": SimpleUploadedFile(name, data), **extra})


def test_import_a_document_through_the_upload_with_preview_then_confirm(
    editor_client, client, django_capture_on_commit_callbacks
):
    changelist = editor_client.get(reverse("admin:essays_collection_changelist"))
    assert IMPORT_URL in changelist.content.decode()  # the button

    data = STANDALONE_SOURCE.read_bytes()
    preview = upload(editor_client, STANDALONE_SOURCE.name, data)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "预览" in html and "新文集" in html and "新建 1 篇" in html
    (essay_row,) = preview.context["rows"]
    _outcome, parsed_essay, label = essay_row
    assert label == "新建" and parsed_essay.title in html
    assert all(section.heading in html for section in parsed_essay.sections if section.heading)
    assert f"{len(parsed_essay.references)} 条" in html
    assert counts() == (0, 0, 0)  # nothing written by the preview

    with django_capture_on_commit_callbacks(execute=True):
        done = editor_client.post(IMPORT_URL, {"confirm": "1", "token": preview.context["token"]})
    assert done.status_code == 302
    essay = Essay.objects.get()
    assert essay.title == parsed_essay.title
    assert essay.sections.count() == len(parsed_essay.sections)
    assert essay.history.latest().history_user.username == "bianji"
    word = parsed_essay.sections[0].heading or parsed_essay.title
    assert essay.pk in {hit.essay_id for hit in search_essays(word).hits}
    assert client.get(essay.get_absolute_url()).status_code == 200

    again = upload(editor_client, STANDALONE_SOURCE.name, data)
    assert "已有文集" in again.content.decode() and "未变 1 篇" in again.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "文件是空的，没有可导入的内容。"),
        ("picture.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "这是二进制文件"),
        ("note.txt", "只有一行字".encode(), "没有在文件中找到任何文章。"),
    ],
)
def test_a_bad_upload_writes_nothing_and_shows_the_message(editor_client, name, data, message):
    response = upload(editor_client, name, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert counts() == (0, 0, 0)
    assert "token" not in response.context or not response.context.get("token")


def test_a_tampered_confirmation_writes_nothing(editor_client):
    response = editor_client.post(IMPORT_URL, {"confirm": "1", "token": "伪造的"})
    assert "预览已过期或无效" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_staff_user_without_the_group_is_refused(django_user_model, corpus):
    user = django_user_model.objects.create_user("linshi", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(user)
    essay = corpus[0]
    assert client.get(reverse("admin:essays_essay_changelist")).status_code == 403
    assert client.get(reverse("admin:essays_essay_change", args=[essay.pk])).status_code == 403
    assert client.get(IMPORT_URL).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "你没有查看或编辑的权限。" in index


def test_the_editors_group_can_edit_the_corpus_but_not_users_or_groups(editor_client, corpus):
    assert editor_client.get(reverse("admin:essays_essay_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:essays_topic_add")).status_code == 200
    assert editor_client.get(IMPORT_URL).status_code == 200
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:essays_collection_add")).status_code == 403


def test_repeated_failed_logins_lock_the_account_out(editor):
    client = Client()
    login = reverse("admin:login")
    for _ in range(4):
        response = client.post(login, {"username": "bianji", "password": "错误的密码"})
        assert response.status_code == 200  # the form again, with its error
    fifth = client.post(login, {"username": "bianji", "password": "错误的密码"})
    assert fifth.status_code == 429
    locked = client.post(login, {"username": "bianji", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录已被暂时锁定" in locked.content.decode()

    from axes.utils import reset

    reset(username="bianji")
    ok = client.post(login, {"username": "bianji", "password": PASSWORD})
    assert ok.status_code == 302


def test_the_admin_is_not_linked_from_public_pages(client, corpus):
    for url in ("/", corpus[0].get_absolute_url(), "/search/?q=城乡", "/topics/"):
        response = client.get(url)
        if response.status_code == 200:
            assert "/admin" not in response.content.decode(), url


def test_topic_actions_resuggest_and_reindex(
    editor_client, corpus, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:essays_essay_changelist")
    topic = Topic.objects.create(name="鲲鹏主题")
    chosen = [corpus[0].pk, corpus[1].pk]
    selection = {"action": "assign_topic", "_selected_action": chosen}
    ask = editor_client.post(changelist, selection)
    assert ask.status_code == 200 and "请选择主题" in ask.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = editor_client.post(changelist, {**selection, "apply": "1", "topic": topic.pk})
    assert done.status_code == 302
    assert set(topic.essays.values_list("pk", flat=True)) == set(chosen)
    assert {h.essay_id for h in search_essays("城乡", topic=topic).hits} <= set(chosen)
    assert search_essays("城乡", topic=topic).hits

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            changelist,
            {
                "action": "remove_topic",
                "_selected_action": chosen[:1],
                "apply": "1",
                "topic": topic.pk,
            },
        )
    assert list(topic.essays.values_list("pk", flat=True)) == chosen[1:]

    editor_client.post(changelist, {"action": "resuggest_topics", "_selected_action": chosen})
    assert not topic.essays.exists()  # no keywords: never suggested

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(changelist, {"action": "reindex", "_selected_action": chosen})
    assert response.status_code == 302 and callbacks


def test_essay_list_counts_filters_and_bounded_queries(
    editor_client, corpus, django_assert_max_num_queries
):
    url = reverse("admin:essays_essay_changelist")
    with django_assert_max_num_queries(15):
        response = editor_client.get(url)
    html = response.content.decode()
    assert "章节数" in html and "参考文献数" in html
    essay = corpus[3]
    row = next(r for r in response.context["cl"].result_list if r.pk == essay.pk)
    assert row.section_total == essay.sections.count()
    assert row.reference_total == essay.references.count()

    Essay.objects.filter(pk=essay.pk).update(title="编辑改过的标题")
    with django_assert_max_num_queries(15):
        edited = editor_client.get(url, {"edited": "yes"})
    assert [e.pk for e in edited.context["cl"].result_list] == [essay.pk]
    unedited = editor_client.get(url, {"edited": "no"}).context["cl"].result_count
    assert unedited == len(corpus) - 1


def test_topic_page_lists_its_essays(editor_client, corpus):
    topic = Topic.objects.get(slug="chengxiang-tongchou")
    html = editor_client.get(reverse("admin:essays_topic_change", args=[topic.pk])).content.decode()
    assert "这个主题的文章" in html
    for essay in topic.essays.all():
        assert reverse("admin:essays_essay_change", args=[essay.pk]) in html
