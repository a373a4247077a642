"""Login and logout in the browser: the form, the header of a logged-in page, the logout button (a POST)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_LOGIN, STAFF_PASSWORD, login

pytestmark = pytest.mark.browser


def test_staff_log_in_see_internal_tiles_and_log_out(page, app_url):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/login?lang=de")
    expect(page.get_by_label("Anmeldename")).to_be_visible()
    page.screenshot(path="/tmp/accounts-login.png")
    login(page, app_url, STAFF_LOGIN, STAFF_PASSWORD)
    expect(page.locator("#tile-smart-bin-fill-level")).to_be_visible(timeout=30000)
    expect(page.get_by_text("Interne Ansicht")).to_be_visible()
    page.screenshot(path="/tmp/accounts-internal.png")
    logout = page.get_by_role("button", name="Abmelden")
    logout.focus()
    page.keyboard.press("Enter")  # keyboard use
    page.wait_for_url(re.compile(r"/\?lang=de$"))
    expect(page.locator("#tile-recycling-rate")).to_be_visible(timeout=30000)
    expect(page.locator("#tile-smart-bin-fill-level")).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == "cockpit_session"]


def test_a_wrong_password_is_announced(page, app_url):
    login(page, app_url, STAFF_LOGIN, "not the right password", lang="en")
    expect(page.get_by_role("alert")).to_have_text("The login name or the password is not correct.")


def test_admins_reach_the_account_page_from_the_header(page, app_url):
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, app_url)  # the bootstrap admin
    page.get_by_role("link", name="Konten").click()
    expect(page.get_by_role("heading", name="Konten verwalten")).to_be_visible()
    expect(page.get_by_role("table", name="Konten", exact=True).get_by_role("rowheader", name=STAFF_LOGIN)).to_be_visible()
    page.screenshot(path="/tmp/accounts-admin.png", full_page=True)
    page.get_by_role("button", name=re.compile(f"^Sitzungen beenden ?: {STAFF_LOGIN}$")).click()
    expect(page.get_by_role("status")).to_contain_text(STAFF_LOGIN)


@pytest.mark.parametrize("path, admin", [("/login", False), ("/admin/accounts", True), ("/no-such-page", False)])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_login_account_and_not_found_pages_have_no_accessibility_violations(page, app_url, path, admin, lang):
    if admin:
        login(page, app_url, lang=lang)
    response = page.goto(f"{app_url}{path}?lang={lang}")
    assert response.status == (404 if path == "/no-such-page" else 200)
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == lang
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
