"""The explorer's comparison layer "Vergleich mit anderen Städten": for each chart of an indicator mapped to the
SDG-Portal (data/peers/peers.yaml), the median and range of the city's municipality type and the chosen peers'
values per year, as extra series with year, source and licence, and as records of the data table and exports.

The peer values are public (published data); they are added only to charts the viewer already sees, so an indicator
the viewer may not see gets no layer (and is not even named). A per-1,000 view gets none either (other unit).
Plain data, no Dash."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.i18n import t
from cockpit.views.explore_state import Option
from cockpit.views.peers import PeerData, peer_data

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

TYPE = "type"  # the URL value of the municipality type's median and range (peer=type)


@dataclass(frozen=True)
class PeerPoint:
    year: int
    x: str  # ISO date of the year's start (the explorer's annual buckets)
    value: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class PeerTrace:
    key: str  # TYPE or a municipality's slug
    name: str  # legend and table label
    points: tuple[PeerPoint, ...]


@dataclass(frozen=True)
class PeerLayer:
    indicator_id: str
    traces: tuple[PeerTrace, ...]
    note: str  # years, source and licence (under the chart and in its image)
    demo: bool
    type_name: str  # the city's municipality type ("Demografietyp 2")


def peer_options(cockpit: Cockpit, lang: str) -> tuple[Option, ...]:
    """The checklist: the municipality type's median and range, then each chosen peer (empty when off)."""
    data = peer_data(cockpit)
    city = data.municipalities.get(data.city) if data else None
    if city is None:
        return ()
    options = [Option(TYPE, t("peers_explore.option.type", lang, type=city.type))]
    options += [Option(m.id, m.name) for m in _chosen(data)]
    return tuple(options)


def _chosen(data: PeerData):
    return [data.municipalities[ags] for ags in data.peers if ags in data.municipalities]


def _type_points(data: PeerData, indicator_id: str, years: list[int]) -> tuple[PeerPoint, ...]:
    city = data.municipalities[data.city]
    points = []
    for year in years:
        values = [m.values[indicator_id][year] for m in data.municipalities.values()
                  if m.ags != city.ags and m.type == city.type and year in m.values.get(indicator_id, {})]
        if values:
            points.append(PeerPoint(year, f"{year}-01-01", statistics.median(values), min(values), max(values),
                                    len(values)))
    return tuple(points)


def peer_layers(cockpit: Cockpit, panels, wanted: tuple[str, ...], x_range: tuple[str, str],
                lang: str) -> tuple[dict[str, PeerLayer], list[str]]:
    """indicator id -> its layer, for the panels shown (`panels`: id, normalised flag) and the chosen options
    (`wanted`); plus notes for the panels that get none (not mapped, per-1,000 view, no year in the range)."""
    data = peer_data(cockpit)
    if not wanted or data is None or data.city not in data.municipalities:
        return {}, []
    city = data.municipalities[data.city]
    chosen = [m for m in _chosen(data) if m.id in wanted]
    source = data.source.get("attribution") or data.source.get("name", "SDG-Portal")
    layers, notes = {}, []
    for indicator_id, name, normalised in panels:
        if indicator_id not in data.definitions:
            notes.append(t("peers_explore.not_mapped", lang, name=name))
            continue
        if normalised:
            notes.append(t("peers_explore.not_per1000", lang, name=name))
            continue
        years = sorted({y for m in data.municipalities.values() for y in m.values.get(indicator_id, {})
                        if x_range[0] <= f"{y}-01-01" < x_range[1]})
        traces = []
        if TYPE in wanted:
            points = _type_points(data, indicator_id, years)
            count = max((p.n for p in points), default=0)
            traces.append(PeerTrace(TYPE, t("peers_explore.median", lang, type=city.type, n=count), points))
        for municipality in chosen:
            series = municipality.values.get(indicator_id, {})
            traces.append(PeerTrace(municipality.id, t("peers_explore.peer", lang, name=municipality.name),
                                    tuple(PeerPoint(y, f"{y}-01-01", series[y], series[y], series[y], 1)
                                          for y in years if y in series)))
        if not any(trace.points for trace in traces):
            notes.append(t("peers_explore.no_years", lang, name=name))
            continue
        shown_years = sorted({p.year for trace in traces for p in trace.points})
        span = str(shown_years[0]) if len(shown_years) == 1 else f"{shown_years[0]}–{shown_years[-1]}"
        demo = any(m.demo for m in [city, *chosen]) or (TYPE in wanted and any(
            m.demo for m in data.municipalities.values() if m.type == city.type))
        note = t("peers_explore.note", lang, years=span, source=source, licence=data.source.get("licence", ""))
        if demo:
            note += " " + t("peers_explore.demo", lang)
        layers[indicator_id] = PeerLayer(indicator_id, tuple(traces), note, demo, city.type)
    return layers, notes
