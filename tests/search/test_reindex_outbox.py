"""A failed index write is neither silent nor permanent (the re-index outbox).

The index folder fills up or turns read-only while an editor saves: the save is
committed, the essay stays in the outbox (no half-written index file is left behind),
``/healthz`` says how long the change has waited and fails past
``PORTAL_REINDEX_MAX_DELAY``; once the fault is gone the write is retried (by the
command, the next save, or the background timer) and search finds the change.
"""

from __future__ import annotations

import errno
import io
import runpy
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from whoosh.filedb.filestore import FileStorage

from essays.models import Essay
from search import outbox
from search.backends.whoosh.generations import CURRENT
from search.models import PendingReindex

pytestmark = pytest.mark.django_db(transaction=True)


class IndexFault:
    """Make writes to the index fail like a full disk (after ``budget`` bytes) or a
    read-only folder (no file can be created), until :meth:`clear`."""

    def __init__(self, monkeypatch, kind: str, budget: int = 3000):
        self.active = True
        self.left = budget
        original = FileStorage.create_file
        fault = self

        class _Limited:
            def __init__(self, raw):
                self._raw = raw

            def write(self, data):
                if fault.active and fault.left < len(data):
                    raise OSError(errno.ENOSPC, "No space left on device")
                fault.left -= len(data)
                return self._raw.write(data)

            def __getattr__(self, name):
                return getattr(self._raw, name)

        def create_file(storage, name, **kwargs):
            if fault.active and kind == "read-only":
                raise OSError(errno.EROFS, "Read-only file system", name)
            handle = original(storage, name, **kwargs)
            if kind == "disk-full":
                handle.file = _Limited(handle.file)
            return handle

        monkeypatch.setattr(FileStorage, "create_file", create_file)

    def clear(self) -> None:
        self.active = False


def _live_files(backend) -> set[str]:
    """The live index's files (whoosh's lock file, created by the first writer, aside)."""
    live = backend.base_path / (backend.base_path / CURRENT).read_text().strip()
    return {path.name for path in Path(live).iterdir() if not path.name.endswith("WRITELOCK")}


def _count(client, query: str) -> int:
    """How many essays hold ``query`` as typed (not the partial matches listed after them)."""
    response = client.get("/api/search/", {"q": query})
    assert response.status_code == 200
    return response.json()["exact_count"]


def _retitle(essay: Essay, title: str) -> None:
    with transaction.atomic():
        essay.title = title
        essay.save()


@pytest.mark.parametrize("kind", ["disk-full", "read-only"])
def test_a_failed_write_stays_pending_until_the_command_retries_it(
    client, corpus, search_index, monkeypatch, settings, kind
):
    essay = corpus[0]
    before = _live_files(search_index)
    fault = IndexFault(monkeypatch, kind)
    _retitle(essay, "磁盘写满时改的标题")

    # The editor's change is committed; the index is not, and says so.
    assert Essay.objects.get(pk=essay.pk).title == "磁盘写满时改的标题"
    assert _count(client, "磁盘写满时改的标题") == 0
    row = PendingReindex.objects.get(essay_id=essay.pk)
    assert row.attempts == 1 and ("No space" in row.last_error or "Read-only" in row.last_error)
    # No half-written segment, temporary or table-of-contents file is left behind.
    assert _live_files(search_index) == before

    health = client.get("/healthz").json()  # young: reported, not yet a failure
    assert health["checks"]["reindex"]["ok"] and health["checks"]["reindex"]["pending"] == 1
    settings.PORTAL_REINDEX_MAX_DELAY = 0
    response = client.get("/healthz")
    assert response.status_code == 503
    check = response.json()["checks"]["reindex"]
    assert "reindex" in response.json()["failed"]
    assert check["pending"] == 1 and check["oldest_seconds"] >= 0
    assert "尚未写入搜索索引" in check["error"] and check["action"] == "manage.py reindex_pending"

    with pytest.raises(CommandError, match="仍有 1 篇文章待更新"):  # still failing: says so
        call_command("reindex_pending", stdout=io.StringIO())
    assert PendingReindex.objects.filter(essay_id=essay.pk).exists()

    fault.clear()
    out = io.StringIO()
    call_command("reindex_pending", stdout=out)
    assert "已写入 1 篇文章" in out.getvalue()
    assert _count(client, "磁盘写满时改的标题") == 1
    assert not PendingReindex.objects.exists()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()


