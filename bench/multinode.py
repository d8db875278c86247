"""``scripts/loadtest.py --nodes N``: the load test on N web nodes sharing PostgreSQL and Redis.

Each node is a gunicorn (``portal/gunicorn.conf.py``, 2 workers) with its own data
directory, all on one PostgreSQL database (a throwaway cluster, or ``--database-url``)
and one Redis (a throwaway ``redis-server``, or ``--cache-url``), with
``PORTAL_SEARCH_BACKEND=postgres``. Readers spread their searches and page requests over
the nodes while editor processes save changes through the services (as in the one-node
run). With ``--kill-one``, the first node is killed (SIGKILL, master and workers) half
way through the load; readers then use the others. Then it checks:

- no response was a 5xx on any node (connection failures to the killed node are
  counted apart);
- every saved marker is found by the search API of every live node, on the essay it was
  saved to (one truth: no node searches an index of its own);
- ``/healthz`` is 200 on every live node, reports the shared cache and the PostgreSQL
  backend, and its index holds as many documents as the database has essays.

Everything started here listens on 127.0.0.1 and is stopped here by process group.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from bench.nodes import PYTHON, ROOT, Browser, Node, RedisServer, manage, node_env, prepare_database
from bench.pg_cluster import PgCluster


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pick(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"n": len(values), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": pick(1.0)}


def _load(
    nodes: list[Node],
    options: argparse.Namespace,
    searches: list[str],
    pages: list[str],
    editor_code: str,
    env: dict[str, str],
) -> dict[str, Any]:
    """Readers over every live node while editor processes save; counts and latencies."""
    statuses: Counter[tuple[str, int]] = Counter()
    latency: dict[str, list[float]] = {"search": [], "page": []}
    refused: Counter[str] = Counter()
    lock = threading.Lock()
    live = list(nodes)
    made = 0
    started = time.monotonic()
    stop_at = started + options.duration

    def reader(seed: int) -> None:
        nonlocal made
        rng = random.Random(seed)
        client = Browser()
        while time.monotonic() < stop_at:
            with lock:
                if made >= options.max_requests:
                    return
                made += 1
                node = live[made % len(live)]
            kind = rng.choice(["search", "page"])
            if kind == "search":
                path = "/api/search/?" + urllib.parse.urlencode({"q": rng.choice(searches)})
            else:
                path = rng.choice(pages)
            began = time.monotonic()
            try:
                status = client.request(node.base + path)[0]
            except OSError:
                with lock:
                    refused[node.name] += 1
                continue
            with lock:
                statuses[(node.name, status)] += 1
                latency[kind].append(time.monotonic() - began)

    editors = [
        subprocess.Popen(
            [PYTHON, "-c", editor_code, str(n), str(options.edits)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(options.editors)
    ]
    threads = [threading.Thread(target=reader, args=(n,)) for n in range(options.clients)]
    for thread in threads:
        thread.start()
    killed = ""
    if options.kill_one:
        time.sleep(options.duration / 2)
        with lock:
            live.remove(nodes[0])
        nodes[0].kill()
        killed = nodes[0].name
    edits: list[dict] = []
    for process in editors:
        out, err = process.communicate(timeout=options.duration + 300)
        if process.returncode != 0:
            raise SystemExit(f"loadtest: an editor failed:\n{err[-3000:]}")
        edits.extend(json.loads(out.strip().splitlines()[-1]))
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "requests_per_second": round(sum(statuses.values()) / elapsed, 1),
        "statuses": {f"{name} {status}": n for (name, status), n in sorted(statuses.items())},
        "server_errors": sum(n for (_, status), n in statuses.items() if status >= 500),
        "refused_connections": dict(refused),
        "killed": killed,
        "latency": {kind: _percentiles(values) for kind, values in latency.items()},
        "edits": edits,
        "live": live,
    }


def _lost_edits(live: list[Node], edits: list[dict]) -> list[dict]:
    """The edits some live node's search does not find on the essay they were saved to."""
    lost = []
    for edit in edits:
        query = urllib.parse.urlencode({"q": edit["marker"], "page_size": 50})
        for node in live:
            status, _, body = Browser().request(f"{node.base}/api/search/?{query}")
            found = {r["essay_id"] for r in json.loads(body)["results"]} if status == 200 else set()
            if edit["essay_id"] not in found:
                lost.append({**edit, "node": node.name})
    return lost


