"""The indicator page and the explorer in a real browser: drill-down, filters that update chart, table and URL,
a shared URL restored in a fresh browser, back/forward, district comparison and map without any request leaving
127.0.0.1, exports equal to the table shown, roles, axe-core, and screenshots for the docs."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
SHARED = "/explore?ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2020-01&to=now&res=month"
INDICATOR = "charge-points-per-1000"
INTERNAL = "municipal-buildings-electricity"
TIMEOUT = 60_000  # generous: the test machines are shared and slow at times (no timing is asserted)


@pytest.fixture(autouse=True)
def patient_expect():
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")


def table_rows(page: Page, table_id: str) -> list[list[str]]:
    rows = page.locator(f"#{table_id} tbody tr")
    return [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in rows.all()]


def traces(page: Page, graph_id: str):
    return page.locator(f"#{graph_id} .scatterlayer .trace")


def wait_traces(page: Page, graph_id: str, count: int) -> None:
    """Wait until the chart draws `count` line traces (polling at an interval, not on animation frames)."""
    page.wait_for_function("([id, n]) => document.querySelectorAll(`#${id} .scatterlayer .trace`).length === n",
                           arg=[graph_id, count], polling=500, timeout=TIMEOUT)


def test_indicator_page_from_a_link_or_directly(page: Page, app_url, watch, demo_cockpit):
    followed = False
    for path, ready in (("/", "#overview-content"), ("/goals", "#goals-content")):
        page.goto(f"{app_url}{path}?lang=de")
        page.wait_for_selector(ready, timeout=TIMEOUT)
        settle(page)
        links = page.locator(f'main a[href*="/indicator/{INDICATOR}"]')
        if links.count():  # tiles and goals link here once the overview and goal pages carry the links
            links.first.click()
            page.wait_for_url(re.compile(f"/indicator/{INDICATOR}"), timeout=TIMEOUT)
            followed = True
            break
    if not followed:
        page.goto(f"{app_url}/indicator/{INDICATOR}?lang=de")
    indicator = demo_cockpit.catalog.indicator(INDICATOR)
    expect(page.locator("h1")).to_have_text(indicator.name.de, timeout=TIMEOUT)
    settle(page)
    facts = page.locator(".explorer-facts")
    for text in ("Nicht auf Kurs", "CC BY 4.0", "Bundesnetzagentur", "Tiefbau- und Verkehrsamt", "monatlich",
                 "Ziel 2030", "Letzte Daten"):
        expect(facts).to_contain_text(text)
    goal_chart = page.locator("#indicator-goal-chart")
    expect(goal_chart.locator(".main-svg").first).to_be_visible()
    expect(goal_chart).to_contain_text("heute")
    expect(goal_chart).to_contain_text("Zielwert 2030")
    expect(goal_chart).to_contain_text("Quelle: Bundesnetzagentur")
    for selector in (".annotation", ".legend"):  # drawn (Plotly redraws the SVG when the chart is resized)
        expect(goal_chart.locator(selector).first).to_be_visible()
    title, legend = (goal_chart.locator(selector).first.bounding_box() for selector in (".annotation", ".legend"))
    assert title["y"] + title["height"] <= legend["y"]  # the legend (below the plot) stays clear of the title
    series = page.locator("#indicator-series-chart")
    expect(series.locator(".subplot.xy .scatterlayer .trace")).to_have_count(2)  # the values and the year before
    # the linked measures in their own strip below the values: start and a reached milestone
    expect(series.locator(".subplot.xy2 .scatterlayer .trace")).to_have_count(2)
    expect(series.locator(".legend")).to_contain_text("Maßnahmen")
    assert len(table_rows(page, "indicator-table")) > 100
    expect(page.locator("#indicator-annual-table")).to_contain_text("laufendes Jahr")
    expect(page.locator("#demo-notice")).to_be_visible()
    page.set_viewport_size({"width": 1920, "height": 1080})
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "indicator.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1920, "height": 1750})
    watch.assert_clean()


def test_resolution_and_sorting_on_the_indicator_page_go_into_the_url(page: Page, app_url, watch):
    page.goto(f"{app_url}/indicator/renewable-share-electricity?lang=en")
    page.wait_for_selector("#indicator-table", timeout=TIMEOUT)
    assert table_rows(page, "indicator-table")[0][0].startswith("Week 1/2019")
    settle(page)
    page.locator("#indicator-res").get_by_role("link", name=re.compile("^Month")).click()
    page.wait_for_url(re.compile(r"res=month"), timeout=TIMEOUT)
    settle(page)
    expect(page.locator("#indicator-table tbody tr").first.locator("th")).to_have_text("January 2019",
                                                                                      timeout=TIMEOUT)
    settle(page)
    page.locator("#indicator-table thead th").nth(1).get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=1"), timeout=TIMEOUT)
    settle(page)
    assert "res=month" in page.url
    expect(page.locator("#indicator-table thead th").nth(1)).to_have_attribute("aria-sort", "ascending",
                                                                               timeout=TIMEOUT)
    values = [float(r[1].replace(",", "")) for r in table_rows(page, "indicator-table")]
    assert values == sorted(values)
    watch.assert_clean()


def checked(page: Page) -> list[str]:
    return page.eval_on_selector_all("#explore-filters input:checked", "els => els.map(e => e.name + '=' + e.value)")


def test_filters_update_chart_table_and_url_in_place_and_a_fresh_browser_restores_the_view(page: Page, app_url,
                                                                                          watch, browser):
    page.goto(f"{app_url}/explore?ind={INDICATOR}&lang=de")
    page.wait_for_selector("#explore-table", timeout=TIMEOUT)
    panel = f"explore-panel-{INDICATOR}"
    expect(traces(page, panel)).to_have_count(1)
    settle(page)
    filters = page.locator("#explore-filters")
    # real form controls, no links dressed as checkboxes
    expect(filters.get_by_role("link")).to_have_count(0)
    expect(filters.get_by_role("checkbox", name="Lusan")).not_to_be_checked()
    expect(filters.get_by_role("radio", name="Alle Bereiche")).to_be_checked()
    page.evaluate("document.getElementById('explore-filters').dataset.kept = 'yes'")  # gone if the page re-renders
    page.evaluate("window.scrollTo(0, 350)")
    lusan = filters.get_by_role("checkbox", name="Lusan")
    lusan.check()
    page.wait_for_url(re.compile(r"district=lusan"), timeout=TIMEOUT)
    wait_traces(page, panel, 2)
    expect(page.locator("#explore-table")).to_contain_text("Lusan")
    settle(page)
    assert page.evaluate("window.scrollY") == 350  # the scroll position stays
    assert page.evaluate("document.activeElement.id") == "explore-district--lusan"  # and the focus
    assert page.evaluate("document.getElementById('explore-filters').dataset.kept") == "yes"  # updated in place
    expect(page.locator("#explore-status")).to_contain_text("Ansicht aktualisiert. Gebiete: Lusan")
    page.keyboard.press("Tab")  # keyboard: the next checkbox, toggled with the space bar
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"district=lusan&district=zwoetzen-liebschwitz"), timeout=TIMEOUT)
    wait_traces(page, panel, 3)
    filters.get_by_role("checkbox", name="Zwötzen/Liebschwitz").uncheck()
    page.wait_for_url(re.compile(r"district=lusan&lang"), timeout=TIMEOUT)
    wait_traces(page, panel, 2)
    filters.get_by_role("checkbox", name="Stadtmitte").check()
    page.wait_for_url(re.compile(r"district=lusan&district=stadtmitte"), timeout=TIMEOUT)
    wait_traces(page, panel, 3)
    settle(page)
    page.get_by_label("Von", exact=True).fill("2024-01")
    page.get_by_label("Von", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"from=2024-01"), timeout=TIMEOUT)
    settle(page)
    expect(page.locator("#explore-table tbody tr").first.locator("td").nth(1)).to_have_text("Januar 2024",
                                                                                           timeout=TIMEOUT)
    settle(page)
    shown = table_rows(page, "explore-table")
    assert {r[1] for r in shown} == {"Stadt gesamt", "Lusan", "Stadtmitte"}
    url = page.url
    assert page.evaluate("document.getElementById('explore-filters').dataset.kept") == "yes"

    page.go_back()
    page.wait_for_url(lambda u: "from=2024-01" not in u, timeout=TIMEOUT)
    expect(page.get_by_label("Von", exact=True)).to_have_value("", timeout=TIMEOUT)
    expect(page.locator("#explore-table tbody tr").first.locator("td").nth(1)).to_have_text("Januar 2017",
                                                                                           timeout=TIMEOUT)
    page.go_back()
    page.wait_for_url(lambda u: "stadtmitte" not in u, timeout=TIMEOUT)
    wait_traces(page, panel, 2)
    expect(filters.get_by_role("checkbox", name="Stadtmitte")).not_to_be_checked()
    expect(filters.get_by_role("checkbox", name="Lusan")).to_be_checked()
    page.go_forward()
    page.go_forward()
    page.wait_for_url(url, timeout=TIMEOUT)
    expect(page.get_by_label("Von", exact=True)).to_have_value("2024-01", timeout=TIMEOUT)
    expect(filters.get_by_role("checkbox", name="Stadtmitte")).to_be_checked()
    settle(page)
    assert table_rows(page, "explore-table") == shown
    assert page.evaluate("document.getElementById('explore-filters').dataset.kept") == "yes"  # never re-routed

    fresh_context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
    try:
        fresh = fresh_context.new_page()
        fresh.goto(url)
        fresh.wait_for_selector("#explore-table", timeout=TIMEOUT)
        settle(fresh)
        assert fresh.url == url
        assert table_rows(fresh, "explore-table") == shown
        assert checked(fresh) == checked(page)
        expect(traces(fresh, panel)).to_have_count(3)
    finally:
        fresh_context.close()
    watch.assert_clean()


def test_presets_sorting_and_per_1000_in_place(page: Page, app_url, watch):
    page.goto(f"{app_url}/explore?ind=public-transport-passengers&lang=de")
    page.wait_for_selector("#explore-table", timeout=TIMEOUT)
    settle(page)
    page.evaluate("document.getElementById('explore-filters').dataset.kept = 'yes'")
    page.get_by_role("button", name="Letzte 3 Jahre").click()
    page.wait_for_url(re.compile(r"from=20\d\d-\d\d"), timeout=TIMEOUT)
    settle(page)
    page.get_by_role("checkbox", name="je 1.000 Einwohner", exact=True).check()
    page.wait_for_url(re.compile(r"norm=per1000"), timeout=TIMEOUT)
    expect(page.locator("#explore-table tbody tr").first.locator("td").nth(3)).to_have_text(
        "Fahrgäste je 1.000 Einw.", timeout=TIMEOUT)
    value = float(table_rows(page, "explore-table")[0][3].replace(".", "").replace(",", "."))
    assert 5_000 < value < 30_000  # passengers per 1,000 inhabitants a month, not 0,015
    settle(page)
    header = page.locator("#explore-table thead th").nth(3)
    header.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    header.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=3"), timeout=TIMEOUT)
    expect(header).to_have_attribute("aria-sort", "ascending", timeout=TIMEOUT)
    settle(page)
    values = [float(r[3].replace(".", "").replace(",", ".")) for r in table_rows(page, "explore-table")]
    assert values == sorted(values)
    assert page.evaluate("window.scrollY") == scrolled
    assert page.evaluate("document.getElementById('explore-filters').dataset.kept") == "yes"
    result = Axe().run(page)  # the state after in-place changes
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]] == []
    watch.assert_clean()


def test_district_comparison_and_map_render_without_leaving_the_cockpit(page: Page, app_url, watch):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}{SHARED}&lang=de")
    page.wait_for_selector("#explore-map .main-svg", timeout=TIMEOUT)
    settle(page)
    expect(page.locator("#explore-map path.choroplethlocation")).to_have_count(8, timeout=TIMEOUT)
    expect(page.locator("#explore-rank-per1000 .bars .point")).to_have_count(8)
    expect(page.locator("#explore-rank-per1000")).to_contain_text("Stadt: 2,04")
    expect(page.locator("#explore-map")).to_contain_text("Lusan")
    expect(page.locator(".explorer-note--schematic")).to_have_text(
        "Schematische Demo-Geometrie: keine echten Stadtteilgrenzen.")
    page.screenshot(path=str(SCREENSHOTS / "explorer.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 1920, "height": 1900})
    page.locator("#explore-map").scroll_into_view_if_needed()
    page.locator(".explorer-section").nth(1).screenshot(path=str(SCREENSHOTS / "explorer-map.png"))
    assert any("/assets/explorer-topojson/" in r for r in watch.requests)  # plotly's base map comes from here
    watch.assert_clean()


def _csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))  # the header row first


def _as_exported(cells: list[str], lang: str) -> list[str]:
    numeric = re.compile(r"^[−+-]?[\d.,]+$")
    out = []
    for cell in cells:
        if numeric.match(cell):
            cell = cell.replace(".", "") if lang == "de" else cell.replace(",", "")
        out.append(cell)
    return out


@pytest.mark.parametrize(("lang", "delimiter"), [("de", ";"), ("en", ",")])
def test_csv_and_xlsx_exports_equal_the_table_shown(page: Page, app_url, watch, lang, delimiter):
    page.goto(f"{app_url}/explore?ind={INDICATOR}&ind=recycling-rate&district=lusan&from=2025-01&to=2025-06"
              f"&lang={lang}")
    page.wait_for_selector("#explore-table", timeout=TIMEOUT)
    settle(page)
    header = page.locator("#explore-table thead th").all_inner_texts()
    shown = table_rows(page, "explore-table")
    assert len(shown) == 6 * 3  # charge points: city and Lusan; recycling rate: city only
    with page.expect_download() as download:
        page.locator("#explore-export-csv").click()
    assert download.value.suggested_filename.endswith(
        "-de-semikolon-dezimalkomma.csv" if lang == "de" else "-en-comma-decimal-point.csv")
    exported = _csv_rows(Path(download.value.path()).read_bytes(), delimiter)
    iso = exported[0].pop(3)  # the machine-readable period start beside the readable period
    assert iso.endswith("(ISO 8601)")
    starts = [row.pop(3) for row in exported[1:]]
    assert starts[:6] == [f"2025-0{m}-01" for m in range(1, 7)]
    assert [h.split("(")[0].strip() for h in header] == exported[0]
    assert [_as_exported(r, lang) for r in shown] == exported[1:]
    with page.expect_download() as download:
        page.locator("#explore-export-xlsx").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    table = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert len(table) - 1 == len(shown) and table[0][3] == iso
    for row, cells in zip(table[1:], shown, strict=True):
        assert row[:3] == cells[:3]
        shown_number = cells[3].replace(".", "").replace(",", ".") if lang == "de" else cells[3].replace(",", "")
        assert row[4] == pytest.approx(float(shown_number), abs=0.006)
    assert len(book.worksheets) == 2  # the metadata on its own sheet
    with page.expect_download() as download:
        page.locator("#explore-export-meta").click()
    assert download.value.suggested_filename.endswith("-meta.json")
    # a download ends its navigation request with ERR_ABORTED: that is the download, not a failure
    watch.failed = [f for f in watch.failed if "/export/" not in f or "ERR_ABORTED" not in f]
    watch.assert_clean()


def test_a_public_export_contains_no_internal_indicator_also_when_the_url_names_one(page: Page, app_url, watch,
                                                                                   demo_cockpit):
    name = demo_cockpit.catalog.indicator(INTERNAL).name.de
    page.goto(f"{app_url}/explore?ind={INTERNAL}&ind=recycling-rate&lang=de")
    page.wait_for_selector("#explore-problems", timeout=TIMEOUT)
    expect(page.locator("#explore-problems")).to_contain_text(f"Kennzahl „{INTERNAL}“ gibt es nicht")
    expect(page.locator("main")).not_to_contain_text(name)
    href = page.locator("#explore-export-csv").get_attribute("href")
    for url in (href, f"/export/explore.csv?ind={INTERNAL}&lang=de", f"/export/explore.xlsx?ind={INTERNAL}"):
        response = page.request.get(f"{app_url}{url}")
        assert response.status == 200
        body = response.body()
        if url.startswith("/export/explore.xlsx"):
            book = load_workbook(io.BytesIO(body), read_only=True)
            body = repr([list(sheet.iter_rows(values_only=True)) for sheet in book]).encode("utf-8")
        assert name.encode("utf-8") not in body and INTERNAL.encode() not in body
    assert page.request.get(f"{app_url}/export/indicator/{INTERNAL}.csv").status == 404
    page.wait_for_load_state("networkidle")  # the explorer's scripts have loaded before the next page is opened
    page.goto(f"{app_url}/indicator/{INTERNAL}?lang=de")
    expect(page.locator("h1")).to_have_text("Kennzahl nicht gefunden", timeout=TIMEOUT)
    watch.assert_clean()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", [f"/indicator/{INDICATOR}", "/indicator/renewable-share-electricity", SHARED,
                                  "/indicator/charge-points-per-1000"])  # with "Gera im Vergleich"
def test_axe_finds_no_violations(page: Page, app_url, lang, path):
    separator = "&" if "?" in path else "?"
    page.goto(f"{app_url}{path}{separator}lang={lang}")
    page.wait_for_selector(".explorer-section .main-svg", timeout=TIMEOUT)
    settle(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    result = Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]
    assert violations == []
