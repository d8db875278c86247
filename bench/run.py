"""The portal's benchmark: search, indexing, pages, memory and cold start at N essays.

``.venv/bin/python -m bench [--sizes 12,1000,10000] [--quick]`` — for each size N it

1. builds a data directory (``bench/results/data-N/``: SQLite, index) holding the
   bundled documents plus ``generate_corpus --essays N-12 --seed 1`` (reused next time
   unless ``--fresh``);
2. rebuilds the search index from scratch and times it against jieba-only segmentation
   of the same text (:mod:`bench.tasks`);
3. starts gunicorn on loopback with ``portal/gunicorn.conf.py`` (2 workers, app
   preloaded) and ``bench.settings`` (the portal plus ``/bench/floor/`` and
   ``/bench/icontains/``), and measures with ``wrk`` (installed from Debian when
   missing): the first search after start, the delay from a save to searchable,
   essay/home page throughput against a static file, each worker's memory, and search
   latency three ways, side by side with the floor and the ``icontains`` peer:

   - *repeated mix*: the 8 queries of :data:`bench.queries.QUERIES` in turn — once the
     portal caches rendered responses, these are response-cache hits;
   - *no response cache*: the same 8 queries, each URL made unique with a throwaway
     ``r=`` parameter (the peer gets the same), so a response cache always misses and
     only the engine's own caches help — the figure the latency targets are judged on;
   - *distinct queries*: ~200 queries sampled from the bundled texts
     (:func:`bench.queries.distinct_queries`), each asked once right after a server
     restart, so no cache in the server has seen any of them (bounded in time).

   Every load counts the answers' ``X-Page-Cache: hit|miss`` headers, so the table
   shows what each figure measured.

Every load is bounded in time and in requests and goes to 127.0.0.1 only. The table is
printed and the figures written to ``bench/results/bench-<time>.json`` (and
``latest.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.queries import QUERIES, distinct_queries

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
REAL_ESSAYS = 12
SEED = 1

#: wrk's script: the paths in turn, at most ``limit`` answers a thread. With ``unique``
#: every request gets a throwaway ``r=<tag>-<thread>-<n>`` parameter (the views ignore
#: it), so a response cache keyed by the full path never sees one URL twice. It counts
#: the answers that carried ``X-Page-Cache: hit`` and ``miss`` (neither: no such cache).
WRK_LUA = """
local paths = {%(paths)s}
local unique = %(unique)s
local tag = "%(tag)s"
local limit = %(limit)d
local threads = {}
local started = 0
counter = 0
done_count = 0
hits = 0
misses = 0
thread_id = 0
setup = function(thread)
  started = started + 1
  thread:set("thread_id", started)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "r=" .. tag .. "-" .. thread_id .. "-" .. counter
  end
  return wrk.format("GET", path)
end
response = function(status, headers, body)
  done_count = done_count + 1
  local cache = headers["X-Page-Cache"] or headers["x-page-cache"]
  if cache == "hit" then hits = hits + 1 elseif cache == "miss" then misses = misses + 1 end
  if done_count >= limit then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local hit, miss = 0, 0
  for _, thread in ipairs(threads) do
    hit = hit + (thread:get("hits") or 0)
    miss = miss + (thread:get("misses") or 0)
  end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"cache_hit": %%d, "cache_miss": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, hit, miss))
end
"""


#: The wrk loads of one size (their errors are summed in the table).
LOADS = ("search_mix", "search_unique", "floor", "icontains", "essay_page", "home", "static")


def log(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (Debian package)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        [*sudo, "apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk could not be installed")
    return found


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(data_dir: Path, port: int | None = None) -> dict[str, str]:
    """The environment of every process of one size's run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PORTAL_INDEX_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "PORTAL_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "PORTAL_SEARCH_RATE_LIMIT": "0",
            "PYTHONPATH": str(ROOT),
            "GUNICORN_WORKERS": "2",
            "HOST": "127.0.0.1",
        }
    )
    if port is not None:
        env["PORT"] = str(port)
    return env


