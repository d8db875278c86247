"""Index maintenance: every change reaches the index when its transaction commits."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from essays.models import Essay, Reference, Section, Topic
from pagecache import content_version
from pagecache.middleware import STATUS_HEADER
from search import outbox
from search.backends import get_backend
from search.models import PendingReindex
from search.services import search_essays
from tests.essays.admin.conftest import form_data
from tests.search.conftest import SOURCES

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


# One corpus event, both subscribers -----------------------------------------------------


def _version_file() -> str:
    path = content_version.version_path()
    return path.read_text() if path.exists() else ""


def _cached_twice(client, url: str) -> None:
    client.get(url)
    assert client.get(url)[STATUS_HEADER] == "hit"


def test_one_admin_save_is_one_event_the_page_cache_and_search_both_follow(
    corpus, admin_client, client, events, django_capture_on_commit_callbacks
):
    essay = corpus[6]
    assert essay.sections.count() >= 2
    page = essay.get_absolute_url()
    _cached_twice(client, page)
    before = _version_file()
    change_url = reverse("admin:essays_essay_change", args=[essay.pk])
    data = form_data(admin_client.get(change_url).content.decode())
    data["title"] += "（修订）"
    data["sections-0-text"] += NEW_WORDS
    data["sections-1-text"] += "。"
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change_url, data).status_code == 302

    # The essay, two inlines and the version claim: one event, naming the essay.
    assert events.ids == [{essay.pk}]
    assert _version_file() != before  # every process sees the change
    assert NEW_WORDS in client.get(page).content.decode()
    assert found(NEW_WORDS) == {essay.pk}
    assert not PendingReindex.objects.filter(essay_id=essay.pk).exists()  # written


def test_an_import_is_one_event_per_document_and_one_index_write(
    corpus, client, events, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    backend = get_backend()
    writes = []
    original = type(backend).index

    def counting_index(self, essay_ids):
        writes.append(sorted(essay_ids))
        return original(self, essay_ids)

    monkeypatch.setattr(type(backend), "index", counting_index)
    first = Essay.objects.get(intro__contains="城郊乡位于县城周边")
    second = Essay.objects.get(sections__text__contains="经济全球化、信息化、市场化与民主化")
    for essay in (first, second):
        _cached_twice(client, essay.get_absolute_url())
    before = _version_file()
    changed = []
    for source, text, marker in (
        (SOURCES[0], "城郊乡位于县城周边", "鹦鹉螺号"),
        (SOURCES[1], "经济全球化、信息化、市场化与民主化", "麒麟踏雪"),
    ):
        path = tmp_path / source.name
        path.write_text(source.read_text(encoding="utf-8").replace(text, text + marker), "utf-8")
        changed.append(str(path))
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_essays", *changed, stdout=io.StringIO())

    # One event per document (its own transaction), naming the essays it rewrote; one
    # index write for the whole run, at its end.
    assert events.ids == [{first.pk}, {second.pk}]
    assert writes == [sorted([first.pk, second.pk])]
    assert _version_file() != before
    assert "鹦鹉螺号" in client.get(first.get_absolute_url()).content.decode()
    assert "麒麟踏雪" in client.get(second.get_absolute_url()).content.decode()
    assert (found("鹦鹉螺号"), found("麒麟踏雪")) == ({first.pk}, {second.pk})
    assert not PendingReindex.objects.filter(essay_id__in=[first.pk, second.pk]).exists()


def test_a_rolled_back_change_reaches_neither_the_page_cache_nor_search(
    corpus, client, events, django_capture_on_commit_callbacks
):
    essay = corpus[6]
    page = essay.get_absolute_url()
    _cached_twice(client, page)
    before = _version_file()
    waiting = outbox.pending_rows()  # (the corpus fixture's own rows, if any)
    events.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        section = essay.sections.order_by("order").first()
        section.text += NEW_WORDS
        section.save()
        essay.topics.clear()
        transaction.set_rollback(True)
    assert events.ids  # announced inside the transaction…
    assert callbacks == []  # …but nothing was left to run on a commit
    assert _version_file() == before
    assert outbox.pending_rows() == waiting  # no row added, none renewed
    assert found(NEW_WORDS) == set()
    assert NEW_WORDS not in client.get(page).content.decode()


def test_a_transactional_backend_indexes_inside_the_transaction_without_an_outbox(
    corpus, admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    """A backend whose index lives in the database (PostgreSQL) is written in the
    editor's own transaction, once per event; here whoosh stands in for it."""
    backend = get_backend()
    writes = []
    original = type(backend).index

    def counting_index(self, essay_ids):
        writes.append(sorted(essay_ids))
        return original(self, essay_ids)

    monkeypatch.setattr(type(backend), "transactional", True)
    monkeypatch.setattr(type(backend), "index", counting_index)
    essay = corpus[5]
    waiting = outbox.pending_rows()  # (the corpus fixture's own rows, if any)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        section = essay.sections.order_by("order").first()
        section.text += NEW_WORDS
        section.save()
        assert writes == [[essay.pk]]  # before the commit, in the same transaction
        assert found(NEW_WORDS) == {essay.pk}
        assert outbox.pending_rows() == waiting  # no outbox row

    change_url = reverse("admin:essays_essay_change", args=[essay.pk])
    data = form_data(admin_client.get(change_url).content.decode())
    data["sections-0-text"] = data["sections-0-text"].replace(NEW_WORDS, "鲲鹏丙")
    data["sections-1-text"] += "。"
    writes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change_url, data).status_code == 302
    assert writes == [[essay.pk]]  # one write for the whole save
    assert found("鲲鹏丙") == {essay.pk} and found(NEW_WORDS) == set()
    assert outbox.pending_rows() == waiting  # no row added, none renewed
