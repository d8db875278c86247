"""An editor's walk through the admin in a real browser (Chromium, desktop width):
log in → open an essay → change a section inline → save → find the new words with the
site's search → revert the essay in its history → the words are gone from search."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from essays.models import Essay

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_WORDS = "鲲鹏展翅计划"
PASSWORD = "不易猜到的密码-2024"


@pytest.fixture
def editor(django_user_model, site):
    """An editor in the 编辑 group (created after the live server's data is in place)."""
    user = django_user_model.objects.create_user("bianji", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="编辑"))  # made by a data migration
    return user


def test_editor_edits_a_section_finds_it_by_search_then_reverts(browser, site, editor):
    essay = Essay.objects.order_by("pk")[6]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{site}/admin/")
        page.fill("#id_username", "bianji")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/admin/$"))

        page.goto(f"{site}/admin/essays/essay/{essay.pk}/change/")
        text = page.locator("textarea[name='sections-0-text']")
        text.fill(text.input_value() + NEW_WORDS)
        page.locator("input[name='_continue']").click()
        page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/$"))
        assert page.locator(".messagelist .success").count() == 1

        page.goto(f"{site}/search/?q={NEW_WORDS}")
        results = page.locator(f"a[href^='/essays/{essay.pk}/']")
        assert results.count() >= 1
        assert NEW_WORDS in page.locator("main").inner_text()

        page.goto(f"{site}/admin/essays/essay/{essay.pk}/history/")
        assert page.locator("ins", has_text=NEW_WORDS).count() >= 1
        page.get_by_role("link", name="查看或恢复到此版本").last.click()
        page.get_by_role("button", name="恢复到这个版本").click()
        page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/$"))
        assert NEW_WORDS not in page.locator("textarea[name='sections-0-text']").input_value()

        page.goto(f"{site}/search/?q={NEW_WORDS}")
        assert page.locator(f"a[href^='/essays/{essay.pk}/']").count() == 0
    finally:
        context.close()
