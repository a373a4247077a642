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


def generate_public_report(page: Page, period: str, ready: str, lang: str | None = None,
                           comment_days: str | None = None) -> None:
    """Send the admin's form on /berichte for a public report of `period` (the language and the days for the
    offices' comments only where given) and wait until the page it leads to shows `ready`."""
    page.fill("#reports-period", period)
    page.select_option("#reports-audience", "public")
    if lang:
        page.select_option("#reports-lang", lang)
    if comment_days:
        page.fill("#reports-comments-days", comment_days)
    with page.expect_navigation(timeout=60_000):
        page.click(".reports__submit")
    page.wait_for_selector(ready, timeout=20_000)


def test_admin_generates_and_the_public_reads_reports(page: Page, app_url, watch, browser):
    login(page, app_url)
    open_page(page, f"{app_url}/berichte?lang=de", "#reports-period")
    assert_accessible(page)
    generate_public_report(page, "2026-H2", ".reports__message", lang="de")
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
