"""Peer comparison in the open-data API: /api/v1/indicators/<id>/peers (the city's value beside the median and
range of its municipality type and the chosen peers, year, source, demo flag; see cockpit/views/peers.py).
Public indicators only; caching and the rate limit are those of /api/v1; 404 for an indicator without a
comparison or one the public may not see."""

from __future__ import annotations

import flask

from cockpit.roles import Role
from cockpit.views import opendata as od
from cockpit.views import peers
from cockpit.views.params import ParameterError
from layouts.blueprints import _public
from layouts.blueprints.api import error, json_response, known_params, open_data_blueprint
from layouts.context import current_cockpit

bp = open_data_blueprint("peers", __name__)


@bp.route("/indicators/<indicator_id>/peers")
def comparison(indicator_id: str):
    known_params(flask.request.args, ("lang",))
    lang = flask.request.args.get("lang", "de")
    if lang not in ("de", "en"):
        raise ParameterError("lang", f"{lang[:20]!r} is not one of de, en")
    cockpit = current_cockpit()
    if od.public_indicator(cockpit.catalog, indicator_id) is None:
        return error(404, "not found: no public indicator with this id")
    found = peers.compare(cockpit, Role.PUBLIC, indicator_id, lang)
    if found is None:
        return error(404, f"not found: no peer comparison for {indicator_id}")
    data = peers.peer_data(cockpit)

    def build():
        record = peers.api_record(found, data.source if data else {})
        return json_response(record)

    return _public.conditional(build)