def _health(live: list[Node]) -> dict[str, Any]:
    """Each live node's ``/healthz`` status and what it says of the shared services."""
    report = {}
    for node in live:
        status, _, body = Browser().request(f"{node.base}/healthz")
        checks = json.loads(body).get("checks", {})
        report[node.name] = {
            "status": status,
            "shared_cache": checks.get("shared_cache", {}).get("shared", False),
            "backend": checks.get("index", {}).get("backend", ""),
            "documents": checks.get("index", {}).get("documents"),
            "essays": checks.get("database", {}).get("essays"),
        }
    return report


def run_nodes(
    options: argparse.Namespace, editor_code: str, searches: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """Run the load test on ``options.nodes`` nodes: (report, failures)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-nodes-"))
    cluster = None if options.database_url else PgCluster()
    redis = None if options.cache_url else RedisServer()
    nodes: list[Node] = []
    try:
        database_url = options.database_url
        if cluster is not None:
            database_url = cluster.start().create_database("portal")
        cache_url = options.cache_url or redis.start().url
        envs = []
        for n in range(options.nodes):
            (folder / f"node{n}").mkdir()
            envs.append(
                node_env(
                    folder / f"node{n}",
                    database_url,
                    cache_url,
                    folder / "static",
                    PORTAL_SEARCH_RATE_LIMIT="0",
                )
            )
        print(f"loadtest: {options.nodes} nodes, data under {folder}", flush=True)
        prepare_database(envs[0], [])
        manage(envs[0], "collectstatic", "--noinput", "-v0")
        nodes = [Node(f"node{n}", env).spawn() for n, env in enumerate(envs)]
        for node in nodes:
            node.wait_ready()
        listing = json.loads(Browser().request(nodes[0].base + "/api/essays/")[2])["results"]
        pages = ["/", "/essays/", "/topics/"] + [
            urllib.parse.urlparse(e["url"]).path for e in listing
        ]
        load = _load(nodes, options, searches, pages, editor_code, envs[0])
        live = load.pop("live")
        lost = _lost_edits(live, load["edits"])
        health = _health(live)
    finally:
        for node in nodes:
            node.stop()
        if redis is not None:
            redis.stop()
        if cluster is not None:
            cluster.stop(remove=not options.keep)
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    edits = load.pop("edits")
    report = {
        "nodes": options.nodes,
        "workers_per_node": 2,
        "clients": options.clients,
        "editors": options.editors,
        "database": "postgresql",
        "search_backend": "postgres",
        **load,
        "edits": len(edits),
        "edit_save": _percentiles([e["seconds"] for e in edits]),
        "lost_edits": len(lost),
        "healthz": health,
    }
    failures = []
    if load["server_errors"]:
        failures.append(f"{load['server_errors']} responses were 5xx")
    if lost:
        failures.append(f"{len(lost)} saved edits not found by some node's search: {lost[:3]}")
    for name, check in health.items():
        if check["status"] != 200 or not check["shared_cache"] or check["backend"] != "postgres":
            failures.append(f"{name}: /healthz {check}")
        elif check["documents"] != check["essays"]:
            failures.append(f"{name}: the index holds {check['documents']} of {check['essays']}")
    return report, failures


def main(options: argparse.Namespace, editor_code: str, searches: list[str]) -> int:
    """Run, print the report and the verdict; 0 only if every check passed."""
    report, failures = run_nodes(options, editor_code, searches)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if options.json:
        Path(options.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    for failure in failures:
        print(f"loadtest: FAILED: {failure}", file=sys.stderr)
    if not failures:
        print(
            f"loadtest: passed on {options.nodes} nodes: no 5xx, every edit found on every "
            "live node, /healthz reports the shared services"
        )
    return 1 if failures else 0
