"""Robust request handling in front of Dash: trusted proxies, long query strings, malformed callback bodies,
HTTP 404 for unknown paths.

- `ProxyFix` with COCKPIT_TRUSTED_PROXIES hops: the client address (throttling, audit) and the scheme (Secure
  cookies) come from X-Forwarded-* only when that many proxies are configured; never trusted otherwise.
- Query strings longer than COCKPIT_MAX_QUERY_LENGTH get 414 before Flask or Dash parse anything.
- A body for `/_dash-update-component` must have the shape the Dash renderer sends, name a registered callback
  with its declared inputs, and carry values of the right type for well-known properties; otherwise 400 with
  one log line and no traceback. Callbacks check their own inputs with `expect` (also 400).
- Dash Pages answers every unknown path with its index page and the 404 layout: the status is set to 404.
"""

from __future__ import annotations

import logging
import re

import dash
import flask
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from cockpit.config import Settings

log = logging.getLogger("cockpit.requests")

DASH_KEY = "cockpit.dash"
CALLBACK_PATH = "/_dash-update-component"
_NOT_FOUND = "cockpit.not_found"

# Properties whose values have a known type, whatever component carries them.
_STRING_PROPS = {"pathname", "search", "hash", "href"}
_INT_PROPS = {"n_intervals", "n_clicks", "n_submit", "n_blur"}


class BadCallbackInput(BadRequest):
    """A callback input has the wrong type (400, logged as one line)."""


def expect(value, *types, name: str = "input"):
    """`value` if it is an instance of `types` (None allowed when listed); else 400 for the request."""
    if value is None and type(None) in types:
        return value
    if isinstance(value, bool) and bool not in types:  # bool is an int in Python; never accepted as one
        raise BadCallbackInput(f"{name}: unexpected type bool")
    if not isinstance(value, tuple(t for t in types if t is not type(None))):
        raise BadCallbackInput(f"{name}: unexpected type {type(value).__name__}")
    return value


# ------------------------------------------------------------------------------------------------ pages


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(<[^>]+>)", template)
    return re.compile("".join("[^/]+" if p.startswith("<") else re.escape(p) for p in parts))


def page_for(path: str) -> dict | None:
    """The registered Dash page serving `path` (exact path or path template), or None."""
    path = path.rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page.get("path") == path:
            return page
        template = page.get("path_template")
        if template and _template_regex(template).fullmatch(path):
            return page
    return None


def mark_not_found() -> None:
    flask.request.environ.setdefault(_NOT_FOUND, True)


# ------------------------------------------------------------------------------------------------ callbacks


def _is_id(value) -> bool:
    return isinstance(value, str) and len(value) <= 512 or isinstance(value, dict) and len(value) <= 16


def _check_item(item, where: str) -> None:
    """One output/input/state entry: {"id": str|dict, "property": str, ["value": ...]} or a list of them."""
    if isinstance(item, list):
        if len(item) > 1000:
            raise BadRequest(f"{where}: too many entries")
        for sub in item:
            _check_item(sub, where)
        return
    if not isinstance(item, dict) or not _is_id(item.get("id")) or not isinstance(item.get("property"), str):
        raise BadRequest(f"{where}: each entry needs an id and a property")
    prop, value = item["property"], item.get("value")
    if prop in _STRING_PROPS and value is not None and not isinstance(value, str):
        raise BadRequest(f"{where}: {prop} must be a string")
    if prop in _INT_PROPS and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(f"{where}: {prop} must be a whole number")


def _declared(dependencies: list) -> list[tuple]:
    return [(d.get("id"), d.get("property")) for d in dependencies]


def check_callback_body(body, callback_map: dict) -> None:
    """Raise BadRequest unless `body` is a well-formed call of a registered callback."""
    if not isinstance(body, dict):
        raise BadRequest("body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        raise BadRequest("output does not name a registered callback")
    for key in ("outputs", "inputs", "state"):
        value = body.get(key, [])
        if key == "outputs" and isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise BadRequest(f"{key} must be a list")
        _check_item(value, key)
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadRequest("changedPropIds must be a list of strings")
    spec = callback_map[output]
    for key, declared in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        given = body.get(key, [])
        if len(given) != len(declared):
            raise BadRequest(f"{key}: {len(given)} given, {len(declared)} declared")
        for item, (dep_id, dep_prop) in zip(given, _declared(declared), strict=True):
            plain = isinstance(item, dict) and isinstance(item["id"], str) and isinstance(dep_id, str) \
                and not dep_id.startswith("{")  # pattern-matching ids are checked by their shape only
            if plain and (item["id"], item["property"]) != (dep_id, dep_prop):
                raise BadRequest(f"{key}: {item['id']}.{item['property']} is not a declared dependency")


# ------------------------------------------------------------------------------------------------ WSGI


class QueryLimit:
    """414 for query strings longer than `limit` bytes, before anything parses them."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        if len(environ.get("QUERY_STRING", "")) > self.limit:
            start_response("414 URI Too Long", [("Content-Type", "text/plain; charset=utf-8"),
                                                ("Content-Length", "17"), ("Cache-Control", "no-store")])
            return [b"414 URI Too Long\n"]
        return self.app(environ, start_response)


def init_app(server: flask.Flask, settings: Settings) -> None:
    wsgi = server.wsgi_app
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        wsgi = ProxyFix(wsgi, x_for=n, x_proto=n, x_host=n, x_port=n)
    server.wsgi_app = QueryLimit(wsgi, settings.max_query_length)

    @server.before_request
    def _validate_callback_body():
        request = flask.request
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        app = server.extensions.get(DASH_KEY)
        try:
            check_callback_body(request.get_json(silent=True), app.callback_map if app is not None else {})
        except BadRequest as exc:
            log.warning("400 for a malformed callback request from %s: %s", request.remote_addr, exc.description)
            return flask.Response("400 Bad Request\n", 400, mimetype="text/plain")
        return None

    @server.errorhandler(BadCallbackInput)
    def _bad_input(exc: BadCallbackInput):
        log.warning("400 for a callback input from %s: %s", flask.request.remote_addr, exc.description)
        return flask.Response("400 Bad Request\n", 400, mimetype="text/plain")

    @server.after_request
    def _not_found_status(response: flask.Response) -> flask.Response:
        if flask.request.environ.get(_NOT_FOUND) and response.status_code == 200:
            response.status_code = 404
        return response
