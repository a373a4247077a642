"""Per-app setup of the page-open cache (layouts/page_cache.py); no HTTP surface of its own."""

from __future__ import annotations

import flask

from layouts import page_cache


def init_app(server: flask.Flask) -> None:
    page_cache.init_app(server)
