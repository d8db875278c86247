"""Write parsed source documents into the database, idempotently.

A document is identified as ``essays.services.identity`` says (content fingerprint, file
name and title, or an explicit collection heading), an essay by its 篇 number in it.
Re-importing updates in place; an essay an editor has changed since the last import is
skipped unless forced, and topics an editor chose are never replaced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from essays.content import (
    content_fingerprint,
    parsed_essay_content,
    stored_essay_content,
)
from essays.display_titles import EssayText, Heading, suggest_short_titles
from essays.importer.parsed import ParsedDocument, ParsedEssay
from essays.models import Collection, Essay, Reference, Section, Topic
from essays.services.history import (
    change_reason,
    essay_history_baseline,
    essay_version_record,
)
from essays.services.identity import document_identity
from essays.services.topics import suggest_topics
from essays.signals import corpus_changes, send_corpus_changed
from essays.text_normalize import normalize_line, normalize_text

#: A source document larger than this is refused (the bundled ones are under 100 KB).
MAX_SOURCE_BYTES = 20 * 1024 * 1024


class Action(StrEnum):
    """What an import does (or would do) to one essay."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


ACTION_LABELS = {
    Action.CREATED: "新建",
    Action.UPDATED: "更新",
    Action.UNCHANGED: "未变",
    Action.SKIPPED: "跳过",
}


@dataclass
class EssayOutcome:
    """The planned or performed action for one essay, and why."""

    number: int
    title: str
    action: Action
    reason: str = ""
    topics: list[str] = field(default_factory=list)


@dataclass
class DocumentReport:
    """What importing one document did (or, in a dry run, would do)."""

    title: str
    source_name: str
    collection_created: bool
    outcomes: list[EssayOutcome]
    not_in_source: list[int] = field(default_factory=list)
    #: The collection written (or, in a dry run, the existing one that would be updated).
    collection_id: int | None = None
    #: Why the document is that collection, or why it is a new one.
    identity_reason: str = ""

    @property
    def status(self) -> Action:
        """The document as a whole: created, updated, unchanged or skipped."""
        if self.collection_created:
            return Action.CREATED
        if any(o.action in (Action.CREATED, Action.UPDATED) for o in self.outcomes):
            return Action.UPDATED
        if self.outcomes and all(o.action == Action.SKIPPED for o in self.outcomes):
            return Action.SKIPPED
        return Action.UNCHANGED

    def count(self, action: Action) -> int:
        """How many essays got this action."""
        return sum(1 for outcome in self.outcomes if outcome.action == action)


