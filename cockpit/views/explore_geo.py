"""The district geometry of the explorer's map: a GeoJSON FeatureCollection from a file or an OGC API Features /
WFS URL (cached), matched to the catalog's districts, with centroids and hatch lines for districts without data.
Plain data, no Dash."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from cockpit.catalog import Catalog

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

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

