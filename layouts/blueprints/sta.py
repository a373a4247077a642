"""OGC SensorThings API 1.1, read-only, public data only: /sta/v1.1 and every resource path below it (Things,
Locations, Sensors, ObservedProperties, Datastreams, Observations, FeaturesOfInterest) with the OData options
$top, $skip, $count, $orderby, $select, $expand and $filter (see cockpit/views/sta.py and docs/standards.md).

Public whatever the request says (no session; every read is for the public role and filters in SQL). Caching
and the rate limit are those of /api/v1 (ETag/Last-Modified by data version, 304, `public, max-age=60`; the
shared per-client limit, then 429). A malformed request is a 400 naming the problem, an unknown entity a 404."""

from __future__ import annotations

import json

import flask

from cockpit.views import sta
from cockpit.views.sta_query import NotImplementedOption, QueryError
from layouts.blueprints import _public
from layouts.blueprints.api import json_response
from layouts.context import current_cockpit

bp = _public.open_data(flask.Blueprint("sta", __name__, url_prefix=sta.VERSION_PATH))


def error(status: int, message: str) -> flask.Response:
    """The error body of FROST-Server, the reference implementation: code, type, message."""
    response = flask.Response(json.dumps({"code": status, "type": "error", "message": message}),
                              status=status, mimetype="application/json")
    response.headers["Cache-Control"] = _public.CACHE_CONTROL if status in (400, 404) else "no-store"
    return response


@bp.errorhandler(QueryError)
def _bad_query(exc: QueryError):
    return error(501 if isinstance(exc, NotImplementedOption) else 400, str(exc))


@bp.errorhandler(sta.NotFound)
def _missing(_exc):
    return error(404, "not found: no such entity or path (see /sta/v1.1 for the entity sets)")


def _args() -> dict[str, str]:
    args = flask.request.args
    for name in args:
        if len(args.getlist(name)) > 1:
            raise QueryError(f"the query option {name[:40]} is given more than once")
    return dict(args.items())


@bp.route("")
@bp.route("/")
def root():
    if flask.request.args:
        raise QueryError("the service root takes no query options")
    service = sta.Service(current_cockpit(), _public.base_url())
    return _public.conditional(lambda: json_response(service.root_document()))


@bp.route("/<path:path>")
def resource(path: str):
    args = _args()
    service = sta.Service(current_cockpit(), _public.base_url())
    def build():
        answer = service.answer(path, args)
        if answer is None:  # a single-valued property that is null (the specification's 204 No Content)
            return flask.Response(status=204)
        return json_response(answer)

    return _public.conditional(build)
