"""Page opens from a cache: the Dash Pages routing callback (the request a browser sends when it opens a URL) is
answered from a kept response when one of the current data version exists.

Key: the viewer class (public; staff by role and department, never one login), the page's output, path and query
(so language, theme and every filter), and the day. An entry is tagged with the data version it shows and used
only while that is the current version: after new data the first page open renders the page again (a fresh page,
not the previous one). Entries older than MAX_AGE_SECONDS (texts that depend on the clock) are rendered again by
one request (an atomic claim, across workers) while the others keep getting the kept one.

Staff pages carry the session's login name and CSRF token: they are rendered with marks in their place and the
marks are replaced per request, so colleagues of one class share an entry and no one gets another's token. The
entries live where the refresh callback's live (layouts/cache.py: Redis with COCKPIT_CACHE_URL, shared by the
workers; else in the process). Responses say which data version they show (X-Cockpit-Data-Version); a kept
public page is compressed once, when the first browser that accepts gzip asks for it, and sent gzip-encoded to every
browser that accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time

import flask

from cockpit.readmodel.snapshot import cached_version, now_local, use_data_version
from cockpit.roles import Role
from layouts import cache
from layouts.auth import csrf_token, current_viewer, render_viewer_as
from layouts.context import current_cockpit

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
VERSION_HEADER = "X-Cockpit-Data-Version"
USER_MARK = "\ue000cockpit-user\ue000"  # private-use characters: never in a page's text
CSRF_MARK = "\ue000cockpit-csrf\ue000"
_PENDING = "cockpit_page_cache"  # flask.g: (key, version, viewer role, lock) of a render to keep
UNCACHED_PATHS = {"/status", "/berichte"}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def viewer_class() -> str:
    """'public', or the staff role with its department: the viewers who are shown the same page."""
    viewer = current_viewer()
    if viewer.role == Role.PUBLIC:
        return "public"
    return f"{viewer.role.value}|{viewer.department or ''}"


def _router_key() -> str | None:
    """The cache key of a routing callback request (None for any other request)."""
    request = flask.request
    if request.method != "POST" or not request.path.endswith(cache.CALLBACK_PATH):
        return None
    body = request.get_data()
    if b"_pages_content" not in body:
        return None
    try:
        payload = json.loads(body)
        inputs = {f"{i['id']}.{i['property']}": i.get("value") for i in payload["inputs"]}
        if payload.get("output") != ROUTER_OUTPUT or payload.get("state"):
            return None
        parts = [inputs.pop("_pages_location.pathname"), inputs.pop("_pages_location.search", None)]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # Dash answers (and refuses) malformed requests itself
    if inputs or not all(p is None or isinstance(p, str) for p in parts):
        return None
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
    return f"page|{viewer_class()}|{digest}|{now_local().date().isoformat()}"


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 4096:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def _accepts_gzip() -> bool:
    return "gzip" in flask.request.headers.get("Accept-Encoding", "")


def _answer(status: int, body: bytes, version: int, packed: bytes | None = None) -> flask.Response:
    """A kept page: gzip-compressed (as kept) for a browser that accepts it, else as is (staff: made personal)."""
    if packed is not None and _accepts_gzip():
        response = flask.Response(packed, status=status, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = flask.Response(_personal(body), status=status, mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    response.headers[VERSION_HEADER] = str(version)
    return response


def _pack(body: bytes, viewer) -> bytes | None:
    """A public page compressed, for a browser that accepts gzip (staff pages are made personal per request and
    never compressed here; a request without gzip does not wait for a compression it does not use)."""
    if viewer.role != Role.PUBLIC or not _accepts_gzip():
        return None
    return gzip.compress(body, compresslevel=6, mtime=0)


def _kept_answer(key: str, entry: tuple) -> flask.Response:
    """A kept page; compressed (and kept so) when this is the first browser accepting gzip to get it."""
    shown, made, status, body, packed = entry
    if packed is None and (packed := _pack(body, current_viewer())) is not None:
        cache.set_entry(key, (shown, made, status, body, packed))
    return _answer(status, body, shown, packed)


def _personal(body: bytes) -> bytes:
    """A kept staff page with this session's login name and CSRF token in place of the marks."""
    viewer = current_viewer()
    if viewer.role == Role.PUBLIC:
        return body
    body = body.replace(CSRF_MARK.encode("utf-8"), csrf_token().encode("utf-8"))
    return body.replace(_json_text(USER_MARK), _json_text(viewer.user or "-"))


def _json_text(value: str) -> bytes:
    """`value` as it appears inside a JSON string (Dash's encoding: ASCII with escapes)."""
    return json.dumps(value)[1:-1].encode("ascii")


def _usable(entry, version: int) -> bool:
    return isinstance(entry, tuple) and len(entry) == 5 and entry[0] == version


def _serve_kept_page():
    key = _router_key()
    if key is None:
        return None
    version = current_cockpit().store.data_version()
    entry = cache.get_entry(key)
    if _usable(entry, version) and (time.time() - entry[1] <= cache.MAX_AGE_SECONDS
                                    or not cache.claim(f"claim|{key}|{entry[1]}")):
        return _kept_answer(key, entry)
    if _uncached_path():
        return None
    lock = _lock(key)  # one render per key in this worker; the others wait for it and take its entry
    held = lock.acquire(timeout=30)
    entry = cache.get_entry(key)
    if _usable(entry, version) and time.time() - entry[1] <= cache.MAX_AGE_SECONDS:
        if held:
            lock.release()
        return _kept_answer(key, entry)
    viewer = current_viewer()
    flask.g.setdefault(_PENDING, (key, version, viewer, lock if held else None))
    render_viewer_as(USER_MARK)
    use_data_version(current_cockpit().store, version)  # the page is rendered from this version's snapshot
    return None


def _uncached_path() -> bool:
    """Pages that show what changes without a new data version (source runs, alerts, reports made, the offices'
    comments on a pending report under /berichte/<id>/kommentare)."""
    try:
        path = json.loads(flask.request.get_data())["inputs"][0]["value"]
    except (ValueError, KeyError, IndexError, TypeError):
        return True
    if not isinstance(path, str):
        return False
    path = path.rstrip("/")
    return any(path == kept or path.startswith(f"{kept}/") for kept in UNCACHED_PATHS)


def _keep_page(response: flask.Response) -> flask.Response:
    pending = flask.g.pop(_PENDING, None)
    if pending is None:
        return response
    key, version, viewer, lock = pending
    use_data_version(current_cockpit().store, None)
    try:
        render_viewer_as(viewer.user)  # the real login name again
        if response.status_code != 200 or response.direct_passthrough:
            return response
        body = response.get_data()
        token = csrf_token()
        if token:
            body = body.replace(token.encode("utf-8"), CSRF_MARK.encode("utf-8"))
        # kept only if built from the current data (a snapshot still being recomputed shows the previous one)
        if cached_version(current_cockpit(), viewer, now_local().date()) in (None, version):
            packed = _pack(body, viewer)
            cache.set_entry(key, (version, time.time(), response.status_code, body, packed))
            return _answer(response.status_code, body, version, packed)
        response.set_data(_personal(body))
        return response
    finally:
        if lock is not None:
            lock.release()


def _release_on_error(_error=None) -> None:
    pending = flask.g.pop(_PENDING, None)
    if pending is not None:
        use_data_version(current_cockpit().store, None)
        if pending[3] is not None:
            pending[3].release()


def init_app(server: flask.Flask) -> None:
    server.before_request(_serve_kept_page)
    server.after_request(_keep_page)
    server.teardown_request(_release_on_error)
