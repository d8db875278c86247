"""The Content-Security-Policy holds in a real browser, the editors' admin included.

A superuser opens every kind of admin page (index, lists, change forms with inlines and
the filter widget, history, a version, recovery, the import page and its preview) and
the reading pages; Chromium reports no CSP violation and no script error, and the
admin's own scripts still work (the topic selector widget is built by them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from essays.models import Collection, Essay

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "不易猜到的密码-2024"
SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "003_9514cc16462ea946.txt"


def test_admin_and_reading_pages_run_under_the_csp(browser, site, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("chief", password=PASSWORD)
    essay = Essay.objects.order_by("pk").first()
    collection = Collection.objects.order_by("pk").first()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    try:
        response = page.goto(f"{site}/admin/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.fill("#id_username", "chief")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/admin/$"))
        for path in (
            "/admin/essays/essay/",
            f"/admin/essays/essay/{essay.pk}/change/",
            f"/admin/essays/essay/{essay.pk}/history/",
            "/admin/essays/essay/deleted/",
            "/admin/essays/collection/",
            f"/admin/essays/collection/{collection.pk}/change/",
            "/admin/essays/topic/add/",
            "/admin/essays/collection/import/",
            "/",
            f"/essays/{essay.pk}/",
            "/search/?q=城乡统筹",
        ):
            assert page.goto(f"{site}{path}").status == 200, path
        # The admin's scripts ran: the filter_horizontal widget exists only through them.
        page.goto(f"{site}/admin/essays/essay/{essay.pk}/change/")
        assert page.locator("#id_topics_from").count() == 1
        version = reverse(
            "admin:essays_essay_simple_history",
            args=[essay.pk, essay.history.first().history_id],
        )
        assert page.goto(f"{site}{version}").status == 200
        page.goto(f"{site}/admin/essays/collection/import/")
        page.set_input_files("#id_source", str(SOURCE))
        page.get_by_role("button", name=re.compile("预览")).click()
        page.wait_for_load_state()
        assert page.locator(".import-outline").count() >= 1
    finally:
        context.close()
    assert problems == []
