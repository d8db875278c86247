"""The page cache: anonymous readers get stored pages without touching the database, and
every change — an editor's save, a topic rename, a deletion, an import, a re-index —
shows at once; editors, errors and personal responses are never cached."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from essays.models import Essay, Section, Topic
from pagecache import content_version
from pagecache.decorators import mark_cacheable
from pagecache.middleware import STATUS_HEADER, PageCacheMiddleware
from search.signals import reindex_essays
from tests.essays.admin.conftest import form_data
from tests.search.conftest import SOURCES

pytestmark = pytest.mark.django_db

MARKER = "鹦鹉螺号计划"


def cache_status(response) -> str | None:
    return response.get(STATUS_HEADER)


def read_twice(client: Client, path: str, **params):
    """Two identical requests; returns both responses."""
    return client.get(path, params), client.get(path, params)


def version_file() -> str:
    path = content_version.version_path()
    return path.read_text() if path.exists() else ""


def test_second_anonymous_read_is_a_hit_without_any_query(
    corpus, client, django_assert_num_queries
):
    url = corpus[3].get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and cache_status(first) == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert cache_status(second) == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    # HEAD and GET share the entry.
    assert cache_status(client.head(url)) == "hit"


def test_a_hit_carries_exactly_the_headers_of_the_live_response(corpus, client):
    for path in (corpus[0].get_absolute_url(), "/api/essays/", "/feeds/essays.atom"):
        live, stored = read_twice(client, path)
        assert (cache_status(live), cache_status(stored)) == ("miss", "hit"), path
        headers = {k: v for k, v in live.items() if k != STATUS_HEADER}
        assert {k: v for k, v in stored.items() if k != STATUS_HEADER} == headers
        assert "frame-ancestors 'none'" in stored["Content-Security-Policy"]
        assert stored["X-Content-Type-Options"] == "nosniff"
        assert stored["X-Frame-Options"] == "DENY"
        assert stored["Content-Type"] == live["Content-Type"]


def test_public_pages_api_feeds_and_search_are_all_cached(corpus, client):
    essay = corpus[0]
    topic = Topic.objects.filter(essays__isnull=False).first()
    paths = [
        "/",
        "/essays/",
        essay.get_absolute_url(),
        f"/collections/{essay.collection_id}/",
        "/topics/",
        f"/topics/{topic.slug}/",
        "/search/?q=城乡统筹",
        "/api/essays/",
        f"/api/essays/{essay.pk}/",
        "/api/topics/",
        "/api/search/?q=城乡统筹",
        "/feeds/essays.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/opensearch.xml",
    ]
    for path in paths:
        first, second = client.get(path), client.get(path)
        assert first.status_code == 200, path
        assert (cache_status(first), cache_status(second)) == ("miss", "hit"), path


def test_never_cached_health_errors_and_bad_searches(corpus, client):
    for path, status in [
        ("/healthz", 200),
        ("/essays/999999/", 404),
        ("/api/essays/999999/", 404),
        ("/topics/no-such-topic/", 404),
        ("/api/search/?q=城乡&page_size=0", 400),
        ("/api/search/?q=" + "城" * 20000, 400),
    ]:
        first, second = read_twice(client, path)
        assert first.status_code == second.status_code == status, path
        assert cache_status(second) == "miss", path


def test_an_editor_never_gets_a_cached_page_nor_fills_the_cache(corpus, editor_client, client):
    url = corpus[1].get_absolute_url()
    live = editor_client.get(url)
    assert live.status_code == 200 and cache_status(live) == "bypass"
    # What the editor saw was not stored for readers.
    assert cache_status(client.get(url)) == "miss"
    assert cache_status(client.get(url)) == "hit"
    # And a reader's stored page is not what the editor gets.
    assert cache_status(editor_client.get(url)) == "bypass"
    assert cache_status(editor_client.get("/api/search/", {"q": "城乡"})) == "bypass"


def test_a_section_edited_in_the_admin_shows_at_once_everywhere(
    corpus, editor_client, client, django_capture_on_commit_callbacks
):
    essay = corpus[6]
    page, api = essay.get_absolute_url(), f"/api/essays/{essay.pk}/"
    search_page, search_api = f"/search/?q={MARKER}", f"/api/search/?q={MARKER}"
    link = f'href="/essays/{essay.pk}/'
    for path in (page, api, search_page, search_api):
        client.get(path)
        assert cache_status(client.get(path)) == "hit", path
    assert MARKER not in client.get(page).content.decode()
    assert MARKER not in client.get(api).content.decode()
    assert link not in client.get(search_page).content.decode()
    assert client.get(search_api).json()["count"] == 0
    before = version_file()

    change_url = reverse("admin:essays_essay_change", args=[essay.pk])
    data = form_data(editor_client.get(change_url).content.decode())
    data["sections-0-text"] += MARKER
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url, data).status_code == 302

    assert version_file() != before  # every worker sees the change
    assert MARKER in client.get(page).content.decode()
    assert MARKER in client.get(api).content.decode()
    assert link in client.get(search_page).content.decode()
    assert client.get(search_api).json()["count"] == 1


def test_a_topic_renamed_in_the_admin_shows_at_once(
    corpus, editor_client, client, django_capture_on_commit_callbacks
):
    topic = Topic.objects.filter(essays__isnull=False).first()
    essay = topic.essays.order_by("pk").first()
    reads = ["/topics/", "/api/topics/", essay.get_absolute_url(), f"/topics/{topic.slug}/"]
    for path in reads:
        client.get(path)
        assert cache_status(client.get(path)) == "hit"

    change_url = reverse("admin:essays_topic_change", args=[topic.pk])
    data = form_data(editor_client.get(change_url).content.decode())
    data["name"] = "鹦鹉螺主题"
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url, data).status_code == 302

    for path in reads:
        assert "鹦鹉螺主题" in client.get(path).content.decode(), path


def test_a_collection_renamed_in_the_admin_shows_at_once(
    corpus, editor_client, client, django_capture_on_commit_callbacks
):
    """A collection's title is on the home and collection pages but not in the search
    index: only the content version tells the cache."""
    collection = corpus[0].collection
    reads = ["/", f"/collections/{collection.pk}/"]
    for path in reads:
        client.get(path)
        assert cache_status(client.get(path)) == "hit"
    before = version_file()

    change_url = reverse("admin:essays_collection_change", args=[collection.pk])
    data = form_data(editor_client.get(change_url).content.decode())
    data["title"] = "鹦鹉螺文集"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]

    assert version_file() != before
    for path in reads:
        assert "鹦鹉螺文集" in client.get(path).content.decode(), path


def test_a_deleted_essay_is_gone_at_once(
    corpus, editor_client, client, django_capture_on_commit_callbacks
):
    essay = corpus[2]
    count = client.get("/api/essays/").json()["count"]
    assert client.get(essay.get_absolute_url()).status_code == 200
    assert cache_status(client.get(essay.get_absolute_url())) == "hit"

    delete_url = reverse("admin:essays_essay_delete", args=[essay.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302

    assert client.get(essay.get_absolute_url()).status_code == 404
    assert client.get("/api/essays/").json()["count"] == count - 1
    collection = client.get(f"/collections/{essay.collection_id}/").content.decode()
    assert f'href="/essays/{essay.pk}/"' not in collection


def test_an_import_shows_at_once(corpus, client, tmp_path, django_capture_on_commit_callbacks):
    source = SOURCES[0]
    essay = Essay.objects.get(intro__contains="城郊乡位于县城周边")
    url = essay.get_absolute_url()
    client.get(url)
    assert cache_status(client.get(url)) == "hit"
    before = version_file()

    changed = tmp_path / source.name
    changed.write_text(
        source.read_text(encoding="utf-8").replace(
            "城郊乡位于县城周边", f"城郊乡位于县城周边{MARKER}"
        ),
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_essays", str(changed), stdout=io.StringIO())

    assert version_file() != before
    assert MARKER in client.get(url).content.decode()
    assert client.get("/api/search/", {"q": MARKER}).json()["count"] == 1


def test_generated_essays_written_in_bulk_show_at_once(
    corpus, client, django_capture_on_commit_callbacks
):
    count = client.get("/api/essays/").json()["count"]
    before = version_file()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_corpus", "--essays", "3", "--no-index", stdout=io.StringIO())
    assert version_file() != before
    assert client.get("/api/essays/").json()["count"] == count + 3
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_corpus", "--remove", stdout=io.StringIO())
    assert client.get("/api/essays/").json()["count"] == count


def test_one_bump_per_transaction_and_none_for_a_rollback(
    corpus, django_capture_on_commit_callbacks
):
    before = version_file()
    sections = list(Section.objects.filter(essay=corpus[0])[:3])
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for section in sections:
            section.text += "。"
            section.save()
        corpus[0].topics.clear()
    bumps = [c for c in callbacks if isinstance(c, content_version._CommitBump)]
    assert len(bumps) == 1
    after = version_file()
    assert after != before

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sections[0].text += "。"
        sections[0].save()
        transaction.set_rollback(True)
    assert version_file() == after


def test_the_token_changes_when_the_index_changes(corpus, search_index):
    before = content_version.current()
    assert content_version.current() == before  # stable while nothing changes
    essays = list(Essay.objects.filter(pk=corpus[0].pk))
    index_only = content_version.index_token()
    reindex_essays([essay.pk for essay in essays])  # what the on-commit callback does
    assert content_version.index_token() != index_only
    swapped = content_version.index_token()
    call_command("rebuild_index_swapped", verbosity=0)  # a new generation in CURRENT
    assert content_version.index_token() != swapped


def test_a_search_cached_before_the_reindex_is_replaced_after_it(corpus, client):
    """The database change is committed before the index is written: a search answered
    in between is cached under the bumped version, and the index write moves past it."""
    section = Section.objects.exclude(text="").order_by("pk").first()
    Section.objects.filter(pk=section.pk).update(text=section.text + MARKER)
    content_version.bump()  # the commit's bump; the index is not written yet
    assert client.get("/api/search/", {"q": MARKER}).json()["count"] == 0
    assert cache_status(client.get("/api/search/", {"q": MARKER})) == "hit"
    reindex_essays([section.essay_id])
    assert client.get("/api/search/", {"q": MARKER}).json()["count"] == 1


def test_missing_files_give_a_stable_token(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "nowhere"
    settings.HAYSTACK_CONNECTIONS = {"default": {"PATH": str(tmp_path / "no-index")}}
    token = content_version.current()
    assert token == content_version.current()
    Path(tmp_path / "no-index").mkdir()
    (tmp_path / "no-index" / "CURRENT").write_text("index-gone")
    assert content_version.current() == content_version.current()


def test_responses_that_set_a_cookie_or_vary_on_it_are_not_stored(rf):
    calls = []

    def view(request):
        calls.append(request)
        response = mark_cacheable(HttpResponse("个人内容"))
        if len(calls) == 1:
            response.set_cookie("sessionid-like", "x")
        else:
            response["Vary"] = "Cookie"
        return response

    middleware = PageCacheMiddleware(view)
    for _ in range(3):
        assert middleware(rf.get("/personal/"))[STATUS_HEADER] == "miss"
    assert len(calls) == 3


def test_each_host_has_its_own_entries(corpus, client):
    # Absolute URLs in the sitemap name the host asked for; each host has its own entry.
    local = client.get("/sitemap.xml", HTTP_HOST="localhost").content.decode()
    other = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").content.decode()
    assert "http://localhost/" in local and "http://127.0.0.1/" in other
    assert "localhost" not in other


def test_the_cache_can_be_switched_off(corpus, settings):
    settings.PORTAL_PAGE_CACHE = False
    fresh = Client()
    url = corpus[0].get_absolute_url()
    assert STATUS_HEADER not in fresh.get(url)
    assert STATUS_HEADER not in fresh.get(url)


def test_a_deleted_index_gives_a_stable_token_not_an_error(corpus, search_index):
    shutil.rmtree(search_index.base_path)
    assert content_version.index_token() == "-"
    assert isinstance(content_version.current(), str)
