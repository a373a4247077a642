"""Measures in a real browser: from a goal on /goals to its measures and a measure page, a progress report
recorded by a staff account of the owning office and shown on the page; /status for staff only; axe-core finds
no violations (de and en); screenshots."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from cockpit import PROJECT_ROOT
from cockpit.accounts import Accounts
from cockpit.roles import Role
from tests.browser.conftest import STAFF_LOGIN, STAFF_PASSWORD, login
from tests.browser.pages import assert_accessible, open_page

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
MEASURE = "smart-quarter-energy"  # owned by the umweltamt
GOAL, GOAL_MEASURE = "charge-points-2030", "charging-points-city-centre"  # the measure is owned by the verkehr


UMWELTAMT_LOGIN, UMWELTAMT_PASSWORD = "staff-umweltamt", "Browser test password of the Umweltamt"


@pytest.fixture(scope="session")
def staff_of_umweltamt(demo_cockpit):
    """A staff account of the umweltamt (the office owning MEASURE), next to conftest's STAFF_LOGIN (verkehr)."""
    accounts = Accounts(demo_cockpit.store, {d.id for d in demo_cockpit.catalog.departments})
    accounts.add_user(UMWELTAMT_LOGIN, UMWELTAMT_PASSWORD, "staff", "umweltamt")
    return UMWELTAMT_LOGIN


def login_to(page: Page, app_url: str, next_path: str, username: str, password: str) -> None:
    """Log in through the login form, then open `next_path`."""
    login(page, app_url, username, password)
    page.goto(f"{app_url}{next_path}")
    page.wait_for_load_state("networkidle")


def send_filter(page: Page, form: str, select: str, parameter: str, value: str, ready: str) -> None:
    """Choose `value` in the filter `select` of `form`, send the form and wait for the new page: its URL carries
    `parameter`=`value` and `ready` is drawn."""
    page.select_option(select, value)
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"**{parameter}={value}**")
    page.wait_for_selector(ready)


def fill_report(page: Page, status: str, percent: str, text: str, milestone: str | None = None) -> None:
    """Fill in the progress report form of the open measure page (`milestone`: the label of one reached)."""
    page.select_option("#measure-report-status", status)
    page.fill("#measure-report-percent", percent)
    if milestone:
        page.select_option("#measure-report-milestone", label=milestone)
    page.fill("#measure-report-text", text)


def send_report(page: Page) -> Locator:
    """Send the filled-in progress report form; once it says so, the newest row of the page's reports."""
    page.click("#measure-report-submit")
    page.wait_for_url("**saved=1**")
    expect(page.locator("#measure-report-message")).to_have_text("Bericht gespeichert.")
    page.wait_for_load_state("networkidle")  # the reloaded page's requests end before a test navigates on
    return page.locator("#measure-reports tbody tr").first


def test_measures_page_filters_in_the_url_and_counts(page: Page, app_url, watch):
    open_page(page, f"{app_url}/measures", "#measures-content .measures-card")
    expect(page).to_have_title("Maßnahmen – SmartCity Cockpit Gera")
    expect(page.locator(".measures-card")).to_have_count(5)  # the internal demo measure is not public
    expect(page.locator("#measure-innovation-centre")).to_have_count(0)
    expect(page.locator(".measures-demo")).to_contain_text("Demo-Inhalt")
    expect(page.locator(".measures-counts__item[data-status=in_progress]")).to_contain_text("3 In Umsetzung")
    page.set_viewport_size({"width": 1920, "height": 1080})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "measures.png"), full_page=False)
    assert_accessible(page)

    send_filter(page, "#measures-filters", "#measures-filter-department", "department", "verkehr",
                "#measures-content .measures-card")
    expect(page.locator(".measures-card")).to_have_count(2)
    expect(page.locator("#measures-filter-department")).to_have_value("verkehr")
    page.reload()  # the filter is in the URL: a bookmark shows the same
    page.wait_for_selector("#measures-content .measures-card")
    expect(page.locator(".measures-card")).to_have_count(2)
    assert page.context.cookies() == [], "public visitors get no cookie"
    watch.assert_clean()


