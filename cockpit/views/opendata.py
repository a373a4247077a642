"""Open data: the records of the public API (indicators, observations, goals) and their CSV form.

Plain data with stable field names, ISO 8601 UTC timestamps, both languages for texts; public indicators only
(every caller passes the public role to the store, which filters in SQL as well).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pandas as pd

from cockpit.catalog import Catalog, Goal, Indicator
from cockpit.kpi import LOCAL_TZ, GoalEvaluation
from cockpit.kpi.per_capita import capita_kind, per1000_factor, per1000_unit
from cockpit.roles import Role
from cockpit.spreadsheet import neutralise
from cockpit.views.archived import raw_page

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

RESOLUTIONS = ("raw", "day", "month", "year")
FORMATS = ("json", "csv")
DEFAULT_PER_PAGE = 1000
MAX_PER_PAGE = 10000
API_PREFIX = "/api/v1"
_STEP = {"year": pd.DateOffset(years=1), "month": pd.DateOffset(months=1), "day": pd.DateOffset(days=1)}


def iso_utc(moment) -> str | None:
    """'2026-10-01T22:00:00Z' (seconds precision, UTC); None for missing values."""
    if moment is None:
        return None
    stamp = pd.Timestamp(moment)
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value) -> float | None:
    """A JSON-safe float (NaN and infinities become null)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def public_indicators(catalog: Catalog) -> list[Indicator]:
    return catalog.visible_indicators(Role.PUBLIC)


def public_indicator(catalog: Catalog, indicator_id: str) -> Indicator | None:
    indicator = catalog.indicator_map.get(indicator_id)
    return indicator if indicator is not None and indicator.visibility == "public" else None


def texts(text) -> dict[str, str]:
    return {"de": text.de, "en": text.en}


def indicator_record(indicator: Indicator, catalog: Catalog, base_url: str, demo: bool,
                     coverage: tuple[datetime | None, datetime | None] = (None, None)) -> dict:
    base = base_url.rstrip("/")
    source = indicator.source
    return {
        "id": indicator.id,
        "name": texts(indicator.name),
        "description": texts(indicator.description),
        "domain": indicator.domain,
        "unit": texts(indicator.unit),
        "aggregation": indicator.aggregation,
        "rhythm": str(indicator.rhythm),
        "spatial": indicator.spatial,
        "decimals": indicator.decimals,
        "department": texts(indicator.department),
        "source": {"name": source.name, "url": source.url, "licence": source.licence,
                   "attribution": source.attribution},
        "goals": [g.id for g in catalog.goals_for(indicator.id)],
        "demo": demo,
        "first_period_start": iso_utc(coverage[0]),
        "last_period_start": iso_utc(coverage[1]),
        "links": {
            "self": f"{base}{API_PREFIX}/indicators/{indicator.id}",
            "observations": f"{base}{API_PREFIX}/indicators/{indicator.id}/observations",
            "csv": f"{base}{API_PREFIX}/indicators/{indicator.id}/observations?format=csv",
            "page": f"{base}/?lang=de#tile-{indicator.id}",
        },
    }


def coverage_by_indicator(annual: pd.DataFrame) -> dict[str, tuple[datetime | None, datetime | None]]:
    """First bucket start and latest period start per indicator from year aggregates (city-wide)."""
    if annual is None or annual.empty:
        return {}
    found = {}
    for indicator_id, rows in annual.groupby("indicator"):
        first = pd.Timestamp(rows["bucket"].min()).tz_convert(UTC).to_pydatetime()
        last = pd.Timestamp(rows["last_start"].max()).tz_convert(UTC).to_pydatetime()
        found[str(indicator_id)] = (first, last)
    return found


# ------------------------------------------------------------------------------------------------ observations


@dataclass(frozen=True)
class ObservationQuery:
    indicator: Indicator
    resolution: str
    district: str
    since: datetime | None
    until: datetime | None
    page: int
    per_page: int
    factor: float = 1.0  # per 1,000 inhabitants: cockpit.kpi.per_capita.per1000_factor (1.0 = as stored)


def per1000_query(indicator: Indicator, catalog: Catalog, district: str) -> tuple[float, dict[str, str]] | None:
    """The factor and unit texts of values per 1,000 inhabitants of the city ('') or a district, by the one rule
    (`cockpit.kpi.per_capita`); None for shares and means (not related to the population) and for a district
    without a known population."""
    if capita_kind(indicator) is None:
        return None
    population = catalog.population if not district else next(
        (d.population for d in catalog.districts if d.id == district), None)
    factor = per1000_factor(indicator, population)
    if factor is None:
        return None
    return factor, {lang: per1000_unit(indicator, lang) for lang in ("de", "en")}


