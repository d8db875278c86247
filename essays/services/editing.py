"""Editors' writes from the admin: safe concurrent saves, topic actions, re-indexing.

Every change here goes through the models' save/add/remove, so it is recorded in the
essays' history and announced as one :data:`essays.signals.corpus_changed` event per
action (the page cache and the search index follow it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from essays.importer.parsed import ParsedEssay, ParsedSection
from essays.models import Essay, Topic
from essays.services.history import essay_history_baseline, essay_version_record
from essays.services.topics import suggest_topics
from essays.signals import corpus_changes, send_corpus_changed


class EditConflict(Exception):
    """Someone else saved the essay since this editor opened it."""


def version_token(updated_at: datetime | None) -> str:
    """The concurrency token of an essay: its last-saved time, to the microsecond."""
    return updated_at.isoformat() if updated_at else ""


@transaction.atomic
def essay_version_claim(*, essay_id: int, token: str) -> None:
    """Claim the right to save an essay opened at version ``token``, or raise EditConflict.

    A conditional UPDATE does the check and the claim in one statement, so of two
    editors saving the same version only the first gets it; the caller's transaction
    then writes the rest of the edit.
    """
    current = Essay.objects.filter(pk=essay_id).values_list("updated_at", flat=True).first()
    if current is None or version_token(current) != token:
        raise EditConflict
    claimed = Essay.objects.filter(pk=essay_id, updated_at=current).update(
        updated_at=timezone.now()
    )
    if claimed != 1:
        raise EditConflict
    # update() sends no signal; updated_at orders the feed and home page.
    send_corpus_changed([essay_id])


@corpus_changes()
def essays_topic_assign(*, essays: Iterable[Essay], topic: Topic) -> int:
    """Put ``topic`` on each essay that lacks it; returns how many essays changed."""
    changed = 0
    for essay in essays:
        if not essay.topics.filter(pk=topic.pk).exists():
            essay_history_baseline(essay=essay)
            essay.topics.add(topic)
            changed += 1
    return changed


@corpus_changes()
def essays_topic_remove(*, essays: Iterable[Essay], topic: Topic) -> int:
    """Take ``topic`` off each essay that has it; returns how many essays changed."""
    changed = 0
    for essay in essays:
        if essay.topics.filter(pk=topic.pk).exists():
            essay_history_baseline(essay=essay)
            essay.topics.remove(topic)
            changed += 1
    return changed


def _parsed_from_stored(essay: Essay) -> ParsedEssay:
    """The stored essay in the importer's shape, for topic suggestion."""
    return ParsedEssay(
        number=essay.number,
        title=essay.title,
        subtitle=essay.subtitle,
        intro=essay.intro,
        keywords=essay.keyword_list,
        sections=[
            ParsedSection(level=s.level, number=s.number, heading=s.heading, text=s.text)
            for s in essay.sections.order_by("order")
        ],
        has_own_title=essay.title != essay.collection.title,
    )


@corpus_changes()
def essays_topics_resuggest(*, essays: Iterable[Essay]) -> int:
    """Set each essay's topics to what the keyword evidence suggests now.

    The suggestion becomes the importer's choice again (``imported_topic_slugs``), so a
    later import keeps topics in step instead of treating them as an editor's.
    Returns how many essays changed.
    """
    topics = list(Topic.objects.all())
    changed = 0
    for essay in essays:
        suggested = suggest_topics(essay=_parsed_from_stored(essay), topics=topics)
        slugs = sorted(topic.slug for topic in suggested)
        if sorted(essay.topics.values_list("slug", flat=True)) == slugs:
            continue
        essay_history_baseline(essay=essay)
        essay.skip_history_when_saving = True  # type: ignore[attr-defined]
        try:
            essay.topics.set(suggested)
            essay.imported_topic_slugs = slugs
            essay.save(update_fields=["imported_topic_slugs", "updated_at"])
        finally:
            del essay.skip_history_when_saving  # type: ignore[attr-defined]
        essay_version_record(essay=essay, reason="重新推荐主题")
        changed += 1
    return changed


def essays_reindex(*, essay_ids: Iterable[int]) -> None:
    """Bring these essays' search documents (and cached pages) in line with the database:
    one :data:`~essays.signals.corpus_changed` event naming them, which search follows
    (in the outbox first, so a failed write is retried)."""
    send_corpus_changed(essay_ids)
