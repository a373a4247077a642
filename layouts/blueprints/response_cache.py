"""Per-app setup of the public response cache (layouts/cache.py); no HTTP surface of its own."""

from __future__ import annotations

import flask

from layouts import cache
from layouts.auth import current_role
from layouts.context import current_cockpit


def init_app(server: flask.Flask) -> None:
    with server.app_context():
        url = current_cockpit().settings.cache_url
    cache.init_app(server, url, current_role)
