"""Essay history: versions, reverting with sections and references, recovering deletes."""

import pytest

from essays.content import content_fingerprint, stored_essay_content
from essays.models import Essay, Reference, Section
from essays.services.history import (
    HistoryError,
    essay_history_baseline,
    essay_recover,
    essay_revert,
    essay_version_record,
)
from essays.services.imports import Action
from tests.corpus import COLLECTION_SOURCE, import_essays
from tests.factories import make_essay, make_topic

pytestmark = pytest.mark.django_db


def snapshot(essay):
    essay = Essay.objects.get(pk=essay.pk)
    return (
        stored_essay_content(essay),
        sorted(essay.topics.values_list("slug", flat=True)),
        sorted(essay.sections.values_list("pk", flat=True)),
    )


def test_import_records_sections_references_then_one_essay_version():
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.filter(references__isnull=False).order_by("pk").first()
    (version,) = essay.history.all()
    assert version.history_type == "+"
    assert version.history_change_reason.startswith("导入《")
    assert Section.history.filter(essay_id=essay.pk).count() == essay.sections.count()
    assert Reference.history.filter(essay_id=essay.pk).count() == essay.references.count()
    latest_row = max(
        Section.history.filter(essay_id=essay.pk).latest("history_date").history_date,
        Reference.history.filter(essay_id=essay.pk).latest("history_date").history_date,
    )
    assert version.history_date >= latest_row


def test_revert_restores_fields_topics_sections_and_references():
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.filter(references__isnull=False).order_by("pk").first()
    imported = essay.history.latest()
    before = snapshot(essay)

    first, second = essay.sections.order_by("order")[:2]
    first.text = "改写的正文"
    first.save()
    second.delete()
    Section.objects.create(essay=essay, order=999, heading="新加的章节")
    essay.references.order_by("order").first().delete()
    essay.topics.set([make_topic(name="新主题")])
    essay.title = "改过的标题"
    essay.save()
    essay_version_record(essay=essay)
    assert snapshot(essay) != before

    essay_revert(essay=essay, history_id=imported.history_id)
    assert snapshot(essay) == before
    # Reverted to what the importer wrote: a re-import sees no editor's change.
    essay.refresh_from_db()
    assert content_fingerprint(stored_essay_content(essay)) == essay.import_fingerprint
    report = import_essays(COLLECTION_SOURCE, dry_run=True)
    assert Action.SKIPPED.value not in report and "跳过 0 篇" in report


def test_reverting_to_an_edited_version_keeps_it_an_editors_edit():
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.filter(references__isnull=False).order_by("pk").first()
    section = essay.sections.order_by("order").first()
    section.text = "编辑改过"
    section.save()
    essay_version_record(essay=essay)
    edited = essay.history.latest()
    section.text = "又改了一次"
    section.save()
    essay_version_record(essay=essay)

    essay_revert(essay=essay, history_id=edited.history_id)
    essay.refresh_from_db()
    assert essay.sections.order_by("order").first().text == "编辑改过"
    assert content_fingerprint(stored_essay_content(essay)) != essay.import_fingerprint


def test_baseline_makes_rows_without_history_revertible():
    essay = make_essay(sections=[{"heading": "甲", "text": "原文"}, {"heading": "乙"}])
    Essay.history.all().delete()
    Section.history.all().delete()
    essay_history_baseline(essay=essay)
    baseline = essay.history.get()
    section = essay.sections.get(heading="甲")
    section.text = "改文"
    section.save()
    essay_revert(essay=essay, history_id=baseline.history_id)
    assert essay.sections.get(heading="甲").text == "原文"
    essay_history_baseline(essay=essay)  # idempotent: history exists now
    assert essay.history.filter(history_change_reason="开始记录历史前的内容").count() == 1


def test_recover_a_deleted_essay_with_its_sections_references_and_topics():
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.filter(references__isnull=False).order_by("pk").first()
    essay.topics.add(make_topic(name="恢复用主题"))
    before = snapshot(essay)
    essay_id = essay.pk
    essay.delete()
    assert not Section.objects.filter(essay_id=essay_id).exists()

    essay_recover(essay_id=essay_id)
    assert snapshot(Essay.objects.get(pk=essay_id)) == before
    with pytest.raises(HistoryError):
        essay_recover(essay_id=essay_id)


def test_revert_to_an_unknown_version_is_refused():
    essay = make_essay()
    with pytest.raises(HistoryError, match="找不到"):
        essay_revert(essay=essay, history_id=987654)


def test_rows_without_history_are_kept_when_reverting_to_an_older_essay_version():
    essay = make_essay(sections=[{"heading": "甲", "text": "原文"}])
    Section.history.all().delete()  # the essay has a version, its section none
    first = essay.history.get()
    essay_history_baseline(essay=essay)
    section = essay.sections.get()
    section.text = "改文"
    section.save()
    essay_version_record(essay=essay)
    essay_revert(essay=essay, history_id=first.history_id)
    assert essay.sections.get().text == "原文"
