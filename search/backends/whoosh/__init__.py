"""The whoosh engine (through haystack): the embedded default, one index per machine.

The index lives under ``HAYSTACK_CONNECTIONS["default"]["PATH"]`` (the data
directory's ``whoosh/``), in generations switched by a ``CURRENT`` file. Matching and
ranking run on an in-process snapshot of the index's postings (numpy arrays per
document number); writes go through haystack's backend after the change commits, by
way of the re-index outbox.

The package, by concern:

- :mod:`.codec` — whoosh's file format (posting and position encoding, reading
  postings and lengths from segments): the one module that knows whoosh's private
  structures;
- :mod:`.analysis` — the whoosh tokenizers over :mod:`search.analysis`'s terms;
  :mod:`.search_indexes` — the haystack index (one document per essay);
- :mod:`.bulk_writer` — the segment writer; :mod:`.rebuild` — full rebuilds in forked
  workers; :mod:`.merge` — the merge policy of saves; :mod:`.writing` — essay ids
  into index writes;
- :mod:`.generations` — the ``CURRENT`` generation and switching it; :mod:`.state` —
  the state token; :mod:`.searchers` — shared searcher leases; :mod:`.integrity` —
  checksums of the index files;
- :mod:`.snapshot`, :mod:`.phrases`, :mod:`.ranking`, :mod:`.matching` — answering a
  query from posting lists with numpy;
- :mod:`.haystack` — the thin haystack adapter (``HAYSTACK_CONNECTIONS``' engine).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from search.backends.base import Check, Hit, IndexUnavailable, Match, SearchBackend

log = logging.getLogger(__name__)


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


class WhooshBackend(SearchBackend):
    """Search on the whoosh index of this machine."""

    name = "whoosh"
    transactional = False
    check_names = ("index_files",)

    # haystack's side ----------------------------------------------------------------

    @staticmethod
    def haystack():
        """haystack's whoosh backend for the default connection."""
        from haystack import connections

        return connections["default"].get_backend()

    @contextmanager
    def _snapshot(self, action: str):
        from search.backends.whoosh.snapshot import snapshot

        with self.haystack().searcher() as searcher, _reading(action):
            yield snapshot(searcher)

    # Reading ------------------------------------------------------------------------

    def match(self, parsed, *, topic=None, limit=None, facets=True) -> Match:
        from search.backends.whoosh import matching, ranking

        with self._snapshot("search") as snap:
            found = matching.match(snap, parsed)
            allow = snap.mask("topics", topic) if topic is not None else snap.live
            ranked = ranking.rank(
                found.scores, [tier & allow for tier in found.tiers()], found.primary
            )
            stop = len(ranked) if limit is None else min(limit, len(ranked))
            hits = [
                Hit(
                    snap.essay_id(int(ranked.docnums[i])),
                    float(ranked.scores[i]),
                    int(ranked.tiers[i]),
                    tuple(found.matched(int(ranked.docnums[i]))),
                )
                for i in range(stop)
            ]
            counts = _topic_counts(snap, found.everything) if facets else {}
            return Match(
                total=len(ranked),
                exact_count=int((found.exact & allow).sum()),
                hits=hits,
                topic_counts=counts,
                spellings=list(found.spellings),
            )

    def holds(self, text: str) -> bool:
        from search.backends.whoosh.phrases import substring

        with self._snapshot("suggest") as snap:
            return bool((substring(snap, text) & snap.live).any())

    def homophones(self, text: str, *, whole_words: bool = False) -> list[str]:
        from search.backends.whoosh import matching

        with self._snapshot("suggest") as snap:
            found = matching.homophones(snap, text)
            if whole_words:
                found = [word for word in found if (snap.mask("text", word) & snap.live).any()]
            return found

    def document_count(self) -> int:
        with self.haystack().searcher() as searcher, _reading("count"):
            return searcher.doc_count()

    def state_token(self) -> str:
        from search.backends.whoosh.state import index_token

        return index_token()

    def warm(self) -> None:
        from search.backends.whoosh.snapshot import warm

        with self.haystack().searcher() as searcher:
            warm(searcher)

    def checks(self) -> list[Check]:
        from search.backends.whoosh import integrity

        try:
            found = integrity.verify(self.haystack().live_path())
        except (IndexUnavailable, OSError) as error:
            log.error("Health check: cannot verify the search index files: %s", error)
            return [Check("index_files", False, {"error": "无法校验搜索索引文件。"})]
        details: dict = {"recorded": found.recorded}
        if found.unrecorded:  # written after the last record: checked once a commit records them
            details["unrecorded"] = len(found.unrecorded)
        if found.unchecked:  # over this probe's reading budget: checked by the next probes
            details["unchecked"] = len(found.unchecked)
        if not found.ok:
            log.error("Health check: damaged search index files: %s", found.damaged)
            damaged = len(found.damaged)
            details.update(
                damaged=found.damaged,
                error=f"搜索索引有 {damaged} 个文件与提交时记录的校验和不符：索引已损坏。",
            )
        return [Check("index_files", found.ok, details)]

    # Writing ------------------------------------------------------------------------

    def index(self, essay_ids: Iterable[int]) -> bool:
        from search.backends.whoosh.writing import write_essays

        return write_essays(essay_ids)

    def clear(self) -> None:
        self.haystack().clear()

    def rebuild(
        self, *, progress: Callable[[int], None] | None = None, processes: int | None = None
    ) -> int:
        """See :meth:`SearchBackend.rebuild`; ``processes``: the worker processes to use
        (default ``PORTAL_INDEX_PROCESSES``, see :func:`.rebuild.index_processes`)."""
        from haystack import connections

        from essays.models import Essay

        index = connections["default"].get_unified_index().get_index(Essay)
        # A queryset (not an iterator): the backend shares it out among its worker processes.
        return self.haystack().rebuild_swapped(
            index, index.index_queryset(using="default"), processes=processes
        )

    @property
    def last_rebuild(self) -> dict[str, int]:
        """How this process's last rebuild ran: ``{"processes": …, "segments": …}``."""
        return self.haystack().last_rebuild

    def location(self) -> str:
        return str(self.haystack().path)


def _topic_counts(snap, matched) -> dict[str, int]:
    """For each topic slug in the index, how many of the ``matched`` documents have it."""
    if not matched.any():
        return {}
    counts = {}
    slugs = snap.remembered(  # whoosh walks every segment's term table for them
        ("topic slugs",),
        lambda: [
            t.decode("utf-8") if isinstance(t, bytes) else t for t in snap.reader.lexicon("topics")
        ],
    )
    for slug in slugs:
        hits = int((matched & snap.mask("topics", slug)).sum())
        if hits:
            counts[slug] = hits
    return counts