def test_the_next_save_retries_what_failed_before(client, corpus, monkeypatch):
    first, second = corpus[0], corpus[1]
    fault = IndexFault(monkeypatch, "disk-full", budget=0)
    _retitle(first, "第一次保存失败的标题")
    assert PendingReindex.objects.filter(essay_id=first.pk).exists()
    fault.clear()
    _retitle(second, "第二次保存的标题")  # its drain takes the failed row too
    assert _count(client, "第一次保存失败的标题") == 1
    assert _count(client, "第二次保存的标题") == 1
    assert not PendingReindex.objects.exists()


def test_a_change_whose_writer_died_is_written_by_a_later_save(client, corpus, monkeypatch):
    """A worker killed between the commit and the index write: only the row remains."""
    essay = corpus[2]
    monkeypatch.setattr("search.signals.flush", lambda: None)  # the write never happens
    _retitle(essay, "进程被杀时改的标题")
    monkeypatch.undo()
    assert PendingReindex.objects.filter(essay_id=essay.pk, attempts=0).exists()
    assert _count(client, "进程被杀时改的标题") == 0

    monkeypatch.setattr(outbox, "STALE_SECONDS", 0)  # long enough ago: anyone's to write
    _retitle(corpus[3], "之后另一次保存")
    assert _count(client, "进程被杀时改的标题") == 1
    assert not PendingReindex.objects.exists()


def test_a_rolled_back_change_leaves_no_row(corpus):
    with transaction.atomic():
        essay = Essay.objects.get(pk=corpus[0].pk)
        essay.title = "回滚的标题"
        essay.save()
        assert PendingReindex.objects.filter(essay_id=essay.pk).exists()
        transaction.set_rollback(True)
    assert not PendingReindex.objects.exists()


def test_the_background_timer_retries_until_the_fault_is_gone(
    client, corpus, monkeypatch, settings
):
    settings.PORTAL_REINDEX_RETRY_SECONDS = 0.2
    monkeypatch.setattr(outbox, "_retry", outbox._RetryState())
    fault = IndexFault(monkeypatch, "read-only")
    _retitle(corpus[0], "后台重试的标题")
    time.sleep(0.7)  # a retry or two, failing
    assert PendingReindex.objects.get(essay_id=corpus[0].pk).attempts >= 2
    fault.clear()
    deadline = time.monotonic() + 20
    while PendingReindex.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _count(client, "后台重试的标题") == 1
    assert not PendingReindex.objects.exists()
    timer = outbox._retry.timer
    if timer is not None:
        timer.join(timeout=5)


def test_a_new_gunicorn_worker_writes_what_a_killed_one_left(client, corpus, monkeypatch, settings):
    essay = corpus[4]
    monkeypatch.setattr("search.signals.flush", lambda: None)  # killed after the commit
    _retitle(essay, "新进程补写的标题")
    monkeypatch.undo()
    assert _count(client, "新进程补写的标题") == 0

    settings.PORTAL_REINDEX_RETRY_SECONDS = 5
    monkeypatch.setattr(outbox, "_retry", outbox._RetryState())
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "portal" / "gunicorn.conf.py"))
    conf["post_worker_init"](worker=None)
    deadline = time.monotonic() + 20
    while PendingReindex.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _count(client, "新进程补写的标题") == 1
    assert not PendingReindex.objects.exists()


def test_a_full_rebuild_covers_the_waiting_changes(client, corpus, monkeypatch):
    fault = IndexFault(monkeypatch, "read-only")
    _retitle(corpus[5], "重建前等待的标题")
    assert PendingReindex.objects.count() == 1
    fault.clear()
    call_command("rebuild_index_swapped", stdout=io.StringIO())
    assert not PendingReindex.objects.exists()
    assert _count(client, "重建前等待的标题") == 1
    assert client.get("/healthz").status_code == 200
