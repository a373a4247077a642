"""SDG-Portal (sdg-portal.de, Bertelsmann Stiftung et al.): the municipal SDG indicators as the portal publishes
them on each municipality's page: per SDG an `<article class="indicator-card">` (SDG number in
`indicator-card__number`), per indicator an `indicator-card__item` with its name (`tooltip__text`) and its chart
data as JSON in `<script class="chart__data" type="application/json">`: `{"graphs": [{"config": {"title",
"unit", "isAvg", "smallerIsBetter"}, "points": [[year, value], ...]}, ...]}` (the municipality's series and a
comparison average marked `isAvg`).

`parse_page` reads one page into rows (SDG, indicator name, year, value, unit) of the municipality's own series;
every point it cannot read is a Reject naming the page, the card, the indicator and the field (nothing is lost
silently: rows + rejects account for every point). A page without any indicator card is a PayloadError."""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass

from cockpit.sources.base import PayloadError, Reject

_CARD = re.compile(r'<article class="indicator-card"[^>]*>(.*?)</article>', re.S)
_NUMBER = re.compile(r'<span class="indicator-card__number">\s*(\d{1,2})\s*</span>')
_ITEM_SPLIT = re.compile(r'<div class="indicator-card__item"[^>]*>')
_LABEL = re.compile(r'<span class="tooltip__text[^"]*">(.*?)</span>', re.S)
_DATA = re.compile(r'<script class="chart__data" type="application/json">\s*(.*?)\s*</script>', re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PortalValue:
    sdg: int
    indicator: str  # the portal's indicator name
    year: int
    value: float
    unit: str


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", fragment))).strip()


def parse_page(text: str, where: str) -> tuple[list[PortalValue], list[Reject]]:
    cards = _CARD.findall(text)
    if not cards:
        raise PayloadError(f"{where}: no indicator cards (<article class=\"indicator-card\">): not an SDG-Portal "
                           "municipality page")
    rows: list[PortalValue] = []
    rejects: list[Reject] = []
    for position, card in enumerate(cards, start=1):
        number = _NUMBER.search(card)
        card_where = f"{where}, card {position}"
        items = _ITEM_SPLIT.split(card)[1:]
        if number is None:
            rejects += [Reject(item[:500], f"{card_where}: field 'indicator-card__number' (the SDG) is missing")
                        for item in items]
            continue
        sdg = int(number[1])
        for item in items:
            rows_of, rejects_of = _item(item, sdg, f"{card_where} (SDG {sdg})")
            rows += rows_of
            rejects += rejects_of
    return rows, rejects


def _item(item: str, sdg: int, where: str) -> tuple[list[PortalValue], list[Reject]]:
    label_match = _LABEL.search(item)
    label = _text(label_match[1]) if label_match else ""
    data_match = _DATA.search(item)
    if not label:
        return [], [Reject(item[:500], f"{where}: field 'tooltip__text' (the indicator name) is missing")]
    where = f"{where}, indicator {label!r}"
    if data_match is None:
        return [], [Reject(item[:500], f"{where}: field 'chart__data' is missing")]
    raw = html.unescape(data_match[1])
    try:
        chart = json.loads(raw)
    except json.JSONDecodeError as exc:
        return [], [Reject(raw[:500], f"{where}: field 'chart__data' is not JSON ({exc.msg} at {exc.pos})")]
    graphs = chart.get("graphs") if isinstance(chart, dict) else None
    if not isinstance(graphs, list):
        return [], [Reject(raw[:500], f"{where}: field 'chart__data.graphs' is not a list")]
    rows, rejects = [], []
    for graph in graphs:
        if not isinstance(graph, dict):
            continue  # the portal leaves empty slots (null) for missing comparison series
        config = graph.get("config") if isinstance(graph.get("config"), dict) else {}
        if config.get("isAvg"):
            continue  # the comparison average, not the municipality's own series
        unit = str(config.get("unit") or "")
        points = graph.get("points")
        if not isinstance(points, list):
            rejects.append(Reject(json.dumps(graph)[:500], f"{where}: field 'points' is not a list"))
            continue
        for point in points:
            problem = _point_problem(point)
            if problem:
                rejects.append(Reject(json.dumps(point), f"{where}: field 'points': {problem}"))
                continue
            rows.append(PortalValue(sdg, label, int(point[0]), float(point[1]), unit))
    return rows, rejects


def _point_problem(point) -> str | None:
    if not isinstance(point, list) or len(point) != 2:
        return f"{point!r} is not [year, value]"
    year, value = point
    if isinstance(year, bool) or not isinstance(year, int | float) or year != int(year) or not 1990 <= year <= 2100:
        return f"year {year!r} is not a year"
    if value is None:
        return f"no value for {int(year)}"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"value {value!r} for {int(year)} is not a number"
    return None