def write_error_message(error: Exception) -> str:
    """A database refusal as a sentence: each field named with its reason, never a dict."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "；".join(
            f"{field}：{'；'.join(messages)}" for field, messages in error.message_dict.items()
        )
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


@dataclass
class SourceDocument:
    """A parsed document together with where it came from."""

    parsed: ParsedDocument
    source_name: str
    data: bytes
    #: Where it was read from, for messages (the file name when not given).
    path: str = ""

    def __post_init__(self) -> None:
        """Name the document by its file name when no path is given."""
        self.path = self.path or self.source_name


@corpus_changes()
def documents_import(
    *, documents: list[SourceDocument], force: bool = False, dry_run: bool = False
) -> list[DocumentReport]:
    """Import several documents in one transaction: all are written, or none (and
    announced as one corpus event)."""
    reports = [
        document_import(document=document, force=force, dry_run=dry_run) for document in documents
    ]
    if dry_run:
        transaction.set_rollback(True)
    return reports


@corpus_changes()
def document_import(
    *, document: SourceDocument, force: bool = False, dry_run: bool = False
) -> DocumentReport:
    """Create or update one document's collection and essays; nothing is written in a dry run.

    One transaction, announced as one corpus event naming every essay written."""
    parsed = document.parsed
    for parsed_essay in parsed.essays:
        parsed_essay_normalize(parsed_essay)
    identity = document_identity(parsed=parsed, source_name=document.source_name)
    collection = identity.collection
    report = DocumentReport(
        title=parsed.title,
        source_name=document.source_name,
        collection_created=collection is None,
        outcomes=[],
        collection_id=collection.pk if collection else None,
        identity_reason=identity.reason,
    )
    topics = list(Topic.objects.all())
    existing: dict[int, Essay] = {}
    if collection is not None:
        existing = {essay.number: essay for essay in collection.essays.all()}
    if not dry_run:
        collection = _collection_save(
            collection=collection, document=document, fingerprint=identity.fingerprint
        )
        report.collection_id = collection.pk

    short_titles = short_title_suggestions(parsed)
    for parsed_essay in parsed.essays:
        essay = existing.get(parsed_essay.number)
        outcome = _plan(essay=essay, parsed_essay=parsed_essay, force=force)
        suggested = suggest_topics(essay=parsed_essay, topics=topics)
        outcome.topics = _topic_names(essay=essay, suggested=suggested, outcome=outcome)
        report.outcomes.append(outcome)
        if not dry_run and outcome.action in (Action.CREATED, Action.UPDATED):
            assert collection is not None
            _essay_write(
                collection=collection,
                essay=essay,
                parsed_essay=parsed_essay,
                suggested=suggested,
                short_title=short_titles.get(parsed_essay.number, ""),
            )
    parsed_numbers = {essay.number for essay in parsed.essays}
    report.not_in_source = sorted(set(existing) - parsed_numbers)
    return report


def parsed_essay_normalize(parsed_essay: ParsedEssay) -> None:
    """Normalise a parsed essay's texts in place as the admin normalises an editor's
    (line ends, trailing spaces, surrounding blank lines; see essays.text_normalize), so
    an import and a save of the same text store the same thing."""
    parsed_essay.title = normalize_line(parsed_essay.title)
    parsed_essay.subtitle = normalize_line(parsed_essay.subtitle)
    parsed_essay.intro = normalize_text(parsed_essay.intro)
    for section in parsed_essay.sections:
        section.number = normalize_line(section.number)
        section.heading = normalize_line(section.heading)
        section.text = normalize_text(section.text)
    for reference in parsed_essay.references:
        reference.label = normalize_line(reference.label)
        reference.text = normalize_text(reference.text)


def short_title_suggestions(parsed: ParsedDocument) -> dict[int, str]:
    """The short titles the importer suggests for a document's essays, keyed by number:
    one for each essay whose title does not tell it apart (see essays.display_titles)."""
    return suggest_short_titles(
        collection_title=parsed.title,
        essays=[
            EssayText(
                number=essay.number,
                title=essay.title,
                intro=essay.intro,
                headings=[Heading(level=s.level, text=s.heading) for s in essay.sections],
                body="\n".join(s.text for s in essay.sections),
            )
            for essay in parsed.essays
        ],
    )


def _plan(*, essay: Essay | None, parsed_essay: ParsedEssay, force: bool) -> EssayOutcome:
    outcome = EssayOutcome(
        number=parsed_essay.number, title=parsed_essay.title, action=Action.CREATED
    )
    if essay is None:
        return outcome
    stored = content_fingerprint(stored_essay_content(essay))
    incoming = content_fingerprint(parsed_essay_content(parsed_essay))
    edited = stored != essay.import_fingerprint
    if edited and not force:
        outcome.action = Action.SKIPPED
        outcome.reason = "编辑在上次导入后修改过这篇文章（用 --force 覆盖）"
    elif stored == incoming and not edited:
        outcome.action = Action.UNCHANGED
    else:
        outcome.action = Action.UPDATED
        if edited:
            outcome.reason = "覆盖了编辑的修改（--force）"
    return outcome


def _topic_names(
    *, essay: Essay | None, suggested: list[Topic], outcome: EssayOutcome
) -> list[str]:
    if essay is not None and (outcome.action != Action.UPDATED or _topics_overridden(essay)):
        return [topic.name for topic in essay.topics.all()]
    return [topic.name for topic in suggested]


def _topics_overridden(essay: Essay) -> bool:
    """Whether an editor changed the topics the importer set."""
    current = sorted(essay.topics.values_list("slug", flat=True))
    return current != sorted(essay.imported_topic_slugs or [])


def _collection_save(
    *, collection: Collection | None, document: SourceDocument, fingerprint: str
) -> Collection:
    if collection is None:
        collection = Collection(title=document.parsed.title)
    collection.title = document.parsed.title
    collection.source_fingerprint = fingerprint
    collection.source_name = document.source_name
    collection.source_sha256 = hashlib.sha256(document.data).hexdigest()
    collection.source_encoding = document.parsed.encoding
    collection.raw_text = document.parsed.raw_text
    collection.imported_at = timezone.now()
    collection.full_clean()
    collection.save()
    return collection


def _essay_write(
    *,
    collection: Collection,
    essay: Essay | None,
    parsed_essay: ParsedEssay,
    suggested: list[Topic],
    short_title: str = "",
) -> Essay:
    """Write one essay's fields, sections and references; set topics unless overridden.

    A new essay (or one without a short title) takes the suggested ``short_title``; a
    short title already set, by an editor or an earlier import, is kept.
    The history gets the sections' and references' changes, then one essay version.
    """
    keep_topics = essay is not None and _topics_overridden(essay)
    created = essay is None
    if essay is None:
        essay = Essay(collection=collection, number=parsed_essay.number)
    if not essay.short_title:
        essay.short_title = short_title
    if essay.pk is not None:
        essay_history_baseline(essay=essay)
    essay.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        _essay_write_content(
            essay=essay, parsed_essay=parsed_essay, suggested=suggested, keep_topics=keep_topics
        )
    finally:
        del essay.skip_history_when_saving  # type: ignore[attr-defined]
    essay_version_record(essay=essay, reason=f"导入《{collection.title}》", created=created)
    return essay


def _essay_write_content(
    *, essay: Essay, parsed_essay: ParsedEssay, suggested: list[Topic], keep_topics: bool
) -> None:
    essay.title = parsed_essay.title
    essay.subtitle = parsed_essay.subtitle
    essay.intro = parsed_essay.intro
    essay.keywords = list(parsed_essay.keywords)
    essay.front_matter = dict(parsed_essay.front_matter)
    essay.import_fingerprint = content_fingerprint(parsed_essay_content(parsed_essay))
    essay.imported_at = timezone.now()
    if not keep_topics:
        essay.imported_topic_slugs = sorted(topic.slug for topic in suggested)
    essay.full_clean(exclude=["collection"])
    essay.save()

    essay.sections.all().delete()
    essay.references.all().delete()
    new_sections = section_rows(essay=essay, parsed_essay=parsed_essay)
    new_references = reference_rows(essay=essay, parsed_essay=parsed_essay)
    # Field sizes were checked while parsing and orders are unique by construction: a
    # per-row constraint check would cost one query per row for nothing.
    for record in [*new_sections, *new_references]:
        record.full_clean(
            exclude=["essay", "parent"], validate_unique=False, validate_constraints=False
        )
    sections = sections_bulk_create(sections=new_sections, parsed_essays=[parsed_essay])
    references = Reference.objects.bulk_create(new_references)
    # bulk writes send no signals: record the sections' and references' history here,
    # and announce the change (the essay's own save did too; this keeps it explicit).
    send_corpus_changed([essay.pk])
    Section.history.bulk_history_create(sections, default_change_reason="导入")
    Reference.history.bulk_history_create(references, default_change_reason="导入")
    if not keep_topics:
        essay.topics.set(suggested)


def section_rows(*, essay: Essay, parsed_essay: ParsedEssay) -> list[Section]:
    """Unsaved sections of ``essay`` for the parsed essay's outline (parents not set yet)."""
    return [
        Section(
            essay=essay,
            order=index + 1,
            level=section.level,
            number=section.number,
            heading=section.heading,
            text=section.text,
        )
        for index, section in enumerate(parsed_essay.sections)
    ]


