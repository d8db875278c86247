"""Search latency of the search backends side by side, on the database's own essays.

``python -m bench.backend_compare [--queries N] [--backends whoosh,postgres]``, with the
portal's settings (``DATABASE_URL`` naming PostgreSQL for the postgres backend) and each
backend's index built (``manage.py rebuild_index_swapped`` with each
``PORTAL_SEARCH_BACKEND``). Queries are sampled with a fixed seed from the essays'
texts, as readers write them: jieba words of 2–4 characters, single characters, and two
words of one line written together (unspaced). Each query is asked once per backend
(distinct queries: no cache has seen them), through ``SearchBackend.match`` with the
first results page, counts and facets, as the search page asks; the icontains peer
scans the essays' text in the database for the query as typed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def sample_queries(count: int, seed: int = 14) -> list[tuple[str, str]]:
    """(kind, query) pairs from the essays in the database."""
    from essays.models import Section
    from search.query import jieba_cut

    han_word = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
    rng = random.Random(seed)
    texts = list(Section.objects.exclude(text="").order_by("pk").values_list("text", flat=True))
    lines = [line for text in texts for line in text.splitlines() if len(line) > 20]
    rng.shuffle(lines)
    found: dict[str, str] = {}
    for line in lines[: count * 4]:
        words = [w for w in jieba_cut(line[:200]) if han_word.match(w)]
        if len(words) < 2:
            continue
        kind = ("word", "character", "unspaced")[len(found) % 3]
        if kind == "word":
            query = rng.choice(words)
        elif kind == "character":
            query = rng.choice(rng.choice(words))
        else:
            first, second = rng.sample(words, 2)
            query = first + second if first != second else first
        found.setdefault(query, kind)
        if len(found) >= count:
            break
    return [(kind, query) for query, kind in found.items()]


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _icontains(query: str) -> int:
    from django.db.models import Q

    from essays.models import Essay

    return (
        Essay.objects.filter(
            Q(title__icontains=query)
            | Q(intro__icontains=query)
            | Q(sections__text__icontains=query)
            | Q(sections__heading__icontains=query)
        )
        .distinct()
        .count()
    )


def main() -> None:
    """Print p50/p95 per backend and kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--backends", default="whoosh,postgres")
    parser.add_argument("--icontains", action="store_true", help="time the icontains peer too")
    args = parser.parse_args()
    _setup()
    from essays.models import Essay
    from search.backends import get_backend
    from search.query import parse

    queries = sample_queries(args.queries)
    print(f"{Essay.objects.count()} essays, {len(queries)} distinct queries")
    names = args.backends.split(",")
    results: dict[str, dict[str, list[float]]] = {}
    totals: dict[str, list[int]] = {}
    for name in names:
        backend = get_backend(name)
        backend.warm()
        backend.match(parse("预热"), limit=10)  # connection, jieba and pinyin tables
        for kind, query in queries:
            started = time.perf_counter()
            found = backend.match(parse(query), limit=10)
            elapsed = time.perf_counter() - started
            results.setdefault(name, {}).setdefault(kind, []).append(elapsed)
            results[name].setdefault("all", []).append(elapsed)
            totals.setdefault(name, []).append(found.total)
    if args.icontains:
        for kind, query in queries:
            started = time.perf_counter()
            _icontains(query)
            elapsed = time.perf_counter() - started
            results.setdefault("icontains", {}).setdefault(kind, []).append(elapsed)
            results["icontains"].setdefault("all", []).append(elapsed)
    kinds = ["all", *sorted({kind for kind, _ in queries})]
    print(f"{'backend':<10} " + " ".join(f"{kind + ' p50/p95 ms':>24}" for kind in kinds))
    for name, by_kind in results.items():
        cells = []
        for kind in kinds:
            p50, p95 = _percentiles(by_kind[kind])
            cells.append(f"{p50:>11.1f} / {p95:>9.1f}")
        print(f"{name:<10} " + " ".join(f"{cell:>24}" for cell in cells))
    if len(totals) > 1:
        first, *rest = totals.values()
        same = sum(all(t[i] == first[i] for t in rest) for i in range(len(first)))
        print(f"queries with the same number of results in every backend: {same}/{len(first)}")


if __name__ == "__main__":
    main()
