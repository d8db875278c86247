"""A reader's walk through the portal in a real browser, at a phone and a desktop width:
home → a topic → an essay → its outline → a reference marker → the header search → the
highlighted section a result lands on. Every page stops for an accessibility check
(axe-core: no serious or critical violation) and a full-page screenshot."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

HIGHLIGHT = "rgb(255, 243, 196)"  # --target in site.css


def check_page(page, name: str, viewport: str) -> None:
    """Chinese text rendered in a CJK font, no serious a11y violation, a screenshot."""
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '城乡统筹')")
    # nothing wider than the screen: no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, name, viewport)
    assert axe_violations(page) == []


def wait_in_view(page, selector: str) -> None:
    """Wait until the element's top is inside the viewport (scrolling may be smooth)."""
    page.wait_for_function(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight;
        }""",
        arg=selector,
        timeout=3_000,
    )


def test_reader_walks_from_home_to_a_cited_reference_and_back_through_search(site, page, viewport):
    # Home: search box, topics with counts, collections
    page.goto(site + "/")
    assert page.locator("h1").inner_text() == "文章库"
    assert page.get_by_role("search", name="搜索文章").is_visible()
    check_page(page, "home", viewport)

    # Follow a topic
    page.locator(".topic-cards").get_by_role("link", name="城乡统筹").click()
    page.wait_for_url(re.compile(r"/topics/chengxiang-tongchou/$"))
    assert page.locator("h1").inner_text() == "城乡统筹"
    assert page.locator(".shelf-item").count() == 5
    assert page.locator(".extracts mark").count() >= 5  # why each essay belongs
    check_page(page, "topic", viewport)

    # Open 篇11 from the shelf
    item = page.locator(".shelf-item").filter(has_text="篇11")
    item.locator(".shelf-item__title a").click()
    page.wait_for_url(re.compile(r"/essays/\d+/$"))
    assert "篇11" in page.locator(".essay-header .meta").first.inner_text()
    toc_links = page.locator("#toc > ol a")
    assert toc_links.count() == 17
    check_page(page, "essay", viewport)

    # Use the table of contents: the section comes into view
    toc_links.nth(9).click()
    anchor = page.evaluate("location.hash")
    assert re.fullmatch(r"#s\d+", anchor)
    wait_in_view(page, anchor)
    # ... and the outline is still at hand: beside the text, or one tap away on a phone
    if viewport == "desktop":
        wait_in_view(page, "#toc")
    else:
        # a 目录 link heads each top-level section, in the flow of the text
        page.locator(".essay-section .to-toc").last.click()
        page.wait_for_function("location.hash === '#toc'")
        wait_in_view(page, "#toc")

    # Follow the in-text marker [1]; [2] has no reference of its own and is not a link
    markers = page.locator("a.ref-marker")
    assert markers.count() == 2
    assert set(markers.evaluate_all("els => els.map(e => e.textContent)")) == {"[1]"}
    assert page.locator(".essay-body p", has_text="[2]").count() == 1
    markers.first.click()
    page.wait_for_function("location.hash === '#ref-1'")
    wait_in_view(page, "#ref-1")
    assert page.locator("#ref-1").evaluate("e => getComputedStyle(e).backgroundColor") == (
        HIGHLIGHT
    )

    # Search from the header and land on the highlighted section
    page.locator("#site-search-q").fill("劳动力转移")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.locator(".search-result h3 a")
    assert results.count() >= 2
    check_page(page, "search", viewport)
    href = results.first.get_attribute("href")
    assert re.search(r"/essays/\d+/#s\d+$", href), href
    results.first.click()
    page.wait_for_url(re.compile(r"#s\d+$"))
    target = href.rsplit("#", 1)[1]
    section = page.locator(f".essay-section:has(#{target})")
    wait_in_view(page, f"#{target}")
    assert section.evaluate("e => getComputedStyle(e).backgroundColor") == HIGHLIGHT
    assert "劳动力转移" in section.inner_text()


def test_pages_work_without_javascript(site, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        # filter the essay list with the plain form
        page.goto(site + "/essays/")
        page.select_option("#filter-topic", "fuwu-yishi")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(r"topic=fuwu-yishi"))
        assert "共 6 篇文章" in page.locator(".count").inner_text()
        # open an essay, use its outline
        page.locator(".essay-list a").first.click()
        page.locator("#toc a").nth(1).click()
        assert re.fullmatch(r"#s\d+", page.evaluate("location.hash"))
        # search from the header
        page.locator("#site-search-q").fill("服务型政府")
        page.locator("#site-search-q").press("Enter")
        page.wait_for_url(re.compile(r"/search/\?q="))
        assert page.locator(".search-result").count() >= 1
        # an unknown page is the Chinese 404 in the site's layout
        response = page.goto(site + "/essays/999999/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "页面不存在"
        assert page.locator("header.site-header form[role=search]").count() == 1
    finally:
        context.close()


def test_copy_link_keyboard_and_print(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = context.new_page()
    try:
        page.goto(site + "/topics/laodongli-zhuanyi/")
        # the first Tab stop is the skip link, and it leads into the main content
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.locator(".shelf-item__title a").first.click()
        link = page.locator(".section-link").nth(2)
        anchor = link.get_attribute("href")
        link.focus()
        page.keyboard.press("Enter")  # keyboard works as well as a click
        status = page.get_by_role("status")
        status.filter(has_text="已复制本节链接").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.url.split("#")[0] + anchor
        assert page.evaluate("location.hash") == anchor
        # printed, the essay stands alone: no header, outline or controls
        page.emulate_media(media="print")
        for hidden in (".site-header", "#toc", ".section-link >> nth=0", ".pager"):
            assert not page.locator(hidden).is_visible(), hidden
        assert page.locator(".essay-body").is_visible()
    finally:
        context.close()


def test_an_unspaced_query_says_what_it_found_and_a_typo_is_corrected(site, page, viewport):
    page.goto(site + "/search/?q=" + "人事部门服务态度")
    assert "没有文章包含完整的“人事部门服务态度”" in page.locator(".message--partial").inner_text()
    assert page.locator(".search-result .matched").first.inner_text() == "包含：人事部门、服务态度"
    check_page(page, "search-partial", viewport)
    page.goto(site + "/search/?q=" + "服物意识")
    page.locator(".correction a").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert page.locator(".search-result").count() >= 1
    check_page(page, "search-corrected", viewport)
