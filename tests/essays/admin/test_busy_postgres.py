"""PostgreSQL: a save that waits for another transaction's lock longer than the lock
timeout (``PORTAL_PG_LOCK_TIMEOUT``) gives the admin form back with the editor's input,
as SQLite's busy timeout does (tests/portal/test_busy_database.py), instead of waiting
until gunicorn kills the worker and the edit is lost."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from essays.models import Essay
from tests.essays.admin.conftest import form_data
from tests.factories import make_essay
from tests.postgres_locks import another_writer

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL): runs in the PostgreSQL leg of scripts/test",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_every_connection_waits_for_a_lock_at_most_the_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "20s"  # PORTAL_PG_LOCK_TIMEOUT's default


def test_a_save_blocked_past_the_lock_timeout_gives_the_form_back(admin_client, monkeypatch):
    # A superuser, not the 编辑 group's editor: that group is a data migration's row, and
    # this transactional test must not depend on rows restored from the serialised database.
    essay = make_essay(title="旧标题", intro="导语")
    url = f"/admin/essays/essay/{essay.pk}/change/"
    data = form_data(admin_client.get(url).content.decode())
    data.update(title="编辑填写的新标题", _save="保存")

    # The portal gives up on a lock after one second; another writer holds the essay's row.
    with another_writer(monkeypatch, lock_timeout_ms=1000) as holder:
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM essays_essay WHERE id = %s FOR UPDATE", [essay.pk])
        started = time.monotonic()
        response = admin_client.post(url, data)
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    body = response.content.decode()
    assert "数据库正忙" in body and "您的修改没有保存" in body
    assert 'value="编辑填写的新标题"' in body  # the editor's input is still in the form
    assert Essay.objects.get(pk=essay.pk).title == "旧标题"
    assert elapsed < 10
