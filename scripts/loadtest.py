#!/usr/bin/env python3
"""Load test on loopback: gunicorn (2 workers) serving searches and pages while editors save.

    .venv/bin/python scripts/loadtest.py [--duration 30] [--max-requests 4000]
        [--clients 4] [--editors 2] [--edits 15] [--database-url URL] [--json PATH]
        [--nodes N [--cache-url REDIS_URL] [--kill-one]]

With ``--nodes N`` (N ≥ 2) the run is the several-machine one of :mod:`bench.multinode`:
N gunicorn nodes with their own data directories on one PostgreSQL (a throwaway cluster
unless ``--database-url``) and one Redis, ``PORTAL_SEARCH_BACKEND=postgres``.

Steps: a fresh data directory (SQLite unless ``--database-url``) gets the bundled
documents imported and indexed; gunicorn starts on a free 127.0.0.1 port with 2 workers;
``--clients`` reader threads request searches and reading pages until ``--duration``
seconds pass or ``--max-requests`` are made, while ``--editors`` separate editor
processes each save ``--edits`` changes through the services (a marker word appended to
the first section's text, or to the intro, and put in the title, with a history
version; every third edit also assigns a topic), each marker unique. Then it checks:

- no response was a 5xx (every status is counted);
- every marker is found by the search API, on the essay it was saved to;
- the index holds exactly the database's essays (same ids; ``/healthz`` is 200).

Everything is bounded: requests by count and time, each request by a 30 s timeout, the
editors by count, and gunicorn (started here, stopped here by its pid). Exits 0 only if
every check passed; prints latency percentiles per kind of request.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SEARCHES = [
    "城乡统筹",
    "服务意识",
    "劳动力转移",
    "农村",
    "统筹城乡 发展",
    '"城乡统筹"',
    "laodongli",
    "户籍 OR 社保",
    "农民工 -培训",
    "恩格尔系数",
    "2003年",
    "服务型政府",
    "藕",
]
REQUEST_TIMEOUT = 30

EDITOR = r"""
import json, sys, time
import django
django.setup()
from django.db import transaction
from essays.models import Essay, Topic
from essays.services.editing import essays_topic_assign
from essays.services.history import essay_history_baseline, essay_version_record

editor, edits = int(sys.argv[1]), int(sys.argv[2])
ids = list(Essay.objects.order_by("pk").values_list("pk", flat=True))
topics = list(Topic.objects.order_by("pk"))
done = []
for i in range(edits):
    essay_id = ids[(editor + i * 2) % len(ids)]
    marker = f"压测标记{editor}号{i:03d}次"
    started = time.monotonic()
    with transaction.atomic():
        essay = Essay.objects.select_for_update().get(pk=essay_id)
        essay_history_baseline(essay=essay)
        section = essay.sections.order_by("order").first()
        if section is not None:
            section.text = f"{section.text}{marker}。"
            section.save()
        else:  # an essay without sections keeps its markers in the intro
            essay.intro = f"{essay.intro}{marker}。"
        essay.title = f"{essay.title.split('·')[0]}·{marker}"
        essay.save()
        essay_version_record(essay=essay, reason=f"压测编辑 {marker}")
    if i % 3 == 2 and topics:
        essays_topic_assign(essays=[essay], topic=topics[i % len(topics)])
    done.append({"essay_id": essay_id, "marker": marker,
                 "seconds": round(time.monotonic() - started, 4)})
    time.sleep(0.05)
print(json.dumps(done, ensure_ascii=False))
"""

INDEX_IDS = r"""
import json
import django
django.setup()
from essays.models import Essay
from search.backends import get_backend
with get_backend("whoosh").haystack().searcher() as searcher:
    indexed = sorted(int(fields["django_id"]) for fields in searcher.all_stored_fields())
