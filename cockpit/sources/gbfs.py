"""GBFS 1.x/2.x/3.0 bike sharing: bikes available and the share of empty stations from station_status."""

from __future__ import annotations

import posixpath
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlparse

from pydantic import BaseModel, ConfigDict, Field

from cockpit.sources import base
from cockpit.sources._time import floor_hour, iso_utc, parse_epoch, parse_instant, parse_watermark
from cockpit.sources.http import is_url

BIKES = "bike-sharing-bikes-available"
EMPTY = "bike-sharing-empty-stations"


class GbfsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = None  # v1/v2 discovery: preferred language key (None = the first one listed)
    feed: str = Field(default="station_status", min_length=1)
    information_feed: str | None = "station_information"  # stations checked against it; None = no check
    max_per_station: int = Field(default=200, ge=1)  # plausibility bound where a station publishes no capacity
    bikes_indicator: str = BIKES
    empty_indicator: str = EMPTY


class GbfsConnector(base.Connector):
    """Reads gbfs.json (version detected from it), then the station_status feed it names.

    Stations that are not installed or not renting are left out; a station with a missing or non-integer count
    or flag is rejected and the other stations still count. A snapshot not newer than the watermark (its
    last_updated) yields nothing, so re-reading the same snapshot stores nothing and quarantines nothing again.

    Per-station plausibility comes before the city-wide sums: station_information (fetched once per run when
    the discovery lists it) names the stations and their capacity; a station it does not list, or one with more
    vehicles than its capacity (or than `max_per_station` without a capacity), is quarantined with the reason
    and the other stations still count.
    """

    name = "gbfs"
    Options = GbfsOptions

    def fetch(self, watermark: str | None) -> base.Payload:
        discovery_location = self._discovery_location()
        discovery = self.fetcher.get(discovery_location)
        version, feed_url = self._find_feed(discovery)
        status = self.fetcher.get(feed_location(discovery_location, feed_url))
        documents = [discovery, status]
        info_url = self._feed_url(discovery, self.options.information_feed)
        if info_url is not None:
            documents.append(self.fetcher.get(feed_location(discovery_location, info_url)))
        return base.Payload(documents=documents, meta={"version": version, "watermark": watermark})

    def parse(self, payload: base.Payload) -> base.ParseResult:
        if len(payload.documents) not in (2, 3):
            raise base.PayloadError(
                f"source '{self.source.id}': expected gbfs.json, {self.options.feed} and optionally "
                f"{self.options.information_feed}, got {len(payload.documents)} documents"
            )
        version = payload.meta.get("version") or self._find_feed(payload.documents[0])[0]
        document = payload.documents[1]
        where = f"source '{self.source.id}', {document.name}"
        body = base.require_keys(base.load_json(document, self.source.id), ("last_updated", "data"), where)
        updated = _last_updated(body["last_updated"], where)
        after = parse_watermark(payload.meta.get("watermark"))
        if after is not None and updated <= after:
            return base.ParseResult(base.make_frame([]))  # the same (or an older) snapshot as last time
        stations = body["data"].get("stations") if isinstance(body["data"], dict) else None
        if not isinstance(stations, list):
            raise base.PayloadError(f"{where}: wrong schema, 'data.stations' must be a list")
        known = self._station_information(payload.documents[2]) if len(payload.documents) == 3 else None
        counts, rejects = self._station_counts(stations, version, known)
        return base.ParseResult(
            base.make_frame(self._rows(counts, updated, version)), rejects, iso_utc(updated)
        )

    def _station_information(self, document: base.Document) -> dict[str, int | None]:
        """station_id -> capacity (None if not published) from station_information."""
        where = f"source '{self.source.id}', {document.name}"
        body = base.require_keys(base.load_json(document, self.source.id), ("data",), where)
        stations = body["data"].get("stations") if isinstance(body["data"], dict) else None
        if not isinstance(stations, list):
            raise base.PayloadError(f"{where}: wrong schema, 'data.stations' must be a list")
        known: dict[str, int | None] = {}
        for station in stations:
            if isinstance(station, dict) and isinstance(station.get("station_id"), str | int):
                capacity = station.get("capacity")
                ok = isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 0
                known[str(station["station_id"])] = capacity if ok else None
        return known

    def _feed_url(self, document: base.Document, name: str | None) -> str | None:
        if not name:
            return None
        try:
            return self._find_feed(document, name)[1]
        except base.PayloadError:
            return None  # not published by this system: stations are not checked against it

    # ------------------------------------------------------------------ discovery
    def _discovery_location(self) -> str:
        location = self.source.location
        if not is_url(location) and Path(location).is_dir():
            return str(Path(location) / "gbfs.json")
        return location

    def _find_feed(self, document: base.Document, wanted: str | None = None) -> tuple[str, str]:
        """(version, URL of the wanted feed) from gbfs.json: v3 lists data.feeds, v1/v2 data.<language>.feeds."""
        where = f"source '{self.source.id}', {document.name}"
        discovery = base.require_keys(base.load_json(document, self.source.id), ("data",), where)
        data, declared = discovery["data"], str(discovery.get("version") or "")
        feeds = None
        if isinstance(data, dict) and isinstance(data.get("feeds"), list):
            feeds, version = data["feeds"], declared if declared.startswith("3") else "3.0"
        elif isinstance(data, dict) and data:
            language = self.options.language if self.options.language in data else next(iter(data))
            feeds = data[language].get("feeds") if isinstance(data[language], dict) else None
            version = declared if declared.startswith(("1", "2")) else "2.3" if declared else "1.0"
        if not isinstance(feeds, list):
            raise base.PayloadError(
                f"{where}: wrong schema, no feed list in 'data.feeds' (v3) or 'data.<language>.feeds'"
            )
        wanted = wanted or self.options.feed
        for feed in feeds:
            if isinstance(feed, dict) and feed.get("name") == wanted and isinstance(feed.get("url"), str):
                return version, feed["url"]
        names = ", ".join(str(f.get("name")) for f in feeds if isinstance(f, dict))
        raise base.PayloadError(f"{where}: the discovery feed lists no '{wanted}' feed (has: {names})")

    # ------------------------------------------------------------------ stations
    def _station_counts(
        self, stations: list, version: str, known: dict[str, int | None] | None = None
    ) -> tuple[list[int], list[base.Reject]]:
        """Available counts of the installed and renting stations, and the rejected station records."""
        counts, rejects, seen = [], [], set()
        count_key = "num_vehicles_available" if version.startswith("3") else "num_bikes_available"
        for station in stations:
            try:
                station_id, operating, count = read_station(station, count_key)
            except ValueError as exc:
                rejects.append(base.Reject(base.raw_text(station), str(exc)))
                continue
            if station_id in seen:
                rejects.append(
                    base.Reject(
                        base.raw_text(station),
                        f"station {station_id}: duplicate record, the first one was counted",
                    )
                )
                continue
            seen.add(station_id)
            problem = self._implausible(station_id, count, known)
            if problem:
                rejects.append(base.Reject(base.raw_text(station), problem))
                continue
            if operating:
                counts.append(count)
        return counts, rejects

    def _implausible(self, station_id: str, count: int, known: dict[str, int | None] | None) -> str | None:
        capacity = None
        if known is not None:
            if station_id not in known:
                return f"station {station_id}: not listed in {self.options.information_feed}; not counted"
            capacity = known[station_id]
        if capacity is not None and count > capacity:
            return f"station {station_id}: {count} vehicles available exceeds its capacity of {capacity}"
        if capacity is None and count > self.options.max_per_station:
            return (
                f"station {station_id}: {count} vehicles available exceeds the plausible maximum of "
                f"{self.options.max_per_station} per station (no capacity published)"
            )
        return None

    def _rows(self, counts: list[int], updated: datetime, version: str) -> list[dict]:
        if not counts:
            return []
        start = floor_hour(updated)
        empty = sum(1 for c in counts if c == 0)
        raw = {
            "last_updated": iso_utc(updated),
            "version": version,
            "stations": len(counts),
            "bikes": sum(counts),
            "empty": empty,
        }
        per_hour = {
            "district": base.CITYWIDE,
            "period_start": start,
            "period_end": start + timedelta(hours=1),
            "raw": base.raw_text(raw),
        }
        return [
            {**per_hour, "indicator": self.options.bikes_indicator, "value": float(sum(counts))},
            {**per_hour, "indicator": self.options.empty_indicator, "value": 100.0 * empty / len(counts)},
        ]


