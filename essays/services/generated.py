"""A synthetic corpus for scale tests: N essays recombined from the real ones, and removal.

Each generated essay takes the outline (levels, numbers, headings), keywords and
references of one real essay and fills its intro and sections with that essay's
paragraphs, their sentences shuffled and some swapped for sentences of other real
paragraphs. Vocabulary and length distribution are the real corpus's, yet no two
paragraphs are alike (an index cannot profit from repeated text that real collections
do not have). Essay ``i`` of seed ``S`` depends only on ``S`` and ``i``: the first
1,000 essays of a 10,000-essay corpus are the 1,000-essay corpus.

Generated collections are marked by their source name (``generate_corpus:seed=S``) and
written by :func:`essays.services.imports.essays_bulk_create` in bulk, by default without
history (editors never revert generated data; ``record_history=True`` keeps it).
Removal deletes their rows (and any history of them) with bulk deletes that send no
per-row signals, then drops them from the search index.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from essays.importer import parse_document
from essays.importer.parsed import ParsedEssay, ParsedSection
from essays.models import Collection, Essay, Reference, Section, Topic
from essays.services.imports import essays_bulk_create
from essays.services.topics import suggest_topics
from essays.signals import corpus_changes, send_corpus_changed

#: Source name prefix of generated collections (how they are told apart from real ones).
SOURCE_PREFIX = "generate_corpus:"
ESSAYS_PER_COLLECTION = 50
#: The share of a paragraph's sentences replaced by sentences of other paragraphs.
SWAP_RATE = 0.3

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*|[。！？；!?;]+")


class GenerationError(Exception):
    """Generation cannot go ahead; the message is for the user (Chinese)."""


@dataclass
class GenerateReport:
    """What :func:`corpus_generate` wrote."""

    seed: int
    collections: int
    essay_ids: list[int]
    sections: int
    references: int
    characters: int


def default_sources() -> list[Path]:
    """The bundled source documents (``fixtures/source/*.txt``)."""
    return sorted((Path(settings.BASE_DIR) / "fixtures" / "source").glob("*.txt"))


def source_name(seed: int) -> str:
    """The source name generated collections of ``seed`` carry."""
    return f"{SOURCE_PREFIX}seed={seed}"


def collection_title(seed: int, index: int) -> str:
    """The title of the ``index``-th (0-based) generated collection of ``seed``."""
    return f"合成文集 {seed}-{index + 1:04d}"


def generated_collections(seed: int | None = None):
    """Generated collections (of one seed, or all)."""
    if seed is None:
        return Collection.objects.filter(source_name__startswith=SOURCE_PREFIX)
    return Collection.objects.filter(source_name=source_name(seed))


def _sentences(paragraph: str) -> list[str]:
    return _SENTENCE.findall(paragraph) or [paragraph]


class Recombiner:
    """Makes synthetic essays from real ones, deterministically by seed and number."""

    def __init__(self, essays: list[ParsedEssay]) -> None:
        if not essays:
            raise GenerationError("没有可用来合成的源文章。")
        self.essays = essays
        self.pool = [
            sentence
            for essay in essays
            for text in [essay.intro, *(section.text for section in essay.sections)]
            for paragraph in text.split("\n")
            if paragraph.strip()
            for sentence in _sentences(paragraph)
        ]

    def _text(self, text: str, rng: random.Random) -> str:
        paragraphs = []
        for paragraph in text.split("\n"):
            if not paragraph.strip():
                continue
            sentences = _sentences(paragraph)
            rng.shuffle(sentences)
            sentences = [
                rng.choice(self.pool) if self.pool and rng.random() < SWAP_RATE else sentence
                for sentence in sentences
            ]
            paragraphs.append("".join(sentences))
        return "\n".join(paragraphs)

    def essay(self, *, seed: int, index: int, number: int) -> tuple[int, ParsedEssay]:
        """Synthetic essay ``index`` of ``seed`` as essay ``number`` of its collection.

        Returns the position of the real essay it is modelled on, and the essay.
        """
        rng = random.Random(f"{seed}:{index}")
        base_index = rng.randrange(len(self.essays))
        base = self.essays[base_index]
        sections = [
            ParsedSection(
                level=section.level,
                number=section.number,
                heading=section.heading,
                text=self._text(section.text, rng),
                parent=section.parent,
            )
            for section in base.sections
        ]
        essay = ParsedEssay(
            number=number,
            title=base.title,
            subtitle=base.subtitle,
            intro=self._text(base.intro, rng),
            keywords=list(base.keywords),
            sections=sections,
            references=[copy.copy(reference) for reference in base.references],
            has_own_title=base.has_own_title,
        )
        return base_index, essay


def source_essays(paths: Iterable[Path]) -> list[ParsedEssay]:
    """The real essays of the source documents, in file and number order."""
    return [
        essay for path in paths for essay in parse_document(path.read_bytes(), path.name).essays
    ]


def corpus_generate(
    *,
    essays: int,
    seed: int = 0,
    sources: list[Path] | None = None,
    record_history: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateReport:
    """Write ``essays`` synthetic essays of ``seed`` in collections of 50 (one transaction).

    Topics are those the importer suggests for the real essay each one is modelled on.
    The whole corpus is announced as one corpus event naming every new essay (search
    indexes them once the transaction commits, or at the end of the caller's
    ``corpus_batch``; with ``reindex=False`` the caller rebuilds the index).
    Raises :class:`GenerationError` when ``seed`` already has generated collections.
    """
    if essays < 1:
        raise GenerationError("文章数必须至少为 1。")
    if generated_collections(seed).exists():
        raise GenerationError(f"已有种子 {seed} 的合成文集：先用 --remove 删除它们。")
    recombiner = Recombiner(source_essays(sources or default_sources()))
    topics = list(Topic.objects.all())
    base_topics = [suggest_topics(essay=essay, topics=topics) for essay in recombiner.essays]
    report = GenerateReport(
        seed=seed, collections=0, essay_ids=[], sections=0, references=0, characters=0
    )
    with corpus_changes():
        for start in range(0, essays, ESSAYS_PER_COLLECTION):
            chunk = range(start, min(essays, start + ESSAYS_PER_COLLECTION))
            collection = Collection.objects.create(
                title=collection_title(seed, report.collections),
                source_name=source_name(seed),
                source_encoding="utf-8",
                raw_text=f"（合成数据：generate_corpus --seed {seed}，第 {chunk.start + 1}–"
                f"{chunk.stop} 篇）",
                imported_at=timezone.now(),
            )
            made = [recombiner.essay(seed=seed, index=i, number=i - start + 1) for i in chunk]
            created = essays_bulk_create(
                collection=collection,
                parsed_essays=[essay for _, essay in made],
                topics=[base_topics[base] for base, _ in made],
                record_history=record_history,
                reason="合成数据",
            )
            report.collections += 1
            report.essay_ids.extend(essay.pk for essay in created)
            for _, essay in made:
                report.sections += len(essay.sections)
                report.references += len(essay.references)
                report.characters += len(essay.full_text())
            if progress is not None:
                progress(len(report.essay_ids), essays)
    return report


@corpus_changes()
def corpus_remove(*, seed: int | None = None) -> list[int]:
    """Delete the generated collections (of ``seed``, or all) with their essays and history.

    Returns the ids of the essays deleted. Bulk deletes (no per-row signals, no deletion
    history: the rows were never the editors'), announced as one corpus event naming
    the essays (search drops them from its index).
    """
    collections = generated_collections(seed)
    essay_ids = list(Essay.objects.filter(collection__in=collections).values_list("pk", flat=True))
    for start in range(0, len(essay_ids), 500):
        ids = essay_ids[start : start + 500]
        for model in (Section, Reference):
            model.history.filter(essay_id__in=ids).delete()
        Essay.history.filter(id__in=ids).delete()
        _bulk_delete(Essay.topics.through.objects.filter(essay_id__in=ids))
        _bulk_delete(Reference.objects.filter(essay_id__in=ids))
        _bulk_delete(Section.objects.filter(essay_id__in=ids))
        _bulk_delete(Essay.objects.filter(pk__in=ids))
    _bulk_delete(collections)
    send_corpus_changed(essay_ids)  # raw deletes send no signals
    return essay_ids


def _bulk_delete(queryset: QuerySet) -> None:
    """One DELETE statement, without the per-row signals (history, re-indexing) that
    ``QuerySet.delete()`` sends when receivers are connected; children are deleted
    first by the caller, as the database does not cascade."""
    queryset._raw_delete(queryset.db)
