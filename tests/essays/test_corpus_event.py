"""The essays app announces every change to the corpus as one ``corpus_changed`` event
naming the essays concerned, and imports neither search nor the page cache's internals to
keep them current (they subscribe to the event)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from essays.models import Collection, Essay, Section
from essays.services.history import essay_revert
from essays.signals import corpus_changes, send_corpus_changed
from tests.corpus import ALL_SOURCES, import_essays
from tests.factories import make_essay, make_topic

ESSAYS = Path(__file__).resolve().parents[2] / "essays"

#: Modules essays must not import: search, the search engines, and the page cache's
#: internals (views may use ``pagecache.decorators``, the page cache's public marks).
FORBIDDEN = (
    "search",
    "haystack",
    "whoosh",
    "pagecache.apps",
    "pagecache.content_version",
    "pagecache.middleware",
    "portal.content_version",
    "portal.page_cache",
)


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports (``from a import b`` also names ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_essays_imports_neither_search_nor_the_page_cache_internals():
    found: dict[str, list[str]] = {}
    for path in sorted(ESSAYS.rglob("*.py")):
        found[str(path.relative_to(ESSAYS.parent))] = imported_modules(path)
    # The walk sees imports at any depth (a function's own import, too).
    assert "portal.errors.is_database_busy" in found["essays/admin/busy.py"]
    assert "pagecache.decorators.cacheable_page" in found["essays/views.py"]
    offenders = [
        f"{path}: {name}"
        for path, names in found.items()
        for name in names
        if any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN)
    ]
    assert offenders == []


def essay_ids_of(collection: Collection) -> set[int]:
    return set(collection.essays.values_list("pk", flat=True))


@pytest.mark.django_db
def test_an_import_sends_one_event_per_document_naming_all_its_essays(events):
    import_essays()
    collections = list(Collection.objects.order_by("pk"))
    assert len(collections) == len(ALL_SOURCES)
    assert events.ids == [essay_ids_of(c) for c in collections]
    assert sum(len(ids) for ids in events.ids) == Essay.objects.count() == 12
    # The documents were written in transactions of their own, as one batch.
    batches = {id(batch) for _, _, batch in events.seen}
    assert len(batches) == 1 and events.seen[0][2] is not None
    assert {using for _, using, _ in events.seen} == {"default"}


@pytest.mark.django_db
def test_an_atomic_import_sends_one_event_with_every_essay(events):
    import_essays(atomic=True)
    assert events.ids == [set(Essay.objects.values_list("pk", flat=True))]


@pytest.mark.django_db
def test_a_dry_run_sends_nothing(events):
    import_essays(dry_run=True)
    assert events.seen == [] and not Essay.objects.exists()


@pytest.mark.django_db
def test_a_revert_sends_one_event_for_the_essay(events):
    import_essays()
    essay = Essay.objects.filter(sections__isnull=False).order_by("pk").first()
    imported = essay.history.latest()
    with transaction.atomic():
        for section in essay.sections.all()[:2]:
            section.text += "改动"
            section.save()
    events.clear()
    essay_revert(essay=essay, history_id=imported.history_id)
    assert events.ids == [{essay.pk}]
    assert "改动" not in "".join(Section.objects.filter(essay=essay).values_list("text", flat=True))


@pytest.mark.django_db
def test_a_topic_taken_away_names_the_essays_once_the_rows_are_gone(events):
    topic = make_topic()
    first, second = make_essay(topics=[topic]), make_essay(topics=[topic])
    events.probe = lambda ids: Essay.objects.filter(pk__in=ids, topics=topic).count()
    events.clear()

    topic.essays.clear()
    assert events.ids == [{first.pk, second.pk}]
    assert events.probes == [0]  # sent after the relation rows went

    first.topics.add(topic)
    second.topics.add(topic)
    events.clear()
    topic.delete()
    assert {first.pk, second.pk} in events.ids
    assert events.probes[events.ids.index({first.pk, second.pk})] == 0


@pytest.mark.django_db
def test_topics_changed_from_either_side_name_the_essays(events):
    topic = make_topic()
    essay, other = make_essay(), make_essay()
    events.clear()
    essay.topics.add(topic)
    topic.essays.add(other)
    topic.essays.remove(essay)
    assert events.ids == [{essay.pk}, {other.pk}, {essay.pk}]
    events.clear()
    topic.name = "改名的主题"
    topic.save()
    assert events.ids == [{other.pk}]


@pytest.mark.django_db
def test_a_collection_renamed_changes_the_corpus_but_no_essay(events):
    essay = make_essay()
    events.clear()
    essay.collection.title = "新的文集标题"
    essay.collection.save()
    assert events.ids == [set()]


@pytest.mark.django_db
def test_generated_essays_are_one_event_and_so_is_their_removal(events, tmp_path, settings):
    import_essays()
    events.clear()
    call_command("generate_corpus", "--essays", "3", "--no-index", stdout=io.StringIO())
    generated = set(
        Essay.objects.filter(collection__title__startswith="合成文集").values_list("pk", flat=True)
    )
    assert len(generated) == 3
    assert events.ids == [generated]
    assert events.seen[0][2].reindex is False  # --no-index: search leaves it to a rebuild
    events.clear()
    call_command("generate_corpus", "--remove", "--no-index", stdout=io.StringIO())
    assert events.ids == [generated]


@pytest.mark.django_db
def test_a_block_sends_once_at_its_end_and_nothing_if_it_fails(events):
    essay = make_essay(sections=[{"text": "一"}, {"text": "二"}])
    events.clear()
    with corpus_changes() as changes:
        for section in essay.sections.all():
            section.text += "。"
            section.save()
        with corpus_changes():  # an inner block hands its changes to the outer one
            send_corpus_changed([424242])
        changes.add([essay.pk + 1000])
        assert events.seen == []  # nothing sent before the end
    assert events.ids == [{essay.pk, 424242, essay.pk + 1000}]

    events.clear()
    with pytest.raises(RuntimeError), corpus_changes():
        essay.title = "回滚的标题"
        essay.save()
        raise RuntimeError("写入失败")
    assert events.seen == []
    assert Essay.objects.get(pk=essay.pk).title != "回滚的标题"

    with corpus_changes():
        essay.title = "也被回滚的标题"
        essay.save()
        transaction.set_rollback(True)
    assert events.seen == []
