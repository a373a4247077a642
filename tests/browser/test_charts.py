"""Indicator charts keep their promises in Chromium: the toolbar's image download really downloads a PNG under the
strict CSP (no CSP violation), no toolbar button or link talks to a third party, German toolbar texts on German
pages, and at 375 px the chart is readable: title and source line inside the chart, legend below the plot, a plot of
a useful size, no sideways scrolling inside the chart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
INDICATOR = "co2-per-inhabitant"
TIMEOUT = 60_000


def open_chart(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#indicator-goal-chart .main-svg", timeout=TIMEOUT)
    page.wait_for_timeout(800)  # assets/charts.js picks the layout for the width


@contextmanager
def indicator_page(browser, app_url: str, width: int, height: int) -> Iterator[Page]:
    """The German indicator page with its goal chart drawn, in a window of `width` x `height` px."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    try:
        page = context.new_page()
        open_chart(page, f"{app_url}/indicator/{INDICATOR}?lang=de")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("lang,download", [("de", "Diagramm als PNG-Bild herunterladen"),
                                           ("en", "Download plot as a PNG")])
def test_the_camera_downloads_a_png_and_no_button_talks_to_a_third_party(page: Page, app_url, watch, lang, download):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    open_chart(page, f"{app_url}/indicator/{INDICATOR}?lang={lang}")
    chart = page.locator("#indicator-goal-chart")
    chart.hover()
    titles = chart.locator(".modebar-btn").evaluate_all("els => els.map(e => e.getAttribute('data-title'))")
    assert download in titles
    assert not [t for t in titles if t and ("Share" in t or "Cloud" in t or "Chart Studio" in t or "Plotly" in t)]
    assert chart.locator("a[href*='plotly']").count() == 0, "no link to plotly's site"
    if lang == "de":
        assert "Achsen zurücksetzen" in titles and "Reset axes" not in titles
    with page.expect_download(timeout=TIMEOUT) as info:
        chart.locator(f".modebar-btn[data-title='{download}']").click()
    result = info.value
    assert result.suggested_filename == f"{INDICATOR}-ziel.png"
    data = Path(result.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real image (title, source line, values)
    with page.expect_download(timeout=TIMEOUT) as info:  # and the same chart as SVG, from the button below it
        page.locator("#indicator-goal-chart").locator("xpath=..").locator(".chart-download").click()
    svg = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == f"{INDICATOR}-ziel.svg" and svg.lstrip().startswith(b"<svg")
    assert b"Lizenz" in svg or b"Licence" in svg or b"licence" in svg
    assert violations == [], violations
    watch.assert_clean()


def test_at_375_px_the_chart_is_readable(browser, app_url):
    with indicator_page(browser, app_url, 375, 800) as page:
        chart = page.locator("#indicator-goal-chart")
        svg = chart.locator(".main-svg").first.bounding_box()
        plot = chart.locator("g.draglayer g.xy rect.nsewdrag").first \
            .bounding_box()
        legend = chart.locator(".legend").bounding_box()
        heads = chart.locator(".annotation").evaluate_all(
            "els => els.slice(0, 2).map(e => { const r = e.getBoundingClientRect(); "
            "return [r.left, r.right, r.top, r.bottom, e.textContent]; })")
        for left, right, top, bottom, text in heads:  # title and source line, whole
            assert svg["x"] - 0.5 <= left and right <= svg["x"] + svg["width"] + 0.5, text
            assert top >= svg["y"] - 0.5 and bottom <= plot["y"], text
        assert "CO2-Emissionen" in heads[0][4] and "Lizenz" in heads[1][4]
        assert legend["y"] >= plot["y"] + plot["height"], "the legend below the plot"
        assert legend["x"] + legend["width"] <= svg["x"] + svg["width"] + 1
        assert plot["height"] >= 220 and plot["width"] >= 220, plot
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "indicator-375.png"), full_page=True)


def test_screenshot_of_the_indicator_page_at_1920(browser, app_url):
    with indicator_page(browser, app_url, 1920, 1080) as page:
        headline = page.locator(".explorer-facts .status__text").first.inner_text()
        expect(page.locator("#indicator-goal-chart .legend")).to_contain_text(f"Bewertung: {headline}")  # the same
        page.screenshot(path=str(SCREENSHOTS / "indicator-1920.png"), full_page=True)


EXPLORER = "/explore?ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2020-01&to=now&res=year"
CHARTS = {EXPLORER: ("explore-panel-charge-points-per-1000", "explore-rank-per1000", "explore-rank-absolute",
                     "explore-map"),
          "/klimapfad": ("pathway-chart", "pathway-contrib", "pathway-budget")}


@pytest.mark.parametrize("width", [1920, 375, 320])
@pytest.mark.parametrize("path", list(CHARTS))
def test_explorer_and_pathway_charts_are_drawn_whole_at_their_height(browser, app_url, path, width):
    """Every chart takes the room it is drawn for (none collapsed, none over the button below it), and its title,
    source line, axis titles and labels stay inside the chart, on a desktop and on phones (375 and 320 px)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{app_url}{path}&lang=de" if "?" in path else f"{app_url}{path}?lang=de")
        for chart in CHARTS[path]:
            page.wait_for_selector(f"#{chart} .main-svg", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(800)  # assets/charts.js picks the layout for the width
        for chart in CHARTS[path]:
            box = page.locator(f"#{chart}").bounding_box()
            svg = page.locator(f"#{chart} .main-svg").first.bounding_box()
            assert svg["height"] >= 300 and abs(box["height"] - svg["height"]) <= 1, (chart, box, svg)
            button = page.locator(f"#{chart}").locator("xpath=..").locator(".chart-download").bounding_box()
            assert button["y"] >= svg["y"] + svg["height"] - 1, (chart, "the download button under the chart")
            texts = page.locator(f"#{chart}").evaluate(
                "e => [...e.querySelectorAll('.gtitle, .annotation-text, .xtitle, .ytitle')].map(t => { const r = "
                "t.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom, t.textContent]; })")
            assert texts, chart
            for left, right, top, bottom, text in texts:
                assert svg["x"] - 1 <= left and right <= svg["x"] + svg["width"] + 1, (chart, width, text)
                assert svg["y"] - 1 <= top and bottom <= svg["y"] + svg["height"] + 1, (chart, width, text)
        if path == EXPLORER:  # a bar per district, each thick enough to read beside its name
            bars = page.locator("#explore-rank-per1000 .bars .point path").evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().height)")
            assert len(bars) == 8 and min(bars) >= 18, bars
    finally:
        context.close()
