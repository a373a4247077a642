"""Ladesäulenregister (Bundesnetzagentur) CSV -> public charge points per 1,000 inhabitants, monthly, per district."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cockpit.sources import _csv
from cockpit.sources.base import (
    CITYWIDE,
    ParseResult,
    Payload,
    PayloadError,
    Reject,
    gunzip_if_needed,
    make_frame,
)

HEADER_FIRST = "Ladeeinrichtungs-ID"
ID, STATUS, POINTS, POWER, COMMISSIONED = (
    "Ladeeinrichtungs-ID",
    "Status",
    "Anzahl Ladepunkte",
    "Nennleistung Ladeeinrichtung [kW]",
    "Inbetriebnahmedatum",
)
POSTCODE, PLACE, COUNTY = "Postleitzahl", "Ort", "Kreis/kreisfreie Stadt"
REQUIRED = (ID, STATUS, POINTS, POWER, COMMISSIONED, POSTCODE, PLACE, COUNTY)
# Editions up to about 2022: no id and no status column (only stations in operation are listed), the station
# power is "Anschlussleistung", the plug blocks are "Steckertypen<n>;P<n> [kW];Public Key<n>", and a group line
# ("Allgemeine Informationen;...;1. Ladepunkt;...") precedes the header. Read by renaming to today's names.
OLD_HEADER_FIRST = "Betreiber"
OLD_NAMES = {"Anschlussleistung": POWER, "Art der Ladeeinrichung": "Art der Ladeeinrichtung"}
OLD_PLUG_POWER = re.compile(r"^P(\d+) \[kW\]$")
OLD_REQUIRED = (POINTS, POWER, COMMISSIONED, POSTCODE, PLACE, COUNTY)
IN_OPERATION = "in betrieb"
PLUG = re.compile(r"^(Steckertypen|Nennleistung Stecker|EVSE-ID|Public Key)\s*(\d+)$")
SNAPSHOT = re.compile(r"\b(\d{2}\.\d{2}\.\d{4})\b")
COUNTY_PREFIXES = ("kreisfreie stadt ", "stadtkreis ", "stadt ")
EARLIEST = date(1990, 1, 1)
MAX_POINTS = 100
MAX_POWER_KW = 10_000


class ChargingRegisterOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city_key: str = Field(min_length=1)  # value of 'Kreis/kreisfreie Stadt' (and 'Ort') that marks the city
    places: list[str] = Field(
        default_factory=list
    )  # further 'Ort' values of the city when the county is empty
    postcodes: dict[str, str] = Field(min_length=1)  # postcode -> district id
    population: int = Field(gt=0)
    district_population: dict[str, int]
    history_since: str = Field(default="2017-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    indicator: str = "charge-points-per-1000"
    capacity_indicator: str | None = (
        None  # optional: installed kW per 1,000 inhabitants (no catalog entry yet)
    )

    @field_validator("postcodes")
    @classmethod
    def _five_digits(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not re.fullmatch(r"\d{5}", k)]
        if bad:
            raise ValueError(f"postcodes must be quoted 5-digit strings, got {', '.join(map(repr, bad))}")
        return value

    @model_validator(mode="after")
    def _populations(self):
        missing = sorted(set(self.postcodes.values()) - set(self.district_population))
        if missing:
            raise ValueError(f"district_population lacks {', '.join(missing)}")
        if any(p <= 0 for p in self.district_population.values()):
            raise ValueError("district_population values must be positive")
        return self

    @property
    def since(self) -> date:
        year, month = self.history_since.split("-")
        return date(int(year), int(month), 1)


@dataclass(frozen=True)
class Station:
    id: str
    line: int
    district: str
    points: int
    power_kw: float
    commissioned: date


class ChargingRegisterConnector(_csv.SingleFileConnector):
    """The register as a monthly series of charge points per 1,000 inhabitants, city-wide and per district.

    The register is a snapshot: every station with its commissioning date (Inbetriebnahmedatum). The monthly history
    from `history_since` to the snapshot month counts, for each month, the stations in operation today that were
    commissioned by the month's end. Approximation: stations decommissioned before the snapshot are no longer in the
    register, so past months can be slightly too low; the population is taken as constant over the history.

    Bad rows of the city (unparsable date or number, missing or unmapped postcode, duplicate id, implausible
    values) become Rejects naming the row's line in the file; rows of other places and stations not "In Betrieb"
    are skipped silently. A file without the header line, an HTML page, an empty or truncated file is a
    PayloadError: every count depends on the complete register (all or nothing; the run message says so).
    Read as published: a preamble of any length before the header (about 3 lines in current editions, about 10
    in older ones), UTF-8 with BOM or cp1252, gzip bodies, and plug power cells with several values ("22; 3,7");
    the header of editions up to about 2022 (no id and status columns, "Anschlussleistung", "P1 [kW]") too.
    """

    name = "charging-register"
    Options = ChargingRegisterOptions

    def parse(self, payload: Payload) -> ParseResult:
        document = _csv.single_document(payload.documents, self.source.id)
        where = f"source '{self.source.id}', {document.name}"
        content = gunzip_if_needed(document.content, where)
        _csv.check_csv_bytes(content, where)
        rows = _csv.read_rows(_csv.decode(content, where), ";", where)
        preamble, header, body = _split_header(rows, where)
        if body and not body[-1].complete and len(body[-1].fields) < len(header):
            raise PayloadError(
                f"{where}: truncated file: line {body[-1].line} ends in the middle of a record; nothing "
                "was stored: the register is a snapshot whose every count needs the complete file (all or "
                "nothing), the previous edition's values stay until a complete file is read"
            )
        stations, rejects = self._stations(header, body)
        snapshot = _snapshot(preamble, stations, where)
        late = [s for s in stations if s.commissioned > snapshot]
        rejects += [
            Reject(
                _raw(body, s.line),
                f"line {s.line}: commissioning date {s.commissioned:%d.%m.%Y} is "
                f"after the register's date {snapshot:%d.%m.%Y}",
            )
            for s in late
        ]
        stations = [s for s in stations if s.commissioned <= snapshot]
        frame = make_frame(self._series(stations, snapshot))
        return ParseResult(frame=frame, rejects=rejects, watermark=snapshot.isoformat())

    # ------------------------------------------------------------------ rows -> stations
    def _stations(self, header: list[str], body: list[_csv.Row]) -> tuple[list[Station], list[Reject]]:
        stations: list[Station] = []
        rejects: list[Reject] = []
        seen: dict[str, int] = {}
        for row in body:
            try:
                station = self._station(header, row)
            except _csv.RowError as exc:
                rejects.append(Reject(row.raw, f"line {row.line}: {exc}"))
                continue
            if station is None:
                continue
            if station.id in seen:
                rejects.append(
                    Reject(
                        row.raw,
                        f"line {row.line}: duplicate {ID} {station.id} (already in line "
                        f"{seen[station.id]}); counted once",
                    )
                )
                continue
            seen[station.id] = row.line
            stations.append(station)
        return stations, rejects

    def _station(self, header: list[str], row: _csv.Row) -> Station | None:
        """The row as a station of the city in operation; None for other places and other states."""
        get = _getter(header, row.fields)
        if any(f.strip() for f in row.fields[len(header) :]):
            if not self._mentions_city(row.raw):
                return None  # another place's broken row: not ours to quarantine
            raise _csv.RowError(
                f"{len(row.fields)} fields but the header has {len(header)} (a ';' inside a field?)"
            )
        if not self._in_city(get(COUNTY), get(PLACE), get(POSTCODE)):
            return None
        if STATUS in header and get(STATUS).lower() != IN_OPERATION:
            return None  # (older editions have no status: they list the stations in operation only)
        station_id = get(ID) if ID in header else f"line {row.line}"
        if not station_id:
            raise _csv.RowError(f"missing {ID}")
        district = self._district(get(POSTCODE))
        commissioned = _csv.german_date(get(COMMISSIONED))
        if commissioned < EARLIEST:
            raise _csv.RowError(f"commissioning date {commissioned:%d.%m.%Y} is before {EARLIEST:%Y}")
        plugs = _plug_powers(dict(zip(header, (_csv.clean(f) for f in row.fields), strict=False)))
        points = _points(get(POINTS), plugs)
        power = _power(get(POWER), plugs)
        return Station(station_id, row.line, district, points, power, commissioned)

    def _mentions_city(self, raw: str) -> bool:
        text = raw.lower()
        return self.options.city_key.lower() in text or any(
            f";{code};" in raw for code in self.options.postcodes
        )

    def _in_city(self, county: str, place: str, postcode: str) -> bool:
        city = self.options.city_key.lower()
        if county:
            return _strip_prefix(county.lower()) == city
        places = {p.lower() for p in (self.options.city_key, *self.options.places)}
        name = place.lower()
        if name:
            return name in places or any(name.startswith(p + sep) for p in places for sep in (" ", "-", ","))
        if postcode in self.options.postcodes:
            raise _csv.RowError(
                f"neither {COUNTY} nor {PLACE} given, cannot tell whether the station is in the city"
            )
        return False

    def _district(self, postcode: str) -> str:
        if not postcode:
            raise _csv.RowError(f"missing {POSTCODE}")
        district = self.options.postcodes.get(postcode.zfill(5) if postcode.isdigit() else postcode)
        if district is None:
            raise _csv.RowError(f"{POSTCODE} {postcode!r} is not mapped to a district (options.postcodes)")
        return district

    # ------------------------------------------------------------------ stations -> monthly series
    def _series(self, stations: list[Station], snapshot: date) -> list[dict]:
        opts = self.options
        areas = {
            CITYWIDE: opts.population,
            **{d: opts.district_population[d] for d in set(opts.postcodes.values())},
        }
        rows: list[dict] = []
        for month in _months(opts.since, snapshot):
            start, end = _csv.period_bounds(month, "month")
            month_end = _month_end(month)
            points, power = Counter(), defaultdict(float)
            for s in stations:
                if s.commissioned <= month_end:
                    for area in (CITYWIDE, s.district):
                        points[area] += s.points
                        power[area] += s.power_kw
            for area, population in sorted(areas.items()):
                label = (
                    f"{area or 'city'}: {points[area]} charge points, {power[area]:.1f} kW commissioned by "
                    f"{month_end:%d.%m.%Y}, {population} inhabitants"
                )
                per_1000 = [(opts.indicator, points), (opts.capacity_indicator, power)]
                rows.extend(
                    dict(
                        indicator=indicator,
                        district=area,
                        period_start=start,
                        period_end=end,
                        value=totals[area] * 1000 / population,
                        raw=label,
                    )
                    for indicator, totals in per_1000
                    if indicator
                )
        return rows


def _split_header(rows: list[_csv.Row], where: str) -> tuple[list[_csv.Row], list[str], list[_csv.Row]]:
    """(preamble rows, cleaned header names, data rows): the header is the row whose first column is the id."""
    for index, row in enumerate(rows):
        first = _csv.clean(row.fields[0]).strip('"') if row.fields else ""
        names = [_csv.clean(f) for f in row.fields]
        old = first == OLD_HEADER_FIRST and "Anschlussleistung" in names
        if first == HEADER_FIRST or old:
            header = [_current_name(n) for n in names] if old else names
            missing = [c for c in (OLD_REQUIRED if old else REQUIRED) if c not in header]
            if missing:
                raise PayloadError(
                    f"{where}: header in line {row.line} lacks the column(s) "
                    f"{', '.join(repr(c) for c in missing)}"
                )
            return rows[:index], header, rows[index + 1 :]
    first = rows[0].raw[:80] if rows else ""
    raise PayloadError(
        f"{where}: no header line starting with '{HEADER_FIRST}' (or '{OLD_HEADER_FIRST}' in older editions) "
        f"found (first line: {first!r}); not a Ladesäulenregister CSV?"
    )


def _snapshot(preamble: list[_csv.Row], stations: list[Station], where: str) -> date:
    """The register's date from a 'Stand: dd.mm.yyyy' in the preamble, else the latest commissioning date."""
    for row in preamble:
        match = SNAPSHOT.search(row.raw)
        if match:
            try:
                return _csv.german_date(match.group(1))
            except _csv.RowError:
                continue
    if stations:
        return max(s.commissioned for s in stations)
    raise PayloadError(
        f"{where}: no date in the preamble and no station of the city, so the register's month is unknown"
    )


