"""The real-corpus benchmark: whoosh vs the PostgreSQL backend vs ``icontains``, one run.

``.venv/bin/python -m bench --corpus ../shared/corpus/chinaxiv-bench-3000.tar.xz
[--backends whoosh,postgres,icontains] [--limit N] [--fresh]``

PATH is a folder of ``*.md`` papers or a ``.tar.xz`` of them (never committed). In one
run, on one PostgreSQL database (a throwaway cluster on loopback, started here and kept
in ``bench/results/corpus-<name>-<N>/pg`` so the slow import is done once; ``--fresh``
imports again; ``--database-url`` uses a server of your own instead):

1. **import**: ``migrate``, then one ``import_essays DIR --no-index`` over every paper
   (as :mod:`bench.import_corpus`), timed wall and CPU;
2. **queries**: ≥ 200 distinct queries drawn from the imported papers
   (:mod:`bench.corpus_queries`: jieba words of three frequency bands, single
   characters, unspaced pairs of neighbouring words from titles and sentences);
3. **rebuild**, per engine: ``rebuild_index_swapped`` with ``PORTAL_SEARCH_BACKEND`` set
   to it, timed wall and CPU, peak memory of its processes, and the index's size;
4. **search**, per engine, each in a fresh process (:mod:`bench.corpus_search`): every
   query once, the portal's search minus the page cache (``search_essays`` +
   ``present``) or the ``icontains`` peer; p50 / p95 / max per engine and per kind of
   query, the process's memory, and how often whoosh and PostgreSQL count the same
   essays for a query.

Prints Markdown tables with the ratios of this run, and writes every figure to
``bench/results/corpus-<time>.json`` (and ``corpus-latest.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench.import_corpus import _manage
from bench.pg_cluster import PG_BIN, PgCluster

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ENGINES = ("whoosh", "postgres", "icontains")
#: Targets of issue 14 at 3,000 papers (ms).
WHOOSH_P95_MS, POSTGRES_P95_MS, POSTGRES_OVER_WHOOSH = 50, 100, 3
#: The throwaway cluster's shared_buffers (a quarter of a 4 GB server).
SHARED_BUFFERS = "1GB"


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(f"[bench corpus {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def corpus_env(data_dir: Path, database_url: str, engine: str = "whoosh") -> dict[str, str]:
    """The environment of every portal process of the run (production-like, DEBUG off)."""
    from bench.run import bench_env

    env = bench_env(data_dir)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_SEARCH_BACKEND": engine,
            # As in the synthetic runs: the whoosh rebuild uses both cores (its default
            # on PostgreSQL is one process).
            "PORTAL_INDEX_PROCESSES": "2",
        }
    )
    env.pop("PORTAL_CACHE_URL", None)
    return env


def _papers(path: Path, limit: int, work: Path) -> Path:
    """A folder holding the papers (the first ``limit`` by name when limited)."""
    if path.is_dir():
        folder = path
    else:
        with tarfile.open(path) as archive:
            archive.extractall(work / "papers", filter="data")
        folder = work / "papers"
    if not limit:
        return folder
    subset = work / "subset"
    subset.mkdir()
    for paper in sorted(folder.rglob("*.md"))[:limit]:
        (subset / paper.name).symlink_to(paper)
    return subset


def _psql(database_url: str, sql: str) -> str:
    done = subprocess.run(
        [str(PG_BIN / "psql"), database_url, "-tAc", sql], capture_output=True, text=True
    )
    return done.stdout.strip()


def import_papers(args: argparse.Namespace, state: Path, env: dict[str, str]) -> dict[str, Any]:
    """Import the papers once (figures kept in ``state/import.json``; reused later)."""
    marker = state / "import.json"
    if marker.exists() and not args.fresh:
        log(f"reusing the imported papers ({marker})")
        _manage(env, "migrate", "-v0")
        return {**json.loads(marker.read_text()), "reused": True}
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        log("extracting the papers")
        folder = _papers(args.corpus, args.limit, Path(tmp))
        papers = len(list(folder.rglob("*.md")))
        wall, cpu, done = _manage(env, "migrate", "-v0")
        if done.returncode:
            raise SystemExit(f"migrate failed:\n{done.stderr}")
        log(f"importing {papers} papers (no index)")
        wall, cpu, done = _manage(env, "import_essays", str(folder), "--no-index", "-v0")
    failures = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    essays = int(_psql(env["DATABASE_URL"], "SELECT count(*) FROM essays_essay") or 0)
    result = {
        "papers": papers,
        "essays": essays,
        "failed": len(failures),
        "failures": failures[:20],
        "traceback": "Traceback" in done.stderr,
        "import_s": round(wall, 1),
        "import_cpu_s": round(cpu, 1),
        "papers_per_s": round(papers / wall, 2),
        "papers_per_cpu_s": round(papers / cpu, 2),
        "database_mb": round(
            int(_psql(env["DATABASE_URL"], "SELECT pg_database_size(current_database())") or 0)
            / 2**20
        ),
    }
    marker.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def _cpu_seconds(main: int, family: list[int]) -> float:
    """CPU seconds used so far by ``main``, its finished children and the living ``family``."""
    total = 0.0
    for pid in family:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        if pid == main:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: children waited for
        total += ticks / os.sysconf("SC_CLK_TCK")
    return total


def _rebuild_process(engine: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``rebuild_index_swapped`` for ``engine``; wall, CPU (its own and its waited-for
    children's) and the peak RSS / PSS of its process family, sampled every 0.1 s."""
    from bench.tasks import _family, _memory_kb

    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "rebuild_index_swapped"],
        cwd=ROOT,
        env={**env, "PORTAL_SEARCH_BACKEND": engine},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_rss = peak_pss = 0
    finished = threading.Event()
    output: dict[str, str] = {}

    def drain() -> None:
        output["stdout"], output["stderr"] = process.communicate()
        finished.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    cpu = 0.0
    while not finished.wait(0.1):
        family = _family(process.pid)
        sizes = [_memory_kb(pid) for pid in family]
        peak_rss = max(peak_rss, sum(rss for rss, _ in sizes))
        peak_pss = max(peak_pss, sum(pss for _, pss in sizes))
        cpu = max(cpu, _cpu_seconds(process.pid, family))
    reader.join()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{engine}: rebuild_index_swapped failed:\n{output['stderr'][-3000:]}")
    return {
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),  # sampled: up to 0.1 s before it ended
        "peak_rss_mb": round(peak_rss / 1024),
        "peak_pss_mb": round(peak_pss / 1024),
        "output": output["stdout"].strip()[-300:],
    }


