"""Embeds in a real browser: a host page on another local port embeds a tile, a goal and the goal tree through
/embed.js; the iframes take the height of their content (growing and shrinking), no cookie is set, no request
leaves 127.0.0.1, a host that is not in COCKPIT_EMBED_ORIGINS is refused, axe-core finds nothing on the embed
routes, and the embed builder works with the keyboard."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cockpit.config import load_settings
from cockpit.runtime import open_cockpit

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost"}


class HostSite:
    """A city website on its own port; its page is set by the test."""

    def __init__(self):
        self.html = "<!DOCTYPE html><title>empty</title>"
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @Request.application
    def app(self, request):
        if request.path != "/":
            return Response("not found", status=404)
        return Response(self.html, mimetype="text/html")

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


def host_page(app_url: str, frames: list[tuple[str, int, str]]) -> str:
    iframes = "\n".join(
        f'<iframe src="{app_url}{path}" title="{title}" loading="eager" data-cockpit-embed '
        f'style="width:{width}px;height:400px;border:0"></iframe>' for path, width, title in frames)
    return (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Stadt Gera</title>'
            f'<link rel="icon" href="data:,"></head><body><h1>Klimaschutz in Gera</h1>{iframes}'
            f'<script src="{app_url}/embed.js" async></script></body></html>')


@pytest.fixture(scope="module")
def host():
    site = HostSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def other_host():
    site = HostSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def embed_app_url(demo_cockpit, host):
    """The app with the host site (http://localhost:<port>) in COCKPIT_EMBED_ORIGINS, on the demo database."""
    from layouts.app import create_app

    settings = load_settings(database_url=demo_cockpit.settings.database_url, load_demo=False,
                             embed_origins=[f"http://localhost:{host.port}"],
                             imprint_url="https://www.gera.de/impressum", feedback_email="smartcity@gera.de")
    app = create_app(open_cockpit(settings))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def requests_seen(page: Page):
    seen: list[str] = []
    page.context.on("request", lambda request: seen.append(request.url))
    return seen


def frame_of(page: Page, path_prefix: str):
    for frame in page.frames:
        if urlsplit(frame.url).path.startswith(path_prefix):
            return frame
    raise AssertionError(f"no frame for {path_prefix}: {[f.url for f in page.frames]}")


def content_height(frame) -> float:
    return frame.evaluate("document.querySelector('[data-embed]').getBoundingClientRect().height")


def iframe_height(page: Page, index: int) -> float:
    return page.locator("iframe").nth(index).evaluate("e => e.getBoundingClientRect().height")


def reflowed(frame, done, timeout: float = 10.0) -> None:
    """Until the embed's content height satisfies `done` (the frame has laid out its new width)."""
    deadline = time.monotonic() + timeout
    while not done(content_height(frame)):
        assert time.monotonic() < deadline, f"content height stays {content_height(frame)}"
        frame.page.wait_for_timeout(50)


def wait_for_fit(page: Page, index: int, frame) -> None:
    """Until the iframe is as tall as its content (the resize messages arrived)."""
    page.wait_for_function(
        "([i, h]) => Math.abs(document.querySelectorAll('iframe')[i].getBoundingClientRect().height - h) <= 1",
        arg=[index, content_height(frame)], timeout=10_000)


def test_host_page_embeds_tile_goal_and_goals_that_fit_their_content(page: Page, embed_app_url, host,
                                                                        requests_seen):
    host.html = host_page(embed_app_url, [("/embed/tile/recycling-rate?lang=de", 420, "Recyclingquote"),
                                          ("/embed/goal/co2-halve-2030?lang=de", 520, "CO2-Ziel"),
                                          ("/embed/goals?lang=en&theme=dark", 900, "Goals")])
    page.goto(f"http://localhost:{host.port}/")
    tile = frame_of(page, "/embed/tile/")
    goal = frame_of(page, "/embed/goal/")
    goals = frame_of(page, "/embed/goals")
    expect(tile.locator("h1")).to_have_text("Recyclingquote der Siedlungsabfälle")
    expect(tile.locator(".tile__number")).to_have_text(re.compile(r"\d"))
    expect(tile.locator(".badge--demo")).to_be_visible()
    expect(goal.locator("h1")).to_have_text("CO2-Ausstoß: 4,9 t je Einwohner bis 2030 (halb so viel wie 1990)")
    expect(goals.locator("h1")).to_have_text("Goals of the city of Gera")
    for index, frame in enumerate((tile, goal, goals)):
        wait_for_fit(page, index, frame)
        assert iframe_height(page, index) != 400  # resized away from the snippet's height
    page.wait_for_load_state("networkidle")
    assert page.context.cookies() == []
    foreign = [url for url in requests_seen
               if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOOPBACK]
    assert foreign == []
    assert any(urlsplit(url).port == host.port for url in requests_seen)


def test_iframe_grows_and_shrinks_with_the_content(page: Page, embed_app_url, host):
    host.html = host_page(embed_app_url, [("/embed/goal/recycling-rate-eu?lang=de", 520, "Recyclingziel")])
    page.goto(f"http://localhost:{host.port}/")
    goal = frame_of(page, "/embed/goal/")
    wait_for_fit(page, 0, goal)
    closed = iframe_height(page, 0)
    goal.locator(".goal__path summary").click()  # open the target path table
    expect(goal.locator(".goal__path table")).to_be_visible()
    wait_for_fit(page, 0, goal)
    opened = iframe_height(page, 0)
    assert opened > closed + 40
    goal.locator(".goal__path summary").click()  # and close it again: the iframe shrinks back
    wait_for_fit(page, 0, goal)
    assert abs(iframe_height(page, 0) - closed) <= 1
    # Reflow is awaited on the content's own (fractional) height: the iframe's height is rounded up, so a
    # content height of 1059.3 px is already "below" an iframe height of 1060 px before the frame reflows.
    wide_content = content_height(goal)
    page.locator("iframe").evaluate("e => { e.style.width = '300px'; }")  # narrower: taller
    reflowed(goal, lambda height: height > wide_content + 1)
    wait_for_fit(page, 0, goal)
    narrow, narrow_content = iframe_height(page, 0), content_height(goal)
    assert narrow > closed
    page.locator("iframe").evaluate("e => { e.style.width = '700px'; }")  # wider again: shorter
    reflowed(goal, lambda height: height < narrow_content - 1)
    wait_for_fit(page, 0, goal)
    assert iframe_height(page, 0) < narrow


def test_a_host_that_is_not_allowlisted_is_refused(page: Page, embed_app_url, other_host):
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "frame-ancestors" in msg.text else None)
    other_host.html = host_page(embed_app_url, [("/embed/tile/recycling-rate?lang=de", 420, "Recyclingquote")])
    page.goto(f"http://127.0.0.1:{other_host.port}/")  # not in COCKPIT_EMBED_ORIGINS
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    for frame in page.frames[1:]:
        assert frame.query_selector("[data-embed]") is None, frame.url
    assert iframe_height(page, 0) == 400  # no height message either
    assert refused, "Chromium reports the frame-ancestors refusal"


