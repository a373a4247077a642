"""Open data: /api/v1/pathway (json|csv; `off` = measures switched off for a "what if").

Public like the rest of the open-data API: public measures and goals only, whatever the request says; the same
guards (public role, rate limit) and conditional GET (ETag over data version, day, configuration and query).
"""

from __future__ import annotations

import flask

from cockpit.views import params
from cockpit.views.pathway import api_csv, api_payload, parse_off
from layouts.blueprints import _public
from layouts.blueprints.api import error, json_response, known_params, open_data_blueprint
from layouts.context import current_cockpit

bp = open_data_blueprint("api_pathway", __name__)
PARAMS = ("format", "off")


@bp.route("/pathway")
def pathway():
    args = flask.request.args
    known_params(args, PARAMS)
    fmt = params.choice(args, "format", ("json", "csv"), "json")
    off = parse_off(args.get("off"))

    def build():
        payload = api_payload(current_cockpit(), off)
        if payload is None:
            return error(404, "no climate balance stored")
        if fmt == "csv":
            response = flask.Response(api_csv(payload), mimetype="text/csv")
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            response.headers["Content-Disposition"] = 'attachment; filename="klimapfad.csv"'
            return response
        return json_response(payload)

    return _public.conditional(build)
