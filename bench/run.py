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
   missing): the first search after start, search latency for a fixed query mix
   against the floor and the ``icontains`` peer, the delay from a save to searchable,
   essay/home page throughput against a static file, and each worker's memory.

Every load is bounded in time and in requests and goes to 127.0.0.1 only. The table is
printed and the figures written to ``bench/results/bench-<time>.json`` (and
``latest.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
REAL_ESSAYS = 12
SEED = 1

#: The fixed query mix: (kind, query as typed).
QUERIES: list[tuple[str, str]] = [
    ("common", "服务意识"),
    ("common", "农村"),
    ("rare", "劳动力转移"),
    ("rare", "MBTI"),
    ("one character", "农"),
    ("phrase", '"城乡统筹"'),
    ("traditional", "統籌城鄉"),
    ("pinyin", "laodongli"),
]

WRK_LUA = """
local paths = {%(paths)s}
local counter = 0
local done_count = 0
local limit = %(limit)d
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
response = function(status, headers, body)
  done_count = done_count + 1
  if done_count >= limit then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""


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


def get(url: str, timeout: float = 30) -> tuple[float, bytes]:
    """GET ``url``; returns (seconds, body). Raises on a non-2xx answer."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read()
    return time.perf_counter() - started, body


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
) -> dict[str, Any]:
    """Load ``paths`` (in turn) with wrk; at most ``seconds`` and ``limit`` requests a thread."""
    threads = min(2, connections)
    script = WRK_LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
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


def measure_server(
    size: int, data_dir: Path, wrk: str, quick: bool, essay_ids: list[int]
) -> dict[str, Any]:
    """Everything measured through gunicorn for one size."""
    port = free_port()
    env = bench_env(data_dir, port)
    server = Server(env, port, data_dir / "gunicorn.log")
    figures: dict[str, Any] = {}
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
                elapsed, body = get(server.base + search_path(query))
                times.append(elapsed * 1000)
                count = json.loads(body)["count"]
            per_query[query] = {
                "kind": kind,
                "count": count,
                "median_ms": round(statistics.median(times), 1),
            }
        figures["per_query"] = per_query

        search_paths = [search_path(q) for _, q in QUERIES]
        log(f"N={size}: search mix, floor, icontains peer (2 connections, {seconds} s each)")
        figures["search"] = wrk_run(
            wrk, server, search_paths, connections=2, seconds=seconds, limit=20000
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
    result.update(measure_server(size, data_dir, wrk, args.quick, essay_ids))
    return result


def ratios(result: dict[str, Any]) -> dict[str, float]:
    """The side-by-side ratios of one size."""
    search, floor, peer = result["search"], result["floor"], result["icontains"]
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


def table(results: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table, one column per size."""
    rows: list[tuple[str, Any]] = [
        (
            "search p50 / p95 (ms)",
            lambda r: f"{r['search']['p50_ms']:.1f} / {r['search']['p95_ms']:.1f}",
        ),
        (
            "floor p50 / p95 (ms)",
            lambda r: f"{r['floor']['p50_ms']:.2f} / {r['floor']['p95_ms']:.2f}",
        ),
        (
            "icontains p50 / p95 (ms)",
            lambda r: f"{r['icontains']['p50_ms']:.1f} / {r['icontains']['p95_ms']:.1f}",
        ),
        ("search p50 ÷ floor p50", lambda r: f"{r['ratios']['search_p50_over_floor_p50']:.1f}×"),
        (
            "icontains p50 ÷ search p50",
            lambda r: f"{r['ratios']['icontains_p50_over_search_p50']:.1f}×",
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
        ("RSS per worker (MB)", lambda r: " / ".join(f"{w['rss_mb']:.0f}" for w in r["workers"])),
        ("PSS per worker (MB)", lambda r: " / ".join(f"{w['pss_mb']:.0f}" for w in r["workers"])),
        ("server ready (s)", lambda r: f"{r['server_ready_s']:.2f}"),
        ("first search after start (ms)", lambda r: f"{r['cold_first_search_ms']:.0f}"),
        (
            "load errors",
            lambda r: str(
                sum(
                    r[k]["errors"]
                    for k in ("search", "floor", "icontains", "essay_page", "home", "static")
                )
            ),
        ),
    ]
    header = "| essays | " + " | ".join(f"{r['essays']:,}" for r in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    lines.append("")
    lines.append(
        "| query (median of 5, ms; matches) | "
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
    """Parse the options, run every size, print the table and write the JSON."""
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
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if any(size < REAL_ESSAYS for size in sizes):
        parser.error(f"every size must be at least {REAL_ESSAYS} (the bundled essays)")
    wrk = ensure_wrk()
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
        "results": results,
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
