"""GeoJSON of the districts with a public district-level indicator's values per calendar year (Europe/Berlin):
one Feature per district of the catalog (geometry from the district geometry, null when it has none) with
`values` (year -> value, the indicator's own annual aggregation), `value`/`year` of the requested or latest
year, unit, source and licence. For any map client (QGIS, Masterportal, Leaflet): no tile or map server needed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cockpit.catalog import Indicator
from cockpit.roles import Role
from cockpit.views.explore import GeometryError, geometry_location, load_geometry

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


def _geometries(cockpit: Cockpit) -> tuple[dict[str, dict], bool]:
    location = geometry_location(cockpit)
    if not location:
        return {}, False
    try:
        collection = load_geometry(location)
    except GeometryError:
        return {}, False
    found = {}
    for feature in collection["features"]:
        props = feature.get("properties") or {}
        key = str(props.get("id", feature.get("id", "")))
        if isinstance(feature.get("geometry"), dict):
            found[key] = feature["geometry"]
    return found, bool(collection.get("schematic"))


def annual_by_district(cockpit: Cockpit, indicator: Indicator) -> dict[str, dict[int, float]]:
    """{district: {year: value}} of a public indicator (read for the public role, filtered in SQL)."""
    frame = cockpit.store.aggregates(Role.PUBLIC, "year", [indicator.id], district=None)
    result: dict[str, dict[int, float]] = {}
    for row in frame.itertuples():
        if row.district and math.isfinite(row.value):
            result.setdefault(row.district, {})[int(row.bucket.year)] = round(float(row.value), 6)
    return result


def feature_collection(cockpit: Cockpit, indicator: Indicator, year: int | None, base_url: str,
                       demo: bool) -> dict:
    lang = cockpit.settings.default_lang
    geometries, schematic = _geometries(cockpit)
    values = annual_by_district(cockpit, indicator)
    features = []
    for district in cockpit.catalog.districts:
        series = values.get(district.id, {})
        chosen = year if year is not None else (max(series) if series else None)
        properties = {
            "id": district.id, "name": district.name, "indicator": indicator.id,
            "year": chosen, "value": series.get(chosen) if chosen is not None else None,
            "values": {str(y): v for y, v in sorted(series.items())},
            "population": district.population,
        }
        features.append({"type": "Feature", "id": district.id, "geometry": geometries.get(district.id),
                         "properties": properties})
    return {
        "type": "FeatureCollection",
        "name": f"{indicator.id}-districts",
        "indicator": {"id": indicator.id, "name": indicator.name.get(lang), "unit": indicator.unit.get(lang),
                      "aggregation": indicator.aggregation,
                      "api": f"{base_url}/api/v1/indicators/{indicator.id}"},
        "source": {"name": indicator.source.name, "licence": indicator.source.licence,
                   "attribution": indicator.source.attribution},
        "demo": demo,
        "schematic_geometry": schematic,
        "features": features,
    }
