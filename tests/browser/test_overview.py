"""The overview and the goal tree in a real browser: tiles, statuses, Demodaten, languages, no errors,
no third-party requests; screenshots for the docs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT
from cockpit.i18n import t

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
STATUS_WORDS_DE = {t(f"status.{s}", "de") for s in
                   ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_goal")}


@dataclass
class Watch:
    """What the browser reported while a test ran."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        assert self.failed == [], self.failed
        assert self.foreign == [], f"requests to other hosts than the app: {self.foreign}"


@pytest.fixture
def watch(page: Page, app_url: str) -> Watch:
    found = Watch(origin=app_url)

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != app_url:
            found.foreign.append(request.url)

    page.on("console", lambda msg: found.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: found.page_errors.append(str(exc)))
    page.on("requestfailed", lambda request: found.failed.append(f"{request.url}: {request.failure}"))
    page.on("request", on_request)
    return found


def open_page(page: Page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector(ready, timeout=20_000)
    page.wait_for_load_state("networkidle")


def test_overview_shows_every_public_tile_and_no_internal_one(page: Page, app_url, watch, demo_cockpit):
    catalog = demo_cockpit.catalog
    open_page(page, f"{app_url}/", "#overview-content .tile")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title("Übersicht – SmartCity Cockpit Gera")
    expect(page.locator("h1")).to_have_count(1)
    for indicator in catalog.indicators:
        tile = page.locator(f"#tile-{indicator.id}")
        if indicator.visibility == "internal":
            expect(tile).to_have_count(0)
            continue
        expect(tile).to_be_visible()
        expect(tile.locator(".tile__name")).to_have_text(indicator.name.de)
        value = tile.locator(".tile__number").inner_text().strip()
        assert re.search(r"\d", value), f"{indicator.id}: no value ({value!r})"
        status = tile.get_attribute("data-status")
        word = tile.locator(".tile__goal .status__text").first.inner_text().strip()
        assert word in STATUS_WORDS_DE, f"{indicator.id}: status word {word!r}"
        assert word == t(f"status.{status}", "de")
        assert tile.get_attribute("data-stale") in ("true", "false")
        if tile.get_attribute("data-stale") == "true":
            expect(tile.get_by_text(t("stale.word", "de"), exact=True)).to_be_visible()
        expect(tile.locator(".tile__asof")).to_contain_text("Stand:")
        expect(tile.locator("details.source > summary")).to_have_text("Quelle")
        expect(tile.locator("details.spark__table > summary")).to_have_text("Daten als Tabelle")

    notice = page.locator("#demo-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Demodaten")
    assert page.context.cookies() == [], "public visitors get no cookie"
    watch.assert_clean()


def test_tile_details_are_reachable_by_keyboard(page: Page, app_url, watch):
    open_page(page, f"{app_url}/", "#overview-content .tile")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"
    summary = page.locator("#tile-co2-per-inhabitant details.source > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tile-co2-per-inhabitant details.source dl")).to_be_visible()
    watch.assert_clean()


def test_overview_in_english(page: Page, app_url, watch, demo_cockpit):
    open_page(page, f"{app_url}/?lang=en", "#overview-content .tile")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title("Overview – SmartCity Cockpit Gera")
    for indicator in demo_cockpit.catalog.visible_indicators("public"):
        expect(page.locator(f"#tile-{indicator.id} .tile__name")).to_have_text(indicator.name.en)
    expect(page.locator("#demo-notice")).to_contain_text("Demo data")
    expect(page.get_by_role("link", name="Deutsch")).to_have_attribute("href", "/?lang=de")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview-en.png"), full_page=True)
    watch.assert_clean()


def test_goals_page_shows_each_goal(page: Page, app_url, watch, demo_cockpit):
    open_page(page, f"{app_url}/goals", "#goals-content .goal")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    for goal in demo_cockpit.catalog.goals:
        card = page.locator(f"#goal-{goal.id}")
        expect(card).to_be_visible()
        expect(card.locator(".goal__name")).to_have_text(goal.name.de)
        status = card.get_attribute("data-status")
        expect(card.locator(".goal__badges .status__text")).to_have_text(t(f"status.{status}", "de"))
        expect(card.locator(".goal__basis")).to_contain_text(goal.source)
    for field_ in demo_cockpit.catalog.fields:
        expect(page.locator(f"#field-{field_.id}")).to_have_text(field_.name.de)
    page.screenshot(path=str(SCREENSHOTS / "goals.png"), full_page=True)
    watch.assert_clean()


def test_auto_refresh_round_trip(page: Page, app_url, watch):
    """The refresh callback answers from the browser (unchanged data: the grid is left as it is)."""
    open_page(page, f"{app_url}/?lang=en", "#overview-content .tile")
    with page.expect_response(lambda r: "/_dash-update-component" in r.url) as answer:
        page.evaluate("window.dash_clientside.set_props('overview-refresh', {n_intervals: 1})")
    assert answer.value.status in (200, 204)
    expect(page.locator("#tile-co2-per-inhabitant .tile__name")).to_have_text("CO2 emissions per inhabitant")
    watch.assert_clean()


def test_overview_screenshot(page: Page, app_url, watch):
    open_page(page, f"{app_url}/", "#overview-content .tile")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    watch.assert_clean()
