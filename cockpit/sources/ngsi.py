"""FIWARE NGSI-v2 / NGSI-LD WasteContainer entities: mean fill level per district and city-wide, per hour."""

from __future__ import annotations

import logging
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cockpit.sources import base
from cockpit.sources._time import floor_hour, iso_utc, parse_instant, parse_watermark
from cockpit.sources.http import is_url

log = logging.getLogger(__name__)

UNTRUSTED_STATUS = {"dropped", "vandalized", "burning"}
LD_TYPES = {"Property", "GeoProperty", "Relationship", "LanguageProperty"}
FILL_NAMES = ("fillingLevel", "binFillingLevel")  # the model's name, and the one of newer bin-sensor models
# Observation times, most specific first: of the fill-level attribute itself, then of the entity.
ATTRIBUTE_TIMES = ("observedAt", "TimeInstant", "dateModified", "modifiedAt")
ENTITY_TIMES = ("TimeInstant", "dateObserved", "binLoggedTime", "dateModified", "modifiedAt")
RETRIEVAL = "retrieval time"


class NgsiOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flavour: Literal["auto", "v2", "ld"] = "auto"  # auto: ld if the location names ngsi-ld, else v2
    entity_type: str = Field(default="WasteContainer", min_length=1)
    service: str | None = None  # Fiware-Service (v2) / NGSILD-Tenant (LD)
    service_path: str | None = None  # Fiware-ServicePath (v2)
    key_values: bool = True  # ask for keyValues; both forms are parsed either way
    context: str | None = None  # LD: @context sent as a Link header
    page_size: int = Field(default=100, ge=1, le=1000)
    max_pages: int = Field(default=100, ge=1)
    indicator: str = "smart-bin-fill-level"
    postcodes: dict[str, str] = Field(
        default_factory=dict
    )  # address.postalCode -> district id; {} = city only
    bbox: list[float] | None = None  # the city's [min lon, min lat, max lon, max lat]; None = no location check

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (len(value) != 4 or not (value[0] < value[2] and value[1] < value[3])):
            raise ValueError("bbox must be [min lon, min lat, max lon, max lat] with min < max")
        return value


@dataclass
class Reading:
    """One entity: its observation time (if readable), and either district and fill level or a reject reason."""

    entity: Any
    stamp: datetime | None = None
    district: str = base.CITYWIDE
    level: float = math.nan
    reason: str | None = None
    time_from: str = ""

    @property
    def hour(self) -> datetime | None:
        return floor_hour(self.stamp) if self.stamp else None


