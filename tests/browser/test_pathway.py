"""The climate pathway /klimapfad in a real browser: German and English, axe-core without violations, no sideways
scrolling at 375 px, the "what if" round trip in the URL (a measure switched off and on again changes plan, coverage
and gap), only public measures for anonymous visitors; screenshots at 1920x1080 and 375x812."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
READY = "#pathway-chart .main-svg"


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=20_000)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_pathway_page_is_accessible_and_reflows(page: Page, app_url, watch, lang):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, f"{app_url}/klimapfad?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    sentence = page.locator("#pathway-sentence")
    expect(sentence).to_contain_text("2030")
    expect(page.locator("#demo-notice")).to_be_visible()
    for table in ("#pathway-whatif", "#pathway-quality", "#pathway-ranking"):
        expect(page.locator(table)).to_be_visible()
    expect(page.locator(".pathway-source").first).to_contain_text("dl-de/by-2-0")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=str(SCREENSHOTS / f"pathway-{lang}-1920.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    open_page(page, f"{app_url}/klimapfad?lang={lang}")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"sideways scrolling at 375 px: {width}"
    assert Axe().run(page).violations_count == 0
    page.screenshot(path=str(SCREENSHOTS / f"pathway-{lang}-375.png"), full_page=True)
    watch.assert_clean()


def _figures(page: Page) -> list[tuple[str, str]]:
    terms = page.locator(".pathway-figure dt").all_inner_texts()
    values = page.locator(".pathway-figure dd").all_inner_texts()
    return list(zip(terms, values, strict=True))


COVERAGE, GAP = 3, 4  # positions of the key figures


def test_what_if_round_trip_in_the_url(page: Page, app_url, watch):
    open_page(page, f"{app_url}/klimapfad")
    before_sentence = page.locator("#pathway-sentence").inner_text()
    before = _figures(page)
    page.click("#pathway-toggle-charging-points-city-centre")
    page.wait_for_url(re.compile(r"off=charging-points-city-centre"))
    page.wait_for_selector(READY)
    expect(page.locator("#pathway-sentence")).not_to_have_text(before_sentence)
    after = _figures(page)
    assert after[GAP][1] != before[GAP][1] and after[COVERAGE][1] != before[COVERAGE][1]
    assert after[COVERAGE][0] == "Deckung durch Maßnahmen"
    row = page.locator("#pathway-whatif tr", has_text="Öffentliche Ladepunkte")
    expect(row).to_contain_text("aus")
    expect(page.locator(".pathway-whatif-active")).to_be_visible()
    page.reload()  # the state lives in the URL
    page.wait_for_selector(READY)
    assert _figures(page) == after
    page.click("#pathway-toggle-charging-points-city-centre")  # and on again
    page.wait_for_selector(READY)
    assert "off=" not in page.url
    assert _figures(page) == before
    watch.assert_clean()


def test_only_public_measures_for_anonymous_visitors(page: Page, app_url):
    open_page(page, f"{app_url}/klimapfad")
    expect(page.locator("#pathway-content")).not_to_contain_text("Innovationszentrum")  # internal measure
    open_page(page, f"{app_url}/klimapfad?off=innovation-centre")  # naming it in the URL reveals nothing
    expect(page.locator("#pathway-content")).not_to_contain_text("Innovationszentrum")
    expect(page.locator(".pathway-whatif-active")).to_have_count(0)
    login(page, app_url)
    open_page(page, f"{app_url}/klimapfad")
    expect(page.locator("#pathway-whatif")).to_contain_text("Innovationszentrum")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_wall_slide_pathway_fits_the_screen(browser, app_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE",
                                  timezone_id="Europe/Berlin", service_workers="block")
    page = context.new_page()
    try:
        page.goto(f"{app_url}/wall?slides=pathway&every=600")
        page.wait_for_selector(".wall-pathway", timeout=30_000)
        expect(page.locator(".wall-pathway__sentence")).to_contain_text("2030")
        problems = page.evaluate("""() => {
          const vw = window.innerWidth, vh = window.innerHeight, doc = document.documentElement, out = [];
          if (doc.scrollWidth > vw || doc.scrollHeight > vh) out.push(`page scrolls: ${doc.scrollWidth}x${doc.scrollHeight}`);
          for (const el of document.querySelectorAll('.wall-pathway *')) {
            const r = el.getBoundingClientRect();
            if (r.width && (r.right > vw + 0.5 || r.bottom > vh + 0.5)) out.push(`${el.className || el.tagName} outside`);
          }
          return out;
        }""")
        assert problems == []
        assert Axe().run(page).violations_count == 0
    finally:
        context.close()


def test_embed_pathway_is_accessible(page: Page, app_url):
    page.goto(f"{app_url}/embed/pathway?lang=en")
    expect(page.locator(".embed-pathway__sentence")).to_contain_text("2030")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
