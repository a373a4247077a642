"""Helpers of the browser tests: open a page and wait until it has rendered, check it with axe-core."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page


def open_page(page: Page, url: str, ready: str) -> None:
    """Go to `url` and wait for the selector `ready` and for the network to be idle."""
    page.goto(url)
    page.wait_for_selector(ready, timeout=20_000)
    page.wait_for_load_state("networkidle")


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