def test_from_a_goal_to_its_measures_and_a_progress_report_by_staff(page: Page, app_url, watch):
    open_page(page, f"{app_url}/goals", f"#goal-{GOAL} .measures-goal")
    block = page.locator(f"#goal-{GOAL} .measures-goal")
    expect(block).to_contain_text("Maßnahmen für dieses Ziel")
    item = block.locator(f"#goal-{GOAL}-measure-{GOAL_MEASURE}")
    expect(item).to_contain_text("Öffentliche Ladepunkte in der Innenstadt")
    expect(item).to_contain_text("Bericht überfällig")  # last report in May, quarterly rhythm
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.evaluate(f"document.querySelector('#goal-{GOAL} .measures-goal').scrollIntoView({{block: 'center'}})")
    page.screenshot(path=str(SCREENSHOTS / "measures-goal.png"), full_page=False)
    assert_accessible(page)

    open_page(page, f"{app_url}/wall?slides=measures&every=600", ".wall-measures")  # the wall slide names it
    expect(page.locator(".wall-measures__overdue")).to_contain_text("Öffentliche Ladepunkte in der Innenstadt")
    open_page(page, f"{app_url}/goals", f"#goal-{GOAL} .measures-goal")
    block.get_by_role("link", name="Alle Maßnahmen für dieses Ziel").click()
    page.wait_for_url(f"**/measures?**goal={GOAL}**")
    page.wait_for_selector("#measures-content .measures-card")
    expect(page.locator(".measures-goal-filter")).to_contain_text("Ladepunkte: 12 je 1.000 Einwohner bis 2030")
    expect(page.locator(".measures-card")).to_have_count(1)
    page.get_by_role("link", name="Öffentliche Ladepunkte in der Innenstadt").click()
    page.wait_for_selector("#measure-content")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == f"/measure/{GOAL_MEASURE}"
    expect(page.locator("#measure-report-form")).to_have_count(0)  # the public cannot report

    login_to(page, app_url, f"/measure/{GOAL_MEASURE}", STAFF_LOGIN, STAFF_PASSWORD)  # staff of the verkehr
    page.wait_for_selector("#measure-report-form")
    fill_report(page, "in_progress", "45", "32 Ladepunkte in Betrieb, zwölf weitere im Bau.")
    first = send_report(page)
    expect(first).to_contain_text(STAFF_LOGIN)
    expect(first).to_contain_text("45 % umgesetzt")
    expect(first).to_contain_text("32 Ladepunkte in Betrieb, zwölf weitere im Bau.")
    expect(page.locator(".measures-badge--overdue")).to_have_count(0)

    open_page(page, f"{app_url}/goals", f"#goal-{GOAL} .measures-goal")  # the goal page knows it too
    item = page.locator(f"#goal-{GOAL}-measure-{GOAL_MEASURE}")
    expect(item).to_contain_text("45 % umgesetzt")
    expect(item).not_to_contain_text("Bericht überfällig")
    open_page(page, f"{app_url}/wall?slides=measures&every=600", ".wall-measures")  # and so does the wall
    expect(page.locator(".wall-measures")).to_contain_text("In Umsetzung")
    expect(page.locator(".wall-measures")).not_to_contain_text("Öffentliche Ladepunkte in der Innenstadt")
    watch.assert_clean()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_measure_pages_and_status_are_accessible_to_staff(page: Page, app_url, lang):
    login(page, app_url, STAFF_LOGIN, STAFF_PASSWORD, lang)
    for path, ready in ((f"/measures?lang={lang}", "#measures-content .measures-card"),
                        (f"/measure/{GOAL_MEASURE}?lang={lang}", "#measure-content"),
                        (f"/status?lang={lang}", ".measures-ops__runs")):
        open_page(page, f"{app_url}{path}", ready)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)


