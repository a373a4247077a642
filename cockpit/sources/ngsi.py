"""FIWARE NGSI-v2 / NGSI-LD WasteContainer entities: mean fill level per district and city-wide, per hour."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from cockpit.sources._time import floor_hour, iso_utc, parse_instant, parse_watermark
from cockpit.sources.base import (
    CITYWIDE,
    Connector,
    Document,
    ParseResult,
    Payload,
    PayloadError,
    Reject,
    load_json,
    make_frame,
    raw_text,
)
from cockpit.sources.http import is_url

log = logging.getLogger(__name__)

UNTRUSTED_STATUS = {"dropped", "vandalized", "burning"}
LD_TYPES = {"Property", "GeoProperty", "Relationship", "LanguageProperty"}


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


@dataclass
class Reading:
    """One entity: its observation time (if readable), and either district and fill level or a reject reason."""

    entity: Any
    stamp: datetime | None = None
    district: str = CITYWIDE
    level: float = math.nan
    reason: str | None = None

    @property
    def hour(self) -> datetime | None:
        return floor_hour(self.stamp) if self.stamp else None


class NgsiConnector(Connector):
    """Reads the WasteContainer entities (v2 or LD, keyValues or normalized), groups them by the hour of their
    dateObserved (else fillingLevel.observedAt, else dateModified) and emits the mean fillingLevel in percent per
    district (by address.postalCode through the `postcodes` option) and city-wide.

    Rejected (excluded from the means): missing/non-numeric fillingLevel or outside 0..1, status dropped /
    vandalized / burning, no or unparsable time, unmapped postcode, wrong type, duplicate id. Hours in which no
    entity is newer than the watermark (the latest observation time) are not emitted again.
    """

    name = "ngsi"
    Options = NgsiOptions

    # ------------------------------------------------------------------ fetch
    def fetch(self, watermark: str | None) -> Payload:
        location = self.source.location
        if not is_url(location):
            path = Path(location)
            document = self.fetcher.get(str(path / "entities.json") if path.is_dir() else location)
            return Payload(
                documents=[document], meta={"watermark": watermark, "flavour": self.options.flavour}
            )
        flavour, path = self._endpoint(location)
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
        return Payload(documents=documents, meta={"watermark": watermark, "flavour": flavour})

    def _endpoint(self, location: str) -> tuple[str, str]:
        """(flavour, path below the location): the location may be the broker root or its v2 / ngsi-ld/v1 base."""
        base = urlparse(location).path.rstrip("/")
        flavour = self.options.flavour
        if flavour == "auto":
            flavour = "ld" if "ngsi-ld" in base else "v2"
        if flavour == "ld":
            return flavour, "entities" if base.endswith("ngsi-ld/v1") else "ngsi-ld/v1/entities"
        return flavour, "entities" if base.endswith("/v2") else "v2/entities"

    def _params(self, flavour: str, offset: int) -> dict:
        params = {
            "type": self.options.entity_type,
            "limit": str(self.options.page_size),
            "offset": str(offset),
        }
        if flavour == "v2":
            params["options"] = "count,keyValues" if self.options.key_values else "count"
        elif self.options.key_values:
            params["options"] = "keyValues"
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

    def _entities(self, document: Document) -> list:
        where = f"source '{self.source.id}', {document.name}"
        body = load_json(document, self.source.id)
        if isinstance(body, dict) and "error" in body:
            raise PayloadError(
                f"{where}: the broker answered with an error: {body.get('error')}: "
                f"{body.get('description', '')}"
            )
        if not isinstance(body, list):
            raise PayloadError(
                f"{where}: wrong schema, expected a JSON array of entities, got {type(body).__name__}"
            )
        return body

    # ------------------------------------------------------------------ parse
    def parse(self, payload: Payload) -> ParseResult:
        entities = [entity for document in payload.documents for entity in self._entities(document)]
        after = parse_watermark(payload.meta.get("watermark"))
        seen: set[str] = set()
        readings = [self._reading(entity, seen) for entity in entities]
        new_hours = {r.hour for r in readings if r.stamp and (after is None or r.stamp > after)}
        if not new_hours and after is not None:
            return ParseResult(make_frame([]))  # nothing observed since the last run
        flavour = detect_flavour(entities)
        if self.options.flavour not in ("auto", flavour) and entities:
            log.warning(
                "%s: configured flavour %s but the payload looks like %s",
                self.source.id,
                self.options.flavour,
                flavour,
            )
        rejects = [
            Reject(raw_text(r.entity), r.reason)
            for r in readings
            if r.reason and (r.hour is None or r.hour in new_hours)
        ]
        valid = [r for r in readings if not r.reason and r.hour in new_hours]
        stamps = [r.stamp for r in readings if r.stamp]
        watermark = iso_utc(max(stamps)) if stamps and (after is None or max(stamps) > after) else None
        return ParseResult(make_frame(self._rows(valid, flavour)), rejects, watermark)

    def _reading(self, entity: object, seen: set[str]) -> Reading:
        reading = Reading(entity)
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
            reading.reason = "entity without an 'id'"
            return reading
        attrs = attributes(entity)
        try:
            reading.stamp = observed_at(entity, attrs)
        except ValueError as exc:
            reading.reason = f"{entity['id']}: {exc}"
            return reading
        reason = self._problem(entity, attrs, seen)
        if reason is None:
            reading.level = float(attrs["fillingLevel"])
            reading.district = self.options.postcodes.get(postcode(attrs) or "", CITYWIDE)
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
        level = attrs.get("fillingLevel")
        if level is None:
            return "missing fillingLevel"
        if isinstance(level, bool) or not isinstance(level, int | float) or not math.isfinite(level):
            return f"fillingLevel {level!r} is not a number"
        if not 0 <= level <= 1:
            return f"fillingLevel {level} outside 0..1"
        if self.options.postcodes:
            code = postcode(attrs)
            if code is None:
                return "no address.postalCode to find the district"
            if code not in self.options.postcodes:
                return f"postcode '{code}' is not mapped to a district (add it to the 'postcodes' option)"
        return None

    def _rows(self, readings: list[Reading], flavour: str) -> list[dict]:
        groups: dict[tuple[datetime, str], list[float]] = defaultdict(list)
        for r in readings:
            groups[(r.hour, CITYWIDE)].append(r.level)
            if r.district != CITYWIDE:
                groups[(r.hour, r.district)].append(r.level)
        rows = []
        for (hour, district), levels in sorted(groups.items()):
            raw = {
                "hour": iso_utc(hour),
                "district": district or "city",
                "containers": len(levels),
                "flavour": flavour,
            }
            rows.append(
                {
                    "indicator": self.options.indicator,
                    "district": district,
                    "period_start": hour,
                    "period_end": hour + timedelta(hours=1),
                    "value": 100.0 * sum(levels) / len(levels),
                    "raw": raw_text(raw),
                }
            )
        return rows


def short_name(key: str) -> str:
    """An attribute or type name without an expanded LD prefix (https://.../fillingLevel -> fillingLevel)."""
    return key.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def unwrap(value: Any) -> Any:
    """The plain value of a keyValues, v2-normalized ({value, type}) or LD ({type: Property, value}) attribute."""
    if isinstance(value, dict) and "value" in value and ("type" in value or "metadata" in value):
        value = value["value"]
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    return value


def attributes(entity: dict) -> dict[str, Any]:
    return {short_name(k): unwrap(v) for k, v in entity.items() if k not in ("id", "type", "@context")}


def observed_at(entity: dict, attrs: dict) -> datetime:
    """dateObserved, else the observedAt of fillingLevel (LD), else dateModified; ValueError if none is usable."""
    level = next((v for k, v in entity.items() if short_name(k) == "fillingLevel"), None)
    candidates = [
        ("dateObserved", attrs.get("dateObserved")),
        ("fillingLevel.observedAt", level.get("observedAt") if isinstance(level, dict) else None),
        ("dateModified", attrs.get("dateModified")),
    ]
    for name, value in candidates:
        if value is not None:
            try:
                return parse_instant(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    raise ValueError("no dateObserved or dateModified")


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
