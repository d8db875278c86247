"""History and version URLs with an id that is not a number are a 404, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_essay, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("root", password="x")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/essays/essay/abc/history/",
        "/admin/essays/essay/abc/history/1/",
        "/admin/essays/essay/{essay}/history/abc/",
        "/admin/essays/topic/abc/history/",
        "/admin/essays/topic/{topic}/history/abc/",
        "/admin/essays/section/abc/history/",
        "/admin/essays/reference/abc/history/1/",
    ],
)
def test_a_history_url_with_a_non_numeric_id_is_a_404(admin_client_, url):
    essay = make_essay(sections=[{"heading": "一", "text": "正文"}])
    topic = make_topic()
    response = admin_client_.get(url.format(essay=essay.pk, topic=topic.pk))
    assert response.status_code == 404


def test_the_history_of_a_real_essay_still_shows(admin_client_):
    essay = make_essay()
    assert admin_client_.get(f"/admin/essays/essay/{essay.pk}/history/").status_code == 200
