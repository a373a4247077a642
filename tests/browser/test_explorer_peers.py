"""The explorer's "Vergleich mit anderen Städten" in a real browser: the checklist adds median, range and a peer to
the chart (legend labels) and to the data table in place, the URL carries it, a fresh browser opening the shared URL
shows the same, nothing leaves 127.0.0.1, no sideways scrolling at 375 px, and axe-core finds no violations."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

INDICATOR = "charge-points-per-1000"
PANEL = f"explore-panel-{INDICATOR}"
START = f"/explore?ind={INDICATOR}&from=2015-01"
SHARED = f"{START}&peer=type&peer=jena"
TIMEOUT = 60_000


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")


def legend(page: Page) -> list[str]:
    return page.eval_on_selector_all(f"#{PANEL} .legend .legendtext", "els => els.map(e => e.textContent)")


def peer_rows(page: Page) -> list[list[str]]:
    rows = page.locator("#explore-table tbody tr")
    found = [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in rows.all()]
    return [row for row in found if "SDG-Portal" in row[1] or row[1].startswith("Median ")]


def test_the_comparison_layer_goes_into_chart_table_and_url_and_a_fresh_browser_restores_it(page: Page, app_url,
                                                                                          watch, browser):
    page.goto(f"{app_url}{START}&lang=de")
    page.wait_for_selector(f"#{PANEL} .main-svg", timeout=TIMEOUT)
    settle(page)
    filters = page.locator("#explore-filters")
    group = filters.get_by_role("group", name="Vergleich mit anderen Städten")
    median = group.get_by_role("checkbox", name="Median und Spanne: Kommunen vom Demografietyp 2")
    expect(median).not_to_be_checked()
    assert not any("SDG-Portal" in text for text in legend(page))
    median.check()
    page.wait_for_url(re.compile(r"peer=type"), timeout=TIMEOUT)
    expect(page.locator(f"#{PANEL} .legend")).to_contain_text("Median Demografietyp 2")
    group.get_by_role("checkbox", name="Jena").check()
    page.wait_for_url(re.compile(r"peer=type&peer=jena"), timeout=TIMEOUT)
    expect(page.locator(f"#{PANEL} .legend")).to_contain_text("Jena (SDG-Portal)")
    settle(page)
    names = legend(page)
    assert "Spanne Demografietyp 2 (Min. bis Max.)" in names and "Jena (SDG-Portal)" in names
    expect(page.locator(".peers-layer-note").first).to_contain_text("Datenlizenz Deutschland")
    expect(page.locator(".peers-layer-note").first).to_contain_text("Demodaten")
    expect(page.locator(f"#{PANEL}")).to_contain_text("Datenlizenz Deutschland")  # in the chart's source line
    expect(page.locator("#explore-table")).to_contain_text("Jena (SDG-Portal)")
    shown = sorted(peer_rows(page))
    assert len(shown) == 2 * 9  # 2015-2023, median (with the range as min and max) and Jena
    assert {row[1] for row in shown} == {"Jena (SDG-Portal)", "Median Demografietyp 2 (4 Kommunen)"}
    assert {row[2] for row in shown} >= {"2015", "2023"}
    url = page.url
    assert "peer=type&peer=jena" in url

    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
    try:
        fresh = context.new_page()
        fresh.goto(url)
        fresh.wait_for_selector(f"#{PANEL} .main-svg", timeout=TIMEOUT)
        settle(fresh)
        assert fresh.url == url
        group = fresh.get_by_role("group", name="Vergleich mit anderen Städten")
        expect(group.get_by_role("checkbox", name="Jena")).to_be_checked()
        expect(group.get_by_role("checkbox", name="Erfurt")).not_to_be_checked()
        assert legend(fresh) == names
        assert sorted(peer_rows(fresh)) == shown
    finally:
        context.close()

    page.go_back()
    page.wait_for_url(lambda u: "peer=jena" not in u, timeout=TIMEOUT)
    expect(page.locator(f"#{PANEL} .legend")).not_to_contain_text("Jena (SDG-Portal)")
    watch.assert_clean()


def test_no_sideways_scrolling_at_375_px(page: Page, app_url):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{app_url}{SHARED}&lang=de")
    page.wait_for_selector(f"#{PANEL} .main-svg", timeout=TIMEOUT)
    settle(page)
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport
    expect(page.locator(f"#{PANEL} .legend")).to_contain_text("Jena (SDG-Portal)")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_axe_finds_no_violations_with_the_comparison(page: Page, app_url, lang):
    page.goto(f"{app_url}{SHARED}&lang={lang}")
    page.wait_for_selector(f"#{PANEL} .main-svg", timeout=TIMEOUT)
    settle(page)
    expect(page.locator(f"#{PANEL} .legend")).to_contain_text("SDG-Portal")
    result = Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]
    assert violations == []