def test_progress_report_with_a_milestone_by_staff_of_the_owning_office(page: Page, app_url, watch, staff_of_umweltamt):
    open_page(page, f"{app_url}/measures?goal=co2-halve-2030", "#measures-content .measures-card")
    expect(page.locator(".measures-goal-filter")).to_contain_text("CO2-Ausstoß: 4,9 t je Einwohner bis 2030")
    expect(page.locator(".measures-card")).to_have_count(2)
    page.get_by_role("link", name="Energiesparen im Smart Quarter Bieblach").click()
    page.wait_for_selector("#measure-content")
    assert urlsplit(page.url).path == f"/measure/{MEASURE}"
    expect(page.locator("h1")).to_have_text("Energiesparen im Smart Quarter Bieblach")
    expect(page.locator("#measure-report-form")).to_have_count(0)  # the public cannot report
    expect(page.locator(".measures-form__hint")).to_be_visible()
    assert_accessible(page)

    login_to(page, app_url, f"/measure/{MEASURE}", staff_of_umweltamt, UMWELTAMT_PASSWORD)
    page.wait_for_selector("#measure-report-form")
    expect(page.locator(".measures-badge--overdue")).to_be_visible()
    fill_report(page, "in_progress", "70", "Verbrauchs-App für alle Mieter freigeschaltet.",
                milestone="Verbrauchs-App für Mieter freigeschaltet")
    assert_accessible(page)
    first = send_report(page)
    expect(first).to_contain_text(UMWELTAMT_LOGIN)
    expect(first).to_contain_text("70 % umgesetzt")
    expect(first).to_contain_text("Meilenstein erreicht: Verbrauchs-App für Mieter freigeschaltet")
    expect(first).to_contain_text("Verbrauchs-App für alle Mieter freigeschaltet.")
    expect(page.locator(".measures-badge--overdue")).to_have_count(0)  # the update is no longer overdue
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.evaluate("document.querySelector('.measures-section--reports').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SCREENSHOTS / "measures-report.png"), full_page=False)

    page.reload()  # kept in the database, shown on the measure page for everyone
    page.wait_for_selector("#measure-reports tbody tr")
    expect(page.locator("#measure-reports tbody tr").first).to_contain_text("70 % umgesetzt")
    page.context.clear_cookies()
    open_page(page, f"{app_url}/measure/{MEASURE}", "#measure-reports tbody tr")
    expect(page.locator("#measure-reports tbody tr").first).to_contain_text("Verbrauchs-App für alle Mieter")
    expect(page.locator(".measures-section--milestones")).to_contain_text("erreicht am")
    watch.assert_clean()


def test_staff_of_another_office_see_no_form(page: Page, app_url):
    login_to(page, app_url, f"/measure/{MEASURE}", STAFF_LOGIN, STAFF_PASSWORD)  # verkehr, not the umweltamt
    page.wait_for_selector("#measure-content")
    expect(page.locator("#measure-report-form")).to_have_count(0)
    expect(page.locator(".measures-form__hint")).to_be_visible()


def test_status_page_for_staff_only(page: Page, app_url, watch):
    open_page(page, f"{app_url}/status", "#status-content")
    expect(page.locator(".measures-forbidden")).to_be_visible()
    expect(page.locator("#status-content table")).to_have_count(0)
    assert_accessible(page)

    login_to(page, app_url, "/status", STAFF_LOGIN, STAFF_PASSWORD)
    page.wait_for_selector(".measures-ops__runs")
    runs = page.locator(".measures-ops__runs tbody tr")
    expect(runs.first).to_be_visible()
    expect(page.locator(".measures-ops__runs")).to_contain_text("waste-containers")
    quarantine = page.locator(".measures-ops__quarantine tbody tr")
    expect(quarantine).to_have_count(1)
    expect(quarantine.first).to_contain_text("vandalized")  # the reason
    expect(quarantine.first.locator("pre")).to_contain_text('"id": "wastecontainer:gera:023"')  # the raw record
    assert_accessible(page)
    send_filter(page, ".measures-ops__filter", "#status-quarantine-source", "source", "smard-50hertz",
                ".measures-ops__quarantine-section")
    expect(page.locator(".measures-ops__quarantine tbody tr")).to_have_count(0)
    expect(page.locator(".measures-ops__quarantine-section")).to_contain_text("Keine abgelehnten Datensätze")
    watch.assert_clean()


def test_effect_changes_are_listed_in_the_measure_history(page: Page, app_url, demo_cockpit, watch):
    """A changed climate effect appears in the measure's history with its date in Gera's time (23:30 UTC on 28
    March is 00:30 on the 29th), German and English; the public sees the office, staff the author."""
    store = demo_cockpit.store
    original = store.measure(Role.ADMIN, GOAL_MEASURE)
    effect = original.effects[0].model_copy(update={"reduction_t": 2400})
    try:
        store.import_measures([original.model_copy(update={"effects": [effect]})], author="Klimaschutzmanagerin",
                              now=datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
        open_page(page, f"{app_url}/measure/{GOAL_MEASURE}", "#measure-reports tbody tr")
        row = page.locator("#measure-reports tbody tr", has_text="Klimawirkung geändert")
        expect(row).to_contain_text("29.03.2026, 00:30")
        expect(row).to_contain_text("Tiefbau- und Verkehrsamt")  # the office, not the person
        expect(row).not_to_contain_text("Klimaschutzmanagerin")
        expect(row).to_contain_text("Verkehr: 2.400 t CO2e je Jahr; Beginn 2026, volle Wirkung 2030, Ende offen")
        expect(page.locator("#measure-reports tbody tr", has_text="Klimawirkung erfasst")).to_have_count(1)
        assert_accessible(page)
        open_page(page, f"{app_url}/measure/{GOAL_MEASURE}?lang=en", "#measure-reports tbody tr")
        row = page.locator("#measure-reports tbody tr", has_text="Climate effect changed")
        expect(row).to_contain_text("29 Mar 2026, 00:30")
        expect(row).to_contain_text("Transport: 2,400 t CO2e per year")
        login_to(page, app_url, f"/measure/{GOAL_MEASURE}", STAFF_LOGIN, STAFF_PASSWORD)
        page.wait_for_selector("#measure-reports tbody tr")
        expect(page.locator("#measure-reports tbody tr", has_text="Klimawirkung geändert")).to_contain_text(
            "Klimaschutzmanagerin")
        watch.assert_clean()
    finally:
        store.import_measures([original], author="browser-test", now=datetime(2026, 3, 29, 8, tzinfo=UTC))
