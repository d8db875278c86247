"""Essay text that contains HTML or script (as an editor might paste it) is shown as
text on every surface: reading pages, search snippets (page and API), the Atom feed,
the sitemap and the editors' admin pages and previews. Nowhere does it become markup."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.corpus import STANDALONE_SOURCE
from tests.factories import make_collection, make_essay, make_topic
from tests.search.conftest import search_index  # noqa: F401 - an index of each test's own

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x")
ESCAPED = "&lt;script&gt;"


@pytest.fixture
def hostile_essay():
    topic = make_topic(name="主题<script>alert(1)</script>", keywords={"城乡统筹": 5})
    collection = make_collection(title=f"文集{PAYLOAD}")
    essay = make_essay(
        collection=collection,
        title=f"城乡统筹{PAYLOAD}",
        subtitle=f"副标题{PAYLOAD}",
        intro=f"导语说城乡统筹{PAYLOAD}。",
        topics=[topic],
        sections=[
            {"level": 1, "number": "一", "heading": f"标题{PAYLOAD}", "text": f"城乡统筹{PAYLOAD}"},
        ],
        references=[{"text": f"[1] 作者{PAYLOAD}. 书名[M]. 2004.", "kind": "M", "year": 2004}],
    )
    call_command("rebuild_index_swapped", verbosity=0)
    return essay


def _assert_text_only(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, f"{where}: {raw!r} came through as markup"
    assert ESCAPED in body, f"{where}: the text itself is missing"


def test_reading_pages_show_markup_as_text(client, hostile_essay):
    essay = hostile_essay
    topic = essay.topics.get()
    for url in (
        "/",
        "/essays/",
        essay.get_absolute_url(),
        f"/collections/{essay.collection_id}/",
        "/topics/",
        topic.get_absolute_url(),
        "/search/?q=城乡统筹",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_text_only(response.content.decode("utf-8"), url)


def test_search_api_snippets_are_escaped_html(client, hostile_essay):
    data = client.get("/api/search/", {"q": "城乡统筹"}).json()
    (result,) = data["results"]
    assert "<mark>城乡统筹</mark>" in result["snippet"]
    _assert_text_only(result["snippet"], "API snippet")


def test_feed_and_sitemap_carry_markup_as_escaped_text(client, hostile_essay):
    feed = client.get("/feeds/essays.atom").content.decode("utf-8")
    _assert_text_only(feed, "Atom feed")
    assert client.get("/sitemap.xml").status_code == 200


def test_admin_pages_and_previews_show_markup_as_text(django_user_model, hostile_essay):
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("chief", password="x" * 12))
    essay = hostile_essay
    record = essay.history.order_by("history_id").first()
    for url in (
        reverse("admin:essays_essay_changelist"),
        reverse("admin:essays_essay_change", args=[essay.pk]),
        reverse("admin:essays_essay_history", args=[essay.pk]),
        reverse("admin:essays_essay_simple_history", args=[essay.pk, record.history_id]),
        reverse("admin:essays_collection_change", args=[essay.collection_id]),
        reverse("admin:essays_topic_change", args=[essay.topics.get().pk]),
        reverse("admin:essays_section_changelist"),
        reverse("admin:essays_reference_changelist"),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        _assert_text_only(response.content.decode("utf-8"), url)
    # The import preview of a source whose text holds markup.
    text = STANDALONE_SOURCE.read_text(encoding="utf-8")
    source = f"{PAYLOAD}城乡统筹\n{text.split(chr(10), 1)[1]}".encode()
    preview = admin.post(
        reverse("admin:essays_collection_import"),
        {"source": SimpleUploadedFile("hostile.txt", source)},
    )
    assert preview.status_code == 200 and preview.context.get("token")
    _assert_text_only(preview.content.decode("utf-8"), "import preview")
