"""The search index deleted, truncated or locked while the site runs.

Pages keep serving from the database; search answers a clear "暂时无法搜索" 503 (HTML
for the page, JSON for the API), ``/healthz`` names the failed check, and
``rebuild_index_swapped`` (the documented repair) builds a new index beside the broken
one and switches to it.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from whoosh.index import open_dir

from essays.models import Essay
from search.backends.whoosh.generations import CURRENT

pytestmark = pytest.mark.django_db(transaction=False)


def _live(backend) -> Path:
    return backend.base_path / (backend.base_path / CURRENT).read_text().strip()


def _assert_search_unavailable(client):
    page = client.get("/search/", {"q": "城乡统筹"})
    assert page.status_code == 503
    assert "暂时无法搜索" in page.content.decode("utf-8")
    assert int(page["Retry-After"]) > 0
    api = client.get("/api/search/", {"q": "城乡统筹"})
    assert api.status_code == 503
    assert api["Content-Type"].startswith("application/json")
    assert "暂时无法搜索" in api.json()["error"]


def _assert_pages_serve(client, essay):
    for url in ("/", "/essays/", essay.get_absolute_url(), "/topics/", "/api/essays/"):
        assert client.get(url).status_code == 200, url


def _assert_repaired(client, essays):
    out = io.StringIO()
    call_command("rebuild_index_swapped", stdout=out)
    assert f"已索引 {len(essays)} 篇文章" in out.getvalue()
    response = client.get("/api/search/", {"q": "城乡统筹"})
    assert response.status_code == 200 and response.json()["count"] > 0
    health = client.get("/healthz")
    assert health.status_code == 200, health.json()


def _delete_generation(backend):
    shutil.rmtree(_live(backend))


def _delete_everything(backend):
    shutil.rmtree(backend.base_path)


def _truncate_files(backend):
    for path in _live(backend).iterdir():
        with path.open("r+b") as handle:
            handle.truncate(path.stat().st_size // 3)


def _empty_files(backend):
    for path in _live(backend).iterdir():
        path.write_bytes(b"")


def _garble_files(backend):
    for path in _live(backend).iterdir():
        size = path.stat().st_size
        path.write_bytes(bytes((i * 37) % 256 for i in range(size)))


@pytest.mark.parametrize(
    "damage",
    [_delete_generation, _delete_everything, _truncate_files, _empty_files, _garble_files],
    ids=["generation-deleted", "directory-deleted", "truncated", "emptied", "garbled"],
)
def test_a_damaged_index_gives_503_then_the_command_restores_it(
    client, corpus, search_index, damage
):
    assert client.get("/api/search/", {"q": "城乡统筹"}).status_code == 200  # index in use
    damage(search_index)
    _assert_search_unavailable(client)
    _assert_pages_serve(client, corpus[0])
    health = client.get("/healthz")
    assert health.status_code == 503
    assert "index" in health.json()["failed"]
    _assert_repaired(client, corpus)


def test_a_locked_index_still_answers_and_the_edit_lands_once_unlocked(
    client, corpus, search_index, monkeypatch, django_capture_on_commit_callbacks
):
    """Another writer holds whoosh's lock: searches and pages go on; the edit waits."""
    monkeypatch.setattr(type(search_index), "lock_timeout", 0.2)
    index = open_dir(str(_live(search_index)))
    lock = index.lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        essay = corpus[0]
        with django_capture_on_commit_callbacks(execute=True):
            Essay.objects.filter(pk=essay.pk).update(title="锁定期间改的标题")
            Essay.objects.get(pk=essay.pk).save()
        assert client.get("/api/search/", {"q": "城乡统筹"}).status_code == 200
        _assert_pages_serve(client, essay)
    finally:
        lock.release()
    deadline = time.monotonic() + 15
    found = 0
    while time.monotonic() < deadline and not found:
        found = client.get("/api/search/", {"q": "锁定期间改的标题"}).json()["count"]
        time.sleep(0.1)
    assert found == 1
    for thread in threading.enumerate():  # the deferred writer has finished its commit
        if thread.name.startswith("AsyncWriter") or type(thread).__name__ == "AsyncWriter":
            thread.join(timeout=10)


@pytest.mark.parametrize(
    "damage",
    [_truncate_files, _garble_files, _delete_generation],
    ids=["truncated", "garbled", "deleted"],
)
def test_damage_under_the_long_lived_searcher_gives_503_not_a_crash(
    client, corpus, search_index, damage
):
    """The searcher kept open between requests reads files, never a memory map: a file
    cut short under it raises an error the site answers with 503 (a mapping would kill
    the process with SIGBUS)."""
    from search.backends import IndexUnavailable

    lease = search_index.searcher()  # a request in progress holds the shared searcher
    held = lease.searcher
    assert client.get("/api/search/", {"q": "城乡统筹"}).status_code == 200
    damage(search_index)
    with pytest.raises(IndexUnavailable):
        search_index.searcher()
    _assert_search_unavailable(client)
    try:  # reading on through the old searcher fails with an exception, if at all
        for fieldname in ("grams", "text"):
            for term in list(held.lexicon(fieldname))[:200]:
                list(held.postings(fieldname, term).all_ids())
    except Exception:
        pass
    lease.close()
    _assert_repaired(client, corpus)
