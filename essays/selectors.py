"""Reads of the essay corpus: querysets shaped for the pages, the API and the admin.

Every selector fetches what its callers display in a fixed number of queries
(``select_related`` / ``prefetch_related``), however many sections, references or
topics an essay has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from essays.models import Collection, Essay, Reference, Section, Topic


def essay_list(
    *, topic_slug: str | None = None, collection_id: int | None = None
) -> QuerySet[Essay]:
    """Essays ordered by collection title and number, with collection and topics loaded.

    ``topic_slug`` keeps only the essays of that topic (an unknown slug gives an empty
    queryset; callers that must tell the two apart look the topic up with
    :func:`topic_detail` first); ``collection_id`` keeps one collection's essays.
    """
    essays = (
        Essay.objects.select_related("collection")
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


def collection_list_with_essays() -> QuerySet[Collection]:
    """All collections ordered by title, each with its essays (by number) prefetched.

    Only the essay fields a listing shows are loaded, not the texts.
    """
    essays = Essay.objects.only("id", "title", "number", "collection_id").order_by("number")
    return (
        Collection.objects.defer("raw_text")
        .prefetch_related(Prefetch("essays", queryset=essays))
        .order_by("title")
    )


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
