"""Editor input that used to break public pages or imports is refused with a Chinese
message at the form and model level, and values already stored (before validation, or
by a raw query) cannot break the feed, the essay and topic pages, the API or an import."""

from __future__ import annotations

import xml.dom.minidom

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse

from essays.models import Collection, Essay, Reference, Section, Topic
from tests.corpus import STANDALONE_SOURCE, import_essays
from tests.essays.admin.conftest import form_data
from tests.factories import make_essay, make_topic

pytestmark = pytest.mark.django_db

EDITED_MODELS = [Topic, Collection, Essay, Section, Reference]
CONTROLS = ["\x0b", "\x1b", "\x00", "\x7f", "\x85"]


def text_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and field.editable
        and not isinstance(field, models.SlugField)
        and field.name
        not in {"raw_text", "source_name", "source_sha256", "source_fingerprint", "source_encoding"}
    ]


def valid_instance(model):
    essay = make_essay(sections=[{"heading": "一", "text": "正文"}], references=[{"text": "文献"}])
    return {
        Topic: make_topic(keywords={"城乡": 1}),
        Collection: essay.collection,
        Essay: essay,
        Section: essay.sections.first(),
        Reference: essay.references.first(),
    }[model]


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("control", CONTROLS, ids=repr)
def test_every_editable_text_field_refuses_control_characters(model, control):
    instance = valid_instance(model)
    instance.full_clean()
    fields = text_fields(model)
    assert fields
    for name in fields:
        original = getattr(instance, name)
        setattr(instance, name, f"城乡{control}统筹")
        with pytest.raises(ValidationError) as refused:
            instance.full_clean()
        assert name in refused.value.message_dict, name
        assert "控制字符" in " ".join(refused.value.message_dict[name])
        setattr(instance, name, original)


def test_tab_and_line_breaks_are_still_text():
    essay = make_essay(intro="第一段\r\n第二段\t续")
    essay.full_clean()


def change_url(obj) -> str:
    return reverse(f"admin:essays_{obj._meta.model_name}_change", args=[obj.pk])


def test_the_essay_form_refuses_a_control_character_and_keeps_the_input(editor_client, client):
    essay = make_essay(title="原来的标题")
    data = form_data(editor_client.get(change_url(essay)).content.decode())
    data["title"] = "新标题\x1b[31m"
    response = editor_client.post(change_url(essay), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "控制字符 U+001B" in page
    assert "新标题" in page
    essay.refresh_from_db()
    assert essay.title == "原来的标题"
    assert client.get("/feeds/essays.atom").status_code == 200


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ('["城乡", 5]', "非空的文字"),
        ('[{"城乡": 1}]', "非空的文字"),
        ('["城乡\\u001b"]', "控制字符"),
        ("城乡\x1b；统筹", "控制字符"),
        ("[" * 5000 + "]" * 5000, "嵌套太深"),
        ('[["城乡"]]', "非空的文字"),
        ("城乡" * 30, "太长"),
    ],
)
def test_the_essay_form_refuses_keywords_that_are_not_a_list_of_words(
    editor_client, keywords, message
):
    essay = make_essay(keywords=["原有"])
    data = form_data(editor_client.get(change_url(essay)).content.decode())
    data["keywords"] = keywords
    response = editor_client.post(change_url(essay), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    essay.refresh_from_db()
    assert essay.keywords == ["原有"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123", ["123"]),
        ('"城乡"', ["城乡"]),
        ("城乡；统筹、镇村", ["城乡", "统筹", "镇村"]),
    ],
)
def test_whatever_is_typed_is_stored_as_a_list_of_words(editor_client, client, typed, stored):
    essay = make_essay(keywords=["原有"])
    data = form_data(editor_client.get(change_url(essay)).content.decode())
    data["keywords"] = typed
    assert editor_client.post(change_url(essay), data).status_code == 302
    essay.refresh_from_db()
    assert essay.keywords == stored
    assert client.get(essay.get_absolute_url()).status_code == 200
    assert client.get(f"/api/essays/{essay.pk}/").json()["keywords"] == stored


