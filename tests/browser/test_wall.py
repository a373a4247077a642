"""The council wall in Chromium: every tile of every slide inside the viewport at readable size (1280x720,
1920x1080, 3840x2160, 1080x1920), rotation, themes, tokens (internal, revoked -> public, forged callbacks),
axe-core, bounded memory over minutes, and an outage with a reload in the middle; screenshots for the docs."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from cockpit import PROJECT_ROOT
from cockpit.roles import Role
from cockpit.views import wall as wall_views
from tests.unit.test_views_wall import min_text_px

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
ALL_SLIDES = ("energy,mobility,waste,goals,measures,indicator:co2-per-inhabitant,"
              "indicator:municipal-buildings-electricity")
VIEWPORTS = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920)]
READABLE = (".wall-tile__name, .wall-tile__number, .wall-tile .status__text, .wall-tile__asof, "
            ".wall-tile__reason, .wall-goal__name, .wall-goal .status__text, .wall-head__stand, "
            ".wall-measures__item, .wall-measures .status__text, .wall-legend__item, .wall-chart__yaxis span, "
            ".wall-chart__xaxis span")
MEMORY_SECONDS = int(os.environ.get("WALL_MEMORY_SECONDS", "90"))


@pytest.fixture(scope="module")
def internal_token(demo_cockpit):
    token, _ = demo_cockpit.store.create_wall_token("browser-test-internal", internal=True)
    return token


def internal_names(cockpit) -> list[str]:
    return [i.name.de for i in cockpit.catalog.indicators if i.visibility == "internal"]


def slide_keys(cockpit, role, slides: str | None = None, lang: str = "de") -> list[str]:
    """The slides the wall view model builds for `role` (how many depends on the demo's verdicts: a slide with more
    goals or tiles than fit is split)."""
    query = {"lang": lang, **({"slides": slides} if slides else {})}
    return [s.key for s in wall_views.build_wall(cockpit, role, wall_views.wall_options(query)).slides]


def open_wall(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".wall-slide", timeout=30_000)
    page.wait_for_function("() => window.cockpitWall !== undefined", timeout=10_000)


def show(page: Page, index: int) -> None:
    page.evaluate("i => window.cockpitWall.show(i)", index)


def slide_count(page: Page) -> int:
    return page.locator(".wall-slide").count()


LAYOUT_CHECK = """(selector) => {
  const vw = window.innerWidth, vh = window.innerHeight, problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > vw || doc.scrollHeight > vh) problems.push(`page scrolls: ${doc.scrollWidth}x${doc.scrollHeight}`);
  const slide = document.querySelector('.wall-slide[data-active]');
  if (!slide) return ['no active slide'];
  const boxes = slide.querySelectorAll('.wall-tile, .wall-goal, .wall-chart, .wall-counts, .wall-measures__box');
  if (!boxes.length) problems.push('empty slide');
  for (const box of boxes) {
    const r = box.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5 || r.width < 10 || r.height < 10)
      problems.push(`${box.className} outside the viewport: ${JSON.stringify(r)}`);
    if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
      problems.push(`${box.className} cut off: ${box.scrollWidth}x${box.scrollHeight} in ${box.clientWidth}x${box.clientHeight}`);
    for (const child of box.querySelectorAll('*')) {
      if (child.closest('.wall-sr')) continue;  // visually hidden on purpose (the chart's table)
      const c = child.getBoundingClientRect();
      if (c.width && (c.bottom > r.bottom + 0.5 || c.right > r.right + 0.5))
        problems.push(`${child.className || child.tagName} sticks out of ${box.className}`);
    }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  const sizes = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.closest('.wall-slide[data-active], .wall-head')) continue;
    const style = getComputedStyle(el);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const cap = canvas.measureText('H').actualBoundingBoxAscent;
    sizes.push([el.className, cap, el.textContent.slice(0, 30)]);
  }
  return {problems, sizes};
}"""


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_every_tile_of_every_slide_fits_and_is_readable(browser, app_url, internal_token, width, height,
                                                         demo_cockpit):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE",
                                  timezone_id="Europe/Berlin", service_workers="block")
    page = context.new_page()
    try:
        open_wall(page, f"{app_url}/wall?token={internal_token}&slides={ALL_SLIDES}&every=600")
        count = slide_count(page)
        assert count == len(slide_keys(demo_cockpit, Role.INTERNAL, ALL_SLIDES)) >= 6
        minimum = min_text_px(width, height)
        for index in range(count):
            show(page, index)
            result = page.evaluate(LAYOUT_CHECK, READABLE)
            assert result["problems"] == [], f"slide {index + 1} at {width}x{height}: {result['problems']}"
            assert result["sizes"], f"slide {index + 1}: no text measured"
            small = [s for s in result["sizes"] if s[1] < minimum]
            assert small == [], f"slide {index + 1}: capitals below {minimum:.1f} px: {small}"
    finally:
        context.close()


def test_rotation_progress_clock_and_nothing_clickable(page: Page, app_url, demo_cockpit):
    open_wall(page, f"{app_url}/wall?every=1")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Kennzahlen-Wand Gera")
    expect(page.locator(".wall-head__stand")).to_contain_text("Daten Stand")
    expect(page.locator(".wall-head__stand")).to_contain_text("aktualisiert")
    expect(page.locator(".wall-head .wall-badge--demo")).to_have_text("Demodaten")
    expect(page.locator("#wall-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    keys = slide_keys(demo_cockpit, Role.PUBLIC)
    assert {"energy", "mobility", "waste", "goals"} <= set(keys)
    seen = set()
    deadline = time.monotonic() + 4 * len(keys)
    while len(seen) < len(keys) and time.monotonic() < deadline:
        seen.add(page.locator(".wall-slide[data-active]").get_attribute("id"))
        page.wait_for_timeout(250)
    assert seen == {f"wall-slide-{key}" for key in keys}
    expect(page.locator(".wall-progress__text")).to_have_text(
        re.compile(rf"^Folie [1-{len(keys)}] von {len(keys)}$"))
    assert page.locator(".wall-progress__dot[data-active]").count() == 1
    clickable = page.locator("#wall a, #wall button, #wall input, #wall select, #wall textarea, #wall [tabindex]")
    assert clickable.count() == 0
    assert page.context.cookies() == [], "a public wall sets no cookie"


def test_english_wall_and_the_slides_named_in_the_url(page: Page, app_url, demo_cockpit):
    slides = "goals,indicator:co2-per-inhabitant"
    open_wall(page, f"{app_url}/wall?lang=en&slides={slides}&every=600")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    keys = slide_keys(demo_cockpit, Role.PUBLIC, slides, "en")
    expect(page.locator(".wall-slide")).to_have_count(len(keys))
    expect(page.locator("#wall-slide-goals h2")).to_contain_text("Goals at a glance")
    show(page, keys.index("indicator-co2-per-inhabitant"))
    slide = page.locator("#wall-slide-indicator-co2-per-inhabitant")
    expect(slide.locator("h2")).to_have_text("CO2 emissions per inhabitant")
    expect(slide.locator("img.wall-chart__img")).to_be_visible()
    table = slide.locator("table")
    expect(table.locator("caption")).to_contain_text("annual values")
    assert table.locator("tbody tr").count() >= 5
    expect(page.locator(".wall-head__stand")).to_contain_text("Data as of")


def test_the_indicator_slide_shows_annual_values_against_the_target_path_on_a_zero_based_axis(page: Page, app_url):
    open_wall(page, f"{app_url}/wall?slides=indicator:co2-per-inhabitant&every=600")
    slide = page.locator("#wall-slide-indicator-co2-per-inhabitant")
    expect(slide.locator(".wall-legend")).to_contain_text("Jahreswerte")
    expect(slide.locator(".wall-legend")).to_contain_text("Zielpfad")
    ticks = slide.locator(".wall-chart__yaxis span").all_inner_texts()
    assert len(ticks) == 3 and ticks[-1] == "0\u00a0t je Einw." and all(tick.endswith("t je Einw.") for tick in ticks)
    assert slide.locator(".wall-chart__xaxis span").all_inner_texts()[-1] == "2030"  # up to the target year
    src = slide.locator("img.wall-chart__img").get_attribute("src")
    assert "stroke-dasharray" in src  # the target path, dotted
    rows = slide.locator("table tbody tr")
    assert rows.count() >= 5
    years = [int(rows.nth(i).locator("th").inner_text()) for i in range(rows.count())]
    assert years == sorted(years, reverse=True) and len(set(years)) == len(years)  # one value per year
    expect(slide.locator("table thead")).to_contain_text("Zielpfad")


def test_burn_in_shift_moves_the_wall_by_a_few_pixels_only_when_asked(page: Page, app_url):
    open_wall(page, f"{app_url}/wall?every=600")
    assert page.evaluate("() => window.cockpitWall.state.shiftTimer") is None
    open_wall(page, f"{app_url}/wall?every=600&shift=1")
    assert page.evaluate("() => window.cockpitWall.state.shiftTimer") is not None
    for _ in range(5):
        page.evaluate("() => window.cockpitWall.shift()")
        transform = page.evaluate("() => document.getElementById('wall').style.transform")
        dx, dy = (float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", transform))
        assert abs(dx) <= 4 and abs(dy) <= 4


def luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_dark_theme_has_no_large_bright_areas(page: Page, app_url):
    open_wall(page, f"{app_url}/wall?theme=dark&every=600")
    areas = page.evaluate("""() => [...document.querySelectorAll('.wall, .wall-tile, .wall-goal, .wall-chart')]
        .map(el => getComputedStyle(el).backgroundColor)""")
    assert areas and all(luminance(a) < 0.05 for a in areas), areas
    text = page.evaluate("getComputedStyle(document.querySelector('.wall-tile__name')).color")
    assert luminance(text) > 0.6


@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
def test_axe_finds_no_violations(page: Page, app_url, internal_token, theme):
    open_wall(page, f"{app_url}/wall?theme={theme}&every=600&token={internal_token}&slides={ALL_SLIDES}")
    axe = Axe()
    for index in range(slide_count(page)):
        show(page, index)
        results = axe.run(page)
        assert results.violations_count == 0, f"slide {index + 1} ({theme}): {results.generate_report()}"


# ------------------------------------------------------------------------------------------------ tokens


def callback_body(search: str) -> str:
    return json.dumps({
        "output": "wall-body.children",
        "outputs": {"id": "wall-body", "property": "children"},
        "inputs": [{"id": "wall-trigger", "property": "data", "value": "forged"}],
        "changedPropIds": ["wall-trigger.data"],
        "state": [{"id": "url", "property": "search", "value": search}],
    })


def post(url: str, body: str) -> str:
    request = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def test_a_forged_callback_never_gets_internal_data(app_url, demo_cockpit, internal_token):
    names = internal_names(demo_cockpit)
    slides = "slides=energy,mobility,waste,indicator:municipal-buildings-electricity"
    granted = post(f"{app_url}/_dash-update-component", callback_body(f"?token={internal_token}&{slides}"))
    assert all(json.dumps(name)[1:-1] in granted for name in names[:2]), "control: a valid token shows them"
    for search in (f"?{slides}&role=internal", f"?token=forged&{slides}&internal=1",
                   f"?token={internal_token[:-1]}&{slides}", f"?token={internal_token}x&{slides}"):
        answer = post(f"{app_url}/_dash-update-component", callback_body(search))
        assert "wall-tile" in answer
        leaked = [name for name in names if json.dumps(name)[1:-1] in answer]
        assert leaked == [], f"{search}: {leaked}"
    with urllib.request.urlopen(f"{app_url}/wall/status?role=internal&token=forged", timeout=30) as response:
        assert json.loads(response.read())["role"] == "public"


def test_token_shows_internal_indicators_until_it_is_revoked(page: Page, app_url, demo_cockpit):
    token, _ = demo_cockpit.store.create_wall_token("browser-test-revoke", internal=True)
    open_wall(page, f"{app_url}/wall?token={token}&refresh=1&every=600&slides=energy")
    internal_tile = page.locator('.wall-tile[data-indicator="municipal-buildings-electricity"]')
    show(page, int(internal_tile.evaluate("el => el.closest('.wall-slide').dataset.index")))  # its part of the domain
    expect(internal_tile).to_be_visible()
    expect(page.locator(".wall-badge--internal")).to_be_visible()
    assert demo_cockpit.store.revoke_wall_token("browser-test-revoke") == 1
    expect(internal_tile).to_have_count(0, timeout=20_000)  # public at the next refresh, without a reload
    expect(page.locator(".wall-badge--internal")).to_have_count(0)
    show(page, 0)
    expect(page.locator('.wall-tile[data-indicator="co2-per-inhabitant"]')).to_be_visible()
    body = page.locator("#wall").inner_text()
    assert not [name for name in internal_names(demo_cockpit) if name in body]


def test_a_public_wall_never_shows_internal_indicators(page: Page, app_url, demo_cockpit):
    open_wall(page, f"{app_url}/wall?slides=energy,mobility,waste,indicator:smart-bin-fill-level&every=600")
    expect(page.locator(".wall-slide")).to_have_count(3)
    html = page.content()
    assert not [name for name in internal_names(demo_cockpit) if name in html]


# ------------------------------------------------------------------------------------------------ long runs


def test_memory_stays_bounded_with_rotation_and_refresh_every_second(page: Page, app_url, demo_cockpit):
    """1 s rotation, 1 s status checks and a forced re-render every second for MEMORY_SECONDS (90 s, 90 re-renders after the warm-up)."""
    renders = []
    page.on("response", lambda r: renders.append(r.status) if "_dash-update-component" in r.url else None)
    slides = ALL_SLIDES.rsplit(",", 1)[0]
    open_wall(page, f"{app_url}/wall?every=1&refresh=1&slides={slides}")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def metrics() -> dict[str, float]:
        cdp.send("HeapProfiler.collectGarbage")
        return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

    def force_refreshes(seconds: int) -> None:
        for _ in range(seconds):
            page.evaluate("window.dash_clientside.set_props('wall-trigger', {data: 'forced-' + Date.now()})")
            page.wait_for_timeout(1000)

    force_refreshes(20)  # warm up: every slide shown, callbacks and caches filled
    start = metrics()
    force_refreshes(MEMORY_SECONDS)
    end = metrics()
    print(f"memory: start {start}, end {end}, {len(renders)} re-renders")
    assert renders.count(200) >= MEMORY_SECONDS // 2, "the wall was re-rendered every second or so"
    assert page.locator(".wall-slide").count() == len(slide_keys(demo_cockpit, Role.PUBLIC, slides)), \
        "the wall still renders"
    assert end["JSHeapUsedSize"] < start["JSHeapUsedSize"] * 1.5 + 2e6, (start, end)
    assert end["Nodes"] < start["Nodes"] * 1.3 + 300, (start, end)
    assert end["JSEventListeners"] < start["JSEventListeners"] * 1.3 + 50, (start, end)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int, app_version: str) -> subprocess.Popen:
    env = {**os.environ, "COCKPIT_DATABASE_URL": database_url, "COCKPIT_LOAD_DEMO": "false",
           "COCKPIT_SCHEDULER": "false", "COCKPIT_WALL_APP_VERSION": app_version, "COCKPIT_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "run.py", "serve", "--no-scheduler", "--port", str(port)],
                               cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/wall/status", timeout=2):
                return process
        except OSError:
            assert process.poll() is None, "the server did not start"
            time.sleep(0.3)
    process.kill()
    raise AssertionError("the server did not answer within 90 s")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_outage_keeps_the_wall_survives_a_reload_and_resumes(browser, demo_cockpit):
    port = free_port()
    url = f"http://127.0.0.1:{port}/wall?refresh=1&every=600"
    server = start_server(demo_cockpit.settings.database_url, port, "release-1")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="de-DE",
                                  timezone_id="Europe/Berlin")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_wall(page, url)
        # the service worker takes over and loads the wall once through itself (so it has all in its cache)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        page.wait_for_selector(".wall-slide", timeout=30_000)
        page.wait_for_function("() => window.cockpitWall !== undefined")
        page.wait_for_timeout(1500)  # the worker's cache writes
        tiles = page.locator(".wall-tile").count()
        assert tiles > 0
        mark = page.locator("#wall-offline")
        expect(mark).to_be_hidden()

        stop_server(server)
        expect(mark).to_be_visible(timeout=20_000)
        expect(mark).to_have_text(re.compile(r"^Verbindung unterbrochen seit \d\d:\d\d$"))
        assert page.locator(".wall-tile").count() == tiles, "the last good screen stays"
        since = mark.inner_text()

        page.reload()  # a wall browser reloading while the server is down
        page.wait_for_selector(".wall-tile", timeout=30_000)
        assert page.locator(".wall-tile").count() == tiles, "the kept wall, not an error page"
        expect(page.locator(".wall-head__title")).to_have_text("Kennzahlen-Wand Gera")
        expect(mark).to_be_visible(timeout=20_000)
        assert mark.inner_text() == since, "the outage keeps its start time across the reload"

        page.evaluate("window.__sameDocument = true")
        server = start_server(demo_cockpit.settings.database_url, port, "release-2")  # a deploy, same port
        expect(mark).to_be_hidden(timeout=60_000)
        # the new app version makes the wall reload itself once, then it stays
        page.wait_for_function("() => window.__sameDocument === undefined && window.cockpitWall !== undefined",
                               timeout=30_000)
        expect(page.locator("#wall")).to_have_attribute("data-app-version", "release-2")
        page.evaluate("window.__sameDocument = true")
        page.wait_for_timeout(4000)
        assert page.evaluate("window.__sameDocument === true"), "only one reload after a deploy"
        expect(page.locator("#wall")).to_have_attribute("data-connection", "ok")
        assert page.locator(".wall-tile").count() == tiles
        assert errors == [], errors
    finally:
        context.close()
        stop_server(server)


# ------------------------------------------------------------------------------------------------ screenshots


VERDICT_CHECK = """() => {
  const vw = window.innerWidth, vh = window.innerHeight, problems = [], seen = [];
  const slide = document.querySelector('.wall-slide[data-active]');
  if (!slide) return {problems: ['no active slide'], seen};
  const verdicts = slide.querySelectorAll(
    '.wall-tile .status__text, .wall-tile__reason, .wall-tile__target, .wall-goal .status__text, .wall-goal__reason');
  for (const el of verdicts) {
    const text = el.textContent.trim();
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    seen.push(text.slice(0, 40));
    if (!text) { problems.push(`empty ${el.className}`); continue; }
    if (style.visibility !== 'visible' || style.display === 'none' || r.width < 1 || r.height < 1)
      problems.push(`hidden: ${text}`);
    if (style.textOverflow === 'ellipsis' || (style.webkitLineClamp && style.webkitLineClamp !== 'none'))
      problems.push(`clamped (${style.webkitLineClamp}, ${style.textOverflow}): ${text}`);
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      problems.push(`overflows itself: ${text}`);
    if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
      problems.push(`outside the screen: ${text}`);
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const s = getComputedStyle(box);
      if (s.overflow === 'visible' && s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const b = box.getBoundingClientRect();
      if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5 || r.left < b.left - 0.5 || r.right > b.right + 0.5)
        problems.push(`clipped by ${box.className}: ${text}`);
    }
  }
  return {problems, seen};
}"""


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_the_verdict_is_never_cut(browser, app_url, internal_token, width, height):
    """Status word and the whole reason line of every tile and goal, on every slide kind, in every theme and
    both languages: nothing clamped, nothing overflowing, nothing clipped by its box or the screen."""
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    page = context.new_page()
    try:
        reasons = 0
        for theme in ("light", "dark", "contrast"):
            for lang in ("de", "en"):
                open_wall(page, f"{app_url}/wall?token={internal_token}&slides={ALL_SLIDES}&every=600"
                                f"&theme={theme}&lang={lang}")
                kinds = set()
                for index in range(slide_count(page)):
                    show(page, index)
                    kinds.add(page.locator(".wall-slide[data-active]").get_attribute("data-kind"))
                    result = page.evaluate(VERDICT_CHECK)
                    assert result["problems"] == [], f"{theme}/{lang} slide {index + 1}: {result['problems']}"
                    reasons += len(result["seen"])
                assert kinds == {"tiles", "goals", "indicator", "measures"}
        assert reasons > 100, "the check saw the verdicts"
    finally:
        context.close()


@pytest.mark.parametrize("width,height", [(1920, 1080), (3840, 2160)], ids=["1920", "3840"])
def test_screenshots(browser, app_url, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for theme, slide in (("light", 0), ("dark", 3)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE",
                                      timezone_id="Europe/Berlin", service_workers="block")
        page = context.new_page()
        try:
            open_wall(page, f"{app_url}/wall?theme={theme}&every=600")
            show(page, slide)
            page.wait_for_timeout(300)
            page.screenshot(path=str(SCREENSHOTS / f"wall-{theme}-{width}.png"))
            assert urlsplit(page.url).path == "/wall"
        finally:
            context.close()


PUBLIC_SLIDES = "energy,mobility,waste,goals,measures,indicator:co2-per-inhabitant"


@pytest.mark.parametrize("width,height,name", [(1920, 1080, "1920"), (1080, 1920, "portrait")],
                         ids=["1920", "portrait"])
def test_screenshots_of_every_slide(browser, app_url, width, height, name):
    """docs/screenshots/wall-<1920|portrait>-<slide>.png: every slide of a public wall (docs/wall.md links them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE",
                                  timezone_id="Europe/Berlin", service_workers="block")
    page = context.new_page()
    try:
        open_wall(page, f"{app_url}/wall?slides={PUBLIC_SLIDES}&every=600")
        for index in range(slide_count(page)):
            show(page, index)
            page.wait_for_timeout(200)
            key = page.locator(".wall-slide[data-active]").get_attribute("id").removeprefix("wall-slide-")
            page.screenshot(path=str(SCREENSHOTS / f"wall-{name}-{key}.png"))
    finally:
        context.close()


