"""Running a search: matching essays, best first, with their best section and facets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from haystack import connections
from whoosh import collectors
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


@contextmanager
def _reading(action: str) -> Iterator[None]:
    """Any failure while reading a (damaged) index becomes IndexUnavailable: a 503."""
    try:
        yield
    except IndexUnavailable:
        raise
    except Exception as error:  # a damaged index fails in many ways; log, answer 503
        log.exception("Reading the search index failed (%s)", action)
        raise IndexUnavailable(f"cannot read the index: {error!r}") from error


def _topic_filter(topic: Topic | None) -> wq.Query | None:
    return wq.Term("topics", topic.slug) if topic else None


def _matching(searcher, whoosh_query: wq.Query | None) -> set[int]:
    """Document numbers matching ``whoosh_query``, unscored (empty for None)."""
    if whoosh_query is None:
        return set()
    return set(searcher.docs_for_query(whoosh_query))


def _count(whoosh_query: wq.Query, topic: Topic | None) -> int:
    """How many essays match, without scoring them."""
    with _backend().searcher() as searcher, _reading("count"):
        matched = _matching(searcher, whoosh_query)
        if topic is not None:
            matched &= _matching(searcher, _topic_filter(topic))
        return len(matched)


class _Ranking(collectors.TopCollector):
    """The top ``limit`` hits, exactly as an unlimited search orders them, and the set of
    every matching document number (``docset``), from one pass.

    whoosh's block-quality skipping and matcher replacement are off: they reorder the
    results of these compound queries (their quality bounds do not hold for them).
    """

    def __init__(self, limit: int):
        super().__init__(limit=limit, usequality=False, replace=0)

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)


def _collect(searcher, whoosh_query: wq.Query, limit: int, *, allow=None, restrict=None):
    ranking = _Ranking(limit)
    collector = ranking
    if allow is not None or restrict is not None:
        collector = collectors.FilterCollector(ranking, allow=allow, restrict=restrict)
    searcher.search_with_collector(whoosh_query, collector)
    return ranking.results(), ranking.docset


def _rank(
    searcher, direct: wq.Query, pinyin: wq.Query | None, topic: Topic | None, limit: int | None
) -> tuple[list[Hit], set[int]]:
    """The first ``limit`` hits (all for None) and every matching document number.

    Direct matches first, then the pinyin tier, masked with the direct matches so each
    essay appears once, in its first tier. Every match is matched and scored once, but
    only the first ``limit`` are kept and have their stored fields read.
    """
    limit = max(1, searcher.doc_count_all() if limit is None else limit)
    allow = _topic_filter(topic)
    found, matched = _collect(searcher, direct, limit, allow=allow)
    hits = [Hit(int(hit["django_id"]), float(hit.score or 0.0)) for hit in found]
    if pinyin is not None:
        rest = limit - len(hits)
        more, pinyin_only = _collect(searcher, pinyin, max(1, rest), allow=allow, restrict=matched)
        hits.extend(
            Hit(int(hit["django_id"]), float(hit.score or 0.0), tier=2) for hit in more[:rest]
        )
        matched = matched | pinyin_only
    return hits, matched


def search_essays(
    raw_query: str | None, *, topic: Topic | None = None, first: int = 0
) -> SearchOutcome:
    """Every essay matching ``raw_query`` (in ``topic``, if given), best first.

    Direct matches come first, then essays found only through a pinyin reading. One
    pass gives the count, the topic facets and the first ``first`` hits (a results page
    asks for the hits up to its last one); later hits are ranked if read (see :class:`Hits`).
    """
    parsed = q.parse(raw_query)
    outcome = SearchOutcome(parsed=parsed, topic=topic)
    direct = q.build(parsed)
    if direct is None:
        return outcome
    pinyin = q.build(parsed, with_pinyin=True) if q.has_pinyin(parsed) else None
    with _backend().searcher() as searcher, _reading("search"):
        hits, matched = _rank(searcher, direct, pinyin, topic, first)
        everywhere = matched
        if topic is not None:  # facets count the whole result, so other topics stay reachable
            everywhere = _matching(searcher, direct) | _matching(searcher, pinyin)
        counts = _topic_counts(searcher, everywhere)

    def rank(limit: int | None) -> list[Hit]:
        with _backend().searcher() as searcher, _reading("search"):
            return _rank(searcher, direct, pinyin, topic, limit)[0]

    outcome.hits = Hits(len(matched), hits, rank)
    outcome.facets = _facet_topics(counts)
    return outcome


def _topic_counts(searcher, docnums: set[int]) -> dict[str, int]:
    """For each topic slug in the index, how many of ``docnums`` have it."""
    if not docnums:
        return {}
    counts = {}
    for term in searcher.lexicon("topics"):
        slug = term.decode("utf-8") if isinstance(term, bytes) else term
        hits = len(docnums.intersection(searcher.docs_for_query(wq.Term("topics", slug))))
        if hits:
            counts[slug] = hits
    return counts


def _facet_topics(counts: dict[str, int]) -> list[Topic]:
    """Topics with ``hit_count`` from ``counts`` (by slug), most first, then by name."""
    topics = list(Topic.objects.filter(slug__in=counts))
    for topic in topics:
        topic.hit_count = counts[topic.slug]
    return sorted(topics, key=lambda topic: (-topic.hit_count, topic.name))


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
    return bool(built is not None and _count(built, topic))


def topics_with_counts() -> list[Topic]:
    """Every topic with ``essay_count``, for the empty state's "browse a topic"."""
    return list(Topic.objects.annotate(essay_count=Count("essays")).order_by("name"))
