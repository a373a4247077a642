"""/berichte in a real browser: an admin generates a public report with the form (CSRF token from the page); the
public list shows it with its stable URL; axe-core finds no violation; at 375 px nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import login
from tests.browser.pages import assert_accessible, open_page

pytestmark = pytest.mark.browser


def sideways_scroll(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_admin_generates_and_the_public_reads_reports(page: Page, app_url, watch, browser):
    login(page, app_url)
    open_page(page, f"{app_url}/berichte?lang=de", "#reports-period")
    assert_accessible(page)
    page.fill("#reports-period", "2026-H2")
    page.select_option("#reports-audience", "public")
    page.select_option("#reports-lang", "de")
    with page.expect_navigation(timeout=60_000):
        page.click(".reports__submit")
    page.wait_for_selector(".reports__message", timeout=20_000)
    assert "erstellt und archiviert" in page.inner_text(".reports__message") or \
        "bleibt gültig" in page.inner_text(".reports__message")
    href = page.get_attribute(".reports__files a", "href")
    assert href.startswith("/berichte/") and href.endswith(".pdf")
    watch.assert_clean()

    public = browser.new_context(viewport={"width": 375, "height": 800}, locale="de-DE")
    try:
        visitor = public.new_page()
        open_page(visitor, f"{app_url}/berichte?lang=de", ".reports__item")
        assert "2. Halbjahr 2026" in visitor.inner_text(".reports__list")
        assert visitor.locator("#reports-period").count() == 0  # no form for the public
        wide = visitor.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 12)""")
        assert sideways_scroll(visitor) <= 0, wide
        assert_accessible(visitor)
        response = visitor.request.get(f"{app_url}{href}")
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert visitor.context.cookies() == []
    finally:
        public.close()
