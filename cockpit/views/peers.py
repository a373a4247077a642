"""Peer comparison ("Gera im Vergleich"): the city's value of an indicator beside the median and range of its
municipality type and the chosen peers, from the SDG-Portal's indicator exports (cockpit/sources/sdg_portal.py)
configured in data/peers/peers.yaml (COCKPIT_PEERS; without real exports the demo exports of
cockpit/demo/peers.py). Only indicators the viewer may see and whose definitions match a portal indicator (the mapping in peers.yaml) get a comparison. Exports that cannot be read, and records
or values that cannot be used, are reported in `problems` (file, record, field) and never stop the others."""

from __future__ import annotations

import logging
import re
import statistics
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from cockpit.demo.peers import demo_exports
from cockpit.i18n import format_number, t
from cockpit.roles import Role, Viewer
from cockpit.sources.base import PayloadError, Reject
from cockpit.sources.sdg_portal import PortalValue, parse_export

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

log = logging.getLogger(__name__)
_CACHE: dict[str, tuple[tuple, PeerData]] = {}
_CONFIGS: dict[str, tuple[tuple[int, int], dict]] = {}  # peers.yaml parsed, by its mtime and size
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Municipality:
    id: str  # slug of the name (URLs)
    name: str
    ags: str
    type: str
    demo: bool
    values: dict[str, dict[int, float]]  # cockpit indicator -> year -> value (in the cockpit's unit)


@dataclass
class PeerData:
    source: dict
    city: str  # AGS
    peers: list[str]  # AGS
    municipalities: dict[str, Municipality]  # AGS -> municipality
    definitions: dict[str, dict]  # cockpit indicator -> definition note {de, en}
    problems: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # exports that could not be read at all
    rejects: list[Reject] = field(default_factory=list)


@dataclass(frozen=True)
class PeerRow:
    label: str
    value: float | None
    text: str
    kind: str  # city | type | peer


@dataclass(frozen=True)
class PeerComparison:
    indicator: str
    heading: str
    year: int
    unit: str
    rows: list[PeerRow]
    city_value: float
    type_name: str
    type_count: int
    type_median: float | None
    type_min: float | None
    type_max: float | None
    peers: dict[str, float | None]
    definition: str
    source_text: str
    demo: bool
    caption: str