def _current_name(name: str) -> str:
    """A column name of an older edition as today's name (P1 [kW] -> Nennleistung Stecker1)."""
    match = OLD_PLUG_POWER.match(name)
    return f"Nennleistung Stecker{match.group(1)}" if match else OLD_NAMES.get(name, name)


def _getter(header: list[str], fields: list[str]):
    """Cleaned cell by column name ("" for fields missing at the end of a short row)."""
    positions = {name: i for i, name in enumerate(header)}

    def get(column: str) -> str:
        i = positions[column]
        return _csv.clean(fields[i]) if i < len(fields) else ""

    return get


def _plug_powers(record: dict[str, str]) -> list[float | None]:
    """The power of each non-empty plug block (None where the block gives no power)."""
    blocks: dict[int, dict[str, str]] = defaultdict(dict)
    for column, value in record.items():
        match = PLUG.match(column)
        if match and value:
            blocks[int(match.group(2))][match.group(1)] = value
    powers = []
    for number in sorted(blocks):
        text = blocks[number].get("Nennleistung Stecker", "")
        try:
            powers.append(plug_power(text) if text else None)
        except _csv.RowError as exc:
            raise _csv.RowError(f"Nennleistung Stecker{number}: {exc}") from None
    return powers


def plug_power(text: str) -> float:
    """The power of one plug block. The register lists several plugs of one charge point in one cell, e.g.
    "22; 3,7" (Typ 2 and Schuko): a charge point charges through one plug at a time, so its power is the
    largest value."""
    values = [_csv.german_number(part) for part in text.split(";") if part.strip()]
    if not values:
        raise _csv.RowError(f"{text!r} is not a number")
    return max(values)


