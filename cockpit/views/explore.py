"""The explorer `/explore`: state from a readable URL, small multiples per indicator, district ranking (absolute and
per 1,000 inhabitants with the city as reference) and a choropleth of the district geometries, plus the records
behind every chart (the table and the exports show exactly these). Plain data, no Dash."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from cockpit.catalog import Catalog
from cockpit.i18n import format_date, format_number, normalize_lang, t
from cockpit.kpi import LOCAL_TZ
from cockpit.kpi.per_capita import (
    COUNT,
    absolute,
    capita_kind,
    normalisable,
    per1000,
    per1000_decimals,
    per1000_factor,
    per1000_unit,
)
from cockpit.readmodel.snapshot import now_local, snapshot
from cockpit.roles import Role, Viewer, role_of
from cockpit.views.archived import note as archive_note
from cockpit.views.archived import with_archived_buckets
from cockpit.views.explore_geo import (
    GeometryError,
    centroid,
    district_features,
    geometry_location,
    hatch_segments,
    load_geometry,
)
from cockpit.views.explore_peers import peer_layers, peer_options
from cockpit.views.explore_state import (
    CITY,
    DOMAINS,
    MAX_DISTRICTS,
    MAX_INDICATORS,
    ExploreState,
    Option,
    indicator_label,
    ordered_indicators,
    parse_state,
)
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
    scaled,
    sorted_table,
    source_line,
)

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


@dataclass(frozen=True)
class Trace:
    district: str  # "" = city-wide
    name: str
    points: tuple[SeriesPoint, ...]
    envelope: bool


@dataclass(frozen=True, kw_only=True)  # twelve fields, three of them flags: named, never by position
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
    state: ExploreState
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
    archive_note: str | None = None  # "enthält archivierte Rohdaten aus 2022" (cockpit.views.archived)
    peer_options: tuple[Option, ...] = ()  # the comparison layer's checklist (empty: no peer data)
    peer_layers: dict = field(default_factory=dict)  # indicator id -> PeerLayer (cockpit/views/explore_peers)
    peer_notes: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        """The shareable query string of the state (export links, the address bar)."""
        return self.state.query(self.lang)


# ------------------------------------------------------------------------------------------------ build


def build_explore(cockpit: Cockpit, viewer: Viewer | Role | str, params: dict, lang: str | None = None,
                  now: datetime | None = None) -> ExploreView:
    lang = normalize_lang(lang)
    role = role_of(viewer) or Role.PUBLIC
    who = viewer if isinstance(viewer, Viewer) else role  # staff keep their department's indicators
    catalog = cockpit.catalog
    now = (now or now_local()).astimezone(LOCAL_TZ)
    peer_choices = peer_options(cockpit, lang)
    state, problems = parse_state(catalog, who, params, lang, tuple(o.value for o in peer_choices))
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
                         range_to, state.res, state.per1000, state.sort, state.peers)
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
    archived: set[int] = set()  # years of raw rows read from the archive's files (hour, week)
    for grain in dict.fromkeys(grains.values()):
        asked = {i: wanted[i] for i in chosen if grains[i] == grain}
        frame = cockpit.store.explore_series(who, grain, asked, since=start, until=end)
        frame, years = with_archived_buckets(cockpit, who, grain, asked, start, end, frame)
        archived.update(years)
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
        unit = per1000_unit(indicator, lang) if normalised else indicator.unit.get(lang)
        name_of_indicator = indicator.name.get(lang)
        decimals = per1000_decimals(indicator) if normalised else indicator.decimals
        traces = []
        for district in wanted[indicator_id]:
            population = catalog.population if district == CITY else populations.get(district)
            factor = per1000_factor(indicator, population) if normalised else None
            points = series.get((indicator_id, district), ())
            if normalised:  # without a population there is no per-1,000 value (never the absolute in its place)
                points = scaled(points, factor) if factor is not None else ()
            name = t("explorer.city", lang) if district == CITY else district_names[district]
            traces.append(Trace(district, name, points, has_envelope(points, indicator.aggregation)))
            for point in points:
                records.append(Record(indicator_id, name_of_indicator, unit, name, point.x, point.label,
                                      point.value, point.low, point.high, point.n, decimals))
        synthetic = indicator_id in snap.synthetic
        panels.append(Panel(
            indicator_id=indicator_id, name=indicator_label(indicator, lang), unit=unit,
            internal=indicator.visibility == "internal", demo=synthetic, grain=grain,
            grain_text=t(f"explorer.res.{grain}", lang), traces=tuple(traces),
            source_line=source_line(indicator, lang, synthetic), normalised=normalised, note=note, decimals=decimals))
    comparison, comparison_note = _comparison(cockpit, who, chosen, start, end, lang, snap)
    x_range = (start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"))
    layers, peer_notes = peer_layers(cockpit, [(p.indicator_id, p.name, p.normalised) for p in panels],
                                     state.peers, x_range, lang)
    records += peer_records(layers, panels)
    table = _records_table(records, lang, state.sort)
    department_name = next((d.name.get(lang) for d in catalog.departments if d.id == state.department), None)
    return ExploreView(
        lang=lang, state=state, problems=tuple(problems),
        domains=(Option("", t("explorer.all_domains", lang)),
                 *(Option(d, t(f"domain.{d}", lang)) for d in DOMAINS)),
        departments=(Option("", t("explorer.all_departments", lang)),
                     *(Option(d.id, d.name.get(lang)) for d in catalog.departments)),
        indicators=tuple(Option(i.id, indicator_label(i, lang), i.visibility == "internal") for i in options),
        districts=tuple(Option(d.id, d.name) for d in catalog.districts),
        resolutions=tuple(Option(r, t(f"explorer.res.{r}", lang)) for r in RESOLUTIONS),
        presets=tuple(Option(p, t(f"explorer.preset.{p}", lang)) for p in PRESETS),
        panels=tuple(panels), comparison=comparison, comparison_note=comparison_note, records=tuple(records),
        table=table, x_range=x_range,
        demo=any(p.demo for p in panels) or any(layer.demo for layer in layers.values()),
        department_name=department_name,
        filters_text=_filters_text(catalog, state, chosen, start, end, lang),
        archive_note=archive_note(sorted(archived), lang),
        peer_options=peer_choices, peer_layers=layers, peer_notes=tuple(peer_notes),
    )


def peer_records(layers: dict, panels: list[Panel]) -> list[Record]:
    """The comparison layer's values as records of the table and the exports (the median row with the range as
    minimum and maximum)."""
    records = []
    for panel in panels:
        layer = layers.get(panel.indicator_id)
        for trace in layer.traces if layer else ():
            records += [Record(panel.indicator_id, panel.name, panel.unit, trace.name, p.x, str(p.year), p.value,
                               p.low, p.high, p.n, panel.decimals) for p in trace.points]
    return records


def first_data(annual: pd.DataFrame, indicator_ids: list[str]) -> datetime | None:
    """The first local year start of the indicators' city-wide data (from the snapshot's year aggregates)."""
    rows = annual[(annual["district"] == CITY) & annual["indicator"].isin(indicator_ids)]
    return None if rows.empty else pd.Timestamp(rows["bucket"].min()).to_pydatetime()


def _filters_text(catalog: Catalog, state: ExploreState, chosen: list[str], start: datetime, end: datetime,
                  lang: str) -> str:
    names = {d.id: d.name for d in catalog.districts}
    districts = ", ".join(names[d] for d in state.districts) or t("explorer.city", lang)
    last_day = end.astimezone(LOCAL_TZ).date() - timedelta(days=1)  # calendar days (not 24 h across a DST change)
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
    per1000_places = per1000_decimals(indicator)
    absolute_places = decimals if kind == COUNT or kind is None else 0

    def split(value: float | None, population: int | None) -> tuple[float | None, float | None]:
        return absolute(value, indicator, population), per1000(value, indicator, population)

    rows = []
    for district in catalog.districts:
        value = values.get(district.id)
        absolute_value, per1000_value = split(value, district.population)
        rows.append(DistrictValue(district.id, district.name, district.population, value, absolute_value,
                                  per1000_value,
                                  number_text(absolute_value, absolute_places, lang) if absolute_value is not None
                                  else t("explorer.no_data", lang),
                                  number_text(per1000_value, per1000_places, lang) if per1000_value is not None
                                  else t("explorer.no_data", lang)))
    key = (lambda d: d.per1000) if has_per1000 else (lambda d: d.absolute)
    rows.sort(key=lambda d: (key(d) is None, -(key(d) or 0.0)))
    _, city_per1000 = split(values.get(CITY), catalog.population)
    known = [d.absolute for d in rows if d.absolute is not None]
    mean_absolute = sum(known) / len(known) if known else None
    period = bucket_text(last_bucket, grain, lang) if last_bucket is not None else "–"
    if has_per1000 and kind != COUNT:
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
        city_per1000, number_text(city_per1000, per1000_places, lang) if city_per1000 is not None else "–",
        mean_absolute, absolute_label, per1000_label(indicator, lang) if has_per1000 else "", has_per1000,
        source_line(indicator, lang, demo), decimals, geometry, note, tuple(hatches), centroids,
    ), None


def per1000_label(indicator, lang: str) -> str:
    """The heading of per-1,000 values, naming the unit ('Fahrgäste je 1.000 Einw.')."""
    unit = per1000_unit(indicator, lang)
    return unit[:1].upper() + unit[1:]


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


__all__ = [
    "CITY", "DOMAINS", "GRAINS", "MAX_DISTRICTS", "MAX_INDICATORS", "Comparison", "DistrictValue", "ExploreState",
    "ExploreView", "GeometryError", "Option", "Panel", "Record", "Trace", "build_explore", "capita_kind", "centroid",
    "district_features", "geometry_location", "hatch_segments", "load_geometry", "filter_values", "normalisable",
    "ordered_indicators", "parse_state",
]


def filter_values(view: ExploreView) -> dict[str, str | list[str]]:
    """What the filter controls show as chosen: the state of the view (the indicators shown, also when the URL
    named none and the defaults are shown)."""
    state = view.state
    return {"domain": state.domain, "department": state.department,
            "ind": [p.indicator_id for p in view.panels], "district": list(state.districts), "res": state.res,
            "norm": ["per1000"] if state.per1000 else [], "from": state.range_from, "to": state.range_to,
            "peer": list(state.peers)}
