"""The admin's upload path refuses what the command refuses: enormous, truncated,
mixed-encoding and binary documents get the importer's message and nothing is written
(not even the stored upload the confirmation step would read)."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from essays.models import Collection, Essay, PendingUpload, Section
from essays.services.imports import MAX_SOURCE_BYTES
from tests.corpus import COLLECTION_SOURCE

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/essays/collection/import/"


def _stored_uploads() -> list[str]:
    return sorted(PendingUpload.objects.values_list("digest", flat=True))


def _cut_inside_a_character() -> bytes:
    data = COLLECTION_SOURCE.read_bytes()
    cut = next(i for i in range(len(data) // 2, len(data)) if 0x80 <= data[i] < 0xC0)
    return data[:cut]


def _with_a_gbk_paragraph() -> bytes:
    data = COLLECTION_SOURCE.read_bytes()
    middle = data.find(b"\n", len(data) // 2) + 1
    return data[:middle] + "统筹城乡发展的一段旧文字。\n".encode("gb18030") + data[middle:]


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "huge.txt",
            lambda: b"a" * (MAX_SOURCE_BYTES + 1),
            "文件过大（20 MB），在后台导入的上限为",
        ),
        ("cut.txt", _cut_inside_a_character, "文件在末尾被截断"),
        ("mixed.txt", _with_a_gbk_paragraph, "混用了多种编码"),
        ("archive.txt", lambda: gzip.compress(COLLECTION_SOURCE.read_bytes()), "二进制"),
    ],
)
def test_a_hostile_upload_is_refused_with_the_importers_message(editor_client, name, make, message):
    before = _stored_uploads()
    response = editor_client.post(IMPORT_URL, {"source": SimpleUploadedFile(name, make())})
    assert response.status_code == 200
    assert message in response.content.decode("utf-8")
    assert not response.context.get("token")
    assert (Collection.objects.count(), Essay.objects.count(), Section.objects.count()) == (0, 0, 0)
    assert _stored_uploads() == before