def manage(env: dict[str, str], *args: str) -> float:
    """Run ``manage.py`` with ``args``; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def prepare_data(size: int, data_dir: Path, fresh: bool) -> dict[str, Any]:
    """A database of ``size`` essays in ``data_dir`` (reused when it already has them)."""
    marker = data_dir / "bench-data.json"
    if not fresh and marker.exists():
        info = json.loads(marker.read_text())
        if info.get("essays") == size:
            log(f"N={size}: reusing the data in {data_dir}")
            return {**info, "reused": True}
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = bench_env(data_dir)
    log(f"N={size}: migrate, collectstatic, import the bundled documents")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    sources = sorted(str(p) for p in (ROOT / "fixtures" / "source").glob("*.txt"))
    manage(env, "import_essays", *sources, "-v0")
    generate = 0.0
    if size > REAL_ESSAYS:
        log(f"N={size}: generate_corpus --essays {size - REAL_ESSAYS} --seed {SEED}")
        generate = manage(
            env,
            "generate_corpus",
            "--essays",
            str(size - REAL_ESSAYS),
            "--seed",
            str(SEED),
            "--no-index",
        )
    info = {"essays": size, "generate_s": round(generate, 1)}
    marker.write_text(json.dumps(info))
    return {**info, "reused": False}


def task(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``python -m bench.tasks args`` and return the JSON it prints last."""
    result = subprocess.run(
        [PYTHON, "-m", "bench.tasks", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn with the portal's config on a free loopback port."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env = env
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = log_path

    def start(self) -> float:
        """Start it; returns the seconds until it answered the floor URL."""
        started = time.monotonic()
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", str(ROOT / "portal" / "gunicorn.conf.py")],
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = started + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                get(self.base + "/bench/floor/", timeout=2)
                return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        self.stop()
        raise SystemExit("bench: gunicorn did not start:\n" + self.log_path.read_text())

    def workers(self) -> list[int]:
        """The pids of the worker processes."""
        assert self.process is not None
        master = self.process.pid
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
        """Stop gunicorn (the master stops its workers)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def fetch(url: str, timeout: float = 30) -> tuple[float, bytes, str]:
    """GET ``url``; returns (seconds, body, ``X-Page-Cache`` or ``"absent"``).

    Raises on a non-2xx answer.
    """
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read()
        cache = response.headers.get("X-Page-Cache", "absent")
    return time.perf_counter() - started, body, cache


def get(url: str, timeout: float = 30) -> tuple[float, bytes]:
    """GET ``url``; returns (seconds, body). Raises on a non-2xx answer."""
    elapsed, body, _ = fetch(url, timeout)
    return elapsed, body


def unique(path: str, tag: str) -> str:
    """``path`` with a throwaway ``r=tag`` parameter, so a response cache misses it."""
    return f"{path}{'&' if '?' in path else '?'}r={quote(tag)}"


def search_path(query: str) -> str:
    """The search API path for ``query`` (first page, with snippets)."""
    return f"/api/search/?q={quote(query)}"


def icontains_path(query: str) -> str:
    """The naive peer's path for ``query``."""
    return f"/bench/icontains/?q={quote(query)}"


def wrk_run(
    wrk: str,
    server: Server,
    paths: list[str],
    *,
    connections: int,
    seconds: int,
    limit: int,
    unique_requests: bool = False,
) -> dict[str, Any]:
    """Load ``paths`` (in turn) with wrk; at most ``seconds`` and ``limit`` requests a thread.

    With ``unique_requests`` every URL is made unique with a throwaway parameter (see
    :data:`WRK_LUA`). ``cache_hit`` / ``cache_miss`` count the answers by their
    ``X-Page-Cache`` header.
    """
    threads = min(2, connections)
    script = WRK_LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "unique": "true" if unique_requests else "false",
        "tag": uuid.uuid4().hex[:8],
        "limit": max(1, limit // threads),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        result = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                lua.name,
                server.base,
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(lua.name)
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRKJSON "))
    figures = json.loads(line.removeprefix("WRKJSON "))
    seconds_run = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "errors": figures["errors"] + figures["non2xx"],
        "rps": round(figures["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "unique_urls": unique_requests,
        "cache_hit": figures["cache_hit"],
        "cache_miss": figures["cache_miss"],
    }


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0–1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(len(ordered) * share))) - 1]


def distinct_run(
    server: Server, queries: list[tuple[str, str]], *, seconds: float, connections: int = 2
) -> dict[str, Any]:
    """Ask each query once over ``connections`` parallel clients; stop after ``seconds``.

    Meant for a freshly started server: nothing in its caches has seen these queries.
    Timed with urllib (the client's own cost is ``client_floor_p50_ms``).
    """
    pending = list(reversed(queries))
    lock = threading.Lock()
    answers: list[dict[str, Any]] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not pending:
                    return
                kind, query = pending.pop()
            try:
                elapsed, body, cache = fetch(server.base + search_path(query))
            except (OSError, urllib.error.URLError) as error:
                with lock:
                    errors.append(f"{query}: {error}")
                continue
            with lock:
                answers.append(
                    {
                        "kind": kind,
                        "query": query,
                        "ms": round(elapsed * 1000, 1),
                        "count": json.loads(body)["count"],
                        "cache": cache,
                    }
                )

    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    floor = sorted(get(server.base + "/bench/floor/")[0] * 1000 for _ in range(20))
    times = [a["ms"] for a in answers]
    by_kind = {}
    for kind in dict.fromkeys(k for k, _ in queries):
        kind_times = [a["ms"] for a in answers if a["kind"] == kind]
        if kind_times:
            by_kind[kind] = {
                "asked": len(kind_times),
                "p50_ms": round(statistics.median(kind_times), 1),
            }
    return {
        "queries": len(queries),
        "asked": len(answers),
        "not_asked": len(pending),
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "no_matches": sum(1 for a in answers if a["count"] == 0),
        "cache_hit": sum(1 for a in answers if a["cache"] == "hit"),
        "cache_miss": sum(1 for a in answers if a["cache"] == "miss"),
        "client_floor_p50_ms": round(statistics.median(floor), 2),
        "by_kind": by_kind,
        "answers": answers,
    }


def memory(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS) size of a process, in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"Rss", "Pss"}:
            figures[key.lower() + "_mb"] = round(int(value.split()[0]) / 1024, 1)
    return figures