def load(path: Path) -> PeerData:
    """Read peers.yaml and every export it names, or (without real exports) the generated demo exports
    (cached until a file changes)."""
    folder = path.parent
    config = _config(path)
    files = [folder / name for name in config.get("exports") or []]
    stamp = tuple((str(p), p.stat().st_mtime_ns if p.exists() else 0) for p in [path, *files])
    with _LOCK:
        hit = _CACHE.get(str(path))
        if hit and hit[0] == stamp:
            return hit[1]
    mapping = {m["portal"]: m for m in config.get("indicators", [])}
    data = PeerData(source=config.get("source", {}), city=str(config.get("city", "")),
                    peers=[str(p) for p in config.get("peers", [])], municipalities={},
                    definitions={m["indicator"]: m.get("definition") or {} for m in mapping.values()})
    demo = not files and bool(config.get("demo"))
    texts: list[tuple[str, str | Exception]] = []
    for file in files:
        try:
            texts.append((file.name, file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            texts.append((file.name, exc))
    if demo:
        texts += list(demo_exports(config).items())
    for where, text in texts:
        try:
            if isinstance(text, Exception):
                raise text
            export = parse_export(text, where)
        except (OSError, UnicodeDecodeError, PayloadError) as exc:
            data.problems.append(f"{where}: {exc}")
            data.unreadable.append(where)
            log.warning("peer comparison: %s: %s", where, exc)
            continue
        data.rejects += export.rejects
        data.problems += [r.reason for r in export.rejects]
        target = mapping.get(export.indicator)
        if target is None:
            data.problems.append(f"{where}: indicator {export.indicator!r} is mapped to no cockpit indicator "
                                 "(peers.yaml)")
            continue
        _add(data, export.values, target, demo)
    for ags in dict.fromkeys([data.city, *data.peers]):
        if ags not in data.municipalities:
            data.problems.append(f"municipality {ags} (peers.yaml): in no export")
    with _LOCK:
        _CACHE[str(path)] = (stamp, data)
    return data


def _config(path: Path) -> dict:
    """peers.yaml parsed, kept until the file changes (parsing it took about 45 ms, twice per explorer render)."""
    info = path.stat()
    stamp = (info.st_mtime_ns, info.st_size)
    with _LOCK:
        hit = _CONFIGS.get(str(path))
        if hit and hit[0] == stamp:
            return hit[1]
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    with _LOCK:
        _CONFIGS[str(path)] = (stamp, config)
    return config


def slug(name: str) -> str:
    """A municipality's id in URLs ('Frankfurt (Oder)' -> 'frankfurt-oder', 'Dessau-Roßlau' -> 'dessau-rosslau')."""
    text = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _add(data: PeerData, values: list[PortalValue], target: dict, demo: bool) -> None:
    scale = float(target.get("scale", 1))
    for row in values:
        municipality = data.municipalities.get(row.ags)
        if municipality is None:
            municipality = data.municipalities[row.ags] = Municipality(
                slug(row.municipality), row.municipality, row.ags, re.sub(r"^Typ (\d+)$", r"Demografietyp \1", row.type),
                demo and row.ags != data.city, {})
        municipality.values.setdefault(target["indicator"], {})[row.year] = row.value * scale


def peer_data(cockpit: Cockpit) -> PeerData | None:
    path = cockpit.settings.peers
    if path is None or not Path(path).exists():
        return None
    return load(Path(path))


def compare(cockpit: Cockpit, who: Viewer | Role | str, indicator_id: str, lang: str) -> PeerComparison | None:
    """The comparison of one indicator in the city's latest year with a value, or None (no mapping, no data,
    or an indicator the viewer may not see)."""
    indicator = cockpit.catalog.indicator_map.get(indicator_id)
    if indicator is None or indicator not in cockpit.catalog.visible_indicators(who):
        return None
    data = peer_data(cockpit)
    city = data.municipalities.get(data.city) if data else None
    series = city.values.get(indicator_id) if city else None
    if not series:
        return None
    year = max(series)
    decimals = max(indicator.decimals, 2)
    unit = indicator.unit.get(lang)

    def show(value):
        return "–" if value is None else f"{format_number(value, decimals, lang)} {unit}"

    group = [m for m in data.municipalities.values()
             if m.id != city.id and m.type == city.type and year in m.values.get(indicator_id, {})]
    group_values = [m.values[indicator_id][year] for m in group]
    median = statistics.median(group_values) if group_values else None
    low, high = (min(group_values), max(group_values)) if group_values else (None, None)
    peers = {}
    for peer_id in data.peers:
        peer = data.municipalities.get(peer_id)
        if peer is not None:
            peers[peer.name] = peer.values.get(indicator_id, {}).get(year)
    used = [city, *group, *(data.municipalities[p] for p in data.peers if p in data.municipalities)]
    demo = any(m.demo for m in used)
    rows = [PeerRow(city.name, series[year], show(series[year]), "city")]
    if median is not None:
        rows.append(PeerRow(t("standards.peers.median", lang, type=city.type, n=len(group_values)), median,
                            show(median), "type"))
        rows.append(PeerRow(t("standards.peers.range", lang), None, f"{show(low)} – {show(high)}", "type"))
    rows += [PeerRow(name, value, show(value), "peer") for name, value in peers.items()]
    source = data.source.get("attribution") or data.source.get("name", "SDG-Portal")
    source_text = t("standards.peers.source", lang, source=source, licence=data.source.get("licence", ""))
    caption = t("standards.peers.caption", lang, city=city.name, indicator=indicator.name.get(lang), year=year)
    return PeerComparison(
        indicator=indicator_id, heading=t("standards.peers.heading", lang, city=city.name), year=year, unit=unit,
        rows=rows, city_value=series[year], type_name=city.type, type_count=len(group_values),
        type_median=median, type_min=low, type_max=high, peers=peers,
        definition=(data.definitions.get(indicator_id) or {}).get(lang, ""), source_text=source_text, demo=demo, caption=caption)


def compare_all(cockpit: Cockpit, who: Viewer | Role | str, lang: str) -> list[PeerComparison]:
    """Comparisons of every visible goal indicator that has one (the goal page)."""
    seen, result = set(), []
    for goal in cockpit.catalog.goals:
        if goal.indicator in seen:
            continue
        seen.add(goal.indicator)
        found = compare(cockpit, who, goal.indicator, lang)
        if found is not None:
            result.append(found)
    return result


def api_record(found: PeerComparison, source: dict) -> dict:
    return {
        "indicator": found.indicator, "year": found.year, "unit": found.unit, "city": found.city_value,
        "municipality_type": {"name": found.type_name, "count": found.type_count, "median": found.type_median,
                              "min": found.type_min, "max": found.type_max},
        "peers": found.peers, "definition": found.definition, "demo": found.demo,
        "source": {"name": source.get("name"), "url": source.get("url"), "licence": source.get("licence"),
                   "attribution": source.get("attribution")},
    }