class NgsiConnector(base.Connector):
    """Reads the WasteContainer entities (v2 or LD, keyValues or normalized) as the Smart Data Models
    specification defines them and emits the mean fill level in percent per hour, per district (by
    address.postalCode through the `postcodes` option) and city-wide.

    Fill level: `fillingLevel` (0..1), else `binFillingLevel`. Time, the first one present: of the fill-level
    attribute its `observedAt` (NGSI-LD) or its metadata `TimeInstant` / `dateModified` (NGSI-v2, requested via
    `metadata=`), else of the entity `TimeInstant` (IoT Agent), `dateObserved`, `binLoggedTime`, `dateModified`
    (requested via `attrs=dateModified,*`) or `modifiedAt` (LD `options=sysAttrs`); an entity with none of them
    is a current-state reading and gets the retrieval time of the query. The raw text of every emitted hour
    says which times were used ("time_from").
    Location: `location` (GeoJSON [longitude, latitude]) must lie in the city's `bbox` (coordinates in
    latitude/longitude order are named as such); without a location, an address.postalCode or areaServed must
    place the container, otherwise it is quarantined.

    Rejected (excluded from the means): no or non-numeric fill level or outside 0..1, status dropped /
    vandalized / burning, unparsable time, no location or one outside the city, unmapped postcode, wrong type,
    duplicate id. Hours in which no entity is newer than the watermark (the latest observation time) are not
    emitted again.
    """

    name = "ngsi"
    Options = NgsiOptions

    # ------------------------------------------------------------------ fetch
    def fetch(self, watermark: str | None) -> base.Payload:
        location = self.source.location
        if not is_url(location):
            path = Path(location)
            file = path / "entities.json" if path.is_dir() else path
            document = self.fetcher.get(str(file))
            # a recorded file was retrieved when it was written
            retrieved = datetime.fromtimestamp(os.stat(file).st_mtime, tz=UTC)
            return base.Payload(
                documents=[document],
                meta={"watermark": watermark, "flavour": self.options.flavour, "retrieved_at": iso_utc(retrieved)},
            )
        flavour, path = self._endpoint(location)
        retrieved = datetime.now(UTC)
        documents = []
        for page in range(self.options.max_pages):
            params = self._params(flavour, page * self.options.page_size)
            document = self.fetcher.get(location, path, params=params, headers=self._headers(flavour))
            documents.append(document)
            if len(self._entities(document)) < self.options.page_size:
                break
        else:
            log.warning(
                "%s: stopped after %s pages of %s entities",
                self.source.id,
                self.options.max_pages,
                self.options.page_size,
            )
        return base.Payload(
            documents=documents,
            meta={"watermark": watermark, "flavour": flavour, "retrieved_at": iso_utc(retrieved)},
        )

    def _endpoint(self, location: str) -> tuple[str, str]:
        """(flavour, path below the location): the location may be the broker root or its v2 / ngsi-ld/v1 base."""
        root = urlparse(location).path.rstrip("/")
        flavour = self.options.flavour
        if flavour == "auto":
            flavour = "ld" if "ngsi-ld" in root else "v2"
        if flavour == "ld":
            return flavour, "entities" if root.endswith("ngsi-ld/v1") else "ngsi-ld/v1/entities"
        return flavour, "entities" if root.endswith("/v2") else "v2/entities"

    def _params(self, flavour: str, offset: int) -> dict:
        params = {
            "type": self.options.entity_type,
            "limit": str(self.options.page_size),
            "offset": str(offset),
        }
        if flavour == "v2":
            params["options"] = "count,keyValues" if self.options.key_values else "count"
            # Orion returns these builtins only when asked: the time of the entity and of each attribute
            params["attrs"] = "dateModified,*"
            if not self.options.key_values:
                params["metadata"] = "dateModified,TimeInstant,*"
        else:
            params["options"] = "keyValues,sysAttrs" if self.options.key_values else "sysAttrs"
        return params

    def _headers(self, flavour: str) -> dict:
        o = self.options
        if flavour == "ld":
            headers = {"Accept": "application/ld+json"}
            if o.service:
                headers["NGSILD-Tenant"] = o.service
            if o.context:
                headers["Link"] = (
                    f'<{o.context}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
                )
            return headers
        headers = {"Accept": "application/json"}
        if o.service:
            headers["Fiware-Service"] = o.service
        if o.service_path:
            headers["Fiware-ServicePath"] = o.service_path
        return headers

    def _entities(self, document: base.Document) -> list:
        where = f"source '{self.source.id}', {document.name}"
        body = base.load_json(document, self.source.id)
        if isinstance(body, dict) and "error" in body:
            raise base.PayloadError(
                f"{where}: the broker answered with an error: {body.get('error')}: "
                f"{body.get('description', '')}"
            )
        if not isinstance(body, list):
            raise base.PayloadError(
                f"{where}: wrong schema, expected a JSON array of entities, got {type(body).__name__}"
            )
        return body

    # ------------------------------------------------------------------ parse
    def parse(self, payload: base.Payload) -> base.ParseResult:
        entities = [entity for document in payload.documents for entity in self._entities(document)]
        after = parse_watermark(payload.meta.get("watermark"))
        retrieved = parse_watermark(payload.meta.get("retrieved_at"))
        seen: set[str] = set()
        readings = [self._reading(entity, seen, retrieved) for entity in entities]
        new_hours = {r.hour for r in readings if r.stamp and (after is None or r.stamp > after)}
        if not new_hours and after is not None:
            return base.ParseResult(base.make_frame([]))  # nothing observed since the last run
        flavour = detect_flavour(entities)
        if self.options.flavour not in ("auto", flavour) and entities:
            log.warning(
                "%s: configured flavour %s but the payload looks like %s",
                self.source.id,
                self.options.flavour,
                flavour,
            )
        rejects = [
            base.Reject(base.raw_text(r.entity), r.reason)
            for r in readings
            if r.reason and (r.hour is None or r.hour in new_hours)
        ]
        valid = [r for r in readings if not r.reason and r.hour in new_hours]
        stamps = [r.stamp for r in readings if r.stamp]
        watermark = iso_utc(max(stamps)) if stamps and (after is None or max(stamps) > after) else None
        notes = [time_note(valid)] if valid else []
        return base.ParseResult(base.make_frame(self._rows(valid, flavour)), rejects, watermark, notes=notes)

    def _reading(self, entity: object, seen: set[str], retrieved: datetime | None = None) -> Reading:
        reading = Reading(entity)
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
            reading.reason = "entity without an 'id'"
            return reading
        attrs = attributes(entity)
        try:
            reading.stamp, reading.time_from = observed_at(entity, attrs, retrieved)
        except ValueError as exc:
            reading.reason = f"{entity['id']}: {exc}"
            return reading
        reason = self._problem(entity, attrs, seen)
        if reason is None:
            reading.level = float(fill_level(attrs)[1])
            reading.district = self.options.postcodes.get(postcode(attrs) or "", base.CITYWIDE)
        else:
            reading.reason = f"{entity['id']}: {reason}"
        return reading

    def _problem(self, entity: dict, attrs: dict, seen: set[str]) -> str | None:
        """Why an entity's reading cannot be used, or None."""
        kind = short_name(str(entity.get("type", "")))
        if kind != self.options.entity_type:
            return f"entity type '{kind}', expected '{self.options.entity_type}'"
        if entity["id"] in seen:
            return "duplicate entity, the first one was used"
        seen.add(entity["id"])
        status = attrs.get("status")
        if isinstance(status, str) and status in UNTRUSTED_STATUS:
            return f"status '{status}': the fill level cannot be trusted"
        name, level = fill_level(attrs)
        if name is None:
            return f"no fill level ({' or '.join(FILL_NAMES)}): nothing to count"
        if isinstance(level, bool) or not isinstance(level, int | float) or not math.isfinite(level):
            return f"{name} {level!r} is not a number"
        if not 0 <= level <= 1:
            return f"{name} {level} outside 0..1"
        problem = self._location_problem(attrs)
        if problem:
            return problem
        if self.options.postcodes:
            code = postcode(attrs)
            if code is None:
                return "no address.postalCode to find the district"
            if code not in self.options.postcodes:
                return f"postcode '{code}' is not mapped to a district (add it to the 'postcodes' option)"
        return None

    def _location_problem(self, attrs: dict) -> str | None:
        """Why the container cannot be placed in the city, or None."""
        location = attrs.get("location")
        if location is None:
            if postcode(attrs) or attrs.get("areaServed"):
                return None
            return "no location (neither location nor address.postalCode nor areaServed)"
        try:
            lon, lat = point_of(location)
        except ValueError as exc:
            return f"location: {exc}"
        box = self.options.bbox
        if box is None:
            return None
        inside = box[0] <= lon <= box[2] and box[1] <= lat <= box[3]
        if inside:
            return None
        if box[0] <= lat <= box[2] and box[1] <= lon <= box[3]:
            return (
                f"location [{lon}, {lat}] is in latitude/longitude order; GeoJSON is [longitude, latitude] "
                "(not counted: the source must be fixed)"
            )
        return f"location [{lon}, {lat}] (lon, lat) lies outside the city's bounding box {box}"

    def _rows(self, readings: list[Reading], flavour: str) -> list[dict]:
        groups: dict[tuple[datetime, str], list[Reading]] = defaultdict(list)
        for r in readings:
            groups[(r.hour, base.CITYWIDE)].append(r)
            if r.district != base.CITYWIDE:
                groups[(r.hour, r.district)].append(r)
        rows = []
        for (hour, district), members in sorted(groups.items(), key=lambda item: item[0]):
            levels = [r.level for r in members]
            raw = {
                "hour": iso_utc(hour),
                "district": district or "city",
                "containers": len(levels),
                "flavour": flavour,
                "time_from": dict(sorted(Counter(r.time_from for r in members).items())),
            }
            rows.append(
                {
                    "indicator": self.options.indicator,
                    "district": district,
                    "period_start": hour,
                    "period_end": hour + timedelta(hours=1),
                    "value": 100.0 * sum(levels) / len(levels),
                    "raw": base.raw_text(raw),
                }
            )
        return rows