def _points(text: str, plugs: list[float | None]) -> int:
    if not text:
        if not plugs:
            raise _csv.RowError(f"missing {POINTS} and no plug blocks")
        return len(plugs)
    try:
        value = _csv.german_number(text)
    except _csv.RowError as exc:
        raise _csv.RowError(f"{POINTS}: {exc}") from None
    if value != int(value) or not 1 <= value <= MAX_POINTS:
        raise _csv.RowError(f"{POINTS} {text!r} is not a whole number between 1 and {MAX_POINTS}")
    return int(value)


def _power(text: str, plugs: list[float | None]) -> float:
    if not text:
        return sum(p for p in plugs if p is not None)
    try:
        value = _csv.german_number(text)
    except _csv.RowError as exc:
        raise _csv.RowError(f"{POWER}: {exc}") from None
    if not 0 <= value <= MAX_POWER_KW:
        raise _csv.RowError(f"{POWER} {text!r} is outside 0..{MAX_POWER_KW} kW")
    return value


def _strip_prefix(county: str) -> str:
    for prefix in COUNTY_PREFIXES:
        if county.startswith(prefix):
            return county[len(prefix) :].strip()
    return county


def _months(first: date, last: date):
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_end(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)


def _raw(body: list[_csv.Row], line: int) -> str:
    return next((r.raw for r in body if r.line == line), "")
