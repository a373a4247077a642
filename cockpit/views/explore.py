"""The explorer `/explore`: state from a readable URL, small multiples per indicator, district ranking (absolute and
per 1,000 inhabitants with the city as reference) and a choropleth of the district geometries, plus the records
behind every chart (the table and the exports show exactly these). Plain data, no Dash."""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

import pandas as pd
import requests

from cockpit.catalog import Catalog, Indicator
from cockpit.i18n import format_date, format_number, normalize_lang, t
from cockpit.kpi import LOCAL_TZ
from cockpit.readmodel.snapshot import now_local, snapshot
from cockpit.roles import Role, Viewer, role_of
from cockpit.views.indicator import resolve_range
from cockpit.views.timeseries import (
    GRAINS,
    PRESETS,
    RESOLUTIONS,
    Problem,
    SeriesPoint,
    Table,
    bucket_text,
    choose_grain,
    grouped_points,
    has_envelope,
    preset_start,
    scaled,
    sorted_table,
    source_line,
)

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

DOMAINS = ("energy", "mobility", "waste")
MAX_INDICATORS = 6
MAX_DISTRICTS = 12
CITY = ""  # the district id of city-wide values


# ------------------------------------------------------------------------------------------------ state


@dataclass(frozen=True)
class ExploreState:
    """Everything the explorer shows, as it stands in the URL."""

    indicators: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    domain: str = ""
    department: str = ""
    range_from: str = ""
    range_to: str = ""
    res: str = "auto"
    per1000: bool = False
    sort: str = ""

    def query(self, lang: str) -> str:
        """The readable query string ('ind=a&district=lusan&district=stadtmitte&from=2020-01&to=now&res=month')."""
        pairs = [("ind", i) for i in self.indicators] + [("district", d) for d in self.districts]
        for key, value in (("domain", self.domain), ("department", self.department), ("from", self.range_from),
                           ("to", self.range_to)):
            if value:
                pairs.append((key, value))
        if self.res != "auto":
            pairs.append(("res", self.res))
        if self.per1000:
            pairs.append(("norm", "per1000"))
        if self.sort:
            pairs.append(("sort", self.sort))
        pairs.append(("lang", lang))
        return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in pairs)


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    """One part of a query string, as `urlencode(pairs, safe="-/")` writes it (cached: the filter links of a page
    repeat the same few hundred ids and values)."""
    return quote_plus(text, safe="-/")


