"""Small helpers that create corpus rows for tests (plain functions, no extra libraries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import count
from typing import Any

from django.utils import timezone

from essays.models import Collection, Essay, Reference, Section, Topic

_sequence = count(1)


def make_topic(*, name: str | None = None, slug: str | None = None, **fields: Any) -> Topic:
    """A topic with a unique name and slug unless given."""
    n = next(_sequence)
    return Topic.objects.create(
        name=name or f"测试主题{n}", slug=slug or f"ceshi-zhuti-{n}", **fields
    )


def make_collection(*, title: str | None = None, **fields: Any) -> Collection:
    """A collection with a unique title and placeholder source fields."""
    n = next(_sequence)
    defaults: dict[str, Any] = {
        "source_name": f"source_{n}.txt",
        "raw_text": "原始文本",
        "imported_at": timezone.now(),
    }
    defaults.update(fields)
    return Collection.objects.create(title=title or f"测试文集{n}", **defaults)


def make_essay(
    *,
    collection: Collection | None = None,
    number: int = 1,
    title: str | None = None,
    topics: Iterable[Topic] = (),
    sections: Iterable[Mapping[str, Any]] = (),
    references: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Essay:
    """An essay with its sections and references.

    ``sections`` are dicts of Section fields in reading order (``order`` defaults to the
    position, from 1); a ``parent`` key gives the 0-based index of an earlier section in
    the list. ``references`` are dicts of Reference fields (``order`` defaults likewise).
    """
    collection = collection or make_collection()
    essay = Essay.objects.create(
        collection=collection, number=number, title=title or f"测试文章{number}", **fields
    )
    essay.topics.set(topics)
    created: list[Section] = []
    for position, spec in enumerate(sections, start=1):
        spec = dict(spec)
        parent_index = spec.pop("parent", None)
        spec.setdefault("order", position)
        parent = created[parent_index] if parent_index is not None else None
        created.append(Section.objects.create(essay=essay, parent=parent, **spec))
    for position, spec in enumerate(references, start=1):
        spec = dict(spec)
        spec.setdefault("order", position)
        Reference.objects.create(essay=essay, **spec)
    return essay


def make_sections(n: int) -> list[dict[str, Any]]:
    """``n`` sections: top-level headings, each followed by one child (level 2)."""
    specs: list[dict[str, Any]] = []
    for i in range(n):
        if i % 2 == 0:
            specs.append({"level": 1, "number": str(i // 2 + 1), "heading": f"标题{i}"})
        else:
            specs.append({"level": 2, "number": f"({i})", "heading": f"小标题{i}", "parent": i - 1})
    return specs