@pytest.mark.parametrize("path", [
    "/embed/tile/recycling-rate?lang=de", "/embed/tile/charge-points-per-1000?lang=en&theme=dark&border=0",
    "/embed/goal/co2-halve-2030?lang=de", "/embed/goal/recycling-rate-eu?lang=en&theme=dark&title=0",
    "/embed/domain/energy?lang=de", "/embed/domain/mobility?lang=en&theme=dark", "/embed/goals?lang=de",
    "/embed/goals?lang=en&theme=dark", "/embed/tile/municipal-buildings-electricity",
])
def test_axe_finds_no_violations_on_embed_routes(page: Page, embed_app_url, path):
    page.goto(embed_app_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)  # every rule, best practices included
    assert results.violations_count == 0, results.generate_report()


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


@pytest.mark.parametrize("path", ["/einbetten?tile=recycling-rate", "/einbetten?goal=co2-halve-2030&lang=en",
                                  "/barrierefreiheit?lang=en"])
def test_axe_finds_no_wcag_violations_on_the_builder_and_the_statement(page: Page, embed_app_url, path):
    """WCAG 2.1 AA rules (Dash's radio lists carry role="option" on labels, an axe best-practice finding)."""
    page.goto(embed_app_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def test_embed_builder_with_the_keyboard(page: Page, embed_app_url):
    from cockpit.views import embed as embed_views

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=embed_app_url)
    page.goto(f"{embed_app_url}/einbetten?tile=recycling-rate&lang=de")
    code = page.locator("#embed-builder-code")
    page.wait_for_selector("#embed-builder-preview")
    first = code.input_value()
    assert "/embed/tile/recycling-rate?lang=de" in first and "/embed.js" in first
    page.get_by_label("Farbschema").focus()
    page.keyboard.press("ArrowDown")  # Hell -> Dunkel
    page.get_by_label("Überschrift zeigen").focus()
    page.keyboard.press("ArrowDown")  # Ja -> Nein
    page.get_by_label("Was einbetten?").focus()
    page.keyboard.press("ArrowDown")  # the tile -> its domain (Abfall)
    options = embed_views.EmbedOptions(lang="de", theme="dark", title=False, border=True)
    title = embed_views.frame_title("domain", "Abfall", "de", "Gera")
    expected = embed_views.snippet(embed_app_url, "domain", "waste", options, title)
    expect(code).to_have_value(expected)  # the same code as the server builds
    expect(page.locator("#embed-builder-preview")).to_have_attribute("src", "/embed/domain/waste?lang=de&theme=dark&title=0")
    preview = page.frame_locator("#embed-builder-preview")
    expect(preview.locator("html")).to_have_class("embed-doc embed-doc--dark")
    expect(preview.locator("h1")).to_have_text("Abfall in Gera")
    page.wait_for_function("document.getElementById('embed-builder-preview').getBoundingClientRect().height > 300")
    page.get_by_role("button", name="Code kopieren").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#embed-builder-copy-status")).to_have_text("Code in die Zwischenablage kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    page.screenshot(path="/tmp/embed-builder.png", full_page=True)


