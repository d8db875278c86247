"""Two web machines, one truth: two gunicorn nodes share one PostgreSQL and one Redis.

Each node is a real gunicorn (``portal/gunicorn.conf.py``, 2 workers) with its own data
directory, started on loopback with ``PORTAL_SEARCH_BACKEND=postgres``, the test
PostgreSQL server (a database of this module's own, migrated and loaded with the bundled
documents) and a real Redis as ``PORTAL_CACHE_URL``. An editor logs in through node A's
login form and saves the admin change form, as a browser would; readers ask node B.

Runs in the PostgreSQL leg (``scripts/test``); on SQLite it is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

from bench.nodes import (
    Browser,
    Node,
    RedisServer,
    create_database,
    drop_database,
    node_env,
    prepare_database,
)
from tests.corpus import STANDALONE_SOURCE
from tests.essays.admin.conftest import PASSWORD, form_data

DATABASE_URL = os.environ.get("DATABASE_URL", "")
#: Searches a client may make a window, on all nodes together.
RATE_LIMIT = 5

pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL (DATABASE_URL): runs in the PostgreSQL leg of scripts/test",
    ),
    pytest.mark.skipif(
        find_spec("search.backends.postgres") is None,
        reason="the PostgreSQL search backend (search.backends.postgres) is not in this tree",
    ),
]


@dataclass
class Cluster:
    """The two nodes and what they share."""

    a: Node
    b: Node
    database_url: str

    def essay(self) -> tuple[int, str]:
        """The first essay's id and title, read from the shared database."""
        return self._row("SELECT id, title FROM essays_essay ORDER BY id LIMIT 1")

    def essay_titled(self, word: str) -> int:
        """The newest essay whose title holds ``word``."""
        return self._row(
            "SELECT id FROM essays_essay WHERE title LIKE %s ORDER BY id DESC LIMIT 1",
            [f"%{word}%"],
        )[0]

    def _row(self, sql: str, params: list | None = None) -> tuple:
        import psycopg2

        with psycopg2.connect(self.database_url) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """Two nodes on one fresh database (the bundled documents, an editor) and one Redis."""
    name = f"portal_two_nodes_{os.getpid()}"
    database_url = create_database(DATABASE_URL, name)
    redis = RedisServer()
    nodes: list[Node] = []
    try:
        redis.start()
        folder = tmp_path_factory.mktemp("two-nodes")
        static_root = folder / "static"
        limits = {
            "PORTAL_SEARCH_RATE_LIMIT": str(RATE_LIMIT),
            "PORTAL_SEARCH_RATE_WINDOW": "3600",
            "PORTAL_TRUSTED_PROXIES": "1",  # each simulated client says who it is
            # Static files from the apps' folders (no collectstatic): not what is tested.
            "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        }
        envs = {}
        for node in ("a", "b"):
            (folder / node).mkdir()
            envs[node] = node_env(folder / node, database_url, redis.url, static_root, **limits)
        prepare_database(envs["a"], [("bianji", PASSWORD)])
        nodes = [Node(node, envs[node]).spawn() for node in ("a", "b")]
        for node in nodes:
            node.wait_ready()
        yield Cluster(nodes[0], nodes[1], database_url)
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
        drop_database(DATABASE_URL, name)


def log_in(node: Node) -> Browser:
    """An editor logged in through ``node``'s real login form (CSRF token and all)."""
    editor = Browser(forwarded_for="192.0.2.10")
    status, _, page = editor.request(f"{node.base}/admin/login/?next=/admin/")
    assert status == 200
    fields = form_data(page)
    assert fields.get("csrfmiddlewaretoken"), "the login form carries no CSRF token"
    fields.update({"username": "bianji", "password": PASSWORD, "next": "/admin/"})
    status, _, page = editor.request(f"{node.base}/admin/login/?next=/admin/", fields)
    assert status == 200 and editor.cookie("sessionid"), "the login failed"
    assert "bianji" in page or "登出" in page or "注销" in page
    return editor


def save_title(editor: Browser, node: Node, essay_id: int, title: str) -> None:
    """Save the essay's admin change form on ``node`` with a new title, as a browser does."""
    url = f"{node.base}/admin/essays/essay/{essay_id}/change/"
    status, _, page = editor.request(url)
    assert status == 200, page[-2000:]
    fields = form_data(page)
    fields["title"] = title
    fields["_save"] = "保存"
    status, _, page = editor.request(url, fields)
    assert status == 200
    assert "errornote" not in page and "errorlist" not in page, page[-3000:]


def search(node: Node, query: str, reader: Browser | None = None) -> tuple[int, dict]:
    """Ask ``node``'s search API; (status, JSON body or {})."""
    reader = reader or Browser(forwarded_for="192.0.2.20")
    status, _, body = reader.request(f"{node.base}/api/search/?q={urllib.parse.quote(query)}")
    return status, (json.loads(body) if status == 200 else {})


def found_within(node: Node, query: str, essay_id: int, seconds: float) -> float | None:
    """Seconds until ``node``'s search finds ``essay_id`` for ``query`` (None: not in time)."""
    started = time.monotonic()
    while time.monotonic() - started <= seconds:
        status, body = search(node, query)
        if status == 200 and any(r["essay_id"] == essay_id for r in body["results"]):
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_an_edit_saved_on_node_a_is_searchable_and_shown_on_node_b(cluster: Cluster):
    essay_id, title = cluster.essay()
    reader = Browser()
    status, _, body = reader.request(f"{cluster.b.base}/api/essays/{essay_id}/")
    page_url = cluster.b.base + json.loads(body)["url"]
    reader.request(page_url)
    status, headers, page = reader.request(page_url)
    assert status == 200 and headers.get("X-Page-Cache") == "hit"
    assert "双机同步校验" not in page

    editor = log_in(cluster.a)
    save_title(editor, cluster.a, essay_id, f"{title}（双机同步校验）")

    delay = found_within(cluster.b, "双机同步校验", essay_id, seconds=1.0)
    assert delay is not None, "node B's search did not find node A's edit within 1 s"
    status, headers, page = reader.request(page_url)
    assert status == 200 and "双机同步校验" in page, "node B served its old cached page"


def test_a_clients_search_limit_counts_across_both_nodes(cluster: Cluster):
    slot_left = 3600 - time.time() % 3600
    if slot_left < 10:  # the fixed window is about to turn: start in the next one
        time.sleep(slot_left + 0.5)
    client = Browser(forwarded_for="198.51.100.9")
    nodes = [cluster.a, cluster.b]
    statuses = [search(nodes[i % 2], f"农村{i}", client)[0] for i in range(RATE_LIMIT)]
    assert statuses == [200] * RATE_LIMIT
    assert search(cluster.b, "城乡统筹", client)[0] == 429
    assert search(cluster.a, "服务意识", client)[0] == 429
    other = Browser(forwarded_for="198.51.100.10")
    assert search(cluster.b, "城乡统筹", other)[0] == 200, "the limit is per client"


def test_healthz_on_both_nodes_reports_the_shared_services(cluster: Cluster):
    reports = []
    for node in (cluster.a, cluster.b):
        status, _, body = Browser().request(f"{node.base}/healthz")
        report = json.loads(body)
        assert status == 200, report
        checks = report["checks"]
        assert checks["shared_cache"] == {"ok": True, "shared": True}
        assert checks["index"]["backend"] == "postgres"
        assert checks["index"]["documents"] == checks["database"]["essays"]
        reports.append(checks["index"]["documents"])
    assert reports[0] == reports[1]


def test_an_upload_previewed_on_node_a_is_confirmed_on_node_b(cluster: Cluster):
    """No sticky sessions: the upload waits for its confirmation in the shared database."""
    editor = log_in(cluster.a)
    import_path = "/admin/essays/collection/import/"
    status, _, page = editor.request(cluster.a.base + import_path)
    assert status == 200, page[-2000:]
    source = STANDALONE_SOURCE.read_text(encoding="utf-8")
    title = source.splitlines()[0]
    document = source.replace(title, f"{title}跨机确认", 2).encode("utf-8")
    status, _, page = editor.upload(
        cluster.a.base + import_path,
        {"csrfmiddlewaretoken": form_data(page)["csrfmiddlewaretoken"], "preview": "上传并预览"},
        "source",
        "cross-node.txt",
        document,
    )
    assert status == 200 and 'name="token"' in page, page[-3000:]
    fields = form_data(page)
    status, _, page = editor.request(
        cluster.b.base + import_path,
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "token": fields["token"],
            "confirm": "确认导入",
        },
    )
    assert status == 200 and "预览已过期" not in page, page[-3000:]
    assert "已导入《" in page and "跨机确认" in page
    assert found_within(cluster.a, "跨机确认", cluster.essay_titled("跨机确认"), seconds=2.0)