def static_path(data_dir: Path) -> str:
    """The URL of the portal's stylesheet as collectstatic hashed it."""
    manifest = json.loads((data_dir / "staticfiles" / "staticfiles.json").read_text())
    name = next(
        (value for key, value in manifest["paths"].items() if key.endswith(".css")),
        next(iter(manifest["paths"].values())),
    )
    return f"/static/{name}"


def cache_check(server: Server) -> dict[str, str]:
    """``X-Page-Cache`` of a URL asked a second time: a mix query as the repeated load asks
    it (expected ``hit``), the same with a fresh throwaway parameter (``miss``), and an
    icontains URL (``miss``: the bench views are not marked cacheable, so never stored).
    ``absent`` means the server has no response cache (or it is switched off).
    """
    path = search_path(QUERIES[0][1])
    peer = unique(icontains_path(QUERIES[0][1]), "check")

    def again(url: str) -> str:
        # Asked 4 more times: with 2 workers (a cache each) one of them has seen it.
        get(url)
        seen = [fetch(url)[2] for _ in range(4)]
        return "hit" if "hit" in seen else seen[-1]

    return {
        "search_repeated": again(server.base + path),
        "search_unique": fetch(server.base + unique(path, uuid.uuid4().hex))[2],
        "icontains_repeated": again(server.base + peer),
    }


