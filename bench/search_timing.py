"""In-process timing of the search API for the bench's query mix (no server, no wrk).

``python -m bench.search_timing bench/results/data-1000 [--rounds 7] [--out FILE]``
— with the environment the bench's servers get (:func:`bench.run.bench_env`), for each query of
:data:`bench.run.QUERIES`, one warm-up then ``--rounds`` requests to ``/api/search/?q=``
(first page of 10, with snippets) through Django's test client; prints the median per
query and p50 / p95 over all requests. Every request carries a throwaway ``r=``
parameter (:func:`bench.run.unique`), so a response cache keyed by the full path never
answers for the engine. ``--out`` also writes each query's median, count,
first-page essay ids and facets, to compare two versions for identical answers.
Needs an indexed data directory (``python -m bench --sizes 1000`` leaves one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import django


def main() -> None:
    """Time the search API in-process for the query mix and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", help="an indexed data directory, e.g. bench/results/data-1000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    from bench.run import QUERIES, bench_env, search_path, unique

    os.environ.update(bench_env(Path(args.data_dir).resolve()))
    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    client = Client()
    every, report = [], {}
    for _, query in QUERIES:
        client.get(unique(search_path(query), "warm-up"))
        times = []
        for n in range(args.rounds):
            started = time.perf_counter()
            response = client.get(unique(search_path(query), str(n)))
            times.append((time.perf_counter() - started) * 1000)
        body = response.json()
        every += times
        median = statistics.median(times)
        report[query] = {
            "median_ms": round(median, 1),
            "count": body["count"],
            "ids": [result["essay_id"] for result in body["results"]],
            "facets": sorted((f["slug"], f["count"]) for f in body["facets"]),
        }
        print(f"{query}\tmedian {median:.1f} ms\tcount {body['count']}", flush=True)
    every.sort()
    p95 = every[max(0, round(len(every) * 0.95) - 1)]
    print(f"all\tp50 {statistics.median(every):.1f} ms\tp95 {p95:.1f} ms")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(report, out, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