REASON = "Der Trend der letzten fünf Jahre reicht nicht: Ziel voraussichtlich erst 2034 statt 2030 erreicht"


@pytest.mark.parametrize("width,height", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_tiles_with_a_reason_line_still_fit(browser, app_url, internal_token, monkeypatch, width, height):
    """The status reason (goal rules v2) takes its place on every tile and goal without pushing anything out."""
    original_tile = wall_views.wall_tile
    monkeypatch.setattr(wall_views, "wall_tile", lambda tile, goal, lang: dataclasses.replace(
        original_tile(tile, goal, lang), reason_text=REASON))
    original_goals = wall_views.goals_slides
    monkeypatch.setitem(wall_views.SLIDE_BUILDERS, "goals", lambda ctx, arg: [
        dataclasses.replace(s, goals=tuple(dataclasses.replace(g, reason_text=REASON) for g in s.goals))
        for s in original_goals(ctx, arg)])
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    page = context.new_page()
    try:
        open_wall(page, f"{app_url}/wall?token={internal_token}&slides={ALL_SLIDES}&every=600")
        assert page.locator(".wall-tile__reason").count() >= 14
        for index in range(slide_count(page)):
            show(page, index)
            result = page.evaluate(LAYOUT_CHECK, READABLE)
            assert result["problems"] == [], f"slide {index + 1}: {result['problems']}"
    finally:
        context.close()