def feed_location(discovery_location: str, url: str) -> str:
    """Where a feed listed in gbfs.json is: its URL (relative ones joined to the discovery URL), or for a local
    discovery file the file of the same name in the same folder."""
    if is_url(discovery_location):
        return urljoin(discovery_location, url)
    name = posixpath.basename(urlparse(url).path) or url
    if not name.endswith(".json"):
        name += ".json"
    return str(Path(discovery_location).parent / name)


def _last_updated(value: object, where: str) -> datetime:
    """last_updated: POSIX seconds (v1/v2) or an RFC 3339 string (v3); either is accepted in any version."""
    try:
        return parse_instant(value) if isinstance(value, str) else parse_epoch(value)
    except ValueError as exc:
        raise base.PayloadError(f"{where}: unusable 'last_updated': {exc}") from None


def _flag(station: dict, key: str) -> bool:
    value = station.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # GBFS 1.x used 0/1
        return bool(value)
    raise ValueError(f"'{key}' is {'missing' if value is None else repr(value)}, expected a boolean")


def read_station(station: object, count_key: str) -> tuple[str, bool, int]:
    """(station_id, installed and renting, available count); ValueError with the reason if the record is bad."""
    if not isinstance(station, dict):
        raise ValueError(f"station record is a {type(station).__name__}, not an object")
    station_id = station.get("station_id")
    if not isinstance(station_id, str | int) or isinstance(station_id, bool) or station_id == "":
        raise ValueError("station record without a station_id")
    key = (
        count_key
        if count_key in station
        else next((k for k in ("num_vehicles_available", "num_bikes_available") if k in station), count_key)
    )
    count = station.get(key)
    if isinstance(count, bool) or not isinstance(count, int):
        what = "missing" if key not in station else "null" if count is None else f"{count!r}, not an integer"
        raise ValueError(f"station {station_id}: '{key}' is {what}")
    if count < 0:
        raise ValueError(f"station {station_id}: '{key}' is negative ({count})")
    try:
        installed, renting = _flag(station, "is_installed"), _flag(station, "is_renting")
    except ValueError as exc:
        raise ValueError(f"station {station_id}: {exc}") from None
    return str(station_id), installed and renting, count