def _values(params: dict, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in values:
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def _first(params: dict, key: str) -> str:
    values = _values(params, key)
    return values[0] if values else ""


def parse_state(catalog: Catalog, role: Viewer | Role | str, params: dict, lang: str) -> tuple[ExploreState, list[Problem]]:
    """The state a URL asks for, restricted to what the viewer may see; every unusable value gives a Problem
    and its default (an internal indicator named in a public URL reads exactly like an unknown one)."""
    problems: list[Problem] = []
    visible = {i.id: i for i in catalog.visible_indicators(role)}
    indicators = []
    for value in _values(params, "ind"):
        if value not in visible:
            problems.append(Problem(t("explorer.problem.indicator", lang, value=value)))
        elif value not in indicators:
            indicators.append(value)
    if len(indicators) > MAX_INDICATORS:
        problems.append(Problem(t("explorer.problem.too_many", lang, count=MAX_INDICATORS)))
        indicators = indicators[:MAX_INDICATORS]
    known_districts = {d.id for d in catalog.districts}
    districts = []
    for value in _values(params, "district"):
        if value not in known_districts:
            problems.append(Problem(t("explorer.problem.district", lang, value=value)))
        elif value not in districts:
            districts.append(value)
    districts = districts[:MAX_DISTRICTS]
    domain = _first(params, "domain")
    if domain and domain not in DOMAINS:
        problems.append(Problem(t("explorer.problem.domain", lang, value=domain)))
        domain = ""
    department = _first(params, "department")
    if department and department not in {d.id for d in catalog.departments}:
        problems.append(Problem(t("explorer.problem.department", lang, value=department)))
        department = ""
    res = _first(params, "res") or "auto"
    if res not in RESOLUTIONS:
        problems.append(Problem(t("explorer.problem.res", lang, value=res)))
        res = "auto"
    norm = _first(params, "norm")
    if norm and norm not in ("per1000", "abs"):
        problems.append(Problem(t("explorer.problem.norm", lang, value=norm)))
    sort = _first(params, "sort")
    if sort and not sort.lstrip("-").isdigit():
        problems.append(Problem(t("explorer.problem.sort", lang, value=sort)))
        sort = ""
    range_from, range_to = _first(params, "from"), _first(params, "to")
    state = ExploreState(tuple(indicators), tuple(districts), domain, department, range_from,
                         range_to, res, norm == "per1000", sort)
    return state, problems


# ------------------------------------------------------------------------------------------------ helpers


def capita_kind(indicator: Indicator) -> str | None:
    """How an indicator relates to the population: 'per1000' / 'per_inhabitant' (stored per capita), 'count'
    (a total that may be divided by inhabitants), None (shares, means: no normalisation)."""
    unit = indicator.unit.de
    if "je 1.000 Einw" in unit:
        return "per1000"
    if "je Einw" in unit:
        return "per_inhabitant"
    if unit.strip() == "%" or indicator.aggregation == "mean":
        return None
    return "count"


def normalisable(indicator: Indicator) -> bool:
    return capita_kind(indicator) == "count"


def ordered_indicators(catalog: Catalog, role: Viewer | Role | str, department: str, domain: str) -> list[Indicator]:
    """Visible indicators of the domain (all without), the department's own first."""
    visible = [i for i in catalog.visible_indicators(role) if not domain or i.domain == domain]
    return sorted(visible, key=lambda i: (0 if department and i.owner == department else 1))


def indicator_label(indicator: Indicator, lang: str) -> str:
    label = indicator.name.get(lang)
    if indicator.visibility == "internal":
        label += f" ({t('explorer.internal', lang)})"
    return label


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    internal: bool = False


@dataclass(frozen=True)
class Trace:
    district: str  # "" = city-wide
    name: str
    points: tuple[SeriesPoint, ...]
    envelope: bool


@dataclass(frozen=True)
class Panel:
    indicator_id: str
    name: str
    unit: str
    internal: bool
    demo: bool
    grain: str
    grain_text: str
    traces: tuple[Trace, ...]
    source_line: str
    normalised: bool
    note: str | None
    decimals: int


@dataclass(frozen=True)
class DistrictValue:
    id: str
    name: str
    population: int | None
    value: float | None  # as stored (or per 1,000 when normalised)
    absolute: float | None
    per1000: float | None
    absolute_text: str
    per1000_text: str


@dataclass(frozen=True)
class Comparison:
    indicator_id: str
    name: str
    unit: str
    period_text: str
    values: tuple[DistrictValue, ...]  # ranked, districts without data last
    city_per1000: float | None
    city_text: str
    district_mean_absolute: float | None
    absolute_label: str
    per1000_label: str
    has_per1000: bool
    source_line: str
    decimals: int
    geometry: dict | None  # GeoJSON FeatureCollection, features with id = district id
    geometry_note: str | None
    hatches: tuple[tuple[tuple[float, float], tuple[float, float]], ...]  # segments over districts without data
    centroids: dict = field(default_factory=dict)  # district id -> (lon, lat)


@dataclass(frozen=True)
class Record:
    """One value shown: the unit of the table and of the exports."""

    indicator_id: str
    indicator: str
    unit: str
    district: str
    period_start: str  # ISO, Europe/Berlin
    period: str
    value: float
    low: float
    high: float
    n: int
    decimals: int


@dataclass(frozen=True)
class ExploreView:
    lang: str
    role: Role | str
    state: ExploreState
    query: str
    problems: tuple[Problem, ...]
    domains: tuple[Option, ...]
    departments: tuple[Option, ...]
    indicators: tuple[Option, ...]
    districts: tuple[Option, ...]
    resolutions: tuple[Option, ...]
    presets: tuple[Option, ...]
    panels: tuple[Panel, ...]
    comparison: Comparison | None
    comparison_note: str | None
    records: tuple[Record, ...]
    table: Table
    x_range: tuple[str, str]
    demo: bool
    department_name: str | None
    filters_text: str  # one line naming the filters (export header)


# ------------------------------------------------------------------------------------------------ geometry

_GEO_CACHE: dict[str, tuple[float, dict]] = {}
_GEO_LOCK = threading.Lock()
GEO_TTL = 3600.0
GEO_TIMEOUT = 10.0


class GeometryError(ValueError):
    """The district geometry could not be read; the message names the file or URL and the problem."""


def geometry_location(cockpit: Cockpit) -> str | None:
    location = cockpit.catalog.district_geometry
    if not location:
        return None
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location)
    if not path.is_absolute():
        path = Path(cockpit.settings.catalog).parent / path
    return str(path)


