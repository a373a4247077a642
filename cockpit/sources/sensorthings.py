"""OGC SensorThings API: Observations of configured Datastreams, paged by @iot.nextLink, incremental by time."""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cockpit.sources import base
from cockpit.sources._time import iso_utc, parse_instant, parse_watermark
from cockpit.sources.http import is_url

log = logging.getLogger(__name__)


class DatastreamDef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    datastream: int | str
    indicator: str = Field(min_length=1)
    district: str = base.CITYWIDE
    scale: float = 1.0

    @property
    def key(self) -> str:
        return str(self.datastream)

    @property
    def entity(self) -> str:
        ident = self.datastream if isinstance(self.datastream, int) else f"'{self.datastream}'"
        return f"Datastreams({ident})"


class SensorThingsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    datastreams: list[DatastreamDef] = Field(min_length=1)
    page_size: int = Field(default=1000, ge=1, le=100_000)  # $top
    max_pages: int = Field(default=500, ge=1)  # per datastream and run; the rest follows in the next run

    @model_validator(mode="after")
    def _unique(self):
        base.require_unique([d.key for d in self.datastreams], "each datastream may be listed only once")
        return self


class SensorThingsConnector(base.Connector):
    """GET {location}/Datastreams(N)/Observations with $orderby=phenomenonTime asc, $top and, given a watermark,
    $filter=phenomenonTime gt <watermark>; a local folder serves Datastreams(N)/Observations.json and pages
    named by @iot.nextLink relative to the current file.

    Attribution: each Observation is requested with $expand=Datastream($select=id) and stored under the
    Datastream it names itself, never under the one whose URL fetched it; one naming an unconfigured Datastream,
    or none at all (a server that ignored $expand), is quarantined (a recorded local folder names the Datastream
    by its path). An observation with a missing or non-numeric result, an unparsable / zone-less phenomenonTime
    or an interval that ends before it starts is rejected; a duplicate @iot.id too. Observations not after the watermark are
    skipped (a local folder ignores the filter). The watermark is the latest phenomenonTime (start) read, rejected
    observations included so they are not fetched again: an ISO string with one datastream, else a JSON object
    by datastream.
    """

    name = "sensorthings"
    Options = SensorThingsOptions

    # ------------------------------------------------------------------ fetch
    supports_backfill = True

    def fetch(self, watermark: str | None) -> base.Payload:
        marks = self._watermarks(watermark)
        return self._fetch(marks.get, None, {"watermark": watermark})

    def fetch_window(self, start: datetime, end: datetime) -> base.Payload:
        """Observations with phenomenonTime in [start, end) (a local folder is read whole and cut in parse)."""
        after = start - timedelta(seconds=1)
        return self._fetch(lambda _key: after, end, {"watermark": iso_utc(after), "until": iso_utc(end)})

    def _fetch(self, after_for, until: datetime | None, meta: dict) -> base.Payload:
        documents, pages = [], []
        for definition in self.options.datastreams:
            for document in self._pages(definition, after_for(definition.key), until):
                documents.append(document)
                pages.append(definition.key)
        return base.Payload(
            documents=documents, meta={"datastreams": pages, "local": not is_url(self.source.location), **meta}
        )

    def _pages(
        self, definition: DatastreamDef, after: datetime | None, until: datetime | None = None
    ) -> list[base.Document]:
        location = self.source.location
        local = not is_url(location)
        if local:
            document = self.fetcher.get(location, f"{definition.entity}/Observations.json")
        else:
            params = {
                "$orderby": "phenomenonTime asc",
                "$top": str(self.options.page_size),
                # each Observation names its own Datastream: attribution never relies on the request path
                "$expand": "Datastream($select=id)",
            }
            conditions = [f"phenomenonTime gt {iso_utc(after)}"] if after is not None else []
            if until is not None:
                conditions.append(f"phenomenonTime lt {iso_utc(until)}")
            if conditions:
                params["$filter"] = " and ".join(conditions)
            document = self.fetcher.get(location, f"{definition.entity}/Observations", params=params)
        documents, seen = [document], {document.name}
        while (link := self._next_link(document)) is not None:
            if len(documents) >= self.options.max_pages:
                log.warning(
                    "%s: %s: stopped after %s pages, the rest follows in the next run",
                    self.source.id,
                    definition.entity,
                    len(documents),
                )
                break
            target = (
                str(Path(document.name).parent / link)
                if local and not is_url(link)
                else urljoin(document.name, link)
            )
            if target in seen:
                raise base.PayloadError(
                    f"source '{self.source.id}', {document.name}: @iot.nextLink loops back to {target}"
                )
            document = self.fetcher.get(target)
            documents.append(document)
            seen.add(document.name)
        return documents

    def _next_link(self, document: base.Document) -> str | None:
        where = f"source '{self.source.id}', {document.name}"
        link = self._page(document)[1]
        if link is not None and (not isinstance(link, str) or not link.strip()):
            raise base.PayloadError(f"{where}: '@iot.nextLink' is {link!r}, not a link")
        return link

    def _page(self, document: base.Document) -> tuple[list, object]:
        where = f"source '{self.source.id}', {document.name}"
        page = base.require_keys(base.load_json(document, self.source.id), ("value",), where)
        if not isinstance(page["value"], list):
            raise base.PayloadError(f"{where}: wrong schema, 'value' must be a list of Observations")
        return page["value"], page.get("@iot.nextLink")

    def _watermarks(self, watermark: str | None) -> dict[str, datetime]:
        """Per-datastream watermarks from a JSON object, or one ISO timestamp for all datastreams."""
        if not watermark:
            return {}
        if watermark.lstrip().startswith("{"):
            try:
                raw = json.loads(watermark)
            except json.JSONDecodeError:
                raw = {}
            marks = {str(k): parse_watermark(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            return {k: v for k, v in marks.items() if v is not None}
        single = parse_watermark(watermark)
        return {d.key: single for d in self.options.datastreams} if single else {}

    # ------------------------------------------------------------------ parse
    def parse(self, payload: base.Payload) -> base.ParseResult:
        keys = payload.meta.get("datastreams") or []
        if len(keys) != len(payload.documents):
            raise base.PayloadError(f"source '{self.source.id}': payload meta does not describe its documents")
        definitions = {d.key: d for d in self.options.datastreams}
        # payloads archived before Observations were requested with $expand carry no "local": attributed as before
        local = bool(payload.meta.get("local", True))
        marks = self._watermarks(payload.meta.get("watermark"))
        until = parse_watermark(payload.meta.get("until"))
        latest = dict(marks)
        rows, rejects, seen = [], [], set()
        for document, key in zip(payload.documents, keys, strict=True):
            definition = definitions.get(key)
            if definition is None:
                raise base.PayloadError(
                    f"source '{self.source.id}': datastream {key} is no longer configured"
                )
            for observation in self._page(document)[0]:
                if until is not None and _starts_at_or_after(observation, until):
                    continue  # outside a backfill window
                owner, problem = self._owner(observation, definition, definitions, local)
                if problem:
                    rejects.append(base.Reject(base.raw_text(observation), problem))
                    continue
                stamp, row = self._observation(owner, observation, marks.get(owner.key), seen, rejects)
                if stamp is not None and owner.key == key:  # a foreign Observation never moves this watermark
                    latest[key] = max(latest.get(key, stamp), stamp)
                if row is not None:
                    rows.append(row)
        return base.ParseResult(base.make_frame(rows), rejects, self._new_watermark(marks, latest))

    @staticmethod
    def _owner(
        observation: object, requested: DatastreamDef, definitions: dict[str, DatastreamDef], local: bool
    ) -> tuple[DatastreamDef, str | None]:
        """The Datastream an Observation belongs to, by its own id ($expand=Datastream); (_, reason) if unknown.

        A recorded local folder holds one file tree per Datastream, so there the folder names it."""
        if not isinstance(observation, dict):
            return requested, None  # left to _observation, which rejects it with the reason
        ident = observation.get("@iot.id", "?")
        expanded = observation.get("Datastream")
        own = expanded.get("@iot.id", expanded.get("id")) if isinstance(expanded, dict) else None
        if own is None:
            if local:
                return requested, None
            return requested, (
                f"{requested.entity}: Observation {ident} does not name its Datastream (the server "
                "ignored $expand=Datastream); not attributed to the requested one"
            )
        definition = definitions.get(str(own))
        if definition is None:
            return requested, (
                f"{requested.entity}: Observation {ident} belongs to Datastream {own}, which is not "
                "configured (the server ignored the request's path?)"
            )
        return definition, None

    def _observation(
        self,
        definition: DatastreamDef,
        observation: object,
        after: datetime | None,
        seen: set,
        rejects: list[base.Reject],
    ) -> tuple[datetime | None, dict | None]:
        """(start time if readable and new, row if usable); rejects what cannot be used.

        A rejected observation with a readable time still moves the watermark, so it is not fetched again.
        """
        try:
            start, end = read_time(observation)
        except ValueError as exc:
            rejects.append(base.Reject(base.raw_text(observation), f"{definition.entity}: {exc}"))
            return None, None
        if after is not None and start <= after:
            return None, None  # stored by an earlier run (a local folder ignores $filter)
        try:
            value = read_result(observation)
            if end is not None and end < start:
                raise ValueError(
                    f"Observation {observation.get('@iot.id', '?')}: phenomenonTime: interval "
                    f"{observation['phenomenonTime']!r} ends before it starts"
                )
        except ValueError as exc:
            rejects.append(base.Reject(base.raw_text(observation), f"{definition.entity}: {exc}"))
            return start, None
        iot_id = observation.get("@iot.id")
        ident = (definition.key, iot_id if isinstance(iot_id, str | int) else None)
        if ident[1] is not None and ident in seen:
            rejects.append(
                base.Reject(
                    base.raw_text(observation),
                    f"{definition.entity}: duplicate Observation @iot.id {ident[1]}, the first was kept",
                )
            )
            return start, None
        seen.add(ident)
        return start, {
            "indicator": definition.indicator,
            "district": definition.district,
            "period_start": start,
            "period_end": end,
            "value": value * definition.scale,
            "raw": base.raw_text(observation),
        }

    def _new_watermark(self, marks: dict[str, datetime], latest: dict[str, datetime]) -> str | None:
        if latest == marks or not latest:
            return None
        if len(self.options.datastreams) == 1:
            return iso_utc(next(iter(latest.values())))
        return json.dumps({k: iso_utc(v) for k, v in sorted(latest.items())})


def _starts_at_or_after(observation: object, moment: datetime) -> bool:
    try:
        return read_time(observation)[0] >= moment
    except ValueError:
        return False  # unreadable: left to _observation, which rejects it with the reason


def read_time(observation: object) -> tuple[datetime, datetime | None]:
    """(start, end or None) of an Observation's phenomenonTime (instant or interval); ValueError if unusable."""
    if not isinstance(observation, dict):
        raise ValueError(f"Observation is a {type(observation).__name__}, not an object")
    ident = observation.get("@iot.id", "?")
    phenomenon = observation.get("phenomenonTime")
    if phenomenon is None:
        raise ValueError(f"Observation {ident}: missing phenomenonTime")
    try:
        if isinstance(phenomenon, str) and "/" in phenomenon:
            first, _, second = phenomenon.partition("/")
            return parse_instant(first), parse_instant(second)
        return parse_instant(phenomenon), None
    except ValueError as exc:
        raise ValueError(f"Observation {ident}: phenomenonTime: {exc}") from None


def read_result(observation: dict) -> float:
    """The numeric result of an Observation; ValueError if it is missing or not a finite number."""
    ident = observation.get("@iot.id", "?")
    result = observation.get("result")
    if result is None:
        raise ValueError(f"Observation {ident}: missing result")
    if isinstance(result, bool) or not isinstance(result, int | float) or not math.isfinite(result):
        raise ValueError(f"Observation {ident}: result {result!r} is not a number")
    return float(result)
