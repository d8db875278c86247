"""Reads of the essay corpus: querysets shaped for the pages, the API and the admin.

Every selector fetches what its callers display in a fixed number of queries
(``select_related`` / ``prefetch_related``), however many sections, references or
topics an essay has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr

from essays.display_titles import Heading, summary
from essays.models import Collection, Essay, Reference, Section, Topic

#: How much of an essay's intro a listing loads to tell same-titled essays apart.
LEDE_LENGTH = 60


def with_lede(essays: QuerySet[Essay]) -> QuerySet[Essay]:
    """``essays`` annotated with what tells them apart in a listing, in the same query.

    ``lede_intro`` is the start of the intro and ``lede_heading`` the first section's
    heading; :func:`essays.reading.lede` picks from them.
    """
    first_heading = (
        Section.objects.filter(essay=OuterRef("pk")).exclude(heading="").order_by("order")
    )
    return essays.annotate(
        lede_intro=Substr("intro", 1, LEDE_LENGTH),
        lede_heading=Subquery(first_heading.values("heading")[:1]),
    )


def with_summaries(
    essays: Iterable[Essay], sections: dict[int, list[Section]] | None = None
) -> list[Essay]:
    """``essays`` as a list, each with ``summary``: one line saying what it is about.

    Loads the listed essays' headings (levels 1–3) in one query, or takes them from
    ``sections`` (by essay id) when the caller has them; the intro comes from
    :func:`with_lede`'s ``lede_intro`` or the loaded intro (see
    :func:`essays.display_titles.summary`).
    """
    essays = list(essays)
    headings: dict[int, list[Heading]] = {}
    if sections is not None:
        rows = [
            (essay_id, section.level, section.heading)
            for essay_id, rows_of in sections.items()
            for section in rows_of
            if section.heading and section.level <= 3
        ]
    else:
        rows = (
            Section.objects.filter(essay_id__in=[essay.pk for essay in essays], level__lte=3)
            .exclude(heading="")
            .order_by("essay_id", "order")
            .values_list("essay_id", "level", "heading")
        )
    for essay_id, level, heading in rows:
        headings.setdefault(essay_id, []).append(Heading(level=level, text=heading))
    for essay in essays:
        intro = getattr(essay, "lede_intro", None)
        if intro is None:
            intro = essay.__dict__.get("intro") or ""
        essay.summary = summary(
            subtitle=essay.subtitle,
            intro=intro,
            headings=headings.get(essay.pk, []),
            shown_title=essay.display_title,
        )
    return essays


def essay_list(
    *, topic_slug: str | None = None, collection_id: int | None = None
) -> QuerySet[Essay]:
    """Essays ordered by collection title and number, with collection and topics loaded.

    ``topic_slug`` keeps only the essays of that topic (an unknown slug gives an empty
    queryset; callers that must tell the two apart look the topic up with
    :func:`topic_detail` first); ``collection_id`` keeps one collection's essays.
    """
    essays = with_lede(
        Essay.objects.select_related("collection")
        .defer("collection__raw_text", "intro")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("collection__title", "number")
    )
    if topic_slug is not None:
        essays = essays.filter(topics__slug=topic_slug)
    if collection_id is not None:
        essays = essays.filter(collection_id=collection_id)
    return essays


def essay_detail(*, pk: int) -> Essay:
    """One essay with its collection, sections (reading order), references and topics.

    Raises ``Essay.DoesNotExist`` when there is no essay ``pk``.
    """
    return (
        Essay.objects.select_related("collection")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch("references", queryset=Reference.objects.order_by("order")),
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
        )
        .get(pk=pk)
    )


def topic_list_with_counts() -> QuerySet[Topic]:
    """All topics ordered by name, each annotated with ``essay_count``."""
    return Topic.objects.annotate(essay_count=Count("essays", distinct=True)).order_by("name")


def topic_detail(*, slug: str) -> Topic:
    """The topic with ``slug``, annotated with ``essay_count``.

    Raises ``Topic.DoesNotExist`` for an unknown slug.
    """
    return topic_list_with_counts().get(slug=slug)


def collection_list_with_essays(*, limit: int | None = None) -> QuerySet[Collection]:
    """All collections ordered by title, each with its essays (by number) prefetched.

    Only the essay fields a listing shows are loaded, not the texts. Each collection is
    annotated with ``essay_count``. With ``limit``, only its first ``limit`` essays are
    fetched (one windowed query for all collections, so a listing stays bounded however
    large a collection grows) and they are in the list ``collection.listed_essays``
    (Django cannot cache a sliced prefetch on the related manager itself).
    """
    essays = with_lede(
        Essay.objects.only(
            "id", "title", "short_title", "subtitle", "number", "collection_id"
        ).order_by("number")
    )
    if limit is None:
        prefetch = Prefetch("essays", queryset=essays)
    else:
        prefetch = Prefetch("essays", queryset=essays[:limit], to_attr="listed_essays")
    return (
        Collection.objects.defer("raw_text")
        .annotate(essay_count=Count("essays", distinct=True))
        .prefetch_related(prefetch)
        .order_by("title")
    )


def recently_updated_essays(*, limit: int = 6) -> list[Essay]:
    """The ``limit`` most recently updated essays, newest first, with their collection.

    The ids are picked first (a sort of ids only), then the essays are loaded with their
    ledes: the annotations are computed for ``limit`` essays, not the whole corpus.
    """
    ids = list(Essay.objects.order_by("-updated_at", "-pk").values_list("pk", flat=True)[:limit])
    essays = with_lede(
        Essay.objects.filter(pk__in=ids)
        .select_related("collection")
        .defer("collection__raw_text", "intro")
    )
    return sorted(essays, key=lambda essay: ids.index(essay.pk))


def collection_detail(*, pk: int) -> Collection:
    """One collection without its raw source text; its essays come from :func:`essay_list`.

    Raises ``Collection.DoesNotExist`` when there is no collection ``pk``.
    """
    return Collection.objects.defer("raw_text").get(pk=pk)


def collection_choices() -> QuerySet[Collection]:
    """Every collection's id and title, by title (for filter menus)."""
    return Collection.objects.only("id", "title").order_by("title")


