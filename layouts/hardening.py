"""Robust request handling in front of Dash: trusted proxies, long query strings, malformed callback bodies,
HTTP 404 for unknown paths.

- `ProxyFix` with COCKPIT_TRUSTED_PROXIES hops: the client address (throttling, audit) and the scheme (Secure
  cookies) come from X-Forwarded-* only when that many proxies are configured; never trusted otherwise.
- Query strings longer than COCKPIT_MAX_QUERY_LENGTH get 414 before Flask or Dash parse anything.
- A body for `/_dash-update-component` must be JSON of at most MAX_DEPTH levels with valid Unicode and no NUL
  characters, have the shape the Dash renderer sends, name a registered callback with its declared outputs,
  inputs and state, and carry values of the right type for well-known properties (a page path starts with '/');
  otherwise 400 with one log line and no traceback. Callbacks check their own inputs with `expect` (also 400).
- Unknown paths under `/_dash-component-suites/` get 404 (Dash raises an exception for them).
- NUL characters in the path or a form field (login name, measure id, report text) get 400 before any view.
- Dash Pages answers every unknown path with its index page and the 404 layout: the status is set to 404.
"""

from __future__ import annotations

import json
import logging
import re

import dash
import flask
from dash.dependencies import ALL, ALLSMALLER, MATCH
from dash.exceptions import DependencyException
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from cockpit.config import Settings
from cockpit.printable import printable

log = logging.getLogger("cockpit.requests")

DASH_KEY = "cockpit.dash"
CALLBACK_PATH = "/_dash-update-component"
_NOT_FOUND = "cockpit.not_found"
MAX_DEPTH = 100  # levels of JSON nesting in a callback body (page trees the renderer sends are far flatter)

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


def valid_text(value: str) -> bool:
    """True if `value` is text a database can store: no NUL characters, no lone surrogates."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    if prop == "pathname" and isinstance(value, str) and not value.startswith("/"):
        raise BadRequest(f"{where}: a page path starts with '/'")


def _declared(dependencies: list) -> list[tuple]:
    return [(d.get("id"), d.get("property")) for d in dependencies]


def parse_body(data: bytes):
    """The JSON of a callback body, or BadRequest (not JSON, invalid UTF-8, too deep)."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BadRequest("body is not JSON") from None
    check_values(body)
    return body


def check_values(value) -> None:
    """BadRequest for nesting deeper than MAX_DEPTH or text with NUL characters or lone surrogates (keys too)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadRequest(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            if not valid_text(item):
                raise BadRequest("NUL character or invalid Unicode")
        elif isinstance(item, dict):
            for key, sub in item.items():
                if not valid_text(key):
                    raise BadRequest("NUL character or invalid Unicode")
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)


def _declared_outputs(spec: dict) -> list[tuple]:
    output = spec.get("output")
    outputs = output if isinstance(output, list | tuple) else [output]
    return [(getattr(o, "component_id", None), getattr(o, "component_property", None)) for o in outputs]


def _check_outputs(body: dict, spec: dict) -> None:
    """`outputs` as the renderer sends it: one entry per declared output (a dict for a single output)."""
    if spec.get("no_output"):
        return
    declared = _declared_outputs(spec)
    if "outputs" not in body:
        raise BadRequest("outputs missing")
    given = body["outputs"]
    multi = isinstance(spec.get("output"), list | tuple)
    if not multi and isinstance(given, dict):
        given = [given]
    if not isinstance(given, list) or len(given) != len(declared):
        raise BadRequest(f"outputs: {len(given) if isinstance(given, list) else 0} given, {len(declared)} declared")
    for item, (dep_id, dep_prop) in zip(given, declared, strict=True):
        if isinstance(dep_id, str) and isinstance(item, dict) and (item["id"], item["property"]) != (dep_id, dep_prop):
            raise BadRequest(f"outputs: {item['id']}.{item['property']} is not a declared output")
        if isinstance(dep_id, str) and not isinstance(item, dict):
            raise BadRequest("outputs: one entry per output")
        if isinstance(dep_id, dict) and not (isinstance(item, dict) and item.get("property") == dep_prop
                                             and _fits_pattern(item.get("id"), dep_id)):
            raise BadRequest("outputs: not an id of the declared pattern")


def _fits_pattern(given, pattern: dict) -> bool:
    """A concrete id of a pattern-matching output: the same keys, the fixed values, a plain value per wildcard."""
    if not isinstance(given, dict) or set(given) != set(pattern):
        return False
    for key, expected in pattern.items():
        value = given[key]
        if any(expected is wildcard for wildcard in (MATCH, ALL, ALLSMALLER)):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                return False
        elif value != expected:
            return False
    return True


def check_callback_body(body, callback_map: dict) -> None:
    """Raise BadRequest unless `body` is a well-formed call of a registered callback."""
    if not isinstance(body, dict):
        raise BadRequest("body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map or "callback" not in callback_map[output]:
        raise BadRequest("output does not name a registered server-side callback")
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
            if isinstance(dep_id, str) and not dep_id.startswith("{") and not isinstance(item, dict):
                raise BadRequest(f"{key}: one entry per dependency")
    _check_outputs(body, spec)


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
    def _refuse_unstorable_text():
        """NUL characters (and lone surrogates) in the path or a form: 400 before any view, so none reaches the
        database (PostgreSQL refuses NUL in text with a driver error). Query parameters are left to the routes,
        which validate them (the API names the parameter) or ignore unknown values (filters)."""
        request = flask.request
        values = [request.path]
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded",
                                                             "multipart/form-data"):
            values += [*request.form.keys(), *request.form.values()]
        if not all(valid_text(v) for v in values):
            log.warning("400 for a request with a NUL character or invalid Unicode from %s: %s",
                        request.remote_addr, printable(request.path[:200]))
            return flask.Response("400 Bad Request\n", 400, mimetype="text/plain")
        return None

    @server.before_request
    def _validate_callback_body():
        request = flask.request
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        app = server.extensions.get(DASH_KEY)
        try:
            if not request.is_json:
                raise BadRequest("not a JSON request")
            body = parse_body(request.get_data(cache=True))
            check_callback_body(body, app.callback_map if app is not None else {})
        except BadRequest as exc:
            log.warning("400 for a malformed callback request from %s: %s", request.remote_addr,
                        printable(exc.description))
            return flask.Response("400 Bad Request\n", 400, mimetype="text/plain")
        return None

    @server.errorhandler(BadCallbackInput)
    def _bad_input(exc: BadCallbackInput):
        log.warning("400 for a callback input from %s: %s", flask.request.remote_addr, printable(exc.description))
        return flask.Response("400 Bad Request\n", 400, mimetype="text/plain")

    @server.errorhandler(DependencyException)
    def _unknown_asset(exc: DependencyException):
        log.info("404 for an unknown Dash asset: %s", printable(flask.request.path[:200]))
        return flask.Response("404 Not Found\n", 404, mimetype="text/plain")

    @server.after_request
    def _not_found_status(response: flask.Response) -> flask.Response:
        if flask.request.environ.get(_NOT_FOUND) and response.status_code == 200:
            response.status_code = 404
        return response
