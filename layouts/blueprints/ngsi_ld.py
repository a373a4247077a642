"""NGSI-LD output, read-only, public data only: /ngsi-ld/v1/entities?type=KeyPerformanceIndicator and
/ngsi-ld/v1/entities/<id> (Smart Data Models KeyPerformanceIndicator, one entity per goal of a public indicator;
see cockpit/views/ngsi_ld.py and docs/standards.md).

Representation as the NGSI-LD API defines it: normalized by default, `options=keyValues` for the simplified
form; `Accept: application/ld+json` (the default) puts the @context in the body, `Accept: application/json`
sends it as a Link header. Paging by `limit` (default 20, at most 1000) and `offset`; `count=true` adds the
NGSILD-Results-Count header. Errors are NGSI-LD ProblemDetails (BadRequestData 400, ResourceNotFound 404).
Caching and the rate limit are those of /api/v1."""

from __future__ import annotations

import json

import flask

from cockpit.views import ngsi_ld
from layouts.blueprints import _public
from layouts.context import current_cockpit

bp = _public.open_data(flask.Blueprint("ngsi_ld", __name__, url_prefix="/ngsi-ld/v1"))
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
QUERY = ("type", "id", "options", "limit", "offset", "count")
MAX_LIMIT = 1000


class BadRequest(ValueError):
    pass


def problem(status: int, kind: str, detail: str) -> flask.Response:
    body = {"type": ERRORS + kind, "title": kind, "detail": detail}
    response = flask.Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = _public.CACHE_CONTROL if status in (400, 404) else "no-store"
    return response


@bp.errorhandler(BadRequest)
def _bad(exc: BadRequest):
    return problem(400, "BadRequestData", str(exc))


@bp.errorhandler(404)
def _missing(_exc):
    return problem(404, "ResourceNotFound", "no such entity or path")


def _single(name: str) -> str | None:
    values = flask.request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"parameter '{name}' given more than once")
    return values[0] if values else None


def _check(allowed: tuple[str, ...]) -> None:
    for name in flask.request.args:
        if name not in allowed:
            raise BadRequest(f"unknown or unsupported parameter '{name[:40]}' (supported: {', '.join(allowed)})")


def _key_values() -> bool:
    options = _single("options")
    if options is None:
        return False
    words = [w.strip() for w in options.split(",")]
    unknown = [w for w in words if w not in ("keyValues", "normalized", "simplified")]
    if unknown:
        raise BadRequest(f"options: {unknown[0][:40]!r} is not keyValues or normalized")
    return "keyValues" in words or "simplified" in words


def _as_ld() -> bool:
    accept = flask.request.accept_mimetypes
    if not accept or accept.best_match(["application/ld+json", "application/json"]) in (None, "application/ld+json"):
        return True
    return accept["application/ld+json"] >= accept["application/json"] > 0 or accept["application/json"] == 0


def _integer(name: str, default: int, low: int, high: int) -> int:
    text = _single(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadRequest(f"parameter '{name}' must be a whole number from {low} to {high}, not {text[:40]!r}")
    return int(text)


def _respond(payload, ld: bool) -> flask.Response:
    response = flask.Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                              mimetype="application/ld+json" if ld else "application/json")
    if not ld:
        response.headers["Link"] = (f'<{ngsi_ld.KPI_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
                                    'type="application/ld+json"')
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/entities")
def entities():
    _check(QUERY)
    kind, ids = _single("type"), _single("id")
    if kind is None and ids is None:
        raise BadRequest("name the entity type (type=KeyPerformanceIndicator) or the ids (id=urn:...,urn:...)")
    key_values, ld = _key_values(), _as_ld()
    limit = _integer("limit", 20, 0, MAX_LIMIT)
    offset = _integer("offset", 0, 0, 1_000_000)
    count = (_single("count") or "false").lower()
    if count not in ("true", "false"):
        raise BadRequest("parameter 'count' must be true or false")
    wanted = {i.strip() for i in ids.split(",")} if ids else None
    cockpit = current_cockpit()

    def build():
        found = [] if kind not in (None, ngsi_ld.ENTITY_TYPE) else ngsi_ld.entities(cockpit, key_values, ld)
        if wanted is not None:
            found = [e for e in found if e["id"] in wanted]
        response = _respond(found[offset:offset + limit], ld)
        if count == "true":
            response.headers["NGSILD-Results-Count"] = str(len(found))
        return response

    return _public.conditional(build)


@bp.route("/entities/<path:entity_id>")
def entity(entity_id: str):
    _check(("options",))
    key_values, ld = _key_values(), _as_ld()
    cockpit = current_cockpit()
    found = [e for e in ngsi_ld.entities(cockpit, key_values, ld) if e["id"] == entity_id]
    if not found:
        flask.abort(404)
    return _public.conditional(lambda: _respond(found[0], ld))


@bp.route("/<path:_rest>")
def unknown(_rest: str):
    flask.abort(404)