def measure_server(
    size: int,
    data_dir: Path,
    wrk: str,
    quick: bool,
    essay_ids: list[int],
    distinct: list[tuple[str, str]],
) -> dict[str, Any]:
    """Everything measured through gunicorn for one size."""
    port = free_port()
    env = bench_env(data_dir, port)
    server = Server(env, port, data_dir / "gunicorn.log")
    figures: dict[str, Any] = {"page_cache_env": env.get("PORTAL_PAGE_CACHE", "")}
    seconds = 4 if quick else 12
    try:
        log(f"N={size}: starting gunicorn (2 workers, preloaded) on 127.0.0.1:{port}")
        figures["server_ready_s"] = round(server.start(), 2)
        cold, _ = get(server.base + search_path(QUERIES[0][1]))
        figures["cold_first_search_ms"] = round(cold * 1000, 1)

        log(f"N={size}: warm-up")
        for _ in range(3):
            for _, query in QUERIES:
                get(server.base + search_path(query))
            for essay_id in essay_ids[:4]:
                get(f"{server.base}/essays/{essay_id}/")
            get(server.base + "/")
        per_query = {}
        for kind, query in QUERIES:
            times = []
            count = 0
            for _ in range(5):
                path = unique(search_path(query), uuid.uuid4().hex[:8])
                elapsed, body = get(server.base + path)
                times.append(elapsed * 1000)
                count = json.loads(body)["count"]
            per_query[query] = {
                "kind": kind,
                "count": count,
                "median_ms": round(statistics.median(times), 1),
            }
        figures["per_query"] = per_query
        figures["cache_check"] = cache_check(server)
        log(f"N={size}: X-Page-Cache {figures['cache_check']}")

        search_paths = [search_path(q) for _, q in QUERIES]
        log(
            f"N={size}: search mix repeated and with unique URLs, floor, icontains peer "
            f"(2 connections, {seconds} s each)"
        )
        figures["search_mix"] = wrk_run(
            wrk, server, search_paths, connections=2, seconds=seconds, limit=20000
        )
        figures["search_unique"] = wrk_run(
            wrk,
            server,
            search_paths,
            connections=2,
            seconds=seconds,
            limit=20000,
            unique_requests=True,
        )
        figures["floor"] = wrk_run(
            wrk, server, ["/bench/floor/"], connections=2, seconds=seconds, limit=200000
        )
        figures["icontains"] = wrk_run(
            wrk,
            server,
            [icontains_path(q) for _, q in QUERIES],
            connections=2,
            seconds=seconds,
            limit=20000,
            unique_requests=True,
        )

        log(f"N={size}: save-to-searchable")
        figures["freshness"] = task(env, "freshness", "--base", server.base)

        log(f"N={size}: pages (8 connections, {seconds} s each)")
        pages = [f"/essays/{pk}/" for pk in essay_ids[:50]]
        figures["essay_page"] = wrk_run(
            wrk, server, pages, connections=8, seconds=seconds, limit=200000
        )
        figures["home"] = wrk_run(wrk, server, ["/"], connections=8, seconds=seconds, limit=200000)
        figures["static"] = wrk_run(
            wrk, server, [static_path(data_dir)], connections=8, seconds=seconds, limit=400000
        )
        figures["workers"] = [memory(pid) for pid in server.workers()]
        figures["master"] = memory(server.process.pid) if server.process else {}
        server.stop()

        cap = 60 if quick else 240
        log(f"N={size}: restart; {len(distinct)} distinct queries once each (at most {cap} s)")
        restart = server.start()
        warm_up = [unique(search_path("MBTI"), f"warm-{n}") for n in range(4)]
        warm_threads = [threading.Thread(target=lambda p=p: get(server.base + p)) for p in warm_up]
        for thread in warm_threads:
            thread.start()
        for thread in warm_threads:
            thread.join()
        figures["search_distinct"] = {
            "server_ready_s": round(restart, 2),
            "cap_s": cap,
            **distinct_run(server, distinct, seconds=cap),
        }
    finally:
        server.stop()
    return figures