def rebuild(engine: str, env: dict[str, str], state: Path) -> dict[str, Any]:
    """Rebuild ``engine``'s index from scratch; time, CPU, peak memory, size. The figures
    are kept in ``state/rebuild-<engine>.json`` (for ``--reuse-index``)."""
    log(f"{engine}: rebuilding the index")
    result = _rebuild_process(engine, env)
    if engine == "whoosh":
        folder = Path(env["PORTAL_DATA_DIR"]) / "whoosh"
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        result["index_mb"] = round(size / 2**20, 1)
    else:
        sizes = _psql(
            env["DATABASE_URL"],
            "SELECT string_agg(relname || '=' || pg_total_relation_size(oid), ',') FROM pg_class "
            "WHERE relkind IN ('r', 'm') AND relname LIKE 'search%'",
        )
        tables = {
            name: round(int(size) / 2**20, 1)
            for name, size in (item.split("=") for item in sizes.split(",") if "=" in item)
        }
        result["tables_mb"] = tables
        result["index_mb"] = round(sum(tables.values()), 1)
    log(f"{engine}: rebuilt in {result['seconds']} s")
    (state / f"rebuild-{engine}.json").write_text(json.dumps(result, indent=1))
    return result


def rebuilds(
    engines: list[str], env: dict[str, str], state: Path, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """Each engine's rebuild figures: measured now, or (``--reuse-index``) those kept from
    the last run, whose index is still in place."""
    done: dict[str, dict[str, Any]] = {}
    todo = []
    for engine in engines:
        kept = state / f"rebuild-{engine}.json"
        if args.reuse_index and kept.exists():
            done[engine] = {**json.loads(kept.read_text()), "reused": True}
        else:
            todo.append(engine)
    if args.parallel_rebuilds and len(todo) > 1:
        with ThreadPoolExecutor(len(todo)) as pool:
            futures = {e: pool.submit(rebuild, e, env, state) for e in todo}
        done.update({e: {**f.result(), "parallel": True} for e, f in futures.items()})
    else:
        done.update({e: rebuild(e, env, state) for e in todo})
    return done


def search(engine: str, env: dict[str, str], queries: Path, budget: float) -> dict[str, Any]:
    """Ask every query once through ``engine`` in a fresh process; the figures."""
    log(f"{engine}: asking the queries (budget {budget:.0f} s)")
    done = subprocess.run(
        [PYTHON, "-m", "bench.corpus_search", engine, str(queries), "--budget", str(budget)],
        cwd=ROOT,
        env={**env, "PORTAL_SEARCH_BACKEND": "whoosh" if engine == "icontains" else engine},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{engine}: search failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    times = [a["ms"] for a in result["asked"]]
    result["p50_ms"] = round(statistics.median(times), 1) if times else 0.0
    result["p95_ms"] = round(percentile(times, 0.95), 1)
    result["max_ms"] = round(max(times, default=0.0), 1)
    engine_times = [a.get("engine_ms", a["ms"]) for a in result["asked"]]
    result["engine_p50_ms"] = round(statistics.median(engine_times), 1) if engine_times else 0.0
    result["engine_p95_ms"] = round(percentile(engine_times, 0.95), 1)
    cpu = [a["cpu_ms"] for a in result["asked"]]
    result["cpu_p50_ms"] = round(statistics.median(cpu), 1) if cpu else 0.0
    result["cpu_p95_ms"] = round(percentile(cpu, 0.95), 1)
    kinds: dict[str, list[float]] = {}
    for asked in result["asked"]:
        kinds.setdefault(asked["kind"], []).append(asked["ms"])
    result["by_kind"] = {
        kind: {
            "asked": len(v),
            "p50_ms": round(statistics.median(v), 1),
            "p95_ms": round(percentile(v, 0.95), 1),
        }
        for kind, v in sorted(kinds.items())
    }
    return result


def agreement(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """How often two engines count the same essays for the queries both asked."""
    counts = {a["query"]: a["count"] for a in first["asked"]}
    both = [(counts[a["query"]], a["count"]) for a in second["asked"] if a["query"] in counts]
    same = sum(x == y for x, y in both)
    return {
        "queries": len(both),
        "same_count": same,
        "share": round(same / len(both), 3) if both else 0.0,
        "found_by_first_only": sum(x > 0 and y == 0 for x, y in both),
        "found_by_second_only": sum(y > 0 and x == 0 for x, y in both),
    }


def ratios(searches: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The ratios of this run between engines (p95 and p50)."""
    out: dict[str, float] = {}
    pairs = [("postgres", "whoosh"), ("icontains", "whoosh"), ("icontains", "postgres")]
    for slow, fast in pairs:
        if slow in searches and fast in searches and searches[fast]["p50_ms"]:
            for p in ("p50", "p95"):
                out[f"{slow}_{p}_over_{fast}_{p}"] = round(
                    searches[slow][f"{p}_ms"] / searches[fast][f"{p}_ms"], 2
                )
    return out


def targets(result: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The issue's targets this run can be judged on: (target, figure, met)."""
    s, r = result["search"], result["ratios"]
    rows = []
    if "whoosh" in s:
        rows.append(
            (
                f"whoosh p95 ≤ {WHOOSH_P95_MS} ms",
                f"{s['whoosh']['p95_ms']:.1f} ms",
                s["whoosh"]["p95_ms"] <= WHOOSH_P95_MS,
            )
        )
    if "postgres" in s:
        rows.append(
            (
                f"PostgreSQL p95 ≤ {POSTGRES_P95_MS} ms",
                f"{s['postgres']['p95_ms']:.1f} ms",
                s["postgres"]["p95_ms"] <= POSTGRES_P95_MS,
            )
        )
    for engine, limit in (("whoosh", WHOOSH_P95_MS), ("postgres", POSTGRES_P95_MS)):
        if engine in s:
            figure = s[engine]["engine_p95_ms"]
            rows.append(
                (
                    f"{engine}, the engine's part alone (search_essays) p95 ≤ {limit} ms",
                    f"{figure:.1f} ms",
                    figure <= limit,
                )
            )
    if "postgres_p95_over_whoosh_p95" in r:
        ratio = r["postgres_p95_over_whoosh_p95"]
        rows.append(
            (
                f"PostgreSQL p95 within {POSTGRES_OVER_WHOOSH}× of whoosh",
                f"{ratio:.2f}×",
                ratio <= POSTGRES_OVER_WHOOSH,
            )
        )
    for engine in ("whoosh", "postgres"):
        key = f"icontains_p50_over_{engine}_p50"
        if key in r:
            rows.append(
                (f"{engine} far ahead of icontains (p50 ≥ 5×)", f"{r[key]:.1f}×", r[key] >= 5)
            )
    return rows


def _kind_cell(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "–"
    return f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f} ({figures['asked']})"


def table(result: dict[str, Any]) -> str:
    """The figures as Markdown, engines side by side."""
    s, rb, imp = result["search"], result["rebuild"], result["import"]
    engines = [e for e in ENGINES if e in s]
    head = "| | " + " | ".join(engines) + " |\n|---|" + "---|" * len(engines)
    lines = [
        f"{imp['papers']} papers → {imp['essays']} essays; import (no index) "
        f"{imp['import_s']} s wall, {imp['import_cpu_s']} s CPU ({imp['papers_per_s']} "
        f"papers/s wall, {imp['papers_per_cpu_s']} CPU); {result['queries']} distinct queries.",
        "",
        head,
    ]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(e) for e in engines) + " |")

    row("asked (not asked: budget)", lambda e: f"{len(s[e]['asked'])} ({s[e]['not_asked']})")
    row(
        "**search p50 / p95 / max (ms)**",
        lambda e: f"{s[e]['p50_ms']:.1f} / {s[e]['p95_ms']:.1f} / {s[e]['max_ms']:.0f}",
    )
    row(
        "engine's part alone (search_essays: match, count, facets, rank) p50 / p95 (ms)",
        lambda e: f"{s[e]['engine_p50_ms']:.1f} / {s[e]['engine_p95_ms']:.1f}",
    )
    kinds = sorted({k for e in engines for k in s[e]["by_kind"]})
    for kind in kinds:
        row(
            f"  {kind}: p50 / p95 (asked)",
            lambda e, k=kind: _kind_cell(s[e]["by_kind"].get(k)),
        )
    row(
        "Python CPU per query p50 / p95 (ms)",
        lambda e: f"{s[e]['cpu_p50_ms']:.1f} / {s[e]['cpu_p95_ms']:.1f}",
    )
    row("load average before / after", lambda e: " / ".join(map(str, s[e]["load_average"])))
    row("first query after start (ms)", lambda e: f"{s[e]['first_query_ms']:.0f}")
    row(
        "rebuild wall / CPU (s)",
        lambda e: f"{rb[e]['seconds']} / {rb[e]['cpu_seconds']}" if e in rb else "–",
    )
    row(
        "rebuild papers/s (wall)",
        lambda e: f"{imp['essays'] / rb[e]['seconds']:.1f}" if e in rb else "–",
    )
    row(
        "rebuild peak RSS / PSS (MB)",
        lambda e: f"{rb[e]['peak_rss_mb']} / {rb[e]['peak_pss_mb']}" if e in rb else "–",
    )
    row("index size (MB)", lambda e: f"{rb[e]['index_mb']}" if e in rb else "–")
    row(
        "search process RSS after / peak (MB)",
        lambda e: f"{s[e]['rss_after_mb']:.0f} / {s[e]['rss_peak_mb']:.0f}",
    )
    row(
        "tracemalloc peak per query, median / max (MB)",
        lambda e: (
            f"{s[e]['tracemalloc_peak_mb_median']:.1f} / {s[e]['tracemalloc_peak_mb_max']:.1f}"
        ),
    )
    lines.append("")
    if result["ratios"]:
        lines.append(
            "Ratios (same run): " + ", ".join(f"{k} = {v}×" for k, v in result["ratios"].items())
        )
    if "agreement" in result:
        a = result["agreement"]
        lines.append(
            f"Same count from whoosh and PostgreSQL: {a['same_count']} of {a['queries']} queries "
            f"({a['share']:.0%}); found only by whoosh {a['found_by_first_only']}, "
            f"only by PostgreSQL {a['found_by_second_only']}."
        )
    lines += ["", "| target | figure | met? |", "|---|---|---|"]
    lines += [f"| {t} | {f} | {'yes' if ok else '**no**'} |" for t, f, ok in result["targets"]]
    for note in result["notes"]:
        lines.append(f"\nNote: {note}")
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The real-corpus mode's options."""
    parser = argparse.ArgumentParser(prog="python -m bench --corpus")
    parser.add_argument("--corpus", type=Path, required=True, help="folder of *.md or .tar.xz")
    parser.add_argument("--backends", default=",".join(ENGINES), help="comma-separated engines")
    parser.add_argument("--limit", type=int, default=0, help="only the first N papers")
    parser.add_argument("--fresh", action="store_true", help="import again")
    parser.add_argument("--database-url", default="", help="an existing PostgreSQL database")
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="keep the indexes (and rebuild figures) of the last run instead of rebuilding",
    )
    parser.add_argument(
        "--parallel-rebuilds",
        action="store_true",
        help="rebuild the engines at the same time (faster on a busy machine; wall times "
        "then overlap)",
    )
    parser.add_argument("--budget", type=float, default=600, help="seconds of queries per engine")
    parser.add_argument("--icontains-budget", type=float, default=300, help="seconds for icontains")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the real-corpus benchmark; print the tables; save the figures."""
    args = parse(argv)
    engines = [e.strip() for e in args.backends.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise SystemExit(f"unknown backends: {', '.join(sorted(unknown))}")
    notes = []
    if "postgres" in engines and find_spec("search.backends.postgres") is None:
        engines.remove("postgres")
        notes.append(
            "the PostgreSQL backend (search.backends.postgres) is not in this tree: skipped"
        )
    name = args.corpus.name.split(".")[0]
    state = RESULTS / f"corpus-{name}-{args.limit or 'all'}"
    if args.fresh:
        shutil.rmtree(state, ignore_errors=True)
    (state / "data").mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        if args.database_url:
            database_url = args.database_url
        else:
            # A server sized like a production one holds the search tables in its own
            # buffers (PostgreSQL's default is 128 MB; the tables take ~700 MB).
            cluster = PgCluster(state / "pg").start({"shared_buffers": SHARED_BUFFERS})
            database_url = cluster.create_database("portal")
            log(f"PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.folder})")
        env = corpus_env(state / "data", database_url)
        result: dict[str, Any] = {
            "corpus": str(args.corpus),
            "limit": args.limit,
            "engines": engines,
        }
        result["import"] = import_papers(args, state, env)
        queries = state / "queries.json"
        log("drawing the queries from the papers")
        done = subprocess.run(
            [PYTHON, "-m", "bench.corpus_queries", str(queries)], cwd=ROOT, env=env
        )
        if done.returncode:
            raise SystemExit("drawing the queries failed")
        result["queries"] = len(json.loads(queries.read_text())["queries"])
        indexed = [e for e in engines if e != "icontains"]
        result["rebuild"] = rebuilds(indexed, env, state, args)
        result["search"] = {
            e: search(e, env, queries, args.icontains_budget if e == "icontains" else args.budget)
            for e in engines
        }
        if cluster is not None:
            from bench.tasks import _memory_kb

            result["postgres_server_rss_mb"] = round(
                sum(_memory_kb(pid)[0] for pid in cluster.server_pids()) / 1024
            )
    finally:
        if cluster is not None:
            cluster.stop(remove=False)
    if {"whoosh", "postgres"} <= set(result["search"]):
        result["agreement"] = agreement(result["search"]["whoosh"], result["search"]["postgres"])
    result["ratios"] = ratios(result["search"])
    result["targets"] = targets(result)
    result["notes"] = notes
    result["machine"] = {"cpus": os.cpu_count(), "load": os.getloadavg()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    (RESULTS / f"corpus-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    (RESULTS / "corpus-latest.json").write_text(text)
    print(table(result))
    return 0
