"""Time one search backend over a list of distinct queries, in a fresh process.

``python -m bench.corpus_search ENGINE QUERIES.json`` (run by :mod:`bench.corpus`, with
the run's ``DATABASE_URL`` and ``PORTAL_DATA_DIR``) prints one JSON line. ``ENGINE`` is

- ``whoosh`` or ``postgres``: the portal's search as the results page runs it, minus
  the page cache — :func:`search.services.search_essays` (count, facets, first 10 hits
  ranked) then :func:`search.services.present` (their best sections and snippets), with
  ``PORTAL_SEARCH_BACKEND`` set to that engine; the engine's part alone
  (``search_essays``: matching, counting, facets, ranking) is timed too;
- ``icontains``: the naive peer, :func:`icontains_count` (every query word matched
  with ``icontains`` over the same texts, first page with snippets).

Each query is asked once, in the order given, after one warm-up query (not counted), in
a process that has seen none of them: no cache of the portal has met them (the OS file
cache and PostgreSQL's buffers may hold the index). Each query's wall time and this
process's CPU time are kept (the CPU figure leaves out the database server's work, so it
is comparable between engines only as "time spent in Python"). A time budget stops the loop; the
queries not asked are counted. Memory: the process's resident set (``VmRSS``, and its
peak ``VmHWM``) after the timed loop, and, in a second pass over the first queries with
:mod:`tracemalloc` on (not timed: tracing slows Python down), the peak of Python
allocations during one query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ENGINES = ("whoosh", "postgres", "icontains")


def _status_mb(key: str) -> float:
    """A ``/proc/self/status`` memory figure (``VmRSS``, ``VmHWM``) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _essays_with(word: str) -> set[int]:
    """Ids of the essays holding ``word`` (any case) in any indexed text: one scan per table."""
    from django.db.models import Q

    from essays.models import Essay, Reference, Section

    fields = ("title", "subtitle", "intro", "keywords")
    own = Q()
    for name in fields:
        own |= Q(**{f"{name}__icontains": word})
    found = set(Essay.objects.filter(own).values_list("pk", flat=True))
    sections = Section.objects.filter(Q(heading__icontains=word) | Q(text__icontains=word))
    found.update(sections.values_list("essay_id", flat=True))
    found.update(Reference.objects.filter(text__icontains=word).values_list("essay_id", flat=True))
    return found


def icontains_count(query: str) -> int:
    """The ``icontains`` peer: essays holding every word of ``query``, first page with
    snippets (as :func:`bench.views.icontains_search`, but one scan per table and word
    rather than one join of essays × sections × references); returns the count."""
    from essays.models import Essay
    from search.highlight import snippet

    words = [w for w in query.replace('"', " ").split() if w]
    ids: set[int] | None = None
    for word in words:
        found = _essays_with(word)
        ids = found if ids is None else ids & found
    ordered = sorted(ids or ())
    page = Essay.objects.filter(pk__in=ordered[:10]).prefetch_related("sections")
    for essay in page:
        text = next(
            (s.text for s in essay.sections.all() if any(w in s.text for w in words)),
            essay.intro,
        )
        str(snippet(text, words))
    return len(ordered)


def _searcher(engine: str):
    """A function running one query the way ``engine`` answers it; returns the count
    and how long the engine's part took in ms (the results page's match, count, facets
    and ranking, :func:`search.services.search_essays`, without presenting the hits;
    for ``icontains``, all of it)."""
    if engine == "icontains":

        def peer(query: str) -> tuple[int, float]:
            started = time.perf_counter()
            count = icontains_count(query)
            return count, (time.perf_counter() - started) * 1000

        return peer

    from search.services import present, search_essays

    def portal(query: str) -> tuple[int, float]:
        started = time.perf_counter()
        outcome = search_essays(query, first=10)
        engine_ms = (time.perf_counter() - started) * 1000
        present(list(outcome.hits[:10]), outcome.parsed)
        return outcome.count, engine_ms

    return portal


def run(engine: str, queries: list[list[str]], warm_up: str, budget: float) -> dict[str, Any]:
    """Ask every query once (within ``budget`` seconds); timings, counts and memory."""
    from search.backends import get_backend

    started = time.perf_counter()
    if engine != "icontains":
        get_backend().warm()
    warm_ms = (time.perf_counter() - started) * 1000
    search = _searcher(engine)
    started = time.perf_counter()
    search(warm_up)
    first_ms = (time.perf_counter() - started) * 1000
    rss_before = _status_mb("VmRSS")
    load_before = os.getloadavg()[0]

    asked: list[dict[str, Any]] = []
    deadline = time.perf_counter() + budget
    for kind, query in queries:
        if time.perf_counter() > deadline:
            break
        started, cpu = time.perf_counter(), time.process_time()
        count, engine_ms = search(query)
        asked.append(
            {
                "kind": kind,
                "query": query,
                "ms": (time.perf_counter() - started) * 1000,
                "engine_ms": engine_ms,
                "cpu_ms": (time.process_time() - cpu) * 1000,
                "count": count,
            }
        )
    rss_after, rss_peak = _status_mb("VmRSS"), _status_mb("VmHWM")

    traced = queries[: min(len(asked), 30)]
    peaks = []
    tracemalloc.start()
    for _, query in traced:
        tracemalloc.reset_peak()
        search(query)
        peaks.append(tracemalloc.get_traced_memory()[1] / 1024 / 1024)
    tracemalloc.stop()
    return {
        "engine": engine,
        "warm_ms": round(warm_ms, 1),
        "first_query_ms": round(first_ms, 1),
        "asked": asked,
        "not_asked": len(queries) - len(asked),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "rss_before_mb": round(rss_before, 1),
        "rss_after_mb": round(rss_after, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "tracemalloc_peak_mb_max": round(max(peaks, default=0.0), 2),
        "tracemalloc_peak_mb_median": round(sorted(peaks)[len(peaks) // 2] if peaks else 0.0, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Time ``ENGINE`` over the queries of ``QUERIES.json``; print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus_search")
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("queries", type=Path, help="JSON: {warm_up, queries: [[kind, q]...]}")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds of queries (max)")
    args = parser.parse_args(argv)
    if args.engine != "icontains":
        os.environ["PORTAL_SEARCH_BACKEND"] = args.engine
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    spec = json.loads(args.queries.read_text(encoding="utf-8"))
    result = run(args.engine, spec["queries"], spec["warm_up"], args.budget)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