def reference_rows(*, essay: Essay, parsed_essay: ParsedEssay) -> list[Reference]:
    """Unsaved references of ``essay`` for the parsed essay's reference list."""
    return [
        Reference(
            essay=essay,
            order=index + 1,
            label=reference.label,
            text=reference.text,
            kind=reference.kind,
            year=reference.year,
            authors=reference.authors,
            title=reference.title,
            publisher=reference.publisher,
            place=reference.place,
        )
        for index, reference in enumerate(parsed_essay.references)
    ]


def sections_bulk_create(
    *, sections: list[Section], parsed_essays: list[ParsedEssay], batch_size: int = 1000
) -> list[Section]:
    """Insert the sections of several essays (``sections`` is their :func:`section_rows`,
    essay after essay) with their parents linked; returns them saved.

    Sections are inserted one tree level at a time, parents first, so every row is
    written once with its parent already set (no second pass of updates).
    """
    parents: list[int | None] = [s.parent for essay in parsed_essays for s in essay.sections]
    # The index of each section's parent among ``sections`` (parents are per essay).
    starts = []
    start = 0
    for essay in parsed_essays:
        starts.extend([start] * len(essay.sections))
        start += len(essay.sections)
    if len(parents) != len(sections):
        raise ValueError("sections and parsed_essays do not match")
    depth = [0] * len(sections)
    for index, parent in enumerate(parents):
        if parent is not None:
            depth[index] = depth[starts[index] + parent] + 1
    for level in range(max(depth, default=-1) + 1):
        batch = []
        for index, section in enumerate(sections):
            if depth[index] != level:
                continue
            if parents[index] is not None:
                section.parent = sections[starts[index] + parents[index]]
            batch.append(section)
        Section.objects.bulk_create(batch, batch_size=batch_size)
    return sections


