"""Several web machines, one truth: with ``PORTAL_CACHE_URL`` the page cache, the content
version and the search rate limit live in one real Redis that every machine shares.

A "machine" here is what differs between two web machines: its own data directory
(content-version file) and its own processes. The rate-limit test counts in this process
and in a second Python process, as two machines would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from essays.models import Essay
from pagecache import content_version
from pagecache.middleware import STATUS_HEADER
from portal.cache_config import redis_caches
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared(settings, redis_url, redis_client):
    """The portal configured as one of several machines sharing the test Redis."""
    settings.PORTAL_CACHE_URL = redis_url
    settings.CACHES = redis_caches(redis_url)
    return redis_client


def on_machine(settings, tmp_path: Path, name: str) -> None:
    """Act as machine ``name``: its own data directory (its own content-version file)."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    settings.DATA_DIR = folder


def test_content_version_changes_on_every_machine_when_one_commits(shared, settings, tmp_path):
    on_machine(settings, tmp_path, "b")
    before_on_b = content_version.current()
    on_machine(settings, tmp_path, "a")
    content_version.bump()  # what machine A runs when its transaction commits
    on_machine(settings, tmp_path, "b")
    assert content_version.current() != before_on_b
    assert shared.exists(f"portal:1:{content_version.SHARED_KEY}")


def test_without_a_shared_cache_each_machine_has_its_own_version(settings, tmp_path):
    settings.PORTAL_CACHE_URL = ""
    on_machine(settings, tmp_path, "b")
    before_on_b = content_version.current()
    on_machine(settings, tmp_path, "a")
    content_version.bump()
    on_machine(settings, tmp_path, "b")
    assert content_version.current() == before_on_b


def test_a_page_stored_by_one_machine_is_served_by_another_until_an_edit(
    shared, settings, tmp_path, corpus, client, django_capture_on_commit_callbacks
):
    url = corpus[3].get_absolute_url()
    on_machine(settings, tmp_path, "a")
    assert client.get(url)[STATUS_HEADER] == "miss"
    assert shared.keys("portal-pages:*"), "the page was not stored in Redis"

    on_machine(settings, tmp_path, "b")
    hit = client.get(url)
    assert hit.status_code == 200 and hit[STATUS_HEADER] == "hit"

    on_machine(settings, tmp_path, "a")
    essay = Essay.objects.get(pk=corpus[3].pk)
    with django_capture_on_commit_callbacks(execute=True):
        essay.subtitle = "在甲机器上改过的副标题"
        essay.save()

    on_machine(settings, tmp_path, "b")
    fresh = client.get(url)
    assert fresh[STATUS_HEADER] == "miss"
    assert "在甲机器上改过的副标题" in fresh.content.decode()


COUNT_ONE_SEARCH = """
import django, json
django.setup()
from portal.ratelimit import search_allowance
print(json.dumps(search_allowance("203.0.113.9", limit=3, window=86400)))
"""


def test_the_search_rate_limit_counts_across_machines(
    shared,
    settings,
    redis_url,
    corpus,
    client,
    tmp_path,
):
    settings.PORTAL_SEARCH_RATE_LIMIT = 3
    settings.PORTAL_SEARCH_RATE_WINDOW = 86400
    # Different queries: an answer served from the page cache is not counted.
    for query in ("城乡", "统筹", "服务"):
        response = client.get("/api/search/", {"q": query}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 200
    # A fourth search, counted by a second machine (another process, another data dir).
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "1",
        "PORTAL_DATA_DIR": str(tmp_path / "machine-b"),
        "PORTAL_CACHE_URL": redis_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", COUNT_ONE_SEARCH],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    retry_after = json.loads(result.stdout.strip().splitlines()[-1])
    assert retry_after > 0, "machine B let a fourth search through"
    # And machine A now refuses too, since B's search counted.
    refused = client.get("/api/search/", {"q": "农村"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429


@pytest.fixture
def redis_down(settings):
    """The portal pointed at a Redis that is not there."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.PORTAL_CACHE_URL = url
    settings.CACHES = redis_caches(url)


def test_pages_and_search_still_answer_when_redis_is_down(redis_down, settings, corpus, client):
    settings.PORTAL_SEARCH_RATE_LIMIT = 1
    page = client.get(corpus[0].get_absolute_url())
    assert page.status_code == 200 and page[STATUS_HEADER] == "bypass"
    for query in ("城乡", "统筹", "服务"):  # not limited: the counter is unreachable
        assert client.get("/api/search/", {"q": query}).status_code == 200


def test_healthz_names_the_shared_cache_when_redis_is_down(redis_down, corpus, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert "shared_cache" in report["failed"]
    assert "Redis" in report["checks"]["shared_cache"]["error"]


def test_healthz_reports_the_shared_cache_when_it_answers(shared, corpus, client):
    report = client.get("/healthz").json()
    assert report["checks"]["shared_cache"] == {"ok": True, "shared": True}
