"""District GeoJSON for map clients, public data only: /api/v1/indicators/<id>/districts.geojson[?year=YYYY]
(see cockpit/views/district_geojson.py and docs/standards.md). Public whatever the request says; caching and the
rate limit are those of /api/v1; a malformed year is a 400, an unknown, internal or city-wide-only indicator a
404."""

from __future__ import annotations

import flask

from cockpit.roles import Role
from cockpit.views import district_geojson, params, snapshot
from cockpit.views import opendata as od
from layouts.blueprints import _public
from layouts.blueprints.api import error, json_response, known_params, open_data_blueprint
from layouts.context import current_cockpit

bp = open_data_blueprint("geo", __name__)


@bp.route("/indicators/<indicator_id>/districts.geojson")
def districts(indicator_id: str):
    args = flask.request.args
    known_params(args, ("year",))
    year = params.integer(args, "year", 0, 1900, 2200) or None
    cockpit = current_cockpit()
    indicator = od.public_indicator(cockpit.catalog, indicator_id)
    if indicator is None:
        return error(404, "not found: no public indicator with this id")
    if indicator.spatial != "district":
        return error(404, f"not found: {indicator.id} has city-wide values only (no district values)")

    def build():
        demo = indicator.id in snapshot(cockpit, Role.PUBLIC).synthetic
        payload = district_geojson.feature_collection(cockpit, indicator, year, _public.base_url(), demo)
        return json_response(payload, "application/geo+json")

    return _public.conditional(build)