print(json.dumps({"index": indexed, "db": sorted(Essay.objects.values_list("pk", flat=True))}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        sys.exit(f"loadtest: {' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def fetch(base: str, path: str) -> tuple[int, float, bytes]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except (urllib.error.URLError, OSError):
        body, status = b"", 599  # connection failure: counted as a server error
    return status, time.monotonic() - started, body


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(values),
        "p50_ms": round(pick(0.50) * 1000, 1),
        "p95_ms": round(pick(0.95) * 1000, 1),
        "p99_ms": round(pick(0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (max)")
    parser.add_argument("--max-requests", type=int, default=4000, help="reader requests (max)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent reader threads")
    parser.add_argument("--editors", type=int, default=2, help="editor processes")
    parser.add_argument("--edits", type=int, default=15, help="edits per editor")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument(
        "--nodes", type=int, default=1, help="web nodes on PostgreSQL + Redis (bench/multinode.py)"
    )
    parser.add_argument("--cache-url", default="", help="with --nodes: Redis (default: own)")
    parser.add_argument("--kill-one", action="store_true", help="with --nodes: SIGKILL one")
    options = parser.parse_args()
    if options.duration > 600 or options.max_requests > 100_000:
        sys.exit("loadtest: keep it bounded (--duration ≤ 600, --max-requests ≤ 100000)")
    if options.nodes > 1:
        sys.path.insert(0, str(ROOT))
        from bench.multinode import main as nodes_main

        return nodes_main(options, EDITOR, SEARCHES)

    data_dir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "load-test-only",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "PORTAL_SEARCH_RATE_LIMIT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("PORTAL_INDEX_DIR", None)
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    else:
        env.pop("DATABASE_URL", None)
    manage = [PYTHON, "manage.py"]
    print(f"loadtest: data directory {data_dir}", flush=True)
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    run(
        [
            *manage,
            "import_essays",
            "-v0",
            *map(str, sorted((ROOT / "fixtures/source").glob("*.txt"))),
        ],
        env,
    )
    run([*manage, "rebuild_index_swapped", "-v0"], env)

    log = (data_dir / "gunicorn.log").open("w")  # closed in the finally below
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            GUNICORN,
            "portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while fetch(base, "/healthz")[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("loadtest: gunicorn did not become healthy (see gunicorn.log)")
            time.sleep(0.2)
        essay_ids = json.loads(fetch(base, "/api/essays/")[2])["results"]
        pages = ["/", "/essays/", "/topics/", "/feeds/essays.atom"] + [
            urllib.parse.urlparse(e["url"]).path for e in essay_ids
        ]

        statuses: Counter[int] = Counter()
        latency: dict[str, list[float]] = {"search_page": [], "search_api": [], "page": []}
        lock = threading.Lock()
        made = 0
        stop_at = time.monotonic() + options.duration

        def reader(seed: int) -> None:
            nonlocal made
            rng = random.Random(seed)
            while time.monotonic() < stop_at:
                with lock:
                    if made >= options.max_requests:
                        return
                    made += 1
                kind = rng.choice(["search_page", "search_api", "page", "page"])
                if kind == "page":
                    path = rng.choice(pages)
                else:
                    query = urllib.parse.urlencode({"q": rng.choice(SEARCHES)})
                    path = ("/search/?" if kind == "search_page" else "/api/search/?") + query
                status, seconds, _ = fetch(base, path)
                with lock:
                    statuses[status] += 1
                    latency[kind].append(seconds)

        editors = [
            subprocess.Popen(
                [PYTHON, "-c", EDITOR, str(n), str(options.edits)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(options.editors)
        ]
        started = time.monotonic()
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(options.clients)]
        for thread in threads:
            thread.start()
        edits: list[dict] = []
        for process in editors:
            out, err = process.communicate(timeout=options.duration + 300)
            if process.returncode != 0:
                sys.exit(f"loadtest: an editor failed:\n{err[-3000:]}")
            edits.extend(json.loads(out.strip().splitlines()[-1]))
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        # Every saved edit is searchable, on the essay it was saved to.
        lost = []
        for edit in edits:
            status, _, body = fetch(
                base,
                "/api/search/?" + urllib.parse.urlencode({"q": edit["marker"], "page_size": 50}),
            )
            found = (
                {r["essay_id"] for r in json.loads(body).get("results", [])}
                if status == 200
                else set()
            )
            if edit["essay_id"] not in found:
                lost.append(edit)
        ids = json.loads(run([PYTHON, "-c", INDEX_IDS], env).strip().splitlines()[-1])
        health = fetch(base, "/healthz")
        server_errors = sum(n for status, n in statuses.items() if status >= 500)
        report = {
            "workers": 2,
            "clients": options.clients,
            "editors": options.editors,
            "database": "postgresql" if options.database_url else "sqlite",
            "seconds": round(elapsed, 1),
            "requests": sum(statuses.values()),
            "requests_per_second": round(sum(statuses.values()) / elapsed, 1),
            "statuses": dict(sorted(statuses.items())),
            "server_errors": server_errors,
            "latency": {kind: percentiles(values) for kind, values in latency.items()},
            "edits": len(edits),
            "edit_save": percentiles([e["seconds"] for e in edits]),
            "lost_index_updates": len(lost),
            "index_equals_database": ids["index"] == ids["db"],
            "essays": len(ids["db"]),
            "healthz": health[0],
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if options.json:
        Path(options.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    failures = []
    if server_errors:
        failures.append(f"{server_errors} responses were 5xx")
    if lost:
        failures.append(f"{len(lost)} saved edits are not searchable: {lost[:3]}")
    if not report["index_equals_database"] or report["healthz"] != 200:
        failures.append("the index does not hold exactly the database's essays")
    for failure in failures:
        print(f"loadtest: FAILED: {failure}", file=sys.stderr)
    if not failures:
        print("loadtest: passed: no 5xx, no lost index update, index equals the database")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
