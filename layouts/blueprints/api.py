"""Open data, read-only: /api/v1/indicators, /api/v1/indicators/<id>, /api/v1/indicators/<id>/observations
(json|csv; from, to, district, resolution, paging), /api/v1/goals, /api/v1/openapi.json, /api/v1/dcat.jsonld.

Public indicators only, whatever cookies, headers or parameters say (every read passes the public role to the
store, which filters in SQL). Responses carry ETag/Last-Modified from the data version and
`Cache-Control: public, max-age=60`; conditional requests get 304. Each client may make COCKPIT_API_RATE_LIMIT
requests per COCKPIT_API_RATE_WINDOW seconds (counted in the database, so it holds across workers), then 429
with Retry-After. A malformed parameter is a 400 naming it; an unknown or internal indicator a 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import flask

from cockpit.i18n import LANGUAGES
from cockpit.roles import Role
from cockpit.runtime import Cockpit
from cockpit.views import Snapshot, build_goals, params, snapshot
from cockpit.views import opendata as od
from cockpit.views.archived import note as archive_note
from cockpit.views.dcat import dcat_document
from cockpit.views.openapi import openapi_document
from cockpit.views.params import ParameterError
from layouts.blueprints import _public
from layouts.context import current_cockpit

PREFIX = od.API_PREFIX


def _bad_parameter(exc: ParameterError):
    return error(400, str(exc))


def open_data_blueprint(name: str, import_name: str) -> flask.Blueprint:
    """A blueprint under /api/v1 with the open-data guards (`_public.open_data`); a bad parameter is a 400."""
    blueprint = _public.open_data(flask.Blueprint(name, import_name, url_prefix=PREFIX))
    blueprint.register_error_handler(ParameterError, _bad_parameter)
    return blueprint


bp = open_data_blueprint("api", __name__)
JSON_LD = "application/ld+json"


@bp.errorhandler(404)
def _not_found(_exc):
    return error(404, "not found")


def init_app(server: flask.Flask) -> None:
    _public.install_sessions(server)

    @server.errorhandler(405)
    def _not_allowed(exc):
        """Routing answers other methods before any blueprint sees them: JSON under the API prefix only."""
        if not flask.request.path.startswith(PREFIX + "/"):
            return exc
        response = error(405, "method not allowed: the open-data API is read-only (GET)")
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response


def error(status: int, message: str) -> flask.Response:
    response = flask.jsonify(error={"status": status, "message": message})
    response.status_code = status
    response.headers["Cache-Control"] = _public.CACHE_CONTROL if status in (400, 404) else "no-store"
    return response


def known_params(args, names: tuple[str, ...]) -> None:
    """Unknown parameters are an error (a typo such as `form=` must not silently return everything)."""
    for name in args:
        if name not in names:
            raise ParameterError(name, f"unknown parameter (allowed: {', '.join(names)})")




def json_response(payload, mimetype: str = "application/json") -> flask.Response:
    return flask.Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), mimetype=mimetype)


def _paging(args) -> tuple[int, int]:
    page = params.integer(args, "page", 1, 1, 1_000_000)
    per_page = params.integer(args, "per_page", od.DEFAULT_PER_PAGE, 1, od.MAX_PER_PAGE)
    return page, per_page


def _page_slice(items: list, page: int, per_page: int) -> list:
    return items[(page - 1) * per_page:page * per_page]


def _link_header(links: dict) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self")


def _paged(items_total: int, page: int, per_page: int, data: list) -> dict:
    base = _public.base_url() + flask.request.path
    links = od.page_links(base, dict(flask.request.args.items()), page, per_page, items_total)
    return {"data": data, "meta": od.page_meta(page, per_page, items_total), "links": links}


def _list_paging(args) -> tuple[int, int]:
    """Page and page size of a plain list route (no other parameter allowed)."""
    known_params(args, ("page", "per_page"))
    return _paging(args)


def _page_response(items: list, page: int, per_page: int) -> flask.Response:
    """One page of `items` as JSON with its meta and links, the links also in the Link header."""
    payload = _paged(len(items), page, per_page, _page_slice(items, page, per_page))
    response = json_response(payload)
    response.headers["Link"] = _link_header(payload["links"])
    return response


def _coverage() -> dict:
    cockpit = current_cockpit()
    return od.coverage_by_indicator(snapshot(cockpit, Role.PUBLIC).annual)


# ------------------------------------------------------------------------------------------------ routes


def _public_list(items: Callable[[Cockpit, Snapshot], list[dict]]) -> flask.Response:
    """A list route: its paging parameters checked first, then one page of `items` (of the public snapshot)."""
    page, per_page = _list_paging(flask.request.args)

    def build():
        cockpit = current_cockpit()
        return _page_response(items(cockpit, snapshot(cockpit, Role.PUBLIC)), page, per_page)

    return _public.conditional(build)


@bp.route("/indicators")
def indicators():
    def items(cockpit: Cockpit, snap: Snapshot) -> list[dict]:
        coverage = od.coverage_by_indicator(snap.annual)
        return [od.indicator_record(ind, cockpit.catalog, _public.base_url(), ind.id in snap.synthetic,
                                    coverage.get(ind.id, (None, None)))
                for ind in od.public_indicators(cockpit.catalog)]

    return _public_list(items)


def _indicator_or_404(indicator_id: str):
    indicator = od.public_indicator(current_cockpit().catalog, indicator_id)
    if indicator is None:
        flask.abort(404)
    return indicator


@bp.route("/indicators/<indicator_id>")
def indicator(indicator_id: str):
    known_params(flask.request.args, ())
    found = _indicator_or_404(indicator_id)

    def build():
        cockpit = current_cockpit()
        snap = snapshot(cockpit, Role.PUBLIC)
        coverage = od.coverage_by_indicator(snap.annual)
        return json_response(od.indicator_record(found, cockpit.catalog, _public.base_url(), found.id in snap.synthetic,
                                         coverage.get(found.id, (None, None))))

    return _public.conditional(build)


OBSERVATION_PARAMS = ("from", "to", "district", "resolution", "format", "lang", "page", "per_page", "norm")


@bp.route("/indicators/<indicator_id>/observations")
def observations(indicator_id: str):
    args = flask.request.args
    known_params(args, OBSERVATION_PARAMS)
    found = _indicator_or_404(indicator_id)
    cockpit = current_cockpit()
    districts = sorted(cockpit.catalog.district_ids)
    district = params.single(args, "district") or ""
    if district and district not in cockpit.catalog.district_ids:
        raise ParameterError("district", f"unknown district {district[:40]!r} (known: {', '.join(districts)}; "
                                         "leave it out for city-wide values)")
    page, per_page = _paging(args)
    factor, unit = 1.0, od.texts(found.unit)
    normalised = params.choice(args, "norm", ("per1000",), "") == "per1000" and \
        od.per1000_query(found, cockpit.catalog, district) is not None
    if normalised:
        factor, unit = od.per1000_query(found, cockpit.catalog, district)
    query = od.ObservationQuery(
        indicator=found,
        resolution=params.choice(args, "resolution", od.RESOLUTIONS, "raw"),
        district=district,
        since=params.moment(args, "from"),
        until=params.moment(args, "to"),
        page=page,
        per_page=per_page,
        factor=factor,
    )
    fmt = params.choice(args, "format", od.FORMATS, "json")
    lang = params.choice(args, "lang", LANGUAGES, cockpit.settings.default_lang)

    def build():
        archived: list[int] = []
        records, total = od.read_observations(cockpit, query, archived)
        payload = _paged(total, page, per_page, records)
        if fmt == "csv":
            response = flask.Response(od.csv_text(records, query.resolution, lang),
                                      mimetype="text/csv")
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            name = f"{found.id}_{query.resolution}" + (f"_p{page}" if payload["meta"]["pages"] > 1 else "")
            response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            response.headers["X-Total-Count"] = str(total)
            response.headers["X-Per-1000-Inhabitants"] = "true" if normalised else "false"
            if archived:  # rows read from the archive's Parquet files (the body stays the same CSV)
                response.headers["X-Archived-Years"] = ", ".join(str(y) for y in archived)
        else:
            payload = {"indicator": found.id, "resolution": query.resolution, "district": district,
                       "unit": unit, "per_1000_inhabitants": normalised, "aggregation": found.aggregation,
                       "licence": found.source.licence, "attribution": found.source.attribution, **payload}
            if archived:
                payload["archived"] = {"years": archived, "note": {lang_: archive_note(archived, lang_)
                                                                  for lang_ in LANGUAGES}}
            response = json_response(payload)
        response.headers["Link"] = _link_header(payload["links"])
        return response

    return _public.conditional(build)


@bp.route("/goals")
def goals():
    def items(cockpit: Cockpit, snap: Snapshot) -> list[dict]:
        views = {lang: build_goals(cockpit, Role.PUBLIC, lang) for lang in LANGUAGES}
        reasons = {lang: {g.id: g.reason_text for g in view.goals} for lang, view in views.items()}
        public = {i.id for i in od.public_indicators(cockpit.catalog)}
        evaluations = {e.goal.id: e for e in snap.evaluation.goals}
        return [od.goal_record(goal, cockpit.catalog, evaluations.get(goal.id),
                               {lang: reasons[lang].get(goal.id) for lang in LANGUAGES}, snap.at.isoformat())
                for goal in cockpit.catalog.goals if goal.indicator in public]

    return _public_list(items)


@bp.route("/openapi.json")
def openapi():
    known_params(flask.request.args, ())
    cockpit = current_cockpit()
    return _public.conditional(lambda: json_response(openapi_document(cockpit.catalog, _public.base_url())))


@bp.route("/dcat.jsonld")
def dcat():
    known_params(flask.request.args, ())
    cockpit = current_cockpit()

    def build():
        modified = cockpit.store.data_changed_at()
        document = dcat_document(cockpit.catalog, cockpit.settings, _public.base_url(), _coverage(), modified)
        return json_response(document, JSON_LD)

    return _public.conditional(build)


@bp.route("/<path:_rest>")
def unknown(_rest: str):
    return error(404, "not found: see /api/v1/openapi.json for the routes")


@bp.route("/")
def index():
    return error(404, "not found: see /api/v1/openapi.json for the routes")
