"""The search-engine interface: all the rest of the portal knows of a search engine.

A backend answers a parsed query (:mod:`search.query`) with the matching essays, best
first, in tiers (:data:`EXACT` … :data:`MOST_WORDS`: the query as typed, its pinyin
reading, all of its words, most of them), with the count, the topic facets and the
query words each essay holds; it counts its documents, gives a cheap token that
changes whenever what it answers may have, and writes, removes and rebuilds essays'
documents.

Two backends implement it: whoosh through haystack (:mod:`search.backends.whoosh`, the
embedded default, one machine) and PostgreSQL's full-text search
(:mod:`search.backends.postgres`, several machines sharing one database). The setting
``PORTAL_SEARCH_BACKEND`` chooses (:func:`search.backends.get_backend`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from search.query import ParsedQuery

#: The tiers of a match, best first (the numbers :attr:`Hit.tier` holds).
EXACT, PINYIN, ALL_WORDS, MOST_WORDS = 1, 2, 3, 4


class IndexUnavailable(Exception):
    """The search index cannot be read or written now (missing, damaged, unreachable).

    Search pages answer it with a 503 and ``/healthz`` reports it; the one exception
    every backend raises for any failure of its engine.
    """


@dataclass(frozen=True)
class Hit:
    """One matching essay: its id, score, tier and the query words it holds.

    Tiers: 1 the query as typed, 2 its pinyin reading only, 3 all the words of the
    query, 4 most of them.
    """

    essay_id: int
    score: float
    tier: int = EXACT
    matched: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        """Whether the essay matches the whole query as typed (or as its pinyin reads)."""
        return self.tier in (EXACT, PINYIN)


@dataclass
class Match:
    """What a backend found for one query (within a topic, if one was given).

    ``hits`` holds the first ``limit`` hits asked for, ranked (all when ``limit`` was
    None); ``total`` counts them all, ``exact_count`` those of tiers 1 and 2. Topic
    counts cover the whole result, ignoring the topic filter, so other topics stay
    reachable. ``spellings`` are the Chinese words a pinyin query matched.
    """

    total: int = 0
    exact_count: int = 0
    hits: list[Hit] = field(default_factory=list)
    topic_counts: dict[str, int] = field(default_factory=dict)
    spellings: list[str] = field(default_factory=list)


@dataclass
class Check:
    """One of a backend's own health checks, as ``/healthz`` reports it."""

    name: str
    ok: bool
    details: dict[str, Any] = field(default_factory=dict)


class SearchBackend(ABC):
    """A search engine the portal can run on. Subclasses implement every abstract method;
    the shared suite in ``tests/search/backends/`` holds each of them to the same
    guarantees."""

    #: The name ``PORTAL_SEARCH_BACKEND`` selects it by.
    name: ClassVar[str]
    #: Whether :meth:`index` runs inside the transaction that changed the essays (search
    #: then never disagrees with the database), rather than after it commits, through
    #: the re-index outbox (:mod:`search.outbox`).
    transactional: ClassVar[bool] = False
    #: The names of the checks :meth:`checks` returns (reported as failed, unrun, when
    #: the index cannot be read at all).
    check_names: ClassVar[tuple[str, ...]] = ()

    # Reading ------------------------------------------------------------------------

    @abstractmethod
    def match(
        self,
        parsed: ParsedQuery,
        *,
        topic: str | None = None,
        limit: int | None = None,
        facets: bool = True,
    ) -> Match:
        """The essays ``parsed`` matches (those with topic slug ``topic``, if given): the
        count, the first ``limit`` hits ranked, and (with ``facets``) topic counts.
        Raises :class:`IndexUnavailable` when the index cannot be read."""

    def count(self, parsed: ParsedQuery, *, topic: str | None = None) -> int:
        """How many essays ``parsed`` matches, in every tier."""
        return self.match(parsed, topic=topic, limit=0, facets=False).total

    @abstractmethod
    def holds(self, text: str) -> bool:
        """Whether any essay contains ``text`` (normalised) as a substring."""

    @abstractmethod
    def homophones(self, text: str, *, whole_words: bool = False) -> list[str]:
        """Strings the index holds that read like Chinese ``text`` (toneless pinyin) and
        differ from it in a few characters, fewest differences first, then most essays:
        candidates for "did you mean" (服物意识 → 服务意识). With ``whole_words``, only
        those some essay holds as a word of its own (not across a word boundary)."""

    @abstractmethod
    def document_count(self) -> int:
        """How many essays the index holds (raises :class:`IndexUnavailable`)."""

    @abstractmethod
    def state_token(self) -> str:
        """A short string that changes whenever what searches answer may change; cheap
        enough to read on every request (page-cache keys), never raising."""

    def warm(self) -> None:  # noqa: B027 - optional: most engines need no warming
        """Load what the first searches need (before a server forks its workers)."""

    def checks(self) -> list[Check]:
        """The backend's own health checks beyond reading the document count."""
        return []

    # Writing ------------------------------------------------------------------------

    @abstractmethod
    def index(self, essay_ids: Iterable[int]) -> bool:
        """Bring these essays' documents in line with the database: write those that
        exist, remove those that are gone. Returns False when the write was handed to a
        background writer and is not yet confirmed; raises when it failed."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every document (the next :meth:`rebuild` fills the index again)."""

    @abstractmethod
    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Build a complete new index of every essay and make it live at once when done;
        readers keep the old one until then, and a failure leaves it untouched. Returns
        the number of essays indexed."""

    def location(self) -> str:
        """Where the index lives, for messages (a path, or a table)."""
        return self.name
