"""A damaged segment file fails ``/healthz``, which names the command that restores it.

Overwriting a few blocks inside the largest segment leaves an index that opens and
answers most searches, and the document count still matches the database: only the
checksums recorded when the files were committed show the damage.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from search.backends.whoosh import integrity
from search.backends.whoosh.generations import CURRENT

pytestmark = pytest.mark.django_db


def _live(backend) -> Path:
    return backend.base_path / (backend.base_path / CURRENT).read_text().strip()


def _largest_segment(backend) -> Path:
    files = [path for path in _live(backend).iterdir() if path.suffix == ".seg"]
    return max(files, key=lambda path: path.stat().st_size)


def _overwrite_blocks(path: Path, *, keep_time: bool = False) -> None:
    """Overwrite two 512-byte blocks in the middle of ``path`` (its size unchanged)."""
    stat = path.stat()
    with path.open("r+b") as handle:
        for offset in (stat.st_size // 3, stat.st_size // 2):
            handle.seek(offset)
            handle.write(bytes((i * 91 + 7) % 256 for i in range(512)))
    if keep_time:  # damage the modification time does not show (bit rot)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _assert_reported(client, damaged: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["failed"] == ["index_files"]  # the count and the reading still pass
    check = report["checks"]["index_files"]
    assert check["damaged"] == [damaged.name]
    assert "已损坏" in check["error"]
    assert check["action"] == "manage.py rebuild_index_swapped"


def _assert_restored(client, corpus) -> None:
    out = io.StringIO()
    call_command("rebuild_index_swapped", stdout=out)
    assert f"已索引 {len(corpus)} 篇文章" in out.getvalue()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["index_files"]["recorded"] is True


def test_overwritten_blocks_of_the_largest_segment_fail_healthz_until_rebuilt(
    client, corpus, search_index
):
    assert client.get("/healthz").status_code == 200
    segment = _largest_segment(search_index)
    _overwrite_blocks(segment)
    _assert_reported(client, segment)
    _assert_restored(client, corpus)


def test_damage_that_keeps_the_file_time_is_found_by_the_periodic_recheck(
    client, corpus, search_index, settings
):
    assert client.get("/healthz").status_code == 200
    segment = _largest_segment(search_index)
    _overwrite_blocks(segment, keep_time=True)
    assert client.get("/healthz").status_code == 200  # same name, size, time: not re-read
    settings.PORTAL_INDEX_VERIFY_SECONDS = 0  # the recheck is due
    _assert_reported(client, segment)
    _assert_restored(client, corpus)


def test_healthz_reads_an_unchanged_file_once(corpus, search_index):
    live = _live(search_index)
    first = integrity.verify(live)
    assert first.ok and first.recorded and not first.unrecorded
    assert first.read_bytes == sum(
        path.stat().st_size for path in live.iterdir() if path.name in integrity.load(live)
    )
    again = integrity.verify(live)
    assert again.ok and again.read_bytes == 0


def test_each_probe_reads_a_bounded_share_and_damage_is_still_found(corpus, search_index):
    """At 10,000 essays the index is ~700 MB: a probe reads at most a budget's worth
    (here one file per call), files changed since their last check first."""
    live = _live(search_index)
    files = sorted(integrity.load(live))
    seen: set[str] = set()
    for _ in files:
        found = integrity.verify(live, budget=1)
        assert found.ok
        seen.update(set(files) - set(found.unchecked))
    assert seen == set(files) and integrity.verify(live, budget=1).read_bytes == 0
    segment = _largest_segment(search_index)
    _overwrite_blocks(segment)
    found = integrity.verify(live, budget=1)  # the changed file is read first
    assert found.damaged == [segment.name] and found.read_bytes == segment.stat().st_size


def test_a_save_records_its_new_files(
    client, corpus, search_index, django_capture_on_commit_callbacks
):
    """Saves keep the record complete: the new segment and table of contents are listed."""
    essay = corpus[0]
    with django_capture_on_commit_callbacks(execute=True):
        essay.title = "校验和记录的标题"
        essay.save()
    live = _live(search_index)
    recorded = integrity.load(live)
    index_files = {p.name for p in live.iterdir() if p.suffix in {".seg", ".toc"}}
    assert index_files <= set(recorded)
    assert integrity.verify(live).ok
    assert client.get("/healthz").status_code == 200
