"""Browser: `/` fully drawn at 1920x1080 in Debian's Chromium (Playwright), against the app served by a real
HTTP server on loopback.

"Fully drawn" = on the page's own clock (ms since navigation start) the later of: the tile grid is in the page
with every sparkline image decoded, and the end of the last network response (the page is then network-idle:
Playwright's 500 ms without requests is waited for, but not counted)."""

from __future__ import annotations

import statistics
import threading
from collections.abc import Callable
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

DRAWN = """() => {
  const tiles = document.querySelectorAll('#overview-content .tile');
  if (!tiles.length) return false;
  for (const img of document.querySelectorAll('#overview-content .tile img')) {
    if (!img.complete || !img.naturalWidth) return false;
  }
  return performance.now();
}"""

LAST_RESPONSE = """() => Math.max(
  ...performance.getEntriesByType('navigation').map(e => e.loadEventEnd),
  ...performance.getEntriesByType('resource').map(e => e.responseEnd))"""


def available() -> str | None:
    """None when the browser bench can run, else why not."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing (pip install -e '.[test]')"
    return None


def fully_drawn_ms(page, url: str) -> float:
    page.goto(url, wait_until="commit")
    drawn = page.wait_for_function(DRAWN, polling="raf", timeout=60_000).json_value()
    page.wait_for_load_state("networkidle", timeout=60_000)
    tiles = page.locator("#overview-content .tile").count()
    if not tiles:
        raise RuntimeError("no tile on /")
    return max(float(drawn), float(page.evaluate(LAST_RESPONSE)))


def measure(wsgi_app, loads: int, new_data: Callable[[], None]) -> tuple[float, float, float, int]:
    """ms of a first visit (empty browser cache), median ms of `loads` further loads of `/` (warm), median ms of
    `loads` loads each right after `new_data()`; the number of tiles."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="bench-browser-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/?lang=de"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
            context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="de-DE",
                                          timezone_id="Europe/Berlin")
            page = context.new_page()
            first = fully_drawn_ms(page, url)  # a first visit; then the HTTP cache holds the scripts
            tiles = page.locator("#overview-content .tile").count()
            warm = [fully_drawn_ms(page, url) for _ in range(loads)]
            fresh = []
            for _ in range(loads):
                new_data()
                fresh.append(fully_drawn_ms(page, url))
            browser.close()
    finally:
        server.shutdown()
        thread.join(10)
    return first, statistics.median(warm), statistics.median(fresh), tiles
