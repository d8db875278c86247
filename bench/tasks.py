"""Benchmark steps that run inside Django (``python -m bench.tasks index|freshness``).

Each prints one JSON line for :mod:`bench.run`.

- ``index``: a full rebuild of the search index as ``rebuild_index_swapped`` does it
  (fresh directory, segments built by the configured number of processes, swap),
  timed, then the same rebuild in one process; then jieba's search-mode segmentation
  alone over the same text of an evenly spread sample of essays — the upper bound for
  any index built on jieba, on one core — as throughput to compare. The memory of each
  rebuild is the peak, sampled every 0.1 s, of its processes' total RSS and PSS (PSS
  counts pages a forked worker shares with its parent once).
- ``freshness``: edits a section of a real essay (a unique marker word, in a
  transaction, as the admin does), then asks the running server's search API for the
  marker until it is found; the delay from the start of the save is what an editor
  waits. The edit is undone afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from urllib.parse import quote

import django


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def _memory_kb(pid: int) -> tuple[int, int]:
    """Rss and Pss of process ``pid`` in kB (0, 0 once it has gone)."""
    found = {"Rss:": 0, "Pss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                key, value, *_ = line.split()
                if key in found:
                    found[key] = int(value)
    except (OSError, ValueError):
        pass
    return found["Rss:"], found["Pss:"]


def _family(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    pids = [pid]
    for member in pids:
        try:
            with open(f"/proc/{member}/task/{member}/children", encoding="ascii") as handle:
                pids.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return pids


class _PeakMemory:
    """The peak total Rss and Pss (MB) of this process and its children while in use."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.rss_mb = 0.0
        self.pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            totals = [_memory_kb(pid) for pid in _family(os.getpid())]
            self.rss_mb = max(self.rss_mb, sum(rss for rss, _ in totals) / 1024)
            self.pss_mb = max(self.pss_mb, sum(pss for _, pss in totals) / 1024)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed_rebuild(backend, processes: int | None) -> dict:
    """One full rebuild (``processes`` None: as configured): time, processes, memory."""
    with _PeakMemory() as memory:
        started = time.perf_counter()
        count = backend.rebuild(processes=processes)
        seconds = time.perf_counter() - started
    return {
        "count": count,
        "seconds": seconds,
        "processes": backend.last_rebuild["processes"],
        "segments": backend.last_rebuild["segments"],
        "rss_mb": round(memory.rss_mb),
        "pss_mb": round(memory.pss_mb),
    }


def index(jieba_sample: int) -> dict:
    """Time a full rebuild and jieba-only segmentation of the same text."""
    from essays.models import Essay
    from essays.text.jieba_setup import ensure_jieba
    from search.backends import get_backend
    from search.documents import essay_text, join_lines

    backend = get_backend("whoosh")
    ids = list(Essay.objects.order_by("pk").values_list("pk", flat=True))

    parallel = _timed_rebuild(backend, None)
    single = _timed_rebuild(backend, 1)
    count = parallel["count"]

    total_bytes = 0
    sample_bytes = 0
    step = max(1, len(ids) // max(1, jieba_sample))
    sample_ids = set(ids[::step])
    sample_texts = []
    essays = Essay.objects.prefetch_related("sections", "references", "topics")
    for essay in essays.iterator(chunk_size=200):
        text = join_lines(essay_text(essay).all)
        size = len(text.encode("utf-8"))
        total_bytes += size
        if essay.pk in sample_ids:
            sample_texts.append(text)
            sample_bytes += size
    tokenizer = ensure_jieba()
    started = time.perf_counter()
    for text in sample_texts:
        for line in text.split("\n"):
            for _ in tokenizer.cut_for_search(line):
                pass
    jieba_seconds = time.perf_counter() - started
    jieba_kb_s = sample_bytes / 1024 / jieba_seconds
    rebuild_kb_s = total_bytes / 1024 / parallel["seconds"]
    single_kb_s = total_bytes / 1024 / single["seconds"]
    return {
        "essays": count,
        "text_mb": round(total_bytes / 1024 / 1024, 1),
        # The rebuild as configured (PORTAL_INDEX_PROCESSES, default min(2, cores)).
        "rebuild_s": round(parallel["seconds"], 2),
        "rebuild_essays_s": round(count / parallel["seconds"], 1),
        "rebuild_kb_s": round(rebuild_kb_s, 1),
        "rebuild_processes": parallel["processes"],
        "rebuild_segments": parallel["segments"],
        "rebuild_peak_rss_mb": parallel["rss_mb"],
        "rebuild_peak_pss_mb": parallel["pss_mb"],
        "rebuild_vs_jieba": round(rebuild_kb_s / jieba_kb_s, 2),
        # The same rebuild in one process: the like-for-like ratio to jieba-only.
        "rebuild_1p_s": round(single["seconds"], 2),
        "rebuild_1p_kb_s": round(single_kb_s, 1),
        "rebuild_1p_segments": single["segments"],
        "rebuild_1p_peak_rss_mb": single["rss_mb"],
        "rebuild_1p_peak_pss_mb": single["pss_mb"],
        "rebuild_1p_vs_jieba": round(single_kb_s / jieba_kb_s, 2),
        "jieba_sample_essays": len(sample_texts),
        "jieba_s": round(jieba_seconds, 2),
        "jieba_kb_s": round(jieba_kb_s, 1),
        "jieba_processes": 1,
        "essay_ids": ids[:50],
    }


def freshness(base: str, rounds: int = 3, timeout: float = 10.0) -> dict:
    """Save → searchable delay through the running server, ``rounds`` times."""
    from django.db import transaction

    from essays.models import Section

    section = Section.objects.exclude(text="").order_by("essay_id", "order").first()
    if section is None:
        raise SystemExit("no section to edit")
    original = section.text
    delays = []
    try:
        for _ in range(rounds):
            marker = "基准标记" + uuid.uuid4().hex[:8]
            url = f"{base}/api/search/?q={quote(marker)}"
            started = time.perf_counter()
            with transaction.atomic():
                section.text = f"{original}\n{marker}"
                section.save()
            saved = time.perf_counter()
            found = None
            while time.perf_counter() - started < timeout:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    if json.loads(response.read())["count"] > 0:
                        found = time.perf_counter()
                        break
                time.sleep(0.01)
            if found is None:
                raise SystemExit(f"the marker was not searchable within {timeout} s")
            delays.append(
                {"save_ms": (saved - started) * 1000, "total_ms": (found - started) * 1000}
            )
    finally:
        with transaction.atomic():
            section.text = original
            section.save()
    totals = [d["total_ms"] for d in delays]
    return {
        "rounds": rounds,
        "median_ms": round(statistics.median(totals), 1),
        "max_ms": round(max(totals), 1),
        "save_ms_median": round(statistics.median(d["save_ms"] for d in delays), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run one step and print its JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.tasks")
    sub = parser.add_subparsers(dest="step", required=True)
    index_parser = sub.add_parser("index", help="time a full rebuild and jieba-only")
    index_parser.add_argument("--jieba-sample", type=int, default=1000, help="essays to sample")
    fresh_parser = sub.add_parser("freshness", help="time save → searchable")
    fresh_parser.add_argument("--base", required=True, help="the server, http://127.0.0.1:PORT")
    args = parser.parse_args(argv)
    _setup()
    result = index(args.jieba_sample) if args.step == "index" else freshness(args.base)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