def time_note(readings: list[Reading]) -> str:
    """Which attributes gave the containers' times, e.g. 'fill-level time of 3 containers from dateObserved,
    1 from the retrieval time (current-state query: the entity carries no observation time)'."""
    counts = Counter(r.time_from for r in readings)
    parts = [f"{n} from {'the ' + name if name == RETRIEVAL else name}" for name, n in sorted(counts.items())]
    text = f"fill-level time of {len(readings)} containers: {', '.join(parts)}"
    if RETRIEVAL in counts:
        text += " (current-state query: those entities carry no observation time)"
    return text


def short_name(key: str) -> str:
    """An attribute or type name without an expanded LD prefix (https://.../fillingLevel -> fillingLevel)."""
    return key.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def unwrap(value: Any) -> Any:
    """The plain value of a keyValues, v2-normalized ({value, type}) or LD ({type: Property, value}) attribute."""
    if isinstance(value, dict) and value.get("type") == "Relationship" and "object" in value:
        value = value["object"]
    if isinstance(value, dict) and "value" in value and ("type" in value or "metadata" in value):
        value = value["value"]
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    return value


def attributes(entity: dict) -> dict[str, Any]:
    return {short_name(k): unwrap(v) for k, v in entity.items() if k not in ("id", "type", "@context")}


