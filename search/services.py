"""Running a search: matching essays, best first, with their best section and facets."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from haystack import connections
from whoosh import query as wq

from essays.models import Essay, Reference, Section, Topic
from search import query as q
from search.analysis import jieba_words
from search.backend import IndexUnavailable
from search.documents import essay_text
from search.highlight import find_spans, snippet
from search.normalize import fold

HEADING_WEIGHT = 3
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One matching essay: its id, score, and 1 for a direct match, 2 for pinyin only."""

    essay_id: int
    score: float
    tier: int = 1


@dataclass
class SearchOutcome:
    """Every matching essay of a query, and what the results page shows about it."""

    parsed: q.ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    topic: Topic | None = None
    facets: list[Topic] = field(default_factory=list)

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

    @property
    def url(self) -> str:
        url = self.essay.get_absolute_url()
        return f"{url}#{self.section.anchor}" if self.section else url


def _backend():
    return connections["default"].get_backend()


def _run(whoosh_query: wq.Query, topic: Topic | None) -> list[tuple[int, float]]:
    """Ids and scores of the essays matching; IndexUnavailable if the index cannot be read."""
    backend = _backend()
    with backend.searcher() as searcher:
        try:
            hits = searcher.search(
                whoosh_query,
                limit=None,
                filter=wq.Term("topics", topic.slug) if topic else None,
            )
            return [(int(hit["django_id"]), float(hit.score or 0.0)) for hit in hits]
        except Exception as error:  # a damaged index fails in many ways; log, answer 503
            log.exception("Reading the search index failed")
            raise IndexUnavailable(f"cannot read the index: {error!r}") from error


def search_essays(raw_query: str | None, *, topic: Topic | None = None) -> SearchOutcome:
    """Every essay matching ``raw_query`` (in ``topic``, if given), best first.

    Direct matches come first, then essays found only through a pinyin reading.
    """
    parsed = q.parse(raw_query)
    outcome = SearchOutcome(parsed=parsed, topic=topic)
    direct = q.build(parsed)
    if direct is None:
        return outcome
    hits = [Hit(pk, score) for pk, score in _run(direct, topic)]
    if q.has_pinyin(parsed):
        seen = {hit.essay_id for hit in hits}
        hits.extend(
            Hit(pk, score, tier=2)
            for pk, score in _run(q.build(parsed, with_pinyin=True), topic)
            if pk not in seen
        )
    outcome.hits = hits
    if topic is not None:  # facets count the whole result, so other topics stay reachable
        hits = search_essays(raw_query).hits
    outcome.facets = topic_facets([hit.essay_id for hit in hits])
    return outcome


def topic_facets(essay_ids: list[int]) -> list[Topic]:
    """Topics with ``hit_count``: how many of these essays each has, most first."""
    if not essay_ids:
        return []
    ids = essay_ids
    return list(
        Topic.objects.annotate(hit_count=Count("essays", filter=Q(essays__in=ids)))
        .filter(hit_count__gt=0)
        .order_by("-hit_count", "name")
    )


# Presenting a page of hits ---------------------------------------------------------------


def highlight_terms(parsed: q.ParsedQuery) -> tuple[list[str], list[str]]:
    """Strings to mark for ``parsed`` and the pinyin words to mark by reading."""
    terms: list[str] = []
    for clause in parsed.clauses:
        terms.append(clause.text)
        if not clause.phrase:
            terms.extend(q.compound_parts(clause.text))
    pinyin = [c.text for c in parsed.clauses if c.is_pinyin]
    if len(parsed.clauses) > 1 and all(c.is_pinyin for c in parsed.clauses):
        pinyin.append("".join(c.text for c in parsed.clauses))
    return list(dict.fromkeys(terms)), pinyin


def _section_score(section: Section, terms: list[str], pinyin: list[str]) -> int:
    heading = len(find_spans(section.heading, terms, pinyin))
    text = len(find_spans(section.text, terms, pinyin))
    return HEADING_WEIGHT * heading + text


def best_section(essay: Essay, terms: list[str], pinyin: list[str]) -> Section | None:
    """The section whose heading and text match the query best (headings weigh more)."""
    best, best_score = None, 0
    for section in essay.sections.all():
        score = _section_score(section, terms, pinyin)
        if score > best_score:
            best, best_score = section, score
    return best


def present(hits: list[Hit], parsed: q.ParsedQuery) -> list[Result]:
    """Essays of ``hits`` (in order) with their best section and a marked snippet."""
    essays = Essay.objects.select_related("collection").prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("order")),
        Prefetch("references", queryset=Reference.objects.order_by("order")),
    )
    by_id = essays.in_bulk([hit.essay_id for hit in hits])
    terms, pinyin = highlight_terms(parsed)
    results = []
    for hit in hits:
        essay = by_id.get(hit.essay_id)
        if essay is None:  # deleted since it was indexed
            continue
        section = best_section(essay, terms, pinyin)
        results.append(
            Result(
                essay=essay,
                score=hit.score,
                tier=hit.tier,
                section=section,
                snippet=snippet(_snippet_source(essay, section, terms, pinyin), terms, pinyin),
            )
        )
    return results


def _snippet_source(essay: Essay, section: Section | None, terms, pinyin) -> str:
    if section is not None:
        if find_spans(section.text, terms, pinyin) or not find_spans(
            section.heading, terms, pinyin
        ):
            return section.text or section.heading
        return f"{section.heading}：{section.text}"
    for part in essay_text(essay).all:
        if find_spans(part, terms, pinyin):
            return part
    return essay.intro or next((s.text for s in essay.sections.all() if s.text), essay.title)


# Suggestions -----------------------------------------------------------------------------


def suggest(parsed: q.ParsedQuery, *, topic: Topic | None = None) -> str:
    """A query that finds something when ``parsed`` finds nothing ('' if none)."""
    clauses = parsed.clauses
    if not clauses:
        return ""
    candidates: list[str] = []
    if parsed.excluded:  # without the exclusions
        candidates.append(" ".join(_show(c) for c in clauses))
    if len(clauses) > 1:  # drop the words that find nothing on their own
        found = [c for c in clauses if _finds(q.ParsedQuery(raw=c.text, groups=[[c]]), topic)]
        if found and len(found) < len(clauses):
            candidates.append(" ".join(_show(c) for c in found))
        candidates.append(" OR ".join(_show(c) for c in clauses))
    for clause in clauses:  # a long word: its jieba words, or a shorter start
        words = [w for w in dict.fromkeys(jieba_words(clause.text)) if len(w) > 1]
        longest = sorted(words, key=len, reverse=True)
        if len(longest) > 1:
            candidates.append(" ".join(q.compound_parts(clause.text) or q.leaf_words(clause.text)))
        candidates.extend(longest[:3])
    for candidate in dict.fromkeys(candidates):
        if (
            candidate
            and fold(candidate) != fold(parsed.raw)
            and search_essays(candidate, topic=topic).hits
        ):
            return candidate
    return ""


def _show(clause: q.Clause) -> str:
    return f'"{clause.text}"' if clause.phrase else clause.text


def _finds(parsed: q.ParsedQuery, topic: Topic | None) -> bool:
    built = q.build(parsed)
    return bool(built is not None and _run(built, topic))


def topics_with_counts() -> list[Topic]:
    """Every topic with ``essay_count``, for the empty state's "browse a topic"."""
    return list(Topic.objects.annotate(essay_count=Count("essays")).order_by("name"))
