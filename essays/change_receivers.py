"""Model signals → the one :data:`~essays.signals.corpus_changed` event.

Every save and delete of an essay, section, reference, topic or collection, and every
change to essays' topics (from either side of the relation), sends the event naming the
essays concerned; :func:`connect` wires them (``EssaysConfig.ready``). Writes that send
no per-row signals (bulk inserts, ``update()``, raw deletes) announce themselves with
:func:`essays.signals.send_corpus_changed`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, signals

from essays.models import Collection, Essay, Reference, Section, Topic
from essays.signals import send_corpus_changed

#: Set on a topic between its ``pre_delete``/``pre_clear`` and the matching ``post_``
#: signal: the essays that lose it (the relation rows are gone afterwards).
_LOSING = "_corpus_essays_losing_topic"


def _topic_essay_ids(topic: Topic) -> list[int]:
    return list(topic.essays.values_list("pk", flat=True)) if topic.pk is not None else []


def row_saved_or_deleted(
    sender: type[Model], instance: Model, using: str | None = None, **kwargs: Any
) -> None:
    """An essay, section, reference or collection was saved or deleted."""
    if isinstance(instance, Essay):
        ids = [instance.pk]
    elif isinstance(instance, Section | Reference):
        ids = [instance.essay_id]
    else:  # a collection: its title is on pages, not in the essays' search documents
        ids = []
    send_corpus_changed(ids, using=using)


def topic_saved(sender: type[Topic], instance: Topic, using: str | None = None, **kw: Any) -> None:
    """A topic was saved: the essays holding it show (and are searched by) its name."""
    send_corpus_changed(_topic_essay_ids(instance), using=using)


def topic_deleting(sender: type[Topic], instance: Topic, **kwargs: Any) -> None:
    """Remember which essays lose a topic being deleted (its relation rows go with it)."""
    setattr(instance, _LOSING, _topic_essay_ids(instance))


def topic_deleted(
    sender: type[Topic], instance: Topic, using: str | None = None, **kwargs: Any
) -> None:
    """A topic was deleted: the essays that had it changed."""
    send_corpus_changed(getattr(instance, _LOSING, []), using=using)


def essay_topics_changed(
    sender: type[Model],
    instance: Essay | Topic,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    using: str | None = None,
    **kwargs: Any,
) -> None:
    """Topics were added to or taken from essays, from either side of the relation."""
    if not reverse:  # essay.topics.add/remove/clear/set
        if action in {"post_add", "post_remove", "post_clear"}:
            send_corpus_changed([instance.pk], using=using)
    elif action == "pre_clear":  # topic.essays.clear(): remember who is losing it
        setattr(instance, _LOSING, _topic_essay_ids(instance))  # type: ignore[arg-type]
    elif action == "post_clear":
        send_corpus_changed(getattr(instance, _LOSING, []), using=using)
    elif action in {"post_add", "post_remove"}:
        send_corpus_changed(pk_set or [], using=using)


def tables_rewritten(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    """``migrate`` or ``flush`` changed tables without per-row signals."""
    send_corpus_changed([], using=using)


def connect(app_config: Any) -> None:
    """Connect the receivers above (idempotent: each has a dispatch uid)."""
    for model in (Collection, Essay, Section, Reference):
        label = model._meta.label
        signals.post_save.connect(
            row_saved_or_deleted, sender=model, dispatch_uid=f"corpus-save-{label}"
        )
        signals.post_delete.connect(
            row_saved_or_deleted, sender=model, dispatch_uid=f"corpus-delete-{label}"
        )
    signals.post_save.connect(topic_saved, sender=Topic, dispatch_uid="corpus-topic-save")
    signals.pre_delete.connect(topic_deleting, sender=Topic, dispatch_uid="corpus-topic-deleting")
    signals.post_delete.connect(topic_deleted, sender=Topic, dispatch_uid="corpus-topic-delete")
    signals.m2m_changed.connect(
        essay_topics_changed, sender=Essay.topics.through, dispatch_uid="corpus-essay-topics"
    )
    signals.post_migrate.connect(tables_rewritten, sender=app_config, dispatch_uid="corpus-migrate")
