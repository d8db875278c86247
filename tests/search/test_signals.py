"""Index maintenance: every change reaches the index when its transaction commits."""

from html.parser import HTMLParser

import pytest
from django.db import transaction

from essays.models import Essay, Reference, Section, Topic
from search.services import search_essays

pytestmark = pytest.mark.django_db

NEW_WORDS = "鲲鹏展翅计划"


def found(query):
    return {hit.essay_id for hit in search_essays(query).hits}


def test_section_saved_is_indexed_on_commit(corpus, django_capture_on_commit_callbacks):
    section = Section.objects.filter(essay=corpus[0]).first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        section.text += NEW_WORDS
        section.save()
        assert found(NEW_WORDS) == set()  # nothing is indexed before the commit
    assert callbacks
    assert found(NEW_WORDS) == {corpus[0].pk}


def test_rolled_back_changes_never_reach_the_index(corpus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        section = Section.objects.filter(essay=corpus[0]).first()
        section.text += NEW_WORDS
        section.save()
        transaction.set_rollback(True)
    assert found(NEW_WORDS) == set()


def test_references_topics_and_deletes(corpus, django_capture_on_commit_callbacks):
    essay = corpus[1]
    with django_capture_on_commit_callbacks(execute=True):
        Reference.objects.create(essay=essay, order=99, text=f"[99]{NEW_WORDS}[M].2020")
    assert found(NEW_WORDS) == {essay.pk}

    topic = Topic.objects.get(slug="fuwu-yishi")
    with django_capture_on_commit_callbacks(execute=True):
        essay.topics.add(topic)
    assert essay.pk in {h.essay_id for h in search_essays(NEW_WORDS, topic=topic).hits}
    with django_capture_on_commit_callbacks(execute=True):
        topic.essays.remove(essay)
    assert search_essays(NEW_WORDS, topic=topic).hits == []
    with django_capture_on_commit_callbacks(execute=True):
        essay.topics.add(topic)
        topic.essays.clear()
    assert search_essays(NEW_WORDS, topic=topic).hits == []

    with django_capture_on_commit_callbacks(execute=True):
        Reference.objects.filter(essay=essay, order=99).delete()
    assert found(NEW_WORDS) == set()

    with django_capture_on_commit_callbacks(execute=True):
        Essay.objects.filter(pk=essay.pk).delete()
    assert essay.pk not in found("劳动力")


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin change form."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [] if "multiple" in attrs else "")
        elif tag == "option" and self._select and "selected" in attrs:
            value = attrs.get("value", "")
            if isinstance(self.data[self._select], list):
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_editing_a_section_in_the_admin_is_found_at_once(
    corpus, admin_client, django_capture_on_commit_callbacks
):
    essay = corpus[6]
    url = f"/admin/essays/essay/{essay.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = parser.data
    prefix = next(k[: -len("-0-text")] for k in data if k.endswith("-0-text") and "section" in k)
    data[f"{prefix}-0-text"] += NEW_WORDS
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found(NEW_WORDS) == {essay.pk}
    hit = search_essays(NEW_WORDS)
    from search.services import present

    (result,) = present(hit.hits, hit.parsed)
    assert result.section == essay.sections.order_by("order").first()
    assert result.url.endswith(f"#{result.section.anchor}")


def test_reindex_essays_in_batches_and_removes_the_missing_together(corpus, search_index):
    from search.backends.whoosh.writing import write_essays as reindex_essays

    first, second = corpus[0], corpus[1]
    Section.objects.filter(essay=first).update(text=NEW_WORDS)
    Section.objects.filter(essay=second).update(text=NEW_WORDS)
    reindex_essays([first.pk, second.pk], batch_size=1)
    assert found(NEW_WORDS) == {first.pk, second.pk}
    writers = []
    original = search_index._writer

    def counting_writer():
        writers.append(1)
        return original()

    search_index._writer = counting_writer
    try:
        Essay.objects.filter(pk__in=[first.pk, second.pk]).delete()
        reindex_essays([first.pk, second.pk])
    finally:
        del search_index._writer
    assert found(NEW_WORDS) == set()
    assert len(writers) == 1  # both removed with one writer