def load_geometry(location: str) -> dict:
    """A GeoJSON FeatureCollection from a file or an OGC API Features / WFS (GeoJSON output) URL; cached."""
    with _GEO_LOCK:
        hit = _GEO_CACHE.get(location)
        if hit and time.monotonic() - hit[0] < GEO_TTL:
            return hit[1]
    try:
        if location.startswith(("http://", "https://")):
            response = requests.get(location, timeout=GEO_TIMEOUT,
                                    headers={"Accept": "application/geo+json, application/json"})
            response.raise_for_status()
            data = response.json()
        else:
            data = json.loads(Path(location).read_text(encoding="utf-8"))
    except (OSError, ValueError, requests.RequestException) as error:
        raise GeometryError(f"{location}: {error}") from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise GeometryError(f"{location}: not a GeoJSON FeatureCollection")
    with _GEO_LOCK:
        _GEO_CACHE[location] = (time.monotonic(), data)
    return data


def district_features(data: dict, catalog: Catalog) -> dict:
    """The features that are catalog districts, each with `id` = district id (matched by id, properties.id,
    properties.district or the district name)."""
    by_name = {d.name.casefold(): d.id for d in catalog.districts}
    ids = {d.id for d in catalog.districts}
    features = []
    for feature in data["features"]:
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            continue
        props = feature.get("properties") or {}
        candidates = [feature.get("id"), props.get("id"), props.get("district")]
        match = next((c for c in candidates if isinstance(c, str) and c in ids), None)
        if match is None and isinstance(props.get("name"), str):
            match = by_name.get(props["name"].casefold())
        if match is not None:
            features.append({"type": "Feature", "id": match, "properties": {"id": match},
                             "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": features}


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return []
    return [[(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon]


def centroid(geometry: dict) -> tuple[float, float] | None:
    points = [p for ring in _rings(geometry)[:1] for p in ring[:-1]]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def hatch_segments(geometry: dict, spacing: float = 0.004) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Diagonal hatch lines clipped to a (multi)polygon: scan lines x - y = c, even-odd rule over all rings."""
    edges = []
    for ring in _rings(geometry):
        edges += list(zip(ring, ring[1:], strict=False))
    if not edges:
        return []
    # rotate so the hatch lines are horizontal: u = x - y (constant along a line), v = x + y
    values = [x - y for (x, y), _ in edges]
    low, high = min(values), max(values)
    segments = []
    c = low + spacing / 2
    while c < high:
        crossings = []
        for (x1, y1), (x2, y2) in edges:
            u1, u2 = x1 - y1, x2 - y2
            if (u1 <= c < u2) or (u2 <= c < u1):
                share = (c - u1) / (u2 - u1)
                crossings.append(x1 + share * (x2 - x1) + y1 + share * (y2 - y1))
        crossings.sort()
        for v1, v2 in zip(crossings[::2], crossings[1::2], strict=False):
            segments.append((((v1 + c) / 2, (v1 - c) / 2), ((v2 + c) / 2, (v2 - c) / 2)))
        c += spacing
    return segments


# ------------------------------------------------------------------------------------------------ build


def build_explore(cockpit: Cockpit, viewer: Viewer | Role | str, params: dict, lang: str | None = None,
                  now: datetime | None = None) -> ExploreView:
    lang = normalize_lang(lang)
    role = role_of(viewer) or Role.PUBLIC
    who = viewer if isinstance(viewer, Viewer) else role  # staff keep their department's indicators
    catalog = cockpit.catalog
    now = (now or now_local()).astimezone(LOCAL_TZ)
    state, problems = parse_state(catalog, who, params, lang)
    options = ordered_indicators(catalog, who, state.department, state.domain)
    chosen = list(state.indicators)
    if not chosen:
        chosen = [i.id for i in options if state.department and i.owner == state.department][:4]
    if not chosen:
        spatial = [i.id for i in options if i.spatial == "district"]
        chosen = (spatial or [i.id for i in options])[:1]
    visible = catalog.indicator_map
    snap = snapshot(cockpit, who, now.date())
    start, end, range_from, range_to, range_problems = resolve_range(
        state.range_from, state.range_to, first_data(snap.annual, chosen), now, lang)
    problems += range_problems
    state = ExploreState(tuple(state.indicators), state.districts, state.domain, state.department, range_from,
                         range_to, state.res, state.per1000, state.sort)
    district_names = {d.id: d.name for d in catalog.districts}
    populations = {d.id: d.population for d in catalog.districts}
    grains, wanted = {}, {}
    for indicator_id in chosen:
        indicator = visible[indicator_id]
        grain, problem = choose_grain(indicator, state.res, start, end, lang)
        if problem:
            problems.append(problem)
        grains[indicator_id] = grain
        wanted[indicator_id] = (CITY, *state.districts) if indicator.spatial == "district" else (CITY,)
    series = {}  # (indicator, district) -> points; one read per resolution for all chosen indicators
    for grain in dict.fromkeys(grains.values()):
        frame = cockpit.store.explore_series(who, grain, {i: wanted[i] for i in chosen if grains[i] == grain},
                                             since=start, until=end)
        series.update(grouped_points(frame, grain, lang))
    panels, records = [], []
    for indicator_id in chosen:
        indicator, grain = visible[indicator_id], grains[indicator_id]
        normalised = state.per1000 and normalisable(indicator)
        note = None
        if state.per1000 and not normalisable(indicator):
            note = t("explorer.norm.not_possible", lang)
        if state.districts and indicator.spatial != "district":
            note = ((note + " ") if note else "") + t("explorer.city_only", lang)
        unit = t("explorer.unit.per1000", lang) if normalised else indicator.unit.get(lang)
        name_of_indicator = indicator.name.get(lang)
        decimals = indicator.decimals + (2 if normalised else 0)
        traces = []
        for district in wanted[indicator_id]:
            population = catalog.population if district == CITY else populations.get(district)
            scale = 1000.0 / population if normalised and population else 1.0
            points = scaled(series.get((indicator_id, district), ()), scale)
            name = t("explorer.city", lang) if district == CITY else district_names[district]
            traces.append(Trace(district, name, points, has_envelope(points, indicator.aggregation)))
            for point in points:
                records.append(Record(indicator_id, name_of_indicator, unit, name, point.x, point.label,
                                      point.value, point.low, point.high, point.n, decimals))
        panels.append(Panel(indicator_id, indicator_label(indicator, lang), unit,
                            indicator.visibility == "internal", indicator_id in snap.synthetic, grain,
                            t(f"explorer.res.{grain}", lang), tuple(traces),
                            source_line(indicator, lang, indicator_id in snap.synthetic), normalised, note,
                            decimals))
    comparison, comparison_note = _comparison(cockpit, who, chosen, start, end, lang, snap)
    table = _records_table(records, lang, state.sort)
    department_name = next((d.name.get(lang) for d in catalog.departments if d.id == state.department), None)
    return ExploreView(
        lang=lang, role=role, state=state, query=state.query(lang), problems=tuple(problems),
        domains=(Option("", t("explorer.all_domains", lang)),
                 *(Option(d, t(f"domain.{d}", lang)) for d in DOMAINS)),
        departments=(Option("", t("explorer.all_departments", lang)),
                     *(Option(d.id, d.name.get(lang)) for d in catalog.departments)),
        indicators=tuple(Option(i.id, indicator_label(i, lang), i.visibility == "internal") for i in options),
        districts=tuple(Option(d.id, d.name) for d in catalog.districts),
        resolutions=tuple(Option(r, t(f"explorer.res.{r}", lang)) for r in RESOLUTIONS),
        presets=tuple(Option(p, t(f"explorer.preset.{p}", lang)) for p in PRESETS),
        panels=tuple(panels), comparison=comparison, comparison_note=comparison_note, records=tuple(records),
        table=table, x_range=(start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")),
        demo=any(p.demo for p in panels), department_name=department_name,
        filters_text=_filters_text(catalog, state, chosen, start, end, lang),
    )


def first_data(annual: pd.DataFrame, indicator_ids: list[str]) -> datetime | None:
    """The first local year start of the indicators' city-wide data (from the snapshot's year aggregates)."""
    rows = annual[(annual["district"] == CITY) & annual["indicator"].isin(indicator_ids)]
    return None if rows.empty else pd.Timestamp(rows["bucket"].min()).to_pydatetime()


def _filters_text(catalog: Catalog, state: ExploreState, chosen: list[str], start: datetime, end: datetime,
                  lang: str) -> str:
    names = {d.id: d.name for d in catalog.districts}
    districts = ", ".join(names[d] for d in state.districts) or t("explorer.city", lang)
    last_day = (pd.Timestamp(end) - pd.Timedelta(days=1)).date()
    return t("explorer.filters_line", lang, districts=districts, start=format_date(start.date(), lang),
             end=format_date(last_day, lang), res=t(f"explorer.res.{state.res}", lang),
             norm=t("explorer.norm.per1000" if state.per1000 else "explorer.norm.absolute", lang))


def _records_table(records: list[Record], lang: str, sort: str | None) -> Table:
    headers = (t("explorer.col.indicator", lang), t("explorer.col.district", lang), t("explorer.col.period", lang),
               t("explorer.col.value_plain", lang), t("explorer.col.unit", lang), t("explorer.col.min", lang),
               t("explorer.col.max", lang))
    rows = []
    for r in records:
        fmt = lambda v, r=r: number_text(v, r.decimals, lang)  # noqa: E731
        rows.append(((r.indicator, r.district, r.period, fmt(r.value), r.unit, fmt(r.low), fmt(r.high)),
                     (r.indicator, r.district, r.period_start, r.value, r.unit, r.low, r.high, r.decimals)))
    return sorted_table(t("explorer.table.caption", lang), headers, rows, (3, 5, 6), sort)


def number_text(value: float | None, decimals: int, lang: str) -> str:
    return format_number(value, decimals, lang)


def _comparison(cockpit: Cockpit, role, chosen: list[str], start: datetime, end: datetime, lang: str,
                snap) -> tuple[Comparison | None, str | None]:
    catalog = cockpit.catalog
    indicator = next((catalog.indicator_map[i] for i in chosen if catalog.indicator_map[i].spatial == "district"),
                     None)
    if indicator is None:
        return None, t("explorer.no_district_indicator", lang)
    grain = "year" if indicator.rhythm.years else "month"
    latest = cockpit.store.explore_series(role, grain, {indicator.id: None}, since=start, until=end, last_only=True)
    last_bucket = latest["bucket"].max() if not latest.empty else None
    values = {str(r.district): float(r.value) for r in latest.itertuples(index=False)} if not latest.empty else {}
    kind = capita_kind(indicator)
    has_per1000 = kind is not None
    decimals = indicator.decimals

    def split(value: float | None, population: int | None) -> tuple[float | None, float | None]:
        if value is None:
            return None, None
        if kind == "per1000":
            return (value * population / 1000 if population else None), value
        if kind == "per_inhabitant":
            return (value * population if population else None), value * 1000
        if kind == "count":
            return value, (value * 1000 / population if population else None)
        return value, None

    rows = []
    for district in catalog.districts:
        value = values.get(district.id)
        absolute, per1000 = split(value, district.population)
        rows.append(DistrictValue(district.id, district.name, district.population, value, absolute, per1000,
                                  number_text(absolute, 0 if kind in ("per1000", "per_inhabitant") else decimals,
                                              lang) if absolute is not None else t("explorer.no_data", lang),
                                  number_text(per1000, max(decimals, 2), lang) if per1000 is not None
                                  else t("explorer.no_data", lang)))
    key = (lambda d: d.per1000) if has_per1000 else (lambda d: d.absolute)
    rows.sort(key=lambda d: (key(d) is None, -(key(d) or 0.0)))
    _, city_per1000 = split(values.get(CITY), catalog.population)
    known = [d.absolute for d in rows if d.absolute is not None]
    mean_absolute = sum(known) / len(known) if known else None
    period = bucket_text(last_bucket, grain, lang) if last_bucket is not None else "–"
    if has_per1000 and kind != "count":
        absolute_label = t("explorer.rank.absolute_derived", lang)
    else:
        absolute_label = t("explorer.rank.absolute", lang, unit=indicator.unit.get(lang))
    geometry = note = None
    hatches: list = []
    centroids: dict = {}
    location = geometry_location(cockpit)
    if location:
        try:
            raw = load_geometry(location)
            geometry = district_features(raw, catalog)
            if raw.get("schematic") or (raw.get("properties") or {}).get("schematic"):
                note = t("explorer.map.schematic", lang)
            for feature in geometry["features"]:
                centroids[feature["id"]] = centroid(feature["geometry"])
                if values.get(feature["id"]) is None:
                    hatches += hatch_segments(feature["geometry"])
        except GeometryError as error:
            geometry, note = None, t("explorer.map.error", lang, error=str(error))
    else:
        note = t("explorer.map.none", lang)
    demo = indicator.id in snap.synthetic
    return Comparison(
        indicator.id, indicator.name.get(lang), indicator.unit.get(lang), period, tuple(rows),
        city_per1000, number_text(city_per1000, max(decimals, 2), lang) if city_per1000 is not None else "–",
        mean_absolute, absolute_label, t("explorer.rank.per1000", lang), has_per1000,
        source_line(indicator, lang, demo), decimals, geometry, note, tuple(hatches), centroids,
    ), None


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


__all__ = ["GRAINS", "ExploreState", "ExploreView", "build_explore", "parse_state"]


def option_links(view: ExploreView, now: datetime | None = None) -> dict[str, list[tuple[Option, bool, str]]]:
    """Every filter option with whether it is chosen and the query that toggles (or picks) it: the filters are
    links to the next state, so each change is a URL (bookmarkable, back/forward) and needs no form state."""
    state, lang = view.state, view.lang
    chosen = [p.indicator_id for p in view.panels]

    def query(**changes) -> str:
        return replace(state, sort="", **changes).query(lang)

    def toggled(items: list[str], value: str) -> tuple[str, ...]:
        return tuple(i for i in items if i != value) if value in items else (*items, value)

    now = (now or now_local()).astimezone(LOCAL_TZ)
    return {
        "domain": [(o, o.value == state.domain, query(domain=o.value)) for o in view.domains],
        "department": [(o, o.value == state.department, query(department=o.value)) for o in view.departments],
        "ind": [(o, o.value in chosen, query(indicators=toggled(chosen, o.value))) for o in view.indicators],
        "district": [(o, o.value in state.districts, query(districts=toggled(list(state.districts), o.value)))
                     for o in view.districts],
        "res": [(o, o.value == state.res, query(res=o.value)) for o in view.resolutions],
        "norm": [(Option("per1000", t("explorer.norm.per1000", lang)), state.per1000,
                  query(per1000=not state.per1000))],
        "preset": [(o, False, query(range_from=preset_start(o.value, now) or "", range_to=""))
                   for o in view.presets],
    }