def read_observations(cockpit: Cockpit, query: ObservationQuery, archived: list[int] | None = None
                      ) -> tuple[list[dict], int]:
    """One page of records and the total count; raw rows paged in SQL (with the archived years read from their
    Parquet files, `cockpit.views.archived`; the years the page holds are added to `archived`), aggregates from
    Store.aggregates (the rollups, kept forever)."""
    store = cockpit.store
    offset = (query.page - 1) * query.per_page
    if query.since is not None and query.until is not None and query.since >= query.until:
        return [], 0
    if query.resolution == "raw":
        frame, total, years = raw_page(cockpit, Role.PUBLIC, query.indicator.id, query.district, query.since,
                                       query.until, offset, query.per_page)
        if archived is not None:
            archived.extend(years)
        records = [{"indicator": r.indicator, "district": r.district, "period_start": iso_utc(r.period_start),
                    "period_end": iso_utc(r.period_end), "value": number(r.value * query.factor)}
                   for r in frame.itertuples(index=False)]
        return records, total
    frame = store.aggregates(Role.PUBLIC, query.resolution, [query.indicator.id], district=query.district,
                             since=query.since, until=query.until)
    frame = frame.sort_values("bucket", kind="stable") if len(frame) else frame
    total = len(frame)
    page = frame.iloc[offset:offset + query.per_page]
    records = []
    for r in page.itertuples(index=False):
        start = pd.Timestamp(r.bucket)
        end = (start.tz_convert(LOCAL_TZ).tz_localize(None) + _STEP[query.resolution]).tz_localize(
            LOCAL_TZ, ambiguous=False, nonexistent="shift_forward")
        records.append({"indicator": str(r.indicator), "district": str(r.district), "period_start": iso_utc(start),
                        "period_end": iso_utc(end), "value": number(r.value * query.factor), "n": int(r.n),
                        "min": number(r.min * query.factor), "max": number(r.max * query.factor)})
    return records, total


CSV_COLUMNS = ["indicator", "district", "period_start", "period_end", "value"]
AGGREGATE_CSV_COLUMNS = [*CSV_COLUMNS, "n", "min", "max"]


def csv_text(records: list[dict], resolution: str, lang: str) -> str:
    """CSV in the reader's convention: German ';' and decimal comma (with a BOM so spreadsheet programs read
    UTF-8), English ',' and decimal point. Timestamps stay ISO 8601 UTC in both."""
    columns = CSV_COLUMNS if resolution == "raw" else AGGREGATE_CSV_COLUMNS
    german = lang == "de"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if german else ",", lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        row = []
        for column in columns:
            value = record.get(column)
            if isinstance(value, float):  # a number stays a number (a negative value is no formula)
                value = repr(value) if not german else repr(value).replace(".", ",")
            else:
                value = neutralise(value)  # a text never runs as a formula in a spreadsheet
            row.append("" if value is None else value)
        writer.writerow(row)
    return ("\ufeff" if german else "") + out.getvalue()


# ------------------------------------------------------------------------------------------------ goals


def goal_record(goal: Goal, catalog: Catalog, evaluation: GoalEvaluation | None, reasons: dict[str, str | None],
                evaluated_on: str) -> dict:
    field = next((f for f in catalog.fields if f.id == goal.field), None)
    indicator = catalog.indicator_map[goal.indicator]
    name = goal.name or indicator.name
    record = {
        "id": goal.id,
        "name": texts(name),
        "indicator": goal.indicator,
        "field": goal.field,
        "vision": field.vision if field else None,
        "dimension": field.dimension if field else None,
        "direction": goal.direction,
        "baseline": {"year": goal.baseline.year, "value": goal.baseline.value},
        "milestones": [{"year": m.year, "value": m.value} for m in goal.milestones],
        "target": {"year": goal.target.year, "value": goal.target.value},
        "tolerance": goal.tolerance,
        "legal_basis": texts(goal.source),
        "evaluation": None,
    }
    if evaluation is not None:
        trend = evaluation.forecast
        record["evaluation"] = {
            "evaluated_on": evaluated_on,
            "year": evaluation.year,
            "value": number(evaluation.value),
            "expected": number(evaluation.expected),
            "progress": number(evaluation.progress),
            "status": evaluation.status,
            "position": evaluation.position or evaluation.status,
            "stale": bool(evaluation.stale),
            "reason": {lang: text for lang, text in reasons.items()},
            "forecast": None if trend is None else {
                "value": number(trend.value), "low": number(trend.low), "high": number(trend.high),
                "reached_year": trend.reached_year, "on_course": bool(trend.on_course),
            },
        }
    return record


# ------------------------------------------------------------------------------------------------ paging


def page_meta(page: int, per_page: int, total: int) -> dict:
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return {"page": page, "per_page": per_page, "total": total, "pages": pages}


def page_links(url: str, args: dict[str, str], page: int, per_page: int, total: int) -> dict[str, str | None]:
    """first/prev/next/last URLs (prev/next null at the ends), keeping the other query parameters."""
    pages = max(1, math.ceil(total / per_page))

    def link(number: int) -> str:
        query = {**{k: v for k, v in args.items() if k not in ("page", "per_page")}, "page": str(number),
                 "per_page": str(per_page)}
        return f"{url}?{urlencode(query)}"

    return {"self": link(page), "first": link(1), "last": link(pages),
            "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}
