"""The database unreachable → a Chinese 503 (page or JSON), never a 500; ``/healthz``
reports each of its checks; NUL in a query string never reaches the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError

from essays.models import Essay
from tests.factories import make_essay

BASE_DIR = Path(__file__).resolve().parents[2]

#: Requests made by a portal whose database (PostgreSQL on a closed port) is unreachable.
UNREACHABLE = """
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)  # production static storage
client = Client(raise_request_exception=False)
out = {}
for path in ("/", "/essays/", "/essays/1/", "/search/?q=城乡", "/api/essays/", "/api/search/?q=城乡",
             "/healthz"):
    response = client.get(path)
    out[path] = [response.status_code, response.get("Retry-After"),
                 response.content.decode("utf-8")]
print(json.dumps(out, ensure_ascii=False))
"""


def test_an_unreachable_database_is_a_chinese_503_everywhere(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": "test-only",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
        "PGCONNECT_TIMEOUT": "2",
    }
    result = subprocess.run(
        [sys.executable, "-c", UNREACHABLE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    for path, (status, retry_after, body) in answers.items():
        assert status == 503, (path, status, body[:300])
        assert retry_after is not None or path == "/healthz"
        if path.startswith("/api/search/"):  # no index here either: that is found first
            assert "暂时无法" in json.loads(body)["error"]
        elif path.startswith("/api/"):
            assert "数据库暂时无法连接" in json.loads(body)["error"]
        elif path == "/healthz":
            assert "database" in json.loads(body)["failed"]
        elif path.startswith("/search/"):
            assert "暂时无法" in body and "Traceback" not in body
        else:
            assert "服务暂时不可用" in body and "Traceback" not in body


@pytest.mark.django_db
def test_an_operational_error_raised_in_a_view_is_a_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("essays.selectors.topic_list_with_counts", refuse)
    page = client.get("/topics/")
    assert page.status_code == 503 and "服务暂时不可用" in page.content.decode("utf-8")
    api = client.get("/api/topics/")
    assert api.status_code == 503 and "数据库" in api.json()["error"]


def test_a_database_locked_past_the_busy_timeout_is_a_503_saying_busy(client, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("essays.selectors.topic_list_with_counts", locked)
    page = client.get("/topics/")
    assert page.status_code == 503 and "服务器正忙" in page.content.decode("utf-8")
    assert page["Retry-After"]


@pytest.mark.django_db
def test_healthz_is_200_only_when_the_index_matches_the_database(client):
    health = client.get("/healthz")  # never indexed
    assert health.status_code == 503
    assert set(health.json()["failed"]) == {"index", "index_files", "index_count"}

    make_essay(title="健康检查")
    call_command("rebuild_index_swapped", verbosity=0)
    health = client.get("/healthz")
    assert health.status_code == 200, health.json()
    data = health.json()
    assert data["status"] == "ok" and data["failed"] == []
    assert data["checks"]["database"]["essays"] == data["checks"]["index"]["documents"] == 1
    assert health["Cache-Control"].startswith("max-age=0")

    Essay.objects.all().delete()  # the index now holds an essay the database lost
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failed"] == ["index_count"]
    assert "不一致" in health.json()["checks"]["index_count"]["error"]


@pytest.mark.django_db
def test_nul_in_the_query_string_never_reaches_the_database(client):
    """PostgreSQL refuses NUL in a string: the middleware drops it first."""
    assert client.get("/essays/", {"topic": "a\x00b"}).status_code == 404  # no topic "ab"
    assert client.get("/api/essays/", {"topic": "\x00"}).status_code == 200  # no filter
    assert client.get("/search/", {"q": "\x00", "topic": "\x00"}).status_code == 200
    response = client.get("/api/search/", {"q": "\x00", "topic": "x\x00"})
    assert response.status_code == 404 and "没有这个主题" in response.json()["error"]