@corpus_changes()
def essays_bulk_create(
    *,
    collection: Collection,
    parsed_essays: list[ParsedEssay],
    topics: list[list[Topic]],
    record_history: bool = True,
    reason: str = "导入",
    batch_size: int = 1000,
) -> list[Essay]:
    """Create many new essays of a saved ``collection`` in a few bulk inserts.

    The bulk counterpart of :func:`document_import` for large, new data (the synthetic
    corpus of ``generate_corpus``): no planning against existing essays, topics given per
    essay (``topics[i]`` for ``parsed_essays[i]``) instead of suggested. Rows are
    validated like an import's. With ``record_history=False`` no history is recorded
    for them (generated data that editors never revert). Bulk inserts send no signals:
    the new essays are announced as one corpus event (search and the page cache follow).
    """
    if len(topics) != len(parsed_essays):
        raise ValueError("one list of topics per essay")
    for parsed_essay in parsed_essays:
        parsed_essay_normalize(parsed_essay)
    now = timezone.now()
    essays = []
    for parsed_essay, essay_topics in zip(parsed_essays, topics, strict=True):
        essay = Essay(
            collection=collection,
            number=parsed_essay.number,
            title=parsed_essay.title,
            subtitle=parsed_essay.subtitle,
            intro=parsed_essay.intro,
            keywords=list(parsed_essay.keywords),
            import_fingerprint=content_fingerprint(parsed_essay_content(parsed_essay)),
            imported_topic_slugs=sorted(topic.slug for topic in essay_topics),
            imported_at=now,
        )
        essay.full_clean(exclude=["collection"], validate_unique=False)
        essays.append(essay)
    Essay.objects.bulk_create(essays, batch_size=batch_size)

    sections, references = [], []
    for essay, parsed_essay in zip(essays, parsed_essays, strict=True):
        sections.extend(section_rows(essay=essay, parsed_essay=parsed_essay))
        references.extend(reference_rows(essay=essay, parsed_essay=parsed_essay))
    for record in [*sections, *references]:
        record.full_clean(exclude=["essay", "parent"], validate_unique=False)
    sections_bulk_create(sections=sections, parsed_essays=parsed_essays, batch_size=batch_size)
    Reference.objects.bulk_create(references, batch_size=batch_size)
    links = [
        Essay.topics.through(essay_id=essay.pk, topic_id=topic.pk)
        for essay, essay_topics in zip(essays, topics, strict=True)
        for topic in essay_topics
    ]
    Essay.topics.through.objects.bulk_create(links, batch_size=batch_size)
    # No signals were sent for any of these rows.
    send_corpus_changed([essay.pk for essay in essays])
    if record_history:
        Section.history.bulk_history_create(
            sections, batch_size=batch_size, default_change_reason=change_reason(reason)
        )
        Reference.history.bulk_history_create(
            references, batch_size=batch_size, default_change_reason=change_reason(reason)
        )
        for essay in essays:
            essay_version_record(essay=essay, reason=reason, created=True)
    return essays
