"""Plain functions turning model instances into the API's JSON-ready dicts.

They read only what the selectors in :mod:`essays.selectors` have loaded, so they make
no queries of their own. Field names follow the public contract in DESIGN.md; fields
may be added, never renamed or removed.
"""

from __future__ import annotations

from typing import Any

from essays.models import Essay, Reference, Section, Topic


def topic_brief(topic: Topic) -> dict[str, Any]:
    """A topic as listed on an essay: slug and name."""
    return {"slug": topic.slug, "name": topic.name}


def topic_summary(topic: Topic) -> dict[str, Any]:
    """A topic in the topic list; ``topic`` must be annotated with ``essay_count``."""
    return {
        "slug": topic.slug,
        "name": topic.name,
        "description": topic.description,
        "essay_count": topic.essay_count,
        "url": topic.get_absolute_url(),
    }


def essay_summary(essay: Essay) -> dict[str, Any]:
    """An essay in a list: id, title, display title, collection, number, topics, page url."""
    return {
        "id": essay.pk,
        "title": essay.title,
        "display_title": essay.display_title,
        "collection": essay.collection.title,
        "number": essay.number,
        "topics": [topic_brief(topic) for topic in essay.topics.all()],
        "url": essay.get_absolute_url(),
    }


def section_data(section: Section) -> dict[str, Any]:
    """One section: its label, heading, level, parent section id (or None) and own text."""
    return {
        "id": section.pk,
        "order": section.order,
        "number": section.number,
        "heading": section.heading,
        "level": section.level,
        "parent": section.parent_id,
        "text": section.text,
        "anchor": section.anchor,
    }


def reference_data(reference: Reference) -> dict[str, Any]:
    """One reference entry; an empty ``kind`` is None, ``year`` an int or None."""
    return {
        "order": reference.order,
        "label": reference.label,
        "text": reference.text,
        "kind": reference.kind or None,
        "year": reference.year,
        "authors": reference.authors,
        "title": reference.title,
        "publisher": reference.publisher,
        "place": reference.place,
        "anchor": reference.anchor,
    }


def essay_full(essay: Essay) -> dict[str, Any]:
    """A whole essay: the summary fields plus subtitle, intro, keywords, sections, references.

    ``essay`` should come from :func:`essays.selectors.essay_detail`, which loads the
    sections and references in reading order.
    """
    return {
        "id": essay.pk,
        "title": essay.title,
        "display_title": essay.display_title,
        "subtitle": essay.subtitle,
        "collection": essay.collection.title,
        "number": essay.number,
        "intro": essay.intro,
        "keywords": essay.keyword_list,
        "topics": [topic_brief(topic) for topic in essay.topics.all()],
        "url": essay.get_absolute_url(),
        "sections": [section_data(section) for section in essay.sections.all()],
        "references": [reference_data(reference) for reference in essay.references.all()],
    }
