"""Static files in production: collected with content-hashed names that pages refer to,
served by WhiteNoise with a far-future cache, and nothing fetched from another site."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

MANIFEST = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.mark.django_db
def test_pages_refer_to_hashed_static_files_that_collectstatic_wrote(client, tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST):
        call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
        html = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", a) for a in assets} >= {
        "css/site.css",
        "js/site.js",
        "favicon.svg",
    }
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.", asset), asset
        assert (tmp_path / asset).is_file()
        assert (tmp_path / f"{asset}.gz").is_file()


def test_stylesheet_and_script_fetch_nothing_from_outside():
    for path in ("static/css/site.css", "static/js/site.js"):
        text = (settings.BASE_DIR / path).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text
