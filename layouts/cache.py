"""Response cache for the public role: rendered callback output per (page, language, data version, day).

With COCKPIT_CACHE_URL (redis://...) the entries live in Redis and are shared by every web worker; otherwise in
the process. A new data version gives new keys, so new data is never hidden behind an old entry; the timeout
bounds what depends on the clock (e.g. "updated 10 minutes ago").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import flask
import plotly.io.json as plotly_json
from flask_caching import Cache

from cockpit.roles import Role
from cockpit.runtime import Cockpit
from cockpit.views.snapshot import cached_version, now_local

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
KEY_PREFIX = "cockpit:resp:"
cache = Cache()


def cache_config(url: str | None) -> dict:
    if url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": KEY_PREFIX,
                "CACHE_DEFAULT_TIMEOUT": TIMEOUT_SECONDS}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 512, "CACHE_DEFAULT_TIMEOUT": TIMEOUT_SECONDS}


def init_app(server: flask.Flask, url: str | None) -> None:
    cache.init_app(server, config=cache_config(url))


def _plain(rendered) -> object:
    """Dash components as the JSON structure Dash sends anyway (cheap to store, returned as is)."""
    return json.loads(plotly_json.to_json_plotly(rendered))


def public_cached(page: str, lang: str, cockpit: Cockpit, compute: Callable[[], tuple[str, object]]
                  ) -> tuple[str, object]:
    """(fingerprint, rendered) of a public page part: from the cache when this page, language and data version
    were rendered before, else computed and stored - only if it was built from a snapshot of the current data
    (a stale-while-revalidate snapshot is shown, never stored under the new version)."""
    version = cockpit.store.data_version()
    day = now_local().date()
    key = f"{page}|{lang}|{version}|{day.isoformat()}"
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        log.warning("response cache unavailable", exc_info=True)
        hit = None
    if hit is not None:
        return hit
    fingerprint, rendered = compute()
    plain = _plain(rendered)
    if cached_version(cockpit, Role.PUBLIC, day) == version:
        try:
            cache.set(key, (fingerprint, plain))
        except Exception:  # noqa: BLE001
            log.warning("response cache unavailable", exc_info=True)
    return fingerprint, plain


def clear() -> None:
    cache.clear()