def test_killing_a_node_right_after_a_save_loses_no_edit(cluster: Cluster):
    essay_id, title = cluster.essay()
    editor = log_in(cluster.a)
    save_title(editor, cluster.a, essay_id, f"{title}（断电前保存）")
    cluster.a.kill()  # SIGKILL, master and workers, the moment the save was answered

    assert found_within(cluster.b, "断电前保存", essay_id, seconds=1.0) is not None
    status, _, body = Browser().request(f"{cluster.b.base}/api/essays/{essay_id}/")
    assert status == 200 and "断电前保存" in json.loads(body)["title"]
    status, _, body = Browser().request(f"{cluster.b.base}/healthz")
    assert status == 200, body
    # The editor's session lives in the shared database: node B knows them.
    status, _, page = editor.request(f"{cluster.b.base}/admin/essays/essay/{essay_id}/change/")
    assert status == 200 and "断电前保存" in page


def test_nodes_keep_their_own_data_directories(cluster: Cluster):
    assert Path(cluster.a.env["PORTAL_DATA_DIR"]) != Path(cluster.b.env["PORTAL_DATA_DIR"])
    assert not (Path(cluster.b.env["PORTAL_DATA_DIR"]) / "whoosh").exists(), (
        "with the PostgreSQL backend no whoosh index is written"
    )
