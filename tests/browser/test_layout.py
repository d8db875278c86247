"""Pages that fit: the admin's essay editor at 1280 px and the public pages at 390 and
1280 px scroll only downwards, break no Content-Security-Policy rule (the ``page``
fixture fails on any violation) and have no serious accessibility violation; the reading
details work (one search box, an outline that marks the section being read, references
that link back, a 目录 link that covers no text, copy buttons for citations). Every page
is kept as a screenshot under ``screenshots/``."""

from __future__ import annotations

import re

import pytest

from essays.admin_selectors import essay_history_entries
from essays.models import Essay
from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "不易猜到的密码-2024"
NEW_WORDS = "这一句是在浏览器里新加的。"

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def check(page, name: str, viewport: str, console: list[str] | None = None) -> None:
    """No horizontal scrolling, a screenshot, no serious axe violation.

    axe-core's own probing sets inline styles, which the CSP refuses: what it logs to
    ``console`` while it runs is not the page's doing and is dropped.
    """
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (name, width)
    screenshot(page, name, viewport)
    logged = len(console) if console is not None else 0
    assert axe_violations(page) == [], name
    if console is not None:
        page.wait_for_timeout(100)
        del console[logged:]


def essay_of(number: int) -> Essay:
    return Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=number)


def test_public_pages_fit_the_screen(site, page, viewport):
    collection = essay_of(1).collection_id
    pages = {
        "home": "/",
        "essay-list": "/essays/",
        "topics": "/topics/",
        "topic-shelf": "/topics/chengxiang-tongchou/",
        "collection": f"/collections/{collection}/",
        "essay-11": essay_of(11).get_absolute_url(),
        "essay-6": essay_of(6).get_absolute_url(),
        "search-results": "/search/?q=劳动力转移",
    }
    for name, path in pages.items():
        page.goto(site + path)
        check(page, name, viewport)
    # one search box on pages whose body has one
    for path in ("/", "/search/?q=劳动力转移"):
        page.goto(site + path)
        assert page.locator("input[type=search]:visible").count() == 1, path


def test_no_two_listed_essays_share_a_title(site, page, viewport):
    page.goto(site + "/essays/")
    titles = page.locator(".essay-list > li > a").all_inner_texts()
    assert len(titles) == 12 and len(set(titles)) == 12, titles


def test_the_toc_link_never_covers_text_on_a_phone(site, page, viewport):
    if viewport != "phone":
        pytest.skip("the outline sits beside the text on a desktop")
    page.goto(site + essay_of(7).get_absolute_url())
    height = page.evaluate("document.documentElement.scrollHeight")
    for top in range(0, height, 400):
        page.evaluate(f"window.scrollTo(0, {top})")
        overlaps = page.evaluate(
            """() => {
                const fixed = [...document.querySelectorAll('body *')].filter((e) => {
                    const style = getComputedStyle(e);
                    return (style.position === 'fixed' || style.position === 'sticky')
                        && style.visibility !== 'hidden' && style.opacity !== '0'
                        && e.getClientRects().length;
                });
                const texts = [...document.querySelectorAll('.essay-body p, .essay-body h2, .essay-body h3, .essay-body h4')];
                const hits = [];
                for (const f of fixed) {
                    const a = f.getBoundingClientRect();
                    for (const t of texts) {
                        if (f.contains(t) || t.contains(f)) continue;
                        for (const b of t.getClientRects()) {
                            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                                hits.push(f.className + ' over ' + t.textContent.slice(0, 12));
                            }
                        }
                    }
                }
                return hits;
            }"""
        )
        assert overlaps == [], (top, overlaps)
    toc_links = page.locator(".essay-section .to-toc")
    assert toc_links.count() >= 2
    toc_links.nth(1).click()
    page.wait_for_function("location.hash === '#toc'")