def fill_level(attrs: dict) -> tuple[str | None, Any]:
    """(attribute name, plain value) of the fill level, (None, None) if the entity has none."""
    for name in FILL_NAMES:
        if attrs.get(name) is not None:
            return name, attrs[name]
    return None, None


def observed_at(entity: dict, attrs: dict, retrieved: datetime | None = None) -> tuple[datetime, str]:
    """(time of the fill level, which attribute gave it); see NgsiConnector. ValueError if a present time is
    unusable, or if there is none and no retrieval time either."""
    raw = next((v for k, v in entity.items() if short_name(k) in FILL_NAMES), None)
    name = next((short_name(k) for k in entity if short_name(k) in FILL_NAMES), "fillingLevel")
    candidates = []
    if isinstance(raw, dict):
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        for key in ATTRIBUTE_TIMES:
            value = raw.get(key, metadata.get(key))
            candidates.append((f"{name}.{key}", unwrap(value)))
    candidates += [(key, attrs.get(key)) for key in ENTITY_TIMES]
    for source, value in candidates:
        if value is not None:
            try:
                return parse_instant(value), source
            except ValueError as exc:
                raise ValueError(f"{source}: {exc}") from None
    if retrieved is not None:
        return retrieved, RETRIEVAL
    raise ValueError(f"no observation time ({', '.join(ENTITY_TIMES)}) and no retrieval time")


def point_of(location: Any) -> tuple[float, float]:
    """(lon, lat) of a GeoJSON location: a Point, else the mean of the positions of another geometry."""
    if isinstance(location, str):
        raise ValueError(f"{location[:60]!r} is not GeoJSON")
    coordinates = location.get("coordinates") if isinstance(location, dict) else None
    positions: list = []

    def collect(item: Any) -> None:
        if isinstance(item, list) and len(item) >= 2 and all(isinstance(c, int | float) for c in item[:2]):
            positions.append(item)
        elif isinstance(item, list):
            for part in item:
                collect(part)

    collect(coordinates)
    if not positions or any(isinstance(c, bool) for p in positions for c in p[:2]):
        raise ValueError(f"{str(location)[:80]} has no GeoJSON coordinates")
    lon = sum(p[0] for p in positions) / len(positions)
    lat = sum(p[1] for p in positions) / len(positions)
    return float(lon), float(lat)


def postcode(attrs: dict) -> str | None:
    address = attrs.get("address")
    code = address.get("postalCode") if isinstance(address, dict) else None
    if isinstance(code, int) and not isinstance(code, bool):
        return f"{code:05d}"
    return code.strip() if isinstance(code, str) and code.strip() else None


def detect_flavour(entities: list) -> str:
    """'ld' if the entities carry an @context, urn:ngsi-ld ids or Property-typed attributes, else 'v2'."""
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        if "@context" in entity or str(entity.get("id", "")).startswith("urn:ngsi-ld:"):
            return "ld"
        if any(isinstance(v, dict) and v.get("type") in LD_TYPES for v in entity.values()):
            return "ld"
    return "v2"