@dataclass
class Neighbours:
    """The essays just before and after one essay in its collection (None at the ends)."""

    previous: Essay | None
    next: Essay | None


def essay_neighbours(essay: Essay) -> Neighbours:
    """The previous and next essay of ``essay``'s collection by number, in one query."""
    siblings = list(
        Essay.objects.filter(collection_id=essay.collection_id)
        .only("id", "title", "short_title", "number", "collection_id")
        .order_by("number")
    )
    index = next((i for i, other in enumerate(siblings) if other.pk == essay.pk), None)
    if index is None:
        return Neighbours(None, None)
    return Neighbours(
        siblings[index - 1] if index > 0 else None,
        siblings[index + 1] if index + 1 < len(siblings) else None,
    )


def related_essays(essay: Essay, topic_ids: Iterable[int], *, limit: int = 5) -> list[Essay]:
    """Essays like ``essay``: most shared topics first, then the same collection, by number.

    ``topic_ids`` are the essay's topics (already loaded by the caller). An essay with
    no topics gets the nearest essays of its own collection instead. One query.
    """
    topic_ids = list(topic_ids)
    others = with_lede(
        Essay.objects.exclude(pk=essay.pk)
        .select_related("collection")
        .only("id", "title", "short_title", "subtitle", "number", "collection__title")
    )
    if not topic_ids:
        return list(others.filter(collection_id=essay.collection_id).order_by("number")[:limit])
    return list(
        others.filter(topics__in=topic_ids)
        .annotate(shared=Count("topics", filter=Q(topics__in=topic_ids), distinct=True))
        .order_by("-shared", "collection__title", "number")[:limit]
    )


def sections_of(essay_ids: Iterable[int]) -> dict[int, list[Section]]:
    """The sections of several essays in reading order, keyed by essay id (one query)."""
    grouped: dict[int, list[Section]] = {}
    for section in Section.objects.filter(essay_id__in=list(essay_ids)).order_by(
        "essay_id", "order"
    ):
        grouped.setdefault(section.essay_id, []).append(section)
    return grouped


@dataclass
class OutlineNode:
    """One section in an essay's outline, with its subsections in reading order."""

    section: Section
    children: list[OutlineNode] = field(default_factory=list)


