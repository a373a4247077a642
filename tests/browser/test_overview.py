"""The overview and the goal tree in a real browser: tiles, statuses, Demodaten, languages, no errors,
no third-party requests; screenshots for the docs."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT
from cockpit.i18n import t
from tests.browser.pages import open_page

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
STATUS_WORDS_DE = {t(f"status.{s}", "de") for s in
                   ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_goal")}


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
    # German proper names of sources carry lang="de" on the English page
    expect(page.locator("#tile-co2-per-inhabitant .source__list [lang=de]").first).to_have_text(
        "Energie- und CO2-Bilanz der Stadt Gera")
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
        expect(card.locator(".goal__basis")).to_contain_text(goal.source.de)
        expect(card.locator(".goal__name a")).to_have_attribute("href", f"/indicator/{goal.indicator}?lang=de")
    for field_ in demo_cockpit.catalog.fields:
        expect(page.locator(f"#field-{field_.id}")).to_have_text(field_.name.de)
    watch.assert_clean()


def test_auto_refresh_round_trip(page: Page, app_url, watch):
    """The refresh callback answers from the browser (unchanged data: the grid is left as it is)."""
    open_page(page, f"{app_url}/?lang=en", "#overview-content .tile")
    with page.expect_response(lambda r: "/_dash-update-component" in r.url) as answer:
        page.evaluate("window.dash_clientside.set_props('overview-refresh', {n_intervals: 1})")
    assert answer.value.status in (200, 204)
    expect(page.locator("#tile-co2-per-inhabitant .tile__name")).to_have_text("CO2 emissions per inhabitant")
    watch.assert_clean()


def test_tile_names_link_to_the_indicator_page(page: Page, app_url, watch, demo_cockpit):
    open_page(page, f"{app_url}/?lang=en", "#overview-content .tile")
    for indicator in demo_cockpit.catalog.visible_indicators("public"):
        link = page.locator(f"#tile-{indicator.id} .tile__name a")
        expect(link).to_have_attribute("href", f"/indicator/{indicator.id}?lang=en")
        expect(link).to_have_text(indicator.name.en)
    watch.assert_clean()


# ---------------------------------------------------------------- the demo on two dates

LATE = {"de": ("erst ", "bis 2100 nicht"), "en": ("only in", "not reached by 2100")}
BEHIND = {"de": ("über dem Zielpfad", "unter dem Zielpfad"), "en": ("above the target path", "below the target path")}
JARGON = {"de": ("Pp.", "ggü.", "Prognose Zieljahr"), "en": (" pp ", "At the current trend", "vs.")}


@pytest.fixture
def dated_app(monkeypatch, tmp_path):
    """Start the real app on a fresh database with the demo generated for a given day (the pages' clock too)."""
    import threading

    from werkzeug.serving import make_server

    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit
    from layouts.app import create_app

    servers = []

    def start(day: str):
        monkeypatch.setenv("COCKPIT_DEMO_TODAY", day)
        cockpit = open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / day}.db", load_demo=True))
        cockpit.demo_folder = tmp_path / "demo"
        cockpit.load_demo_if_empty()
        server = make_server("127.0.0.1", 0, create_app(cockpit).server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return cockpit, f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=10)


def _check_verdicts(page: Page, lang: str) -> None:
    """Every status word agrees with its reason line; nothing is stale; every tile has a sparkline; no jargon."""
    words = {t(f"status.{s}", lang): s for s in ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_goal")}
    tiles = page.locator("#overview-content .tile")
    assert tiles.count() >= 10
    for index in range(tiles.count()):
        tile = tiles.nth(index)
        ident = tile.get_attribute("id").removeprefix("tile-")
        status = tile.get_attribute("data-status")
        word = tile.locator(".tile__goal .status__text").first.inner_text().strip()
        assert words[word] == status, f"{ident}: {word!r} on a tile with status {status}"
        # a demo that looks alive: nothing stale (also the hourly snapshot feeds), a sparkline of >= 7 points
        assert tile.get_attribute("data-stale") == "false", f"{ident} is stale in the demo"
        expect(tile.locator(".badge--stale")).to_have_count(0)
        expect(tile.locator(".spark__chart")).to_have_count(1)
        tile.locator(".spark__table > summary").click()  # the table is built when it is first opened
        expect(tile.locator(".spark__table tbody tr").first).to_be_visible()
        points = tile.locator(".spark__table tbody tr").count()
        assert points >= 7, f"{ident}: a sparkline of {points} points"
        if status == "no_goal":
            continue
        reason = tile.locator(".tile__reason").inner_text()
        if any(marker in reason for marker in LATE[lang]):
            assert status in ("at_risk", "off_track"), f"{ident}: {word} although {reason!r}"
        if any(marker in reason for marker in BEHIND[lang]):
            assert status in ("at_risk", "off_track"), f"{ident}: {word} although {reason!r}"
        if status == "on_track":
            assert not any(marker in reason for marker in LATE[lang] + BEHIND[lang]), reason
        label = tile.locator(".tile__label").inner_text()
        assert re.search(r"20\d\d", label), f"{ident}: the headline names no year ({label!r})"
    text = page.locator("#overview-content").inner_text()
    for jargon in JARGON[lang]:
        assert jargon not in text, f"jargon {jargon!r} on the overview"


@pytest.mark.parametrize(("day", "shown"), [("2026-12-01", "01.12.2026"), ("2027-03-15", "15.03.2027")])
def test_the_demo_is_current_and_consistent_on_any_day(browser, dated_app, day, shown):
    cockpit, url = dated_app(day)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="de-DE",
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for lang in ("de", "en"):
            open_page(page, f"{url}/?lang={lang}", "#overview-content .tile")
            if lang == "de":
                expect(page.locator("footer")).to_contain_text(f"Ziele bewertet am {shown}")
            _check_verdicts(page, lang)
            open_page(page, f"{url}/goals?lang={lang}", "#goals-content .goal")
            cards = page.locator("#goals-content .goal")
            expect(cards).to_have_count(len(cockpit.catalog.goals))
            for index in range(cards.count()):
                card = cards.nth(index)
                assert card.get_attribute("data-stale") == "false", card.get_attribute("id")
                expect(card.locator(".goal__reason")).not_to_be_empty()
            if day == "2026-12-01":
                suffix = "" if lang == "de" else "-en"
                page.goto(f"{url}/?lang={lang}")
                page.wait_for_selector("#overview-content .tile")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(SCREENSHOTS / f"overview{suffix}.png"), full_page=True)
                page.goto(f"{url}/goals?lang={lang}")
                page.wait_for_selector("#goals-content .goal")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(SCREENSHOTS / f"goals{suffix}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()


def test_links_to_a_tile_or_a_goal_scroll_to_it(page: Page, app_url, watch):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/#tile-recycling-rate")
    tile = page.locator("#tile-recycling-rate")
    expect(tile).to_be_in_viewport()
    assert tile.bounding_box()["y"] < 200, "the linked tile is scrolled to the top"
    expect(tile).to_be_focused()
    page.goto(f"{app_url}/goals?lang=en#goal-bev-share-2030")
    card = page.locator("#goal-bev-share-2030")
    expect(card).to_be_in_viewport()
    assert card.bounding_box()["y"] < 200
    watch.assert_clean()


@pytest.mark.parametrize("path", ["/", "/goals"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_overview_and_goals_have_no_accessibility_violations(page: Page, app_url: str, path: str, lang: str):
    ready = ".tile" if path == "/" else ".goal"
    open_page(page, f"{app_url}{path}?lang={lang}", ready)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    result = Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]
    assert violations == []
