"""Reflow (WCAG 1.4.10) and the links between pages, in a real browser: at 375 and 320 px no page scrolls
sideways (public pages, embeds, the wall, and the staff pages as staff); the navigation wraps and stays
usable; staff navigation links /status; 'Einbetten' leads to the embed builder from the footer and from every
embeddable page; screenshot of the overview at 375 px for the docs."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT
from layouts.components.shell import NAV
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PUBLIC_ROUTES = [
    "/", "/?lang=en", "/goals", "/indicator/co2-per-inhabitant", "/indicator/recycling-rate?lang=en",
    "/indicator/bike-sharing-bikes-available", "/indicator/charge-points-per-1000", "/explore", "/measures",
    "/measure/hydrogen-buses",
    "/measure/smart-waste-collection?lang=en", "/login", "/barrierefreiheit", "/einbetten",
    "/einbetten?tile=recycling-rate", "/embed/tile/recycling-rate", "/embed/tile/co2-per-inhabitant?border=0",
    "/embed/goal/co2-halve-2030", "/embed/domain/energy?lang=en", "/embed/goals", "/wall", "/berichte",
    "/klimapfad",
]
STAFF_ROUTES = ["/", "/status", "/status?lang=en", "/admin/accounts", "/measure/innovation-centre", "/goals"]
WIDEST = """() => {
  const width = window.innerWidth;
  const clipped = e => {  // inside a box that scrolls or clips its own content
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !clipped(e);
  }).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${String(e.className.baseVal ?? e.className)
    .split(' ').join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`);
  return [document.documentElement.scrollWidth, width, wide.slice(0, 3)];
}"""


def overflowing(page: Page, app_url: str, routes: list[str]) -> list[str]:
    found = []
    for route in routes:
        page.goto(app_url + route)
        page.wait_for_load_state("networkidle")
        scroll_width, width, wide = page.evaluate(WIDEST)
        if scroll_width > width:
            found.append(f"{route}: {scroll_width} px > {width} px, e.g. {wide}")
    return found


@pytest.mark.parametrize("width", [375, 320])
def test_no_public_page_or_embed_scrolls_sideways_on_a_phone(page: Page, app_url, width):
    page.set_viewport_size({"width": width, "height": 800})
    assert overflowing(page, app_url, PUBLIC_ROUTES) == []


@pytest.mark.parametrize("width", [375, 320])
def test_no_staff_page_scrolls_sideways_on_a_phone(page: Page, app_url, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, app_url)
    assert overflowing(page, app_url, STAFF_ROUTES) == []


def test_the_navigation_wraps_on_a_phone_and_works_with_the_keyboard(page: Page, app_url, watch):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{app_url}/")
    page.wait_for_selector("#overview-content .tile")
    links = page.locator(".site-nav__link")
    assert links.count() == len(NAV) == 6  # … Maßnahmen, Klimapfad, Berichte
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, links.nth(index).inner_text()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    for index in range(links.count()):
        page.keyboard.press("Tab")
        expect(links.nth(index)).to_be_focused()
    expect(links.nth(links.count() - 1)).to_have_text("Berichte")
    page.keyboard.press("Enter")  # the last one: Berichte
    page.wait_for_url("**/berichte**")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".site-nav a[href^='/berichte']")).to_have_attribute("aria-current", "page")
    page.screenshot(path="/tmp/reflow-berichte-320.png", full_page=True)
    watch.assert_clean()


def test_staff_navigation_links_the_operations_page_the_public_one_does_not(page: Page, app_url):
    page.goto(f"{app_url}/goals")
    page.wait_for_selector(".goal")
    expect(page.locator(".site-nav a[href^='/status']")).to_have_count(0)
    login(page, app_url)
    page.goto(f"{app_url}/goals?lang=en")
    page.wait_for_selector(".goal")
    status = page.locator(".site-nav a[href^='/status']")
    expect(status).to_have_text("Operations")
    status.click()
    page.wait_for_url("**/status**")
    expect(page.locator(".site-nav a[href^='/status']")).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize(("path", "builder"), [
    ("/", "/einbetten?lang=de"), ("/goals?lang=en", "/einbetten?lang=en"),
    ("/indicator/recycling-rate", "/einbetten?tile=recycling-rate&lang=de"),
])
def test_einbetten_leads_to_the_builder_from_every_embeddable_page_and_the_footer(page: Page, app_url, path,
                                                                                 builder):
    page.goto(app_url + path)
    page.wait_for_load_state("networkidle")
    expect(page.locator("footer a[data-embed-builder='footer']")).to_have_attribute("href", builder.split("?")[0]
                                                                                    + "?lang=" + builder[-2:])
    link = page.locator("main a[data-embed-builder='page']")
    expect(link).to_have_attribute("href", builder)
    link.click()
    page.wait_for_selector("#embed-builder-scope")
    expect(page.locator("#embed-builder-code")).to_contain_text("/embed/")


def test_an_internal_indicator_page_offers_no_embedding(page: Page, app_url):
    login(page, app_url)
    page.goto(f"{app_url}/indicator/smart-bin-fill-level")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main a[data-embed-builder='page']")).to_have_count(0)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_overview_on_a_phone_has_no_accessibility_violations(page: Page, app_url, lang):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{app_url}/?lang={lang}")
    page.wait_for_selector("#overview-content .tile")
    page.wait_for_load_state("networkidle")
    result = Axe().run(page)
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]] == []
    if lang == "de":
        page.screenshot(path=str(PROJECT_ROOT / "docs" / "screenshots" / "overview-375.png"), full_page=True)
