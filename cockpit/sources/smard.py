"""SMARD (Bundesnetzagentur) chart data: index and chunk files combined into per-day indicator values."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cockpit.sources import _time, base
from cockpit.sources.http import FetchError

log = logging.getLogger(__name__)

# Resolutions finer than a day are summed up to local calendar days; day and coarser are emitted as published.
STEPS = {"quarterhour": timedelta(minutes=15), "hour": timedelta(hours=1), "day": timedelta(days=1)}
Resolution = Literal["quarterhour", "hour", "day", "week", "month", "year"]
# Hours of one period, for the plausibility bound of a value in MWh (the longest day, month and year).
HOURS = {"quarterhour": 0.25, "hour": 1, "day": 25, "week": 168, "month": 744, "year": 8784}
# Upper bound of any one series in MW by SMARD region: well above the peak load and the installed capacity of a
# single production type (Germany: peak load ~80 GW, PV installed > 100 GW), so only absurd values are caught.
MAX_MW = {"DE": 200_000, "DE-LU": 200_000, "DE-AT-LU": 250_000, "AT": 50_000, "LU": 5_000,
          "50Hertz": 100_000, "Amprion": 100_000, "TenneT": 100_000, "TransnetBW": 100_000}
DEFAULT_MAX_MW = 200_000


class IndicatorDef(BaseModel):
    """value = scale × sum(numerator filters) / sum(denominator filters), or scale × sum(numerator) without one."""

    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(min_length=1)
    numerator: list[int] = Field(min_length=1)
    denominator: list[int] = Field(default_factory=list)
    scale: float = 1.0
    district: str = base.CITYWIDE


class SmardOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str = "DE"
    resolution: Resolution = "hour"
    indicators: list[IndicatorDef] = Field(min_length=1)
    since: date | None = None  # first run: skip chunks that end before this local day (None = all chunks)
    timezone: Annotated[str, AfterValidator(_time.check_timezone)] = _time.LOCAL_TZ
    min_coverage: float = Field(default=0.9, gt=0, le=1)  # share of a day's periods that must be complete
    max_mw: float | None = Field(default=None, gt=0)  # plausibility bound per series (None = MAX_MW[region])
    signed: list[int] = Field(default_factory=list)  # filters that may be negative (e.g. 4359 residual load)

    @model_validator(mode="after")
    def _unique(self):
        base.require_unique([d.indicator for d in self.indicators], "each indicator may be defined only once")
        return self


class SmardConnector(base.Connector):
    """Fetches index_{resolution}.json per filter, then the chunks from the one holding the watermark onwards.

    A null value means "not yet published": it is skipped, never quarantined. A period counts only when every
    filter of an indicator has a value; a day is emitted when at least `min_coverage` of its periods are complete
    and it is either fully covered or later data exists (so a day still being published is not emitted early).
    Ratios are formed from the day's sums (energy-weighted). Malformed points become rejects.

    Plausibility, per point before aggregation: a value must be >= 0 (unless its filter is `signed`) and at most
    `max_mw` × the hours of one period (values are MWh per period); a period whose denominator sums to <= 0 is
    absurd too. Each absurd point is quarantined naming filter, time and value, and the local day holding it
    (the period itself for week/month/year) is not published at all: a known-wrong value is not left out
    quietly like a pending null. The watermark is held before the start of the earliest such day, so every run
    reads it again until the publisher corrects it (later days are emitted; re-storing them changes nothing).
    """

    name = "smard"
    Options = SmardOptions

    # ------------------------------------------------------------------ fetch
    supports_backfill = True

    def fetch(self, watermark: str | None) -> base.Payload:
        start = _time.parse_watermark(watermark)
        if start is None and self.options.since is not None:
            start = _time.local_midnight(self.options.since, self.options.timezone)
        return self._fetch(start, None, {"watermark": watermark})

    def fetch_window(self, start: datetime, end: datetime) -> base.Payload:
        """The chunks overlapping [start, end); parse keeps only the points inside the window."""
        after = start - timedelta(seconds=1)
        return self._fetch(start, end, {"watermark": _time.iso_utc(after), "until": _time.iso_utc(end)})

    def _fetch(self, start: datetime | None, end: datetime | None, meta: dict) -> base.Payload:
        """A chunk listed in the index that cannot be fetched is noted in meta 'missing' (the others are kept);
        parse then makes the run partial and holds the watermark before it, so the next run fetches it again."""
        documents, described, missing = [], [], []
        for filter_id in self._filters():
            index = self.fetcher.get(self.source.location, self._index_path(filter_id))
            stamps = self._index_timestamps(index)
            documents.append(index)
            described.append({"kind": "index", "filter": filter_id})
            for stamp in chunks_from(stamps, start):
                if end is not None and stamp >= end.timestamp() * 1000:
                    break
                try:
                    chunk = self.fetcher.get(self.source.location, self._chunk_path(filter_id, stamp))
                except (FetchError, base.PayloadError) as exc:
                    missing.append({"filter": filter_id, "timestamp": stamp, "error": str(exc)})
                    continue
                documents.append(chunk)
                described.append({"kind": "chunk", "filter": filter_id, "timestamp": stamp})
        return base.Payload(documents=documents, meta={"documents": described, "missing": missing, **meta})

    def _filters(self) -> list[int]:
        seen: dict[int, None] = {}
        for definition in self.options.indicators:
            seen.update(dict.fromkeys([*definition.numerator, *definition.denominator]))
        return list(seen)

    def _index_path(self, filter_id: int) -> str:
        o = self.options
        return f"chart_data/{filter_id}/{o.region}/index_{o.resolution}.json"

    def _chunk_path(self, filter_id: int, stamp: int) -> str:
        o = self.options
        return f"chart_data/{filter_id}/{o.region}/{filter_id}_{o.region}_{o.resolution}_{stamp}.json"

    def _index_timestamps(self, document: base.Document) -> list[int]:
        where = f"source '{self.source.id}', {document.name}"
        index = base.require_keys(base.load_json(document, self.source.id), ("timestamps",), where)
        stamps = index["timestamps"]
        if not isinstance(stamps, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in stamps
        ):
            raise base.PayloadError(f"{where}: wrong schema, 'timestamps' must be a list of epoch milliseconds")
        return sorted(stamps)

    # ------------------------------------------------------------------ parse
    def parse(self, payload: base.Payload) -> base.ParseResult:
        after = _time.parse_watermark(payload.meta.get("watermark"))
        rejects: list[base.Reject] = []
        bad: dict[int, dict[datetime, str]] = defaultdict(dict)  # filter -> absurd point -> reason
        series = self._read_series(
            payload, after, rejects, until=_time.parse_watermark(payload.meta.get("until")), bad=bad
        )
        rows, lasts, held = [], [], []
        for definition in self.options.indicators:
            points = combine(definition, series)
            withheld = self._withheld(definition, points, bad, rejects)
            emitted, last = self._rows(definition, points, rejects, withheld)
            rows.extend(emitted)
            lasts.append(last)
            held.extend(withheld)
        watermark = None if not lasts or None in lasts else _time.iso_utc(min(lasts))
        if held and watermark is not None:  # never past a day that was withheld for an absurd point
            watermark = _time.iso_utc(
                min(_time.parse_watermark(watermark), min(held) - timedelta(microseconds=1))
            )
        missing = payload.meta.get("missing") or []
        problems = [
            f"source '{self.source.id}': chunk {m['timestamp']} of filter {m['filter']} is listed in the index "
            f"but could not be fetched ({m['error']}); the other chunks were stored, this one is retried next run"
            for m in missing
        ]
        if missing and watermark is not None:
            first = _time.parse_epoch(min(int(m["timestamp"]) for m in missing), unit="ms") - timedelta(
                seconds=1
            )
            watermark = _time.iso_utc(min(_time.parse_watermark(watermark), first))
        return base.ParseResult(
            frame=base.make_frame(rows), rejects=rejects, watermark=watermark, problems=problems
        )

    def _read_series(
        self,
        payload: base.Payload,
        after: datetime | None,
        rejects: list[base.Reject],
        until: datetime | None = None,
        bad: dict[int, dict[datetime, str]] | None = None,
    ) -> dict[int, dict[datetime, float]]:
        described = payload.meta.get("documents") or []
        if len(described) != len(payload.documents):
            raise base.PayloadError(
                f"source '{self.source.id}': payload meta does not describe its documents"
            )
        series: dict[int, dict[datetime, float]] = defaultdict(dict)
        for document, info in zip(payload.documents, described, strict=True):
            if info.get("kind") != "chunk":
                continue
            filter_id = int(info["filter"])
            for point in self._chunk_points(document):
                try:
                    stamp = read_stamp(point)
                    if (after is not None and stamp <= after) or (until is not None and stamp >= until):
                        continue  # stored by an earlier run, or outside a backfill window
                    value = read_value(point[1], stamp)
                except ValueError as exc:
                    rejects.append(
                        base.Reject(
                            base.raw_text({"filter": filter_id, "point": point}), f"filter {filter_id}: {exc}"
                        )
                    )
                    continue
                if value is None:  # null = not yet published: skipped, not quarantined
                    continue
                problem = self._implausible(filter_id, value)
                if problem:
                    reason = (
                        f"filter {filter_id}: value {value} MWh at {_time.iso_utc(stamp)} {problem}; "
                        f"{self._period_label(stamp)} is not published"
                    )
                    rejects.append(base.Reject(base.raw_text({"filter": filter_id, "point": point}), reason))
                    if bad is not None:
                        bad[filter_id].setdefault(stamp, reason)
                    continue
                self._put(series[filter_id], filter_id, stamp, value, rejects)
        return series

    def max_mwh(self) -> float:
        """The largest plausible value of one series in one period (MWh)."""
        o = self.options
        max_mw = o.max_mw if o.max_mw is not None else MAX_MW.get(o.region, DEFAULT_MAX_MW)
        return max_mw * HOURS[o.resolution]

    def _implausible(self, filter_id: int, value: float) -> str | None:
        """Why a published value cannot be physically true, or None."""
        if value < 0 and filter_id not in self.options.signed:
            return "is negative"
        if abs(value) > self.max_mwh():
            return f"exceeds the plausible maximum of {self.max_mwh():g} MWh per {self.options.resolution}"
        return None

    def _period_label(self, stamp: datetime) -> str:
        if self.options.resolution in STEPS:
            return f"the local day {_time.local_day(stamp, self.options.timezone).isoformat()}"
        return f"the period from {_time.iso_utc(stamp)}"

    def _period_start(self, stamp: datetime) -> datetime:
        if self.options.resolution in STEPS:
            return _time.day_bounds(_time.local_day(stamp, self.options.timezone), self.options.timezone)[0]
        return stamp

    def _withheld(
        self,
        definition: IndicatorDef,
        points: list[tuple[datetime, float, float]],
        bad: dict[int, dict[datetime, str]],
        rejects: list[base.Reject],
    ) -> set[datetime]:
        """Starts of the days (or coarse periods) of this indicator not to publish: those holding an absurd point
        of one of its filters, or a period whose denominator sums to <= 0 (rejected here, naming the time)."""
        stamps = {stamp for f in [*definition.numerator, *definition.denominator] for stamp in bad.get(f, {})}
        if definition.denominator:
            for stamp, num, den in points:
                if den <= 0:
                    raw = {"indicator": definition.indicator, "region": self.options.region,
                           "period_start": _time.iso_utc(stamp), "numerator": num, "denominator": den}
                    reason = (f"{definition.indicator}: denominator (filters {definition.denominator}) is {den:g} MWh "
                              f"at {_time.iso_utc(stamp)}; {self._period_label(stamp)} is not published")
                    rejects.append(base.Reject(base.raw_text(raw), reason))
                    stamps.add(stamp)
        return {self._period_start(stamp) for stamp in stamps}

    def _chunk_points(self, document: base.Document) -> list:
        where = f"source '{self.source.id}', {document.name}"
        chunk = base.require_keys(base.load_json(document, self.source.id), ("series",), where)
        if not isinstance(chunk["series"], list):
            raise base.PayloadError(
                f"{where}: wrong schema, 'series' must be a list of [timestamp, value] pairs"
            )
        return chunk["series"]

    @staticmethod
    def _put(
        values: dict[datetime, float],
        filter_id: int,
        stamp: datetime,
        value: float,
        rejects: list[base.Reject],
    ) -> None:
        old = values.get(stamp)
        if old is not None and old != value:
            rejects.append(
                base.Reject(
                    base.raw_text({"filter": filter_id, "point": [int(stamp.timestamp() * 1000), value]}),
                    f"filter {filter_id}: duplicate timestamp {_time.iso_utc(stamp)} with a different value "
                    f"({old} and {value}); the last one was kept",
                )
            )
        values[stamp] = value

    def _rows(
        self, definition: IndicatorDef, points: list[tuple[datetime, float, float]],
        rejects: list[base.Reject], withheld: set[datetime] = frozenset(),
    ) -> tuple[list[dict], datetime | None]:
        step = STEPS.get(self.options.resolution)
        if step is None:
            return self._coarse_rows(definition, points, rejects, withheld)
        rows, last = [], None
        for total in _time.closed_days(
            _time.daily_totals(points, self.options.timezone), step, self.options.min_coverage
        ):
            if total.start in withheld:
                continue  # its absurd points are quarantined; parse holds the watermark before it
            row = self._row(definition, total.start, total.end, total, rejects)
            if row is not None:
                rows.append(row)
            last = total.last
        return rows, last

    def _coarse_rows(
        self, definition: IndicatorDef, points: list[tuple[datetime, float, float]],
        rejects: list[base.Reject], withheld: set[datetime] = frozenset(),
    ) -> tuple[list[dict], datetime | None]:
        rows = []
        for stamp, num, den in sorted(points):
            if stamp in withheld:
                continue
            total = _time.DayTotal(stamp.date(), stamp, stamp, num, den, 1, stamp)
            end = period_end(stamp, self.options.resolution, self.options.timezone)
            row = self._row(definition, stamp, end, total, rejects)
            if row is not None:
                rows.append(row)
        return rows, (max(p[0] for p in points) if points else None)

    def _row(
        self,
        definition: IndicatorDef,
        start: datetime,
        end: datetime,
        total: _time.DayTotal,
        rejects: list[base.Reject],
    ) -> dict | None:
        raw = {
            "indicator": definition.indicator,
            "region": self.options.region,
            "period_start": _time.iso_utc(start),
            "numerator": {"filters": definition.numerator, "sum": total.numerator},
            "periods": total.periods,
        }
        if definition.denominator:
            raw["denominator"] = {"filters": definition.denominator, "sum": total.denominator}
            if total.denominator == 0:
                rejects.append(
                    base.Reject(
                        base.raw_text(raw),
                        f"{definition.indicator}: denominator (filters "
                        f"{definition.denominator}) sums to 0 for the period from {_time.iso_utc(start)}",
                    )
                )
                return None
            value = definition.scale * total.numerator / total.denominator
        else:
            value = definition.scale * total.numerator
        return {
            "indicator": definition.indicator,
            "district": definition.district,
            "period_start": start,
            "period_end": end,
            "value": value,
            "raw": base.raw_text(raw),
        }


def chunks_from(stamps: list[int], start: datetime | None) -> list[int]:
    """The chunk timestamps from the chunk that contains `start` onwards (all of them without a start)."""
    if start is None:
        return list(stamps)
    limit = start.timestamp() * 1000
    first = 0
    for position, stamp in enumerate(stamps):
        if stamp <= limit:
            first = position
    return list(stamps[first:])


def read_stamp(point: object) -> datetime:
    """The time of one [epoch ms, value] pair of a SMARD series; ValueError with the reason if malformed."""
    if not isinstance(point, list | tuple) or len(point) != 2:
        raise ValueError(f"series point {point!r} is not a [timestamp, value] pair")
    if isinstance(point[0], bool) or not isinstance(point[0], int):
        raise ValueError(f"timestamp {point[0]!r} is not epoch milliseconds")
    return _time.parse_epoch(point[0], unit="ms")


def read_value(value: object, stamp: datetime) -> float | None:
    """A series value in MWh, None for null (not yet published); ValueError if it is not a finite number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"value {value!r} at {_time.iso_utc(stamp)} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"value {value!r} at {_time.iso_utc(stamp)} is not finite")
    return float(value)


def combine(
    definition: IndicatorDef, series: dict[int, dict[datetime, float]]
) -> list[tuple[datetime, float, float]]:
    """(period start, numerator sum, denominator sum) for the periods where every filter has a value."""
    filters = [*definition.numerator, *definition.denominator]
    common = set.intersection(*(set(series.get(f, {})) for f in filters))
    return [
        (
            stamp,
            sum(series[f][stamp] for f in definition.numerator),
            sum(series[f][stamp] for f in definition.denominator),
        )
        for stamp in sorted(common)
    ]


def period_end(start: datetime, resolution: str, tz: str) -> datetime:
    """End of a week/month/year period that starts at `start`, in local calendar terms, as UTC."""
    local = start.astimezone(ZoneInfo(tz)).date()
    if resolution == "week":
        following = local + timedelta(days=7)
    elif resolution == "month":
        following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    else:
        following = date(local.year + 1, 1, 1)
    return _time.local_midnight(following, tz).astimezone(UTC)