def test_outline_marks_the_section_in_view_and_references_link_back(site, page, viewport):
    essay = essay_of(7)
    page.goto(site + essay.get_absolute_url())
    sections = list(essay.sections.order_by("order"))
    target = sections[len(sections) // 2]
    page.evaluate(f"document.getElementById('{target.anchor}').scrollIntoView()")
    page.wait_for_function(
        """(href) => {
            const a = document.querySelector('#toc a[aria-current="location"]');
            return a && a.getAttribute('href') === href;
        }""",
        arg=f"#{target.anchor}",
        timeout=3_000,
    )
    assert page.locator('#toc a[aria-current="location"]').count() == 1
    # a reference leads back to where it is cited
    page.goto(site + essay_of(11).get_absolute_url())
    back = page.locator(".references .backlinks a").first
    href = back.get_attribute("href")
    back.click()
    page.wait_for_function(f"location.hash === '{href}'")
    assert page.locator(href).evaluate("e => e.classList.contains('ref-marker')")


def test_copy_buttons_copy_the_essays_citations(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = context.new_page()
    try:
        essay = essay_of(2)
        page.goto(site + essay.get_absolute_url())
        page.get_by_role("button", name="复制 BibTeX").click()
        page.get_by_role("status").filter(has_text="已复制").wait_for()
        assert page.evaluate("navigator.clipboard.readText()").startswith(
            f"@online{{essay{essay.pk},"
        )
        page.get_by_role("button", name="复制 GB/T 7714 引文").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert f"{essay.display_title}（篇2）[EB/OL]//" in copied
        # what Zotero's connector reads
        assert page.locator('meta[name="citation_title"]').get_attribute("content") == (
            essay.display_title
        )
        assert page.locator("span.Z3988").count() == 1
    finally:
        context.close()


@pytest.fixture
def editor(django_user_model, site):
    """A user who may edit essays (created after the live server's data is in place; the
    editors group's rights are tested in tests/essays/admin/)."""
    return django_user_model.objects.create_superuser("bianji", password=PASSWORD)


def test_the_essay_editor_fits_1280_px_and_records_one_changed_section(browser, site, editor):
    essay = essay_of(4)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(page.url + " " + m.text))
    try:
        page.goto(f"{site}/admin/")
        page.fill("#id_username", "bianji")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/admin/$"))

        page.goto(f"{site}/admin/essays/essay/")
        title_cell = page.locator("#result_list .field-list_title").first
        assert title_cell.bounding_box()["width"] >= 200
        check(page, "admin-essay-list", "desktop", errors)

        page.goto(f"{site}/admin/essays/essay/{essay.pk}/change/")
        check(page, "admin-essay-form", "desktop", errors)
        # the section text: as wide as the form, as tall as its text
        text = page.locator("textarea[name='sections-1-text']")
        box = text.bounding_box()
        form = page.locator("#content-main").bounding_box()
        assert box["width"] >= 0.8 * form["width"], (box, form)
        assert text.evaluate("e => e.scrollHeight <= e.clientHeight + 4")
        # the topic picker speaks Chinese
        picker = page.locator(".selector").inner_text()
        assert "Choose" not in picker and "Remove" not in picker
        assert "可选主题" in picker

        text.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.type(NEW_WORDS)
        page.locator("input[name='_continue']").click()
        page.wait_for_url(re.compile(rf"/admin/essays/essay/{essay.pk}/change/$"))
        assert page.locator(".messagelist .success").count() == 1
        latest = essay_history_entries(essay.pk)[0]
        assert latest.changes == []
        assert [(row.kind, row.action) for row in latest.rows] == [("章节", "修改")]
        assert essay.sections.order_by("order")[1].text.endswith("\n" + NEW_WORDS)

        page.goto(f"{site}/admin/essays/essay/{essay.pk}/history/")
        check(page, "admin-essay-history", "desktop", errors)
        assert page.locator("ins", has_text=NEW_WORDS).count() >= 1
        response = page.goto(f"{site}/favicon.ico")
        assert response.status == 200
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
