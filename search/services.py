"""Running a search: matching essays, best first, with their best section and facets."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, prefetch_related_objects

from essays.models import Essay, Section, Topic
from search import query as q
from search.backends import EXACT, PINYIN, Hit, IndexUnavailable, get_backend
from search.documents import essay_text
from search.highlight import (
    find_folded_spans,
    find_spans,
    fold_all,
    held_spans,
    held_terms,
    snippet,
)
from search.stopwords import is_informative

HEADING_WEIGHT = 3
# Where a sentence ends (kept with the sentence before it).
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
log = logging.getLogger(__name__)

__all__ = ["Hit", "Hits", "IndexUnavailable", "Result", "SearchOutcome", "search_essays"]


class Hits(Sequence[Hit]):
    """The hits of one query, best first: counted when searched, ranked only as far as read.

    ``len()`` is the number of matching essays; the first hits come ranked with it (as
    many as the search asked for). Reading further ranks again up to what is read (whoosh
    keeps only the top ``stop``); iterating ranks all.
    """

    def __init__(self, total: int, ranked: list[Hit], rank: Callable[[int | None], list[Hit]]):
        self._total = total
        self._rank = rank
        self._ranked = ranked
        self._complete = len(ranked) >= total

    def __len__(self) -> int:
        return self._total

    def _rank_to(self, stop: int | None) -> None:
        if self._complete or (stop is not None and stop <= len(self._ranked)):
            return
        self._ranked = self._rank(stop)
        if stop is None or len(self._ranked) < stop:
            self._complete = True

    def __getitem__(self, index):
        if isinstance(index, slice):
            plain = index.step in (None, 1) and (index.start or 0) >= 0
            stop = index.stop if plain and index.stop is not None and index.stop >= 0 else None
            self._rank_to(stop)
        else:
            self._rank_to(index + 1 if index >= 0 else None)
        return self._ranked[index]

    def __iter__(self) -> Iterator[Hit]:
        self._rank_to(None)
        return iter(self._ranked)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Hits {self._total}>"


@dataclass
class SearchOutcome:
    """Every matching essay of a query, and what the results page shows about it."""

    parsed: q.ParsedQuery
    hits: Sequence[Hit] = field(default_factory=list)
    topic: Topic | None = None
    facets: list[Topic] = field(default_factory=list)
    #: How many of the hits match the whole query as typed (the rest hold its words).
    exact_count: int = 0

    @property
    def partial_only(self) -> bool:
        """Whether essays were found but none holds the whole query as typed."""
        return bool(self.hits) and not self.exact_count

    @property
    def error(self) -> str:
        return self.parsed.error

    @property
    def count(self) -> int:
        return len(self.hits)


@dataclass
class Result:
    """One essay on a results page."""

    essay: Essay
    score: float
    tier: int
    section: Section | None
    snippet: str
    matched: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        """Whether the essay matches the whole query as typed."""
        return self.tier in (EXACT, PINYIN)

    @property
    def url(self) -> str:
        url = self.essay.get_absolute_url()
        return f"{url}#{self.section.anchor}" if self.section else url


def _rank(parsed: q.ParsedQuery, topic: Topic | None, limit: int | None) -> list[Hit]:
    """The first ``limit`` hits (all for None)."""
    slug = topic.slug if topic is not None else None
    return get_backend().match(parsed, topic=slug, limit=limit, facets=False).hits


def search_essays(
    raw_query: str | None, *, topic: Topic | None = None, first: int = 0
) -> SearchOutcome:
    """Every essay matching ``raw_query`` (in ``topic``, if given), best first.

    Direct matches come first, then essays found only through a pinyin reading, then
    essays holding all, then most, of the query's words (the tiers of
    :mod:`search.backends.base`). One pass gives the count, the topic facets and the
    first ``first`` hits (a results page asks for the hits up to its last one); later
    hits are ranked if read (see :class:`Hits`).
    """
    parsed = q.parse(raw_query)
    outcome = SearchOutcome(parsed=parsed, topic=topic)
    if parsed.is_empty or parsed.error:
        return outcome
    found = get_backend().match(
        parsed, topic=topic.slug if topic is not None else None, limit=first
    )
    parsed.spellings = found.spellings
    outcome.exact_count = found.exact_count

    def rank(limit: int | None) -> list[Hit]:
        return _rank(parsed, topic, limit)

    outcome.hits = Hits(found.total, found.hits, rank)
    # Facets count the whole result, so other topics stay reachable.
    outcome.facets = _facet_topics(found.topic_counts)
    return outcome


def _count(parsed: q.ParsedQuery, topic: Topic | None) -> int:
    """How many essays ``parsed`` matches (in every tier)."""
    return get_backend().count(parsed, topic=topic.slug if topic is not None else None)


def _facet_topics(counts: dict[str, int]) -> list[Topic]:
    """Topics with ``hit_count`` from ``counts`` (by slug), most first, then by name."""
    topics = list(Topic.objects.filter(slug__in=counts))
    for topic in topics:
        topic.hit_count = counts[topic.slug]
    return sorted(topics, key=lambda topic: (-topic.hit_count, topic.name))


# Presenting a page of hits ---------------------------------------------------------------


def partial_message(outcome: SearchOutcome) -> str:
    """What the page and the API say when no essay holds the whole query ('' otherwise)."""
    if not outcome.partial_only:
        return ""
    return f"没有文章包含完整的“{outcome.parsed.raw}”；以下文章包含其中的词。"


def highlight_terms(parsed: q.ParsedQuery) -> tuple[list[str], list[str]]:
    """Strings to mark for ``parsed`` and the pinyin words to mark by reading."""
    terms: list[str] = []
    for clause in parsed.clauses:
        terms.append(clause.text)
        if not clause.phrase:
            parts = q.compound_parts(clause.text)
            if 2 <= len(parts) <= 3:  # the compound in another order (统筹城乡 ~ 城乡统筹)
                terms.extend("".join(order) for order in itertools.permutations(parts))
            terms.extend(part for part in parts if is_informative(part))
            terms.extend(q.loose_words(clause))
    if parsed.spellings:  # the Chinese the pinyin words matched: mark exactly those
        return list(dict.fromkeys([*terms, *parsed.spellings])), []
    pinyin = [c.text for c in parsed.clauses if c.is_pinyin]
    if len(parsed.clauses) > 1 and all(c.is_pinyin for c in parsed.clauses):
        pinyin.append("".join(c.text for c in parsed.clauses))
    return list(dict.fromkeys(terms)), pinyin


def best_sections(essay_ids: list[int], terms: list[str], pinyin: list[str]) -> dict[int, Section]:
    """For each essay, the section whose heading and text cover most of the query.

    A section ranks by the query words it holds (heading or text; longer words count
    more), then by the longest of them (the string as typed beats its words apart),
    then by those its heading holds, then by how often they occur (headings weigh more).
    Essays where no section matches are left out. The sections are read as plain rows
    (one query) and folded one essay at a time; only the chosen ones become models.
    """
    rows = Section.objects.filter(essay_id__in=essay_ids).order_by("essay_id", "order")
    # Every column as plain rows: the chosen sections are made from theirs, not read again.
    columns = [field.attname for field in Section._meta.concrete_fields]
    pk_at, essay_at = columns.index(Section._meta.pk.attname), columns.index("essay_id")
    heading_at, text_at = columns.index("heading"), columns.index("text")
    by_essay: dict[int, list[tuple[int, str, str]]] = {}
    row_of: dict[int, tuple] = {}
    for row in rows.values_list(*columns):
        row_of[row[pk_at]] = row
        by_essay.setdefault(row[essay_at], []).append((row[pk_at], row[heading_at], row[text_at]))
    chosen: dict[int, int] = {}
    for essay_id, sections in by_essay.items():
        folded = fold_all([part for _, heading, text in sections for part in (heading, text)])
        joined = "\n".join(folded)
        essay_terms = [term for term in terms if term and term in joined]  # looked for once
        if not essay_terms and not pinyin:
            continue
        best: tuple[int, int, int, int] = (0, 0, 0, 0)
        for index, (pk, _, _) in enumerate(sections):
            heading, text = folded[2 * index], folded[2 * index + 1]
            if not pinyin and not any(t in heading or t in text for t in essay_terms):
                continue  # holds no query word: never the best
            held_heading = held_terms(heading, essay_terms)
            held_text = held_terms(text, essay_terms)
            in_heading = set(held_heading)
            covered = in_heading | set(held_text)
            spans = len(held_spans(heading, held_heading, pinyin))
            occurrences = HEADING_WEIGHT * spans + len(held_spans(text, held_text, pinyin))
            longest = max(map(len, covered), default=0)  # the words typed together first
            score = (_coverage(covered), longest, _coverage(in_heading), occurrences)
            if score > best and occurrences:
                chosen[essay_id], best = pk, score
    return {
        essay_id: Section.from_db(rows.db, columns, row_of[pk]) for essay_id, pk in chosen.items()
    }


def _coverage(words: set[str]) -> int:
    """How much of the query ``words`` cover: their characters, each counted once."""
    return sum(len(word) for word in words if not any(word in o for o in words if o != word))


def present(hits: list[Hit], parsed: q.ParsedQuery) -> list[Result]:
    """Essays of ``hits`` (in order) with their best section and a marked snippet."""
    ids = [hit.essay_id for hit in hits]
    # Not the collection's source text (a whole paper's) nor the import's front matter.
    essays = Essay.objects.select_related("collection").defer(
        "collection__raw_text", "front_matter", "imported_topic_slugs"
    )
    by_id = essays.in_bulk(ids)
    terms, pinyin = highlight_terms(parsed)
    sections = best_sections(list(by_id), terms, pinyin)
    # An essay matched outside its sections takes its snippet from all of its text.
    unsectioned = [essay for pk, essay in by_id.items() if pk not in sections]
    prefetch_related_objects(unsectioned, "sections", "references")
    results = []
    for hit in hits:
        essay = by_id.get(hit.essay_id)
        if essay is None:  # deleted since it was indexed
            continue
        section = sections.get(essay.pk)
        results.append(
            Result(
                essay=essay,
                score=hit.score,
                tier=hit.tier,
                section=section,
                snippet=snippet(_snippet_source(essay, section, terms, pinyin), terms, pinyin),
                matched=hit.matched,
            )
        )
    return results


def _snippet_source(essay: Essay, section: Section | None, terms, pinyin) -> str:
    """The text a result's snippet is cut from: the chosen section's, or the essay's
    best matching sentence outside its title (the title is shown already)."""
    if section is not None:
        if not section.text:  # a heading-only section: its heading, no "heading：" after it
            return section.heading
        if find_spans(section.text, terms, pinyin) or not find_spans(
            section.heading, terms, pinyin
        ):
            return section.text
        return f"{section.heading}：{section.text}"
    text = essay_text(essay)
    parts = [part for part in [*text.head, *text.body] if part]
    first = next((s for part in parts for s in _SENTENCE_END.split(part) if s.strip()), None)
    if first is None:
        return essay.title
    # Each sentence that can be the best, with its folded form. Folded once per essay:
    # fold keeps lengths, so a part's folded sentences are slices. Without pinyin, a
    # sentence holding no query word can only lose to one holding one.
    sentences: list[tuple[str, str]] = []
    for part, folded in zip(parts, fold_all(parts), strict=True):
        if not pinyin and not any(term and term in folded for term in terms):
            continue
        offset = 0
        for sentence in _SENTENCE_END.split(part):
            piece = folded[offset : offset + len(sentence)]
            offset += len(sentence)
            if sentence.strip() and (pinyin or any(term and term in piece for term in terms)):
                sentences.append((sentence, piece))
    if not sentences:
        return essay.intro or first
    best, folded = max(
        sentences,
        key=lambda pair: (
            _coverage(set(held_terms(pair[1], terms))),
            len(find_folded_spans(pair[1], terms, pinyin)),
        ),
    )
    return best if find_folded_spans(folded, terms, pinyin) else (essay.intro or first)


def topics_with_counts() -> list[Topic]:
    """Every topic with ``essay_count``, for the empty state's "browse a topic"."""
    return list(Topic.objects.annotate(essay_count=Count("essays")).order_by("name"))
