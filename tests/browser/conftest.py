"""Browser test fixtures: Debian's Chromium driven by Playwright, a live server with the
real corpus in its database and search index, axe-core for accessibility checks, and
full-page screenshots under ``screenshots/``.

One browser for the whole session; each test gets fresh pages. When the browser cannot
start, the tests are skipped on a developer's machine and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.core import serializers
from django.db import transaction

from essays.models import Topic
from essays.signals import corpus_batch

# The search index fixtures are the search app's own: each test gets a whoosh index in a
# directory of its own, and the corpus snapshot (imported and indexed once a session).
from tests.search.conftest import corpus_snapshot, search_index  # noqa: F401

# Playwright's sync API keeps an asyncio loop in this thread; the ORM calls the fixtures
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "screenshots"

#: The two widths every page is checked at.
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, started once for the session."""
    try:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
    except Exception as error:  # pragma: no cover - depends on the machine
        _unavailable(f"Playwright could not start: {error}")
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # pragma: no cover - depends on the machine
        playwright.stop()
        _unavailable(f"Chromium ({CHROMIUM}) could not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The name of the width this test runs at: ``phone`` or ``desktop``."""
    return request.param


@pytest.fixture
def page(browser: Any, viewport: str) -> Iterator[Any]:
    """A fresh page at the test's width, in Chinese, failing on any script error or
    Content-Security-Policy violation."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _csp_violation(message, errors))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture(scope="session")
def topic_rows(django_db_setup: Any, django_db_blocker: Any) -> str:
    """The topics the migrations create, serialised before any browser test flushes them."""
    with django_db_blocker.unblock():
        return serializers.serialize("json", Topic.objects.all())


@pytest.fixture
def site(
    live_server: Any,
    search_index: Any,  # noqa: F811
    corpus_snapshot: Any,  # noqa: F811
    topic_rows: str,
) -> str:
    """The live server's URL, with the real corpus in its database and search index.

    A live server needs committed rows, so these tests run in transactions that the test
    database is flushed after; the topics the corpus refers to are put back first.
    """
    rows, index_dir = corpus_snapshot
    # The rows go in as one transaction with re-indexing left out (a batch that does not
    # reindex): the snapshot's ready index is copied in below.
    with corpus_batch(reindex=False), transaction.atomic():
        for obj in serializers.deserialize("json", topic_rows):
            obj.save()
        for obj in serializers.deserialize("json", rows):
            obj.save()
    shutil.rmtree(search_index.base_path, ignore_errors=True)
    shutil.copytree(index_dir, search_index.base_path)
    search_index.setup()
    return live_server.url


def _csp_violation(message: Any, errors: list[str]) -> None:
    """Record a console error that reports a Content-Security-Policy violation."""
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


_AXE_SOURCE = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the DevTools protocol: a <script> tag would break the site's CSP.
    page.evaluate(_AXE_SOURCE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def screenshot(page: Any, name: str, viewport: str) -> Path:
    """Save a full-page screenshot as ``screenshots/<name>-<viewport>.png``."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
