"""An essay's history as versions: record them, revert to one, recover a deleted essay.

django-simple-history records every save and delete of an essay, section, reference and
topic (and an essay's topics with each essay record). An essay *version* is one essay
record; it is written last in a change set (after the sections and references it touched),
so "the essay as of a version" is every record up to that record's time: the essay's
fields and topics from the record, its sections and references as they were then.

Rows that existed before history was kept (or were loaded raw) get a *baseline* record
before their first change, so what they were can always be restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from essays.models import Essay, Reference, Section, essay_history
from essays.signals import corpus_changes, send_corpus_changed

#: Added to an essay's section/reference orders while they are rearranged on a revert.
_ORDER_OFFSET = 1_000_000

BASELINE_REASON = "开始记录历史前的内容"


def change_reason(text: str) -> str:
    """``text`` fitted to the history's change-reason column (an ellipsis ends a cut one):
    a reason naming a long paper title must not fail the save (PostgreSQL enforces the
    column's length; SQLite does not)."""
    limit = Essay.history.model._meta.get_field("history_change_reason").max_length or 100
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HistoryError(Exception):
    """A revert or recovery that cannot be done; the message is for the editor (Chinese)."""


def _tracked_values(instance: models.Model, model: type[models.Model]) -> tuple[Any, ...]:
    return tuple(getattr(instance, f.attname) for f in model._meta.concrete_fields)


def essay_version_record(*, essay: Essay, reason: str = "", created: bool = False) -> None:
    """Record the essay as it is now (fields and topics) as one version in its history."""
    if reason:
        essay._change_reason = change_reason(reason)  # type: ignore[attr-defined]
    essay_history.create_historical_record(essay, "+" if created else "~")
    if reason:
        del essay._change_reason  # type: ignore[attr-defined]


@transaction.atomic
def essay_history_baseline(*, essay: Essay) -> None:
    """Give the essay, its sections and references a first record if they have none.

    Rows without history are dated back to the essay's first version if it has one
    (nothing is known of their changes, so they are taken to have been there all along):
    reverting to any version of the essay then keeps them.
    """
    first = Essay.history.filter(id=essay.pk).order_by("history_date").first()
    when = first.history_date if first is not None else timezone.now()
    for model, rows in (
        (Section, Section.objects.filter(essay=essay)),
        (Reference, Reference.objects.filter(essay=essay)),
    ):
        tracked = set(model.history.filter(essay_id=essay.pk).values_list("id", flat=True))
        untracked = [row for row in rows if row.pk not in tracked]
        if untracked:
            model.history.bulk_history_create(
                untracked, default_date=when, default_change_reason=BASELINE_REASON
            )
    if first is None:
        essay._history_date = when  # type: ignore[attr-defined]
        try:
            essay_version_record(essay=essay, reason=BASELINE_REASON)
        finally:
            del essay._history_date  # type: ignore[attr-defined]


def _restore_rows(
    *, model: type[Section] | type[Reference], essay: Essay, as_of: datetime, reason: str
) -> None:
    """Make the essay's rows of ``model`` what they were at ``as_of`` (same primary keys)."""
    wanted = {row.pk: row for row in model.history.as_of(as_of).filter(essay_id=essay.pk)}
    tracked = set(model.history.filter(essay_id=essay.pk).values_list("id", flat=True))
    current = {row.pk: row for row in model.objects.filter(essay=essay)}

    extra = [pk for pk in current if pk not in wanted and pk in tracked]
    for row in model.objects.filter(pk__in=extra):
        row._change_reason = change_reason(reason)
        row.delete()
    current = {row.pk: row for row in model.objects.filter(essay=essay)}  # after cascades
    changed = [
        row
        for pk, row in wanted.items()
        if pk not in current or _tracked_values(row, model) != _tracked_values(current[pk], model)
    ]
    # Free the orders the changed rows will take (deletes may have cascaded to children).
    model.objects.filter(pk__in=[row.pk for row in changed]).update(
        order=models.F("order") + _ORDER_OFFSET
    )
    send_corpus_changed([essay.pk])  # update() sends no signal (the saves below do, if any)
    for row in sorted(changed, key=lambda r: r.order):
        row._state.adding = not model.objects.filter(pk=row.pk).exists()
        row._change_reason = change_reason(reason)
        row.save()


def _restore(*, essay_id: int, record: Any, as_of: datetime, reason: str) -> Essay:
    """Restore essay ``essay_id`` to ``record`` (its fields, topics) and ``as_of`` (the rest)."""
    essay = Essay.objects.filter(pk=essay_id).first()
    restored = record.instance
    if essay is None:
        essay = restored
        essay._state.adding = True
    else:
        for field in Essay._meta.concrete_fields:
            if field.name not in {"id", "created_at", "updated_at"}:
                setattr(essay, field.attname, getattr(restored, field.attname))
    essay.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        essay.save()
        if restored.created_at and essay.created_at != restored.created_at:
            Essay.objects.filter(pk=essay.pk).update(created_at=restored.created_at)
            send_corpus_changed([essay.pk])  # update() sends no signal; the feed shows it
            essay.created_at = restored.created_at
        topic_ids = set(record.topics.values_list("topic_id", flat=True))
        essay.topics.set(essay.topics.model.objects.filter(pk__in=topic_ids))
    finally:
        del essay.skip_history_when_saving  # type: ignore[attr-defined]
    _restore_rows(model=Section, essay=essay, as_of=as_of, reason=reason)
    _restore_rows(model=Reference, essay=essay, as_of=as_of, reason=reason)
    essay_version_record(essay=essay, reason=reason)
    return essay


@corpus_changes()
def essay_revert(*, essay: Essay, history_id: int) -> Essay:
    """Revert an essay with its topics, sections and references to one of its versions
    (one transaction, announced as one corpus event)."""
    record = Essay.history.filter(id=essay.pk, history_id=history_id).first()
    if record is None or record.history_type == "-":
        raise HistoryError("找不到这篇文章的这个版本。")
    Essay.objects.select_for_update().filter(pk=essay.pk).first()
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S")
    return _restore(
        essay_id=essay.pk, record=record, as_of=record.history_date, reason=f"恢复到 {when} 的版本"
    )


@corpus_changes()
def essay_recover(*, essay_id: int) -> Essay:
    """Bring back a deleted essay as it was just before it was deleted (one transaction,
    announced as one corpus event)."""
    if Essay.objects.filter(pk=essay_id).exists():
        raise HistoryError("这篇文章没有被删除。")
    deletion = Essay.history.filter(id=essay_id).order_by("-history_date").first()
    if deletion is None or deletion.history_type != "-":
        raise HistoryError("找不到这篇文章被删除前的记录，无法恢复。")
    # The last moment before the delete (which removed the sections and references first).
    dates = [
        date
        for date in (
            model.history.filter(**{key: essay_id}, history_date__lte=deletion.history_date)
            .exclude(history_type="-")
            .aggregate(last=Max("history_date"))["last"]
            for model, key in ((Essay, "id"), (Section, "essay_id"), (Reference, "essay_id"))
        )
        if date is not None
    ]
    if not dates:
        raise HistoryError("找不到这篇文章被删除前的记录，无法恢复。")
    as_of = max(dates)
    record = (
        Essay.history.filter(id=essay_id, history_date__lte=as_of)
        .exclude(history_type="-")
        .order_by("-history_date")
        .first()
    )
    if record is None:
        raise HistoryError("找不到这篇文章被删除前的记录，无法恢复。")
    return _restore(essay_id=essay_id, record=record, as_of=as_of, reason="恢复已删除的文章")


def essays_history_baseline(*, essays: Iterable[Essay]) -> None:
    """:func:`essay_history_baseline` for several essays."""
    for essay in essays:
        essay_history_baseline(essay=essay)
