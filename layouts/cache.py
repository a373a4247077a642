"""Response cache for the public role: rendered callback output per (page, language, day), tagged with the
data version it shows.

With COCKPIT_CACHE_URL (redis://...) the entries live in Redis and are shared by every web worker; otherwise in
the process. After new data, viewers get the previous entry while one background thread (one per version across
workers, by an atomic claim) renders the new one; the timeout bounds what depends on the clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import date

import flask
import plotly.io.json as plotly_json
from flask_caching import Cache

from cockpit.readmodel.snapshot import cached_version, now_local
from cockpit.roles import Role
from cockpit.runtime import Cockpit
from layouts.context import current_cockpit

_ROLE_OF_REQUEST = "COCKPIT_ROLE_OF_REQUEST"

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3600  # how long an entry is kept at all
MAX_AGE_SECONDS = 60  # older entries are served once more and re-rendered (what depends on the clock)
KEY_PREFIX = "cockpit:resp:"
cache = Cache()


def cache_config(url: str | None) -> dict:
    if url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": KEY_PREFIX,
                "CACHE_DEFAULT_TIMEOUT": TIMEOUT_SECONDS}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 128, "CACHE_DEFAULT_TIMEOUT": TIMEOUT_SECONDS}


def init_app(server: flask.Flask, url: str | None, role_of_request: Callable[[], Role]) -> None:
    """Attach the cache to `server`; `role_of_request` resolves the viewer's role (layouts.auth.current_role)."""
    cache.init_app(server, config=cache_config(url))
    server.config[_ROLE_OF_REQUEST] = role_of_request
    server.before_request(_serve_stored_response)
    server.after_request(_store_response)


# ------------------------------------------------------------------ whole responses
# A public callback answered from a current cache entry (see public_cached) marks the request; its HTTP response
# is then kept as bytes, keyed by the request body, and the next identical public request is answered before Dash
# parses it (no component tree, no JSON encoding). Entries are tagged with the data version and checked per request.

CALLBACK_PATH = "/_dash-update-component"
_MARK = "cockpit_response_version"


def _response_key(day: date) -> str:
    return f"http|{hashlib.sha256(flask.request.get_data()).hexdigest()}|{day.isoformat()}"


def _public_callback_request() -> bool:
    request = flask.request
    return (request.method == "POST" and request.path.endswith(CALLBACK_PATH)
            and flask.current_app.config[_ROLE_OF_REQUEST]() == Role.PUBLIC)


def _serve_stored_response():
    if not _public_callback_request():
        return None
    cockpit = current_cockpit()
    entry = _get(_response_key(now_local().date()))
    if entry is None:
        return None
    version, made, status, body = entry
    if version != cockpit.store.data_version() or time.time() - made > MAX_AGE_SECONDS:
        return None
    return flask.Response(body, status=status, mimetype="application/json")


def _store_response(response: flask.Response) -> flask.Response:
    version = flask.g.pop(_MARK, None)
    if version is not None and response.status_code in (200, 204) and not response.direct_passthrough:
        _set(_response_key(now_local().date()), (version, time.time(), response.status_code, response.get_data()))
    return response


def _plain(rendered) -> object:
    """Dash components as the JSON structure Dash sends anyway (cheap to store, returned as is)."""
    return json.loads(plotly_json.to_json_plotly(rendered))


def _get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        log.warning("response cache unavailable", exc_info=True)
        return None


def _set(key: str, value) -> None:
    try:
        cache.set(key, value)
    except Exception:  # noqa: BLE001
        log.warning("response cache unavailable", exc_info=True)


def _claim(key: str) -> bool:
    """True for exactly one caller per key while the claim lives (atomic add; shared through Redis)."""
    try:
        return bool(cache.add(key, 1, timeout=CLAIM_SECONDS))
    except Exception:  # noqa: BLE001
        return False


CLAIM_SECONDS = 60
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def _compute_and_store(key: str, version: int, day: date, cockpit: Cockpit,
                       compute: Callable[[], tuple[str, object]]) -> tuple[str, object]:
    fingerprint, rendered = compute()
    plain = _plain(rendered)
    if cached_version(cockpit, Role.PUBLIC, day) == version:  # built from the current data: keep it
        _set(key, (version, time.time(), fingerprint, plain))
    return fingerprint, plain


def _refresh_in_background(key: str, version: int, made: float, day: date, cockpit: Cockpit, compute) -> None:
    claim = f"claim|{key}|{version}|{made}"
    if not _claim(claim):
        return  # another viewer (or worker) recomputes this version already
    app = flask.current_app._get_current_object()

    def run():
        with app.app_context():
            try:
                _compute_and_store(key, version, day, cockpit, compute)
            except Exception:  # noqa: BLE001 - the next viewer tries again
                log.exception("background refresh of %s failed", key)
            finally:
                with contextlib.suppress(Exception):
                    cache.delete(claim)

    thread = threading.Thread(target=run, name="cockpit-refresh", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


def wait_for_refreshes(timeout: float = 60.0) -> None:
    """Wait until the background refreshes started so far are done (tests, benchmarks)."""
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)


def public_cached(page: str, lang: str, cockpit: Cockpit, compute: Callable[[], tuple[str, object]]
                  ) -> tuple[str, object]:
    """(fingerprint, rendered) of a public page part, stale-while-revalidate: the entry of this page, language
    and day when it is of the current data version; after new data the previous entry while one viewer's
    background thread renders the new one (stored only if it was built from a snapshot of the current data);
    rendered in the request only when there is no entry at all."""
    version = cockpit.store.data_version()
    day = now_local().date()
    key = f"{page}|{lang}|{day.isoformat()}"
    entry = _get(key)
    if entry is not None:
        shown_version, made, fingerprint, plain = entry
        if shown_version != version or time.time() - made > MAX_AGE_SECONDS:
            _refresh_in_background(key, version, made, day, cockpit, compute)
        elif flask.has_request_context():
            flask.g.setdefault(_MARK, version)  # current: the whole response may be kept too
        return fingerprint, plain
    return _compute_and_store(key, version, day, cockpit, compute)


def clear() -> None:
    cache.clear()


# shared with the page cache (layouts/page_cache.py): the same store, Redis when configured
get_entry, set_entry, claim = _get, _set, _claim