def run_size(size: int, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    """Prepare, index and measure one size."""
    data_dir = Path(args.data_root) / f"data-{size}"
    result: dict[str, Any] = {"essays": size}
    result["data"] = prepare_data(size, data_dir, args.fresh)
    env = bench_env(data_dir)
    log(f"N={size}: full rebuild of the index, and jieba-only segmentation")
    result["indexing"] = task(env, "index", "--jieba-sample", str(args.jieba_sample))
    essay_ids = result["indexing"].pop("essay_ids")
    result.update(measure_server(size, data_dir, wrk, args.quick, essay_ids, args.distinct))
    return result


def ratios(result: dict[str, Any]) -> dict[str, float]:
    """The side-by-side ratios of one size (search: the no-response-cache figure)."""
    search, floor, peer = result["search_unique"], result["floor"], result["icontains"]
    indexing = result["indexing"]
    return {
        "search_p50_over_floor_p50": round(search["p50_ms"] / max(floor["p50_ms"], 1e-3), 2),
        "icontains_p50_over_search_p50": round(peer["p50_ms"] / max(search["p50_ms"], 1e-3), 2),
        "rebuild_over_jieba_throughput": round(
            indexing["rebuild_kb_s"] / indexing["jieba_kb_s"], 2
        ),
        "essay_page_over_static_rps": round(
            result["essay_page"]["rps"] / result["static"]["rps"], 3
        ),
        "home_over_static_rps": round(result["home"]["rps"] / result["static"]["rps"], 3),
    }


def hit_share(load: dict[str, Any]) -> str:
    """The share of a load's answers that were response-cache hits ("–": no header seen)."""
    seen = load.get("cache_hit", 0) + load.get("cache_miss", 0)
    return f"{load['cache_hit'] / seen:.0%}" if seen else "–"


def targets(results: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """The targets that this run's sizes can be judged on: (target, figure, met)."""
    by_size = {r["essays"]: r for r in results}
    rows: list[tuple[str, str, bool]] = []
    big = by_size.get(10000)
    if big:
        search, peer = big["search_unique"], big["icontains"]
        rows.append(
            (
                "10,000: search p95 ≤ 100 ms (no response cache)",
                f"p95 {search['p95_ms']:.1f} ms (p50 {search['p50_ms']:.1f} ms)",
                search["p95_ms"] <= 100,
            )
        )
        rows.append(
            (
                "10,000: search p50 ≥ 5× faster than icontains (no response cache)",
                f"{peer['p50_ms']:.1f} vs {search['p50_ms']:.1f} ms = "
                f"{big['ratios']['icontains_p50_over_search_p50']:.1f}×",
                big["ratios"]["icontains_p50_over_search_p50"] >= 5,
            )
        )
        ratio = big["ratios"]["rebuild_over_jieba_throughput"]
        rows.append(("10,000: full rebuild ≥ 0.5× jieba-only", f"{ratio:.2f}", ratio >= 0.5))
        fresh = big["freshness"]
        rows.append(
            (
                "10,000: saved edit searchable within 1 s",
                f"median {fresh['median_ms']:.0f} ms, max {fresh['max_ms']:.0f} ms",
                fresh["max_ms"] <= 1000,
            )
        )
        share = big["ratios"]["essay_page_over_static_rps"]
        rows.append(
            (
                "10,000: essay page ≥ 50 % of static req/s",
                f"{share:.0%} (essay page X-Page-Cache hits {hit_share(big['essay_page'])})",
                share >= 0.5,
            )
        )
        rss = [w["rss_mb"] for w in big["workers"]]
        rows.append(
            (
                "10,000: ≤ 250 MB resident per worker",
                " / ".join(f"{x:.0f}" for x in rss) + " MB",
                bool(rss) and max(rss) <= 250,
            )
        )
    small = by_size.get(REAL_ESSAYS)
    if small:
        ratio = small["ratios"]["search_p50_over_floor_p50"]
        rows.append(
            (
                "12: search p50 ≤ 5× the floor (no response cache)",
                f"{small['search_unique']['p50_ms']:.1f} vs {small['floor']['p50_ms']:.2f} ms"
                f" = {ratio:.1f}×",
                ratio <= 5,
            )
        )
    return rows


def table(results: list[dict[str, Any]]) -> str:
    """The figures as Markdown tables, one column per size, then the targets."""

    def p50_p95(key: str, digits: int = 1) -> Any:
        return lambda r: f"{r[key]['p50_ms']:.{digits}f} / {r[key]['p95_ms']:.{digits}f}"

    def distinct(r: dict[str, Any]) -> str:
        d = r["search_distinct"]
        if not d["asked"]:
            return "none asked"
        cell = f"{d['p50_ms']:.1f} / {d['p95_ms']:.1f} / {d['max_ms']:.0f}"
        return cell + (f" ({d['asked']} of {d['queries']})" if d["not_asked"] else "")

    rows: list[tuple[str, Any]] = [
        ("search, repeated mix: response-cache hits, p50 / p95 (ms)", p50_p95("search_mix")),
        ("**search, no response cache** p50 / p95 (ms)", p50_p95("search_unique")),
        ("search, distinct queries once each p50 / p95 / max (ms)", distinct),
        ("floor p50 / p95 (ms)", p50_p95("floor", 2)),
        ("icontains (no response cache) p50 / p95 (ms)", p50_p95("icontains")),
        (
            "search (no response cache) p50 ÷ floor p50",
            lambda r: f"{r['ratios']['search_p50_over_floor_p50']:.1f}×",
        ),
        (
            "icontains p50 ÷ search (no response cache) p50",
            lambda r: f"{r['ratios']['icontains_p50_over_search_p50']:.1f}×",
        ),
        (
            "X-Page-Cache hits: mix / unique / distinct / icontains",
            lambda r: " / ".join(
                hit_share(r[k])
                for k in ("search_mix", "search_unique", "search_distinct", "icontains")
            ),
        ),
        (
            "rebuild essays/s, KB/s",
            lambda r: (
                f"{r['indexing']['rebuild_essays_s']:.1f}, {r['indexing']['rebuild_kb_s']:.0f}"
            ),
        ),
        ("jieba-only KB/s", lambda r: f"{r['indexing']['jieba_kb_s']:.0f}"),
        ("rebuild ÷ jieba-only", lambda r: f"{r['ratios']['rebuild_over_jieba_throughput']:.2f}"),
        ("rebuild total (s)", lambda r: f"{r['indexing']['rebuild_s']:.1f}"),
        (
            "save → searchable (ms, median / max)",
            lambda r: f"{r['freshness']['median_ms']:.0f} / {r['freshness']['max_ms']:.0f}",
        ),
        ("essay page req/s (8 clients)", lambda r: f"{r['essay_page']['rps']:.0f}"),
        ("home req/s (8 clients)", lambda r: f"{r['home']['rps']:.0f}"),
        ("static file req/s (8 clients)", lambda r: f"{r['static']['rps']:.0f}"),
        ("essay page ÷ static", lambda r: f"{r['ratios']['essay_page_over_static_rps']:.0%}"),
        ("home ÷ static", lambda r: f"{r['ratios']['home_over_static_rps']:.0%}"),
        (
            "X-Page-Cache hits: essay page / home",
            lambda r: f"{hit_share(r['essay_page'])} / {hit_share(r['home'])}",
        ),
        ("RSS per worker (MB)", lambda r: " / ".join(f"{w['rss_mb']:.0f}" for w in r["workers"])),
        ("PSS per worker (MB)", lambda r: " / ".join(f"{w['pss_mb']:.0f}" for w in r["workers"])),
        ("server ready (s)", lambda r: f"{r['server_ready_s']:.2f}"),
        ("first search after start (ms)", lambda r: f"{r['cold_first_search_ms']:.0f}"),
        (
            "load errors",
            lambda r: str(sum(r[k]["errors"] for k in LOADS) + r["search_distinct"]["errors"]),
        ),
    ]
    header = "| essays | " + " | ".join(f"{r['essays']:,}" for r in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    lines.append("")
    lines.append(
        "| query (median of 5, no response cache, ms; matches) | "
        + " | ".join(f"{r['essays']:,}" for r in results)
        + " |"
    )
    lines.append("|---|" + "---|" * len(results))
    for kind, query in QUERIES:
        cells = [
            f"{r['per_query'][query]['median_ms']:.1f} ({r['per_query'][query]['count']})"
            for r in results
        ]
        lines.append(f"| {query} ({kind}) | " + " | ".join(cells) + " |")
    kinds = list(dict.fromkeys(k for r in results for k in r["search_distinct"]["by_kind"]))
    if kinds:
        lines.append("")
        lines.append(
            "| distinct queries by kind (p50 ms; asked) | "
            + " | ".join(f"{r['essays']:,}" for r in results)
            + " |"
        )
        lines.append("|---|" + "---|" * len(results))
        for kind in kinds:
            cells = []
            for r in results:
                figure = r["search_distinct"]["by_kind"].get(kind)
                cells.append(f"{figure['p50_ms']:.1f} ({figure['asked']})" if figure else "–")
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    judged = targets(results)
    if judged:
        lines.append("")
        lines.append("| target | figure | met? |")
        lines.append("|---|---|---|")
        for target, figure, met in judged:
            lines.append(f"| {target} | {figure} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "kernel": os.uname().release,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every size, print the table and write the JSON.

    With ``--corpus PATH`` the real-corpus mode runs instead (:mod:`bench.corpus`).
    """
    argv = sys.argv[1:] if argv is None else argv
    if any(arg == "--corpus" or arg.startswith("--corpus=") for arg in argv):
        from bench.corpus import main as corpus_main

        return corpus_main(argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="12,1000,10000",
        help="comma-separated collection sizes to measure (default 12,1000,10000)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="rebuild the data directories even if present"
    )
    parser.add_argument(
        "--quick", action="store_true", help="4-second loads instead of 12 (a smoke run)"
    )
    parser.add_argument(
        "--jieba-sample",
        type=int,
        default=1000,
        help="essays (evenly spread) whose text jieba-only segmentation is timed on",
    )
    parser.add_argument(
        "--data-root",
        default=str(RESULTS),
        help="where the per-size data directories go (default bench/results)",
    )
    parser.add_argument(
        "--corpus",
        help="real-corpus mode: a folder or .tar.xz of papers (see bench/corpus.py)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if any(size < REAL_ESSAYS for size in sizes):
        parser.error(f"every size must be at least {REAL_ESSAYS} (the bundled essays)")
    wrk = ensure_wrk()
    args.distinct = distinct_queries(seed=SEED)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results = []
    for size in sizes:
        size_started = time.monotonic()
        result = run_size(size, args, wrk)
        result["ratios"] = ratios(result)
        result["wall_s"] = round(time.monotonic() - size_started, 1)
        results.append(result)
        log(f"N={size}: done in {result['wall_s']} s")
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "wall_s": round(time.monotonic() - started, 1),
        "distinct_queries": [query for _, query in args.distinct],
        "results": results,
        "targets": [
            {"target": target, "figure": figure, "met": met}
            for target, figure, met in targets(results)
        ],
    }
    text = table(results)
    print(text)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    (RESULTS / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"figures written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
