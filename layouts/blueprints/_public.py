"""What the public-only routes (embeds, open-data API) share: no session and no cookie, the public role
whatever the request says, caching by data version (ETag, Last-Modified, 304, `public, max-age=60`), the
cockpit's public base URL, and the API rate limit shared by every worker (a sliding window counted in the
database or in Redis, failing closed)."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import UTC, datetime

import flask
from flask.sessions import SessionInterface

from cockpit.kpi import LOCAL_TZ
from layouts import security
from layouts.context import current_cockpit

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=60"
PUBLIC_PATHS = ("/embed/", "/embed.js", "/api/", "/sta/", "/ngsi-ld/")
_STAMPS: dict[int, str] = {}


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PATHS)


def public_only(embed: bool = False) -> None:
    """A before_request hook of the public routes: marks the response public (see security.mark_public)."""
    security.mark_public(embed=embed)


class PublicRouteSessions(SessionInterface):
    """Wraps the app's session interface: on public routes there is no session at all (a null session), so a
    staff cookie is neither read nor refreshed, the role is public whatever the cookie says, and the response
    carries no Set-Cookie and no Vary: Cookie (it may sit in shared caches)."""

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def open_session(self, app, request):
        if is_public_path(request.path):
            return self.make_null_session(app)
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if is_public_path(flask.request.path):
            return None
        return self.inner.save_session(app, session, response)

    def is_null_session(self, obj) -> bool:
        return self.inner.is_null_session(obj)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)


def install_sessions(server: flask.Flask) -> None:
    if not isinstance(server.session_interface, PublicRouteSessions):
        server.session_interface = PublicRouteSessions(server.session_interface)


def _configured_base() -> str | None:
    configured = current_cockpit().settings.public_url
    return configured.rstrip("/") if configured and configured.startswith("http") else None


def base_url() -> str:
    """The cockpit's public address, without a slash: COCKPIT_PUBLIC_URL (`serve` sets it outside --dev, so
    absolute links never come from the Host header in production); only without it (development server, an
    own WSGI setup) the address of this request - then the ETag includes it and the response says Vary: Host,
    so that no shared cache hands links built from one Host header to requests with another."""
    return _configured_base() or flask.request.host_url.rstrip("/")


def _config_stamp() -> str:
    """Changes when the catalog or a setting that shapes public output changes (the same in every worker)."""
    cockpit = current_cockpit()
    key = id(cockpit)
    stamp = _STAMPS.get(key)
    if stamp is None:
        settings = cockpit.settings.model_dump_json(exclude={"secret_key", "internal_password", "database_url"})
        digest = hashlib.sha256((cockpit.catalog.model_dump_json() + settings).encode("utf-8"))
        stamp = _STAMPS[key] = digest.hexdigest()[:16]
    return stamp


def validators() -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) of this request's public response: data version, day of evaluation, configuration,
    path and query string. Last-Modified is the later of the last data change and today's local midnight
    (goal evaluations are made for the current day)."""
    store = current_cockpit().store
    today = datetime.now(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    args = sorted(flask.request.args.items(multi=True))
    material = repr((store.data_version(), today.date().isoformat(), _config_stamp(), flask.request.path, args,
                     base_url()))
    etag = hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
    changed = store.data_changed_at()
    last = today.astimezone(UTC) if changed is None else max(changed, today.astimezone(UTC))
    return etag, last.replace(microsecond=0)


def not_modified(etag: str, last_modified: datetime | None) -> flask.Response | None:
    """A 304 when the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    request = flask.request
    fresh = False
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    elif request.if_modified_since is not None and last_modified is not None:
        fresh = last_modified <= request.if_modified_since
    if not fresh:
        return None
    response = flask.Response(status=304)
    return cacheable(response, etag, last_modified)


def cacheable(response: flask.Response, etag: str, last_modified: datetime | None) -> flask.Response:
    response.set_etag(etag, weak=True)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    if _configured_base() is None:  # links in the body follow the Host header (see base_url)
        response.vary.add("Host")
    return response


# ------------------------------------------------------------------------------------------------ rate limit


def sliding_estimate(hits: int, previous: int, elapsed: float, window: int) -> float:
    """Requests in the last `window` seconds, estimated from two fixed windows: the previous window's hits
    weighted by how much of it still lies inside the sliding window, plus this window's hits. No double burst
    at a window edge: right after it, the previous window still counts (almost) fully."""
    return previous * (1 - elapsed / window) + hits


def retry_after(hits: int, previous: int, elapsed: float, window: int, limit: int) -> int:
    """Seconds until one more request would be within the limit, if the client sends nothing meanwhile."""
    room = limit - 1
    if hits <= room:  # the previous window's share has to shrink: (1 - f) * previous + hits <= room
        needed = 1 - (room - hits) / previous if previous else 0.0
        wait = needed * window - elapsed
    else:  # only in the next window, when this window's hits have faded enough
        needed = 1 - room / hits if hits else 0.0
        wait = (window - elapsed) + needed * window
    return max(1, math.ceil(wait))


def rate_limited(scope: str) -> flask.Response | None:
    """Count this request of the client (sliding window, shared by every worker: in the database, or in Redis
    when COCKPIT_CACHE_URL names one); a 429 with Retry-After once it is over the limit, a 503 with Retry-After
    when it cannot be counted now (the limit fails closed)."""
    settings = current_cockpit().settings
    limit, window = settings.api_rate_limit, settings.api_rate_window
    if limit <= 0:
        return None
    now = time.time()
    number = int(now // window)
    elapsed = now - number * window
    client = f"{scope}:{flask.request.remote_addr or '?'}"[:128]
    counted = current_cockpit().hit_counter.count_hit(client, number)
    if counted is None:
        return _refused(503, "the request could not be counted against the rate limit now; retry shortly", 1)
    hits, previous = counted
    estimate = sliding_estimate(hits, previous, elapsed, window)
    if estimate <= limit:  # RateLimit-Reset: when this fixed window ends (its hits start to fade)
        flask.g.rate_limit = (limit, max(0, math.floor(limit - estimate)), max(1, math.ceil(window - elapsed)))
        return None
    reset = retry_after(hits, previous, elapsed, window, limit)
    flask.g.rate_limit = (limit, 0, reset)
    return _refused(429, f"too many requests: at most {limit} per {window} seconds per client; retry after "
                         f"{reset} seconds", reset)


def _refused(status: int, message: str, retry: int) -> flask.Response:
    response = flask.jsonify(error={"status": status, "message": message})
    response.status_code = status
    response.headers["Retry-After"] = str(retry)
    response.headers["Cache-Control"] = "no-store"
    return response


def rate_limit_headers(response: flask.Response) -> flask.Response:
    found = flask.g.get("rate_limit")
    if found is not None:
        limit, remaining, reset = found
        response.headers["RateLimit-Limit"] = str(limit)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(reset)
    return response


def open_data(bp: flask.Blueprint) -> flask.Blueprint:
    """Install the guards every open-data surface shares (/api/v1, /sta, /ngsi-ld) on `bp`: the public role
    whatever the request says, the per-client rate limit of /api/v1, any site may read it (CORS `*`), and the
    rate-limit headers on the answer."""

    @bp.before_request
    def _guard():
        public_only()
        return rate_limited("api")

    @bp.after_request
    def _headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")  # open data: any site may read it
        return rate_limit_headers(response)

    return bp


def conditional(build):
    """Conditional GET around a response builder: 304 when the client's copy is current, else the response of
    `build()` with ETag, Last-Modified and the public cache headers."""
    etag, last_modified = validators()
    unchanged = not_modified(etag, last_modified)
    if unchanged is not None:
        return unchanged
    return cacheable(build(), etag, last_modified)
