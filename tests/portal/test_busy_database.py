"""Saves while another writer holds SQLite (an import): the save waits and succeeds; a
lock held past the busy timeout gives the admin form back with the editor's input.

Each case runs a real portal process on a SQLite file (the test suite's own database is
in memory, where WAL and a second writer do not exist) while a second connection holds
a write transaction, as ``import_essays`` does for the length of an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's writer lock; PostgreSQL writers lock rows, not the database",
)

#: Save an essay in the admin while another connection holds the write lock for HOLD s.
SAVE_WHILE_LOCKED = """
import json, os, sqlite3, sys, threading, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from essays.models import Collection, Essay
sys.path.insert(0, os.getcwd())
from tests.essays.admin.conftest import form_data

call_command("migrate", verbosity=0)
admin = User.objects.create_superuser("admin", password="x")
collection = Collection.objects.create(
    title="文集", source_name="a.txt", raw_text="正文", imported_at=timezone.now()
)
essay = Essay.objects.create(collection=collection, number=1, title="旧标题", intro="导语")
client = Client()
client.force_login(admin)
url = f"/admin/essays/essay/{essay.pk}/change/"
data = form_data(client.get(url).content.decode())
data["title"] = "编辑填写的新标题"
data["_save"] = "保存"

hold = float(os.environ["HOLD"])
locked = threading.Event()

def writer():
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE essays_collection SET source_name = 'b.txt'")
    locked.set()
    time.sleep(hold)
    db.execute("COMMIT")
    db.close()

thread = threading.Thread(target=writer)
thread.start()
locked.wait()
start = time.monotonic()
if os.environ.get("UPLOAD"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    source = SimpleUploadedFile("doc.txt", open(os.environ["UPLOAD"], "rb").read())
    response = client.post("/admin/essays/collection/import/", {"source": source})
else:
    response = client.post(url, data)
elapsed = time.monotonic() - start
thread.join()
journal = sqlite3.connect(settings.DATABASES["default"]["NAME"]).execute(
    "PRAGMA journal_mode").fetchone()[0]
print(json.dumps({
    "status": response.status_code,
    "elapsed": elapsed,
    "body": response.content.decode(),
    "title": Essay.objects.get(pk=essay.pk).title,
    "journal": journal,
}, ensure_ascii=False))
"""


def save_while_locked(
    tmp_path: Path, *, hold: float, busy_timeout: str | None, upload: Path | None = None
) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": "test-only",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "PORTAL_INDEX_DIR": str(tmp_path / "index"),
        "HOLD": str(hold),
    }
    if upload is not None:
        env["UPLOAD"] = str(upload)
    if busy_timeout is not None:
        env["PORTAL_SQLITE_BUSY_TIMEOUT"] = busy_timeout
    result = subprocess.run(
        [sys.executable, "-c", SAVE_WHILE_LOCKED],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_a_save_during_another_write_waits_for_it_and_succeeds(tmp_path):
    answer = save_while_locked(tmp_path, hold=2.0, busy_timeout=None)
    assert answer["status"] == 302, answer["body"][:2000]
    assert answer["title"] == "编辑填写的新标题"
    assert answer["elapsed"] >= 1.0  # it waited for the other writer instead of failing
    assert answer["journal"] == "wal"


def test_a_lock_held_past_the_busy_timeout_gives_the_form_back_with_the_input(tmp_path):
    answer = save_while_locked(tmp_path, hold=4.0, busy_timeout="1")
    assert answer["status"] == 200
    body = answer["body"]
    assert "数据库正忙" in body and "您的修改没有保存" in body
    assert 'value="编辑填写的新标题"' in body  # the editor's input is still in the form
    assert answer["title"] == "旧标题"
    assert answer["elapsed"] < 4.0


def test_an_import_preview_while_the_database_stays_busy_says_so(tmp_path):
    source = BASE_DIR / "fixtures" / "source" / "003_9514cc16462ea946.txt"
    answer = save_while_locked(tmp_path, hold=4.0, busy_timeout="1", upload=source)
    assert answer["status"] == 200
    assert "数据库正忙" in answer["body"] and "请稍后重新上传" in answer["body"]
