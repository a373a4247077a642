"""The OpenAPI 3.1 description of the open-data API (/api/v1/openapi.json); tests check every response
against it (schemathesis), so it is the contract of the field names."""

from __future__ import annotations

from cockpit.catalog import Catalog
from cockpit.i18n import LANGUAGES
from cockpit.views.opendata import DEFAULT_PER_PAGE, FORMATS, MAX_PER_PAGE, RESOLUTIONS

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC (e.g. 2026-10-01T22:00:00Z)"}


def _object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [name for name in properties if name not in optional]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas() -> dict:
    texts = _object({"de": {"type": "string"}, "en": {"type": "string"}})
    year_value = _object({"year": {"type": "integer"}, "value": {"type": "number"}})
    links = _object({rel: {"type": "string", "format": "uri"} for rel in ("self", "first", "last")}
                    | {rel: {"type": ["string", "null"], "format": "uri"} for rel in ("prev", "next")})
    meta = _object({"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
                    "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1}})
    indicator = _object({
        "id": {"type": "string"},
        "name": _ref("Texts"),
        "description": _ref("Texts"),
        "domain": {"type": "string", "enum": ["energy", "mobility", "waste"]},
        "unit": _ref("Texts"),
        "aggregation": {"type": "string", "enum": ["sum", "mean", "last"]},
        "rhythm": {"type": "string", "description": "ISO 8601 duration, e.g. P1M"},
        "spatial": {"type": "string", "enum": ["city", "district"]},
        "decimals": {"type": "integer"},
        "department": _ref("Texts"),
        "source": _object({"name": {"type": "string"}, "url": NULLABLE_STRING, "licence": {"type": "string"},
                           "attribution": {"type": "string"}}),
        "goals": {"type": "array", "items": {"type": "string"}},
        "demo": {"type": "boolean", "description": "true: synthetic demo data (Demodaten)"},
        "first_period_start": {"type": ["string", "null"], "format": "date-time"},
        "last_period_start": {"type": ["string", "null"], "format": "date-time"},
        "links": _object({name: {"type": "string"} for name in ("self", "observations", "csv", "page")}),
    })
    observation = _object({
        "indicator": {"type": "string"},
        "district": {"type": "string", "description": "'' = city-wide"},
        "period_start": TIMESTAMP,
        "period_end": {"type": ["string", "null"], "format": "date-time"},
        "value": NULLABLE_NUMBER,
        "n": {"type": "integer", "description": "observations in the bucket (resolutions day, month, year)"},
        "min": NULLABLE_NUMBER,
        "max": NULLABLE_NUMBER,
    }, optional=("n", "min", "max"))
    status = {"type": "string", "enum": ["achieved", "on_track", "at_risk", "off_track", "no_data"]}
    evaluation = _object({
        "evaluated_on": {"type": "string", "format": "date"},
        "year": {"type": ["integer", "null"], "description": "the complete year the goal is judged on"},
        "value": NULLABLE_NUMBER,
        "expected": NULLABLE_NUMBER,
        "progress": NULLABLE_NUMBER,
        "status": status,
        "position": status,
        "stale": {"type": "boolean"},
        "reason": {"type": "object", "additionalProperties": False,
                   "properties": {lang: NULLABLE_STRING for lang in LANGUAGES}},
        "forecast": {"oneOf": [{"type": "null"}, _object({
            "value": NULLABLE_NUMBER, "low": NULLABLE_NUMBER, "high": NULLABLE_NUMBER,
            "reached_year": {"type": ["integer", "null"]}, "on_course": {"type": "boolean"}})]},
    })
    goal = _object({
        "id": {"type": "string"},
        "name": _ref("Texts"),
        "indicator": {"type": "string"},
        "field": {"type": "string"},
        "vision": NULLABLE_STRING,
        "dimension": {"type": ["string", "null"], "enum": ["ecological", "social", "economic", None]},
        "direction": {"type": "string", "enum": ["decrease", "increase"]},
        "baseline": _ref("YearValue"),
        "milestones": {"type": "array", "items": _ref("YearValue")},
        "target": _ref("YearValue"),
        "tolerance": {"type": "number"},
        "legal_basis": _ref("Texts"),
        "evaluation": {"oneOf": [{"type": "null"}, _ref("Evaluation")]},
    })
    page = {"data": None, "meta": _ref("Meta"), "links": _ref("Links")}

    def paged(item: str) -> dict:
        return _object({**page, "data": {"type": "array", "items": _ref(item)}})

    observations = _object({
        "indicator": {"type": "string"}, "resolution": {"type": "string", "enum": list(RESOLUTIONS)},
        "district": {"type": "string"}, "unit": _ref("Texts"), "aggregation": {"type": "string"},
        "per_1000_inhabitants": {"type": "boolean", "description": "values per 1,000 inhabitants (norm=per1000)"},
        "licence": {"type": "string"}, "attribution": {"type": "string"},
        **page, "data": {"type": "array", "items": _ref("Observation")},
        "archived": {**_object({"years": {"type": "array", "items": {"type": "integer"}}, "note": _ref("Texts")}),
                     "description": "raw rows of these years were read from the archive's Parquet files (only "
                                    "when the page holds such rows; CSV header X-Archived-Years)"},
    }, optional=("archived",))
    error = _object({"error": _object({"status": {"type": "integer"}, "message": {"type": "string"}})})
    return {"Texts": texts, "YearValue": year_value, "Links": links, "Meta": meta, "Indicator": indicator,
            "IndicatorList": paged("Indicator"), "Observation": observation, "ObservationPage": observations,
            "Evaluation": evaluation, "Goal": goal, "GoalList": paged("Goal"), "Error": error,
            "Pathway": _pathway_schema()}


def _pathway_schema() -> dict:
    """The JSON of `run.py pathway` (per-year maps keyed by the year as a string) plus `meta`."""
    per_year = {"type": "object", "additionalProperties": {"type": "number"}}
    nullable = lambda kind: {"type": [kind, "null"]}  # noqa: E731
    return _object({
        "y0": {"type": "integer"}, "years": {"type": "array", "items": {"type": "integer"}},
        "observed": per_year, "by_sector": {"type": "object", "additionalProperties": per_year},
        "quality": {"type": "object", "additionalProperties": nullable("number")},
        "factor_carried_forward": {"type": "array", "items": {"type": "integer"}},
        "bau": per_year, "effects": {"type": "object", "additionalProperties": per_year}, "plan": per_year,
        "target": per_year, "coverage": nullable("number"), "gap": nullable("number"),
        "budget_remaining": nullable("number"), "budget_exhausted_year": nullable("integer"),
        "meta": {"type": "object"},
    })


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


def _responses(ok: dict, errors: tuple[int, ...] = (400, 429)) -> dict:
    cache_headers = {
        "ETag": {"schema": {"type": "string"}, "description": "changes with the data version"},
        "Last-Modified": {"schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=60"},
    }
    error = {"application/json": {"schema": _ref("Error")}}
    texts = {400: "a malformed or unknown query parameter (the message names it)",
             404: "unknown, internal or non-public indicator",
             429: "too many requests from this client; see Retry-After"}
    responses = {"200": {"description": "OK", "headers": cache_headers, "content": ok},
                 "304": {"description": "not modified (If-None-Match / If-Modified-Since)"}}
    for status in errors:
        entry = {"description": texts[status], "content": error}
        if status == 429:
            entry["headers"] = {"Retry-After": {"schema": {"type": "string"}, "description": "seconds"}}
        responses[str(status)] = entry
    responses["414"] = {"description": "the query string is longer than the server accepts (COCKPIT_MAX_QUERY_LENGTH)"}
    responses["503"] = {"description": "the request could not be counted against the rate limit now; see Retry-After",
                        "content": error,
                        "headers": {"Retry-After": {"schema": {"type": "string"}, "description": "seconds"}}}
    return responses


def openapi_document(catalog: Catalog, base_url: str) -> dict:
    public = [i.id for i in catalog.indicators if i.visibility == "public"]
    districts = sorted(catalog.district_ids)
    paging = [
        _param("page", "query", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
               "page number, from 1"),
        _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                     "default": DEFAULT_PER_PAGE}, "items per page"),
    ]
    indicator_id = _param("indicator_id", "path", {"type": "string", "enum": public}, "indicator id", True)
    moment = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    json_of = lambda name: {"application/json": {"schema": _ref(name)}}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"SmartCity Cockpit {catalog.city.de}: open data",
            "version": "1.0.0",
            "description": "Public indicators, their observations and goals. Timestamps are ISO 8601 in UTC; "
                           "texts come in German (de) and English (en). Data licence per indicator (source.licence);"
                           " attribution as given in source.attribution.",
        },
        "servers": [{"url": base_url.rstrip("/") or "/"}],
        "paths": {
            "/api/v1/indicators": {"get": {
                "operationId": "listIndicators", "summary": "Public indicators with unit, source, licence, goals",
                "parameters": paging, "responses": _responses(json_of("IndicatorList"))}},
            "/api/v1/indicators/{indicator_id}": {"get": {
                "operationId": "getIndicator", "summary": "One public indicator",
                "parameters": [indicator_id], "responses": _responses(json_of("Indicator"), (400, 404, 429))}},
            "/api/v1/indicators/{indicator_id}/observations": {"get": {
                "operationId": "listObservations",
                "summary": "Observations (raw) or aggregates per local day, month or year, as JSON or CSV",
                "parameters": [
                    indicator_id,
                    _param("from", "query", moment, "first period start (inclusive); a date is local midnight"),
                    _param("to", "query", moment, "last period start (exclusive)"),
                    _param("district", "query", {"type": "string", "enum": ["", *districts]},
                           "district id; empty or absent = city-wide"),
                    _param("resolution", "query", {"type": "string", "enum": list(RESOLUTIONS), "default": "raw"},
                           "raw observations or aggregates per Europe/Berlin day, month or year"),
                    _param("format", "query", {"type": "string", "enum": list(FORMATS), "default": "json"},
                           "json, or csv"),
                    _param("norm", "query", {"type": "string", "enum": ["per1000"]},
                           "per1000: value, min and max per 1,000 inhabitants of the city or district, with the "
                           "unit's scale (1,45 Mio. passengers -> about 15,600 passengers per 1,000 inhabitants; "
                           "`unit` says which); shares and means stay as stored (per_1000_inhabitants false, CSV header "
                           "X-Per-1000-Inhabitants)"),
                    _param("lang", "query", {"type": "string", "enum": list(LANGUAGES)},
                           "CSV convention: de = ';' and decimal comma (UTF-8 with BOM), en = ',' and point"),
                    *paging,
                ],
                "responses": _responses({**json_of("ObservationPage"),
                                         "text/csv": {"schema": {"type": "string"}}}, (400, 404, 429))}},
            "/api/v1/indicators/{indicator_id}/districts.geojson": {"get": {
                "operationId": "getDistrictGeoJson",
                "summary": "Districts as GeoJSON with the indicator's annual values (district-level indicators)",
                "parameters": [indicator_id, _param("year", "query", {"type": "integer", "minimum": 1900,
                                                                      "maximum": 2200},
                                                    "the year of `value` (default: the latest)")],
                "responses": _responses({"application/geo+json": {"schema": {"type": "object"}}},
                                        (400, 404, 429))}},
            "/api/v1/indicators/{indicator_id}/peers": {"get": {
                "operationId": "getPeerComparison",
                "summary": "The city's value beside its municipality type's median and range and chosen peers "
                           "(SDG-Portal)",
                "parameters": [indicator_id, _param("lang", "query", {"type": "string", "enum": list(LANGUAGES)},
                                                    "language of the unit")],
                "responses": _responses({"application/json": {"schema": {"type": "object"}}}, (400, 404, 429))}},
            "/api/v1/goals": {"get": {
                "operationId": "listGoals",
                "summary": "Goals of public indicators with the latest evaluation (position, status, reason, forecast)",
                "parameters": paging, "responses": _responses(json_of("GoalList"))}},
            "/api/v1/pathway": {"get": {
                "operationId": "getPathway",
                "summary": "Climate pathway (rules v1, docs/pathway.md): BISKO balance by sector, business as usual, "
                           "measures' effects, plan, target path, coverage, gap and budget; `off` switches measures "
                           "off (what if)",
                "parameters": [
                    _param("format", "query", {"type": "string", "enum": ["json", "csv"], "default": "json"},
                           "json, or csv (one line per year)"),
                    _param("off", "query", {"type": "string"}, "comma-separated ids of public measures to count 0"),
                ],
                "responses": _responses({**json_of("Pathway"), "text/csv": {"schema": {"type": "string"}}},
                                        (400, 404, 429))}},
            "/api/v1/dcat.jsonld": {"get": {
                "operationId": "getDcatCatalog", "summary": "DCAT-AP.de catalogue (JSON-LD)",
                "responses": _responses({"application/ld+json": {"schema": {"type": "object"}}})}},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document",
                "responses": _responses({"application/json": {"schema": {"type": "object"}}})}},
        },
        "components": {"schemas": _schemas()},
    }