def test_the_essay_form_takes_a_list_of_words(editor_client):
    essay = make_essay(keywords=["原有"])
    data = form_data(editor_client.get(change_url(essay)).content.decode())
    data["keywords"] = '["城乡统筹", "镇村"]'
    assert editor_client.post(change_url(essay), data).status_code == 302
    essay.refresh_from_db()
    assert essay.keywords == ["城乡统筹", "镇村"]


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ('["城乡", "统筹"]', "映射"),
        ("5", "映射"),
        ('{"城乡": "很重要"}', "权重"),
        ('{"城乡": true}', "权重"),
        ('{"城乡": -1}', "权重"),
        ('{"城乡": 1e400}', "权重"),
        ('{"": 1}', "非空的文字"),
        ('{"a": {"b": {"c": {"d": 1}}}}', "嵌套太深"),
        ("{" * 5000, "嵌套太深"),
    ],
)
def test_the_topic_form_refuses_keywords_that_are_not_word_weights(
    editor_client, keywords, message
):
    topic = make_topic(keywords={"城乡": 1})
    data = form_data(editor_client.get(change_url(topic)).content.decode())
    data["keywords"] = keywords
    response = editor_client.post(change_url(topic), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    topic.refresh_from_db()
    assert topic.keywords == {"城乡": 1}


def test_bad_values_already_stored_break_no_public_page_and_no_import(
    client, corpus, editor_client
):
    essay = corpus[0]
    topic = Topic.objects.order_by("pk").first()
    essay.topics.add(topic)
    # Written behind the validators' back, as before this change or by raw SQL.
    Essay.objects.filter(pk=essay.pk).update(
        title="坏\x0b标题\x1b", short_title="坏\x0b标题\x1b", keywords=123
    )
    Essay.objects.filter(pk=corpus[1].pk).update(keywords=["好词", 7, None, {"a": 1}])
    Topic.objects.filter(pk=topic.pk).update(keywords=["城乡", "统筹"])
    Topic.objects.exclude(pk=topic.pk).update(keywords={"城乡": "很重要", "服务": 3})

    reader = Client(raise_request_exception=False)
    feed = reader.get("/feeds/essays.atom")
    assert feed.status_code == 200
    titles = [
        node.firstChild.data
        for node in xml.dom.minidom.parseString(feed.content).getElementsByTagName("title")
    ]
    assert any(title.startswith("坏标题") for title in titles)
    for url in (
        essay.get_absolute_url(),
        corpus[1].get_absolute_url(),
        f"/api/essays/{essay.pk}/",
        f"/api/essays/{corpus[1].pk}/",
        topic.get_absolute_url(),
        "/topics/",
        "/",
    ):
        assert reader.get(url).status_code == 200, url
    assert reader.get(f"/api/essays/{essay.pk}/").json()["keywords"] == []
    assert reader.get(f"/api/essays/{corpus[1].pk}/").json()["keywords"] == ["好词"]
    assert "好词" in reader.get(corpus[1].get_absolute_url()).content.decode()
    # The editors can open what is stored, to correct it.
    for url in (
        change_url(essay),
        reverse("admin:essays_essay_history", args=[essay.pk]),
        change_url(topic),
    ):
        assert editor_client.get(url).status_code == 200, url

    # Topic suggestion reads every topic's keywords.
    import_essays(STANDALONE_SOURCE, force=True)
    assert Collection.objects.filter(source_name=STANDALONE_SOURCE.name).exists()


def test_the_importer_drops_control_characters(tmp_path):
    text = STANDALONE_SOURCE.read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    source = tmp_path / "doc.txt"
    source.write_text(text.replace(first_line, first_line[:2] + "\x1b" + first_line[2:], 1))
    import_essays(source)
    for essay in Essay.objects.all():
        essay.full_clean(exclude=["collection"])
    for collection in Collection.objects.all():
        assert "\x1b" not in collection.title