def test_border_0_embeds_blend_into_the_host_page_and_tiles_use_the_column_width(page: Page, embed_app_url,
                                                                                     host):
    """A city page with a main column and a sidebar: with border=0 the embed has no background of its own (the
    page's colour shows through) and the tile is as wide as the column; with a border it stays a card."""
    from cockpit import PROJECT_ROOT

    host.html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Stadt Gera – Klimaschutz</title>'
        '<link rel="icon" href="data:,"><style>body{margin:0;font-family:sans-serif;background:#fdf8ec}'
        'header{background:#7a1f2b;color:#fff;padding:1rem 2rem}main{display:grid;grid-template-columns:2fr 1fr;'
        'gap:2rem;max-width:1100px;margin:auto;padding:1.5rem 2rem}iframe{width:100%;height:400px;border:0}'
        '</style></head><body><header><h1>Stadt Gera</h1></header><main><article><h2>Klimaschutz in Gera</h2>'
        '<p>Gera will den CO2-Ausstoß bis 2030 halbieren. Der aktuelle Stand aus dem SmartCity Cockpit:</p>'
        f'<iframe src="{embed_app_url}/embed/tile/co2-per-inhabitant?lang=de&border=0" title="CO2" '
        'data-cockpit-embed></iframe></article><aside><h2>Recycling</h2>'
        f'<iframe src="{embed_app_url}/embed/tile/recycling-rate?lang=de" title="Recycling" data-cockpit-embed>'
        f'</iframe></aside></main><script src="{embed_app_url}/embed.js" async></script></body></html>')
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"http://localhost:{host.port}/")
    bare = frame_of(page, "/embed/tile/co2")
    card = frame_of(page, "/embed/tile/recycling")
    expect(bare.locator(".tile__number")).to_have_text(re.compile(r"\d"))
    for index, frame in enumerate((bare, card)):
        wait_for_fit(page, index, frame)
    backgrounds = bare.evaluate("['html', 'body', '.embed', '.tile'].map("
                                "s => getComputedStyle(document.querySelector(s)).backgroundColor)")
    assert backgrounds == ["rgba(0, 0, 0, 0)"] * 4, backgrounds
    assert card.evaluate("getComputedStyle(document.querySelector('.tile')).backgroundColor") == "rgb(255, 255, 255)"
    column = page.locator("iframe").first.evaluate("e => e.getBoundingClientRect().width")
    tile = bare.evaluate("document.querySelector('.tile').getBoundingClientRect().width")
    assert column > 600 and tile >= column - 16, (tile, column)  # the tile fills the main column
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(PROJECT_ROOT / "docs" / "screenshots" / "embed-host-page.png"), full_page=True)


def test_the_builder_offers_every_kind_of_embed_in_its_first_select(page: Page, embed_app_url):
    for query in ("", "?tile=recycling-rate", "?goal=co2-halve-2030"):
        page.goto(f"{embed_app_url}/einbetten{query}")
        page.wait_for_selector("#embed-builder-scope option", state="attached")
        values = page.locator("#embed-builder-scope option").evaluate_all("os => os.map(o => o.value)")
        assert {value.split(":")[0] for value in values} == {"tile", "goal", "domain", "goals"}, values
        assert "tile:co2-per-inhabitant" in values and "domain:waste" in values
