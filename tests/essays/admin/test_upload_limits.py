"""An upload the admin could not preview and import inside gunicorn's timeout is refused
with a Chinese message before it is read; previews never confirmed expire with their
stored upload."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from essays.models import Collection, PendingUpload
from essays.services.uploads import PREVIEW_MAX_AGE
from tests.corpus import COLLECTION_SOURCE, STANDALONE_SOURCE

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/essays/collection/import/"


def stored() -> set[str]:
    """The uploads waiting for their confirmation (in the database)."""
    return set(PendingUpload.objects.values_list("digest", flat=True))


def preview(client, data: bytes, name: str = "doc.txt"):
    return client.post(IMPORT_URL, {"source": SimpleUploadedFile(name, data)})


def test_an_upload_over_the_admin_limit_is_refused_before_parsing(editor_client, monkeypatch):
    # 19 MB of valid text parsed for 38 s, past the 30 s timeout: now refused unread.
    import essays.admin.collection_admin as collection_admin

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed an upload over the limit")

    monkeypatch.setattr(collection_admin, "parse_document", must_not_parse)
    text = COLLECTION_SOURCE.read_bytes()
    big = text * (settings.PORTAL_UPLOAD_MAX_BYTES // len(text) + 1)
    before = stored()
    response = preview(editor_client, big)
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件过大" in page and "在后台导入的上限为 256 KB" in page
    assert "import_essays" in page
    assert not response.context.get("token")
    assert stored() == before and not Collection.objects.exists()


def test_the_limit_is_a_setting(editor_client, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 20 * 1024
    response = preview(editor_client, COLLECTION_SOURCE.read_bytes())
    assert "在后台导入的上限为 20 KB" in response.content.decode()
    ok = preview(editor_client, STANDALONE_SOURCE.read_bytes())  # 9.5 KB
    assert ok.context.get("token")


def test_a_preview_never_confirmed_expires_with_its_upload(editor_client):
    first = preview(editor_client, STANDALONE_SOURCE.read_bytes())
    token = first.context["token"]
    (abandoned,) = stored()
    old = PendingUpload.objects.get().stored_at - datetime.timedelta(seconds=PREVIEW_MAX_AGE + 60)
    PendingUpload.objects.filter(digest=abandoned).update(stored_at=old)
    # Another editor's preview later on sweeps the abandoned upload away …
    second = preview(editor_client, COLLECTION_SOURCE.read_bytes())
    assert second.context.get("token")
    assert abandoned not in stored() and len(stored()) == 1
    # … and confirming the abandoned preview says it expired, writing nothing.
    late = editor_client.post(IMPORT_URL, {"confirm": "1", "token": token})
    assert "预览已过期" in late.content.decode()
    assert not Collection.objects.exists()


def test_a_recent_preview_is_kept_and_confirmed(editor_client):
    token = preview(editor_client, STANDALONE_SOURCE.read_bytes()).context["token"]
    preview(editor_client, COLLECTION_SOURCE.read_bytes())
    assert len(stored()) == 2
    confirmed = editor_client.post(IMPORT_URL, {"confirm": "1", "token": token})
    assert confirmed.status_code == 302
    assert len(stored()) == 1
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stored())


def test_a_preview_shown_by_one_machine_is_confirmed_on_another(editor_client, settings, tmp_path):
    """Behind a load balancer the confirmation may reach another web machine (its own
    data directory): the upload waits in the shared database, not on the first one's disk."""
    token = preview(editor_client, STANDALONE_SOURCE.read_bytes()).context["token"]
    first_machine = settings.DATA_DIR
    settings.DATA_DIR = tmp_path / "other-machine"
    confirmed = editor_client.post(IMPORT_URL, {"confirm": "1", "token": token})
    assert confirmed.status_code == 302
    assert Collection.objects.count() == 1 and not stored()
    assert not (first_machine / "admin-imports").exists()  # nothing kept on a machine's disk


def test_uploads_earlier_versions_kept_on_disk_are_removed_by_the_migration(settings, tmp_path):
    """Nothing reads the old files any more: the migration that moves uploads into the
    database removes them rather than leaving documents behind in the data directory."""
    import importlib

    migration = importlib.import_module("essays.migrations.0010_pending_uploads")
    settings.DATA_DIR = tmp_path
    old = tmp_path / "admin-imports" / f"{'0' * 64}.txt"
    old.parent.mkdir()
    old.write_bytes(STANDALONE_SOURCE.read_bytes())
    migration.remove_uploads_kept_on_disk(None, None)
    assert not old.parent.exists()
    migration.remove_uploads_kept_on_disk(None, None)  # and a data directory without them