def essay_outline(sections: Iterable[Section]) -> list[OutlineNode]:
    """The section tree of an essay, built from its sections in reading order.

    Pure Python over already-loaded sections (no queries). A section whose parent is not
    among ``sections`` is treated as top level, so a damaged tree still lists everything.
    """
    sections = list(sections)
    nodes = {section.pk: OutlineNode(section) for section in sections}
    roots: list[OutlineNode] = []
    for section in sections:
        node = nodes[section.pk]
        parent = nodes.get(section.parent_id) if section.parent_id is not None else None
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def _row_count(model: type[Section] | type[Reference]) -> Coalesce:
    """How many rows of ``model`` an essay has, as a subquery (no join product)."""
    rows = (
        model.objects.filter(essay=OuterRef("pk"))
        .order_by()
        .values("essay")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def home_topics(*, limit: int) -> list[Topic]:
    """The ``limit`` topics with most essays (then by name), each with ``essay_count``."""
    return list(topic_list_with_counts().order_by("-essay_count", "name")[:limit])


def notable_essays(*, limit: int) -> list[Essay]:
    """Essays a reader might start from: those citing most references, then those with
    most sections (the fullest treatments of their subject), with their collection.

    The essays are picked from the reference and section tables grouped by essay (no
    per-essay subquery over the whole corpus), then loaded: four queries at most.
    """
    picked: list[int] = []
    for model in (Reference, Section):
        if len(picked) >= limit:
            break
        rows = (
            model.objects.exclude(essay_id__in=picked)
            .values("essay_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "essay_id")
            .values_list("essay_id", flat=True)[: limit - len(picked)]
        )
        picked.extend(rows)
    essays = with_lede(
        Essay.objects.filter(pk__in=picked)
        .select_related("collection")
        .defer("collection__raw_text", "intro")
        .annotate(reference_total=_row_count(Reference), section_total=_row_count(Section))
    )
    by_id = {essay.pk: essay for essay in essays}
    return with_summaries(by_id[pk] for pk in picked if pk in by_id)


@dataclass
class RecentChange:
    """An essay that changed lately and what the change was, in words for readers."""

    essay: Essay
    when: Any
    what: str


def _change_words(record: Any, previous: Any, sections_changed: int) -> str:
    reason = record.history_change_reason or ""
    if record.history_type == "+" or previous is None:
        return "新收录"
    if reason.startswith("恢复到"):
        return "恢复到早先的版本"
    who = "重新导入" if reason.startswith("导入") else "编辑修订"
    if sections_changed:
        return f"{who}：{sections_changed} 节有改动"
    fields = [
        label
        for name, label in (("title", "标题"), ("short_title", "标题"), ("intro", "导语"))
        if getattr(record, name) != getattr(previous, name)
    ]
    return f"{who}：{'、'.join(dict.fromkeys(fields))}有改动" if fields else who


def recent_changes(*, limit: int = 6) -> list[RecentChange]:
    """The ``limit`` most recently changed essays, newest first, each with what changed:
    newly added, re-imported or edited (and how many sections), or reverted.

    Four queries: the essays, their summaries' headings, their versions and their
    sections' history since their previous version.
    """
    essays = with_summaries(recently_updated_essays(limit=limit))
    ids = [essay.pk for essay in essays]
    records: dict[int, list[Any]] = {}
    for record in Essay.history.filter(id__in=ids).order_by("id", "-history_date"):
        if len(records.setdefault(record.id, [])) < 2:
            records[record.id].append(record)
    since = [pair[1].history_date for pair in records.values() if len(pair) > 1]
    touched: dict[int, set[int]] = {}
    if since:
        rows = Section.history.filter(essay_id__in=ids, history_date__gt=min(since)).values_list(
            "essay_id", "id", "history_date"
        )
        for essay_id, section_id, when in rows:
            pair = records.get(essay_id, [])
            if len(pair) > 1 and pair[1].history_date < when <= pair[0].history_date:
                touched.setdefault(essay_id, set()).add(section_id)
    changes = []
    for essay in essays:
        pair = records.get(essay.pk, [])
        latest = pair[0] if pair else None
        previous = pair[1] if len(pair) > 1 else None
        what = (
            _change_words(latest, previous, len(touched.get(essay.pk, ())))
            if latest is not None
            else "内容有更新"
        )
        changes.append(RecentChange(essay=essay, when=essay.updated_at, what=what))
    return changes


def collections_with_counts() -> QuerySet[Collection]:
    """Every collection by title without its raw text, annotated with ``essay_count``."""
    return (
        Collection.objects.defer("raw_text")
        .annotate(essay_count=Count("essays", distinct=True))
        .order_by("title")
    )
