"""How long the admin's import of an uploaded document takes, by size
(``python -m bench.upload_size PAPERS_DIR [--sizes 1,2,4,8]``).

Builds a collection document of the wanted size (MB of UTF-8) from real Chinese papers
(e.g. ``../shared/corpus/chinaxiv/papers``, markdown, repeated as needed, one essay
per paper as ``标题 篇N``), then drives the real admin on a fresh SQLite data directory:
the upload and preview (parse + dry run) and the confirm (parse + write + index), each
timed. Prints one JSON line per size. The admin's upload cap
(``PORTAL_UPLOAD_MAX_BYTES``, 256 KB) is chosen so that the slower of the two, the
confirm, stays inside gunicorn's 30 s timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path


def build_document(papers: list[Path], size_mb: float) -> bytes:
    """A collection of essays, made of the papers' text, of about ``size_mb`` MB."""
    target = int(size_mb * 1024 * 1024)
    texts = []
    for paper in papers:
        raw = paper.read_text(encoding="utf-8").splitlines()
        lines = [re.sub(r"^[#>*\-\s]+", "", line).strip() for line in raw]
        lines = [line for line in lines if line and not line.startswith(("![", "|", "$"))]
        if len(lines) > 3:
            texts.append(lines)
    essays, size, n = [], 0, 0
    while size < target:
        lines = texts[n % len(texts)]
        n += 1
        essay = "\n".join([f"{lines[0][:60]}（{n}） 篇{n}", *lines[1:]])
        essays.append(essay)
        size += len(essay.encode("utf-8")) + 1
    return "\n".join([f"上传测试文集(共{n}篇)", *essays]).encode("utf-8")


def main() -> None:
    """Measure preview and confirm for each size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("papers", type=Path)
    parser.add_argument("--sizes", default="1,2,4,8")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench-upload-")
    os.environ.update(
        PORTAL_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="testserver",
        PORTAL_UPLOAD_MAX_BYTES=str(1 << 30),
    )
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench", password="x")
    papers = sorted(args.papers.glob("*.md"))
    for size in [float(s) for s in args.sizes.split(",")]:
        data = build_document(papers, size)
        client = Client()
        client.force_login(admin)
        start = time.monotonic()
        preview = client.post(
            "/admin/essays/collection/import/",
            {"source": SimpleUploadedFile(f"doc-{size}.txt", data)},
        )
        previewed = time.monotonic() - start
        found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
        token = found.group(1) if found else ""
        start = time.monotonic()
        confirm = client.post("/admin/essays/collection/import/", {"confirm": "1", "token": token})
        confirmed = time.monotonic() - start
        print(
            json.dumps(
                {
                    "mb": round(len(data) / 1024 / 1024, 2),
                    "essays": data.decode().count(" 篇"),
                    "preview_s": round(previewed, 2),
                    "preview_status": preview.status_code,
                    "confirm_s": round(confirmed, 2),
                    "confirm_status": confirm.status_code,
                }
            ),
            flush=True,
        )
        call_command("flush", interactive=False, verbosity=0)
        admin = User.objects.create_superuser("bench", password="x")
    sys.exit(0)


if __name__ == "__main__":
    main()
