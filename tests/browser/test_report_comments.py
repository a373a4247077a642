"""The offices' comments before a report is published, in a real browser with two offices: an admin generates a
report with a comment deadline; the traffic office saves a draft comment on its measure, the environment office
comments on its goal and submits (with the keyboard); the admin sees who is missing and publishes; the public list
then shows the report and its PDF holds both comments with the offices' names. axe-core finds no violation on the
page of either role; at 375 px nothing scrolls sideways."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from cockpit.accounts import Accounts
from tests.browser.conftest import STAFF_LOGIN, STAFF_PASSWORD, login
from tests.browser.test_reports import assert_accessible, generate_public_report, open_page, sideways_scroll

pytestmark = pytest.mark.browser

UMWELT_LOGIN, UMWELT_PASSWORD = "staff-umwelt", "Browser test environment office password"
GOAL_COMMENT = "Die CO2-Bilanz 2025 liegt im März vor."
MEASURE_COMMENT = "Zwölf weitere Ladepunkte sind bestellt."


def as_user(browser, app_url: str, login_name: str, password: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE",
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    login(page, app_url, login_name, password)
    return context, page


def test_two_offices_comment_and_the_admin_publishes(page: Page, app_url, demo_cockpit, browser, watch):
    Accounts(demo_cockpit.store).add_user(UMWELT_LOGIN, UMWELT_PASSWORD, "staff", "umweltamt")
    login(page, app_url)
    open_page(page, f"{app_url}/berichte?lang=de", "#reports-period")
    generate_public_report(page, "2026-Q3", "#review-status-summary", comment_days="14")
    comments_url = page.url.split("?")[0]
    assert comments_url.endswith("/kommentare")
    report_path = urlsplit(comments_url).path.removesuffix("/kommentare")  # '/berichte/<id>'
    assert "0 von 4 Ämtern haben abgegeben." in page.inner_text("#review-status-summary")
    assert_accessible(page)
    watch.assert_clean()

    public = browser.new_context(locale="de-DE")
    try:
        visitor = public.new_page()
        open_page(visitor, f"{app_url}/berichte?lang=de", "main")
        assert "3. Quartal 2026" not in visitor.inner_text("main")  # pending: not listed
        assert visitor.request.get(f"{app_url}{report_path}.pdf").status == 404
        open_page(visitor, f"{comments_url}?lang=de", "main")
        assert "gibt es nicht" in visitor.inner_text("main") and visitor.locator("textarea").count() == 0
    finally:
        public.close()

    traffic, staff = as_user(browser, app_url, STAFF_LOGIN, STAFF_PASSWORD, width=375)
    try:
        open_page(staff, f"{app_url}/berichte?lang=de", ".reports__pending")
        with staff.expect_navigation():
            staff.click(".reports__pending a")
        staff.wait_for_selector("#review-own-heading")
        labels = staff.inner_text(".review__own")
        assert "Tiefbau- und Verkehrsamt" in labels and "Ladepunkte" in labels
        assert "CO2-Ausstoß" not in labels  # another office's goal
        staff.get_by_label("Maßnahme: Öffentliche Ladepunkte in der Innenstadt").fill(MEASURE_COMMENT)
        with staff.expect_navigation():
            staff.get_by_role("button", name="Entwurf speichern").click()
        staff.wait_for_selector(".review__message")
        assert "Entwurf gespeichert" in staff.inner_text(".review__message")
        assert staff.get_by_label("Maßnahme: Öffentliche Ladepunkte in der Innenstadt").input_value() == MEASURE_COMMENT
        assert sideways_scroll(staff) <= 0
        assert_accessible(staff)
    finally:
        traffic.close()

    environment, staff = as_user(browser, app_url, UMWELT_LOGIN, UMWELT_PASSWORD)
    try:
        open_page(staff, f"{comments_url}?lang=de", "#review-own-heading")
        goal = staff.get_by_label("Ziel: CO2-Ausstoß")
        goal.focus()
        staff.keyboard.type(GOAL_COMMENT)
        submit = staff.get_by_role("button", name="Abgeben")
        submit.focus()
        with staff.expect_navigation():
            staff.keyboard.press("Enter")
        staff.wait_for_selector(".review__state")
        assert "Abgegeben am" in staff.inner_text(".review__state")
        assert GOAL_COMMENT in staff.inner_text(".review__own") and staff.locator("textarea").count() == 0
        assert_accessible(staff)
    finally:
        environment.close()

    open_page(page, f"{comments_url}?lang=de", "#review-status-summary")
    assert "1 von 4 Ämtern haben abgegeben." in page.inner_text("#review-status-summary")
    rows = {r.split("\t")[0]: r for r in page.locator(".review__table tbody tr").all_inner_texts()}
    assert "Abgegeben" in rows["Umweltamt – Klimaschutzmanagement"]
    assert "Fehlt" in rows["Tiefbau- und Verkehrsamt"]
    assert MEASURE_COMMENT in page.inner_text(".review__admin")
    page.set_viewport_size({"width": 375, "height": 900})
    assert sideways_scroll(page) <= 0
    assert_accessible(page)
    with page.expect_navigation(timeout=60_000):
        page.click("#review-publish")
    page.wait_for_selector(".reports__message")
    assert "ist veröffentlicht" in page.inner_text(".reports__message")

    public = browser.new_context(locale="de-DE")
    try:
        visitor = public.new_page()
        open_page(visitor, f"{app_url}/berichte?lang=de", ".reports__item")
        assert "3. Quartal 2026" in visitor.inner_text(".reports__list")
        response = visitor.request.get(f"{app_url}{report_path}.pdf")
        assert response.status == 200
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.body())).pages)
        assert f"Stellungnahme Umweltamt – Klimaschutzmanagement: {GOAL_COMMENT}" in text
        assert ("Stellungnahme Tiefbau- und Verkehrsamt zur Maßnahme „Öffentliche Ladepunkte in der Innenstadt“: "
                f"{MEASURE_COMMENT}") in text
        api = visitor.request.get(f"{app_url}/api/v1/reports").json()
        assert any(item["pdf_url"].endswith(f"{report_path}.pdf") for item in api["data"])
    finally:
        public.close()
