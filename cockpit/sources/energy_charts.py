"""Energy-Charts (Fraunhofer ISE): public_power series or ren_share_daily_avg as a daily renewable share."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cockpit.sources import _time, base
from cockpit.sources.http import is_url

RENEWABLE = [
    "Wind onshore",
    "Wind offshore",
    "Solar",
    "Photovoltaics",
    "Biomass",
    "Hydro Run-of-River",
    "Hydro water reservoir",
    "Geothermal",
]
DEFAULT_STEP = timedelta(minutes=15)
# Upper bound of one series in MW by country: well above the peak load and the installed capacity of one
# production type (Germany: peak load ~80 GW, PV installed > 100 GW), so only absurd values are caught.
MAX_MW = {"de": 200_000, "at": 50_000, "ch": 50_000, "lu": 5_000, "nl": 100_000, "be": 50_000, "fr": 200_000,
          "pl": 100_000, "cz": 50_000, "dk": 50_000}
DEFAULT_MAX_MW = 1_000_000  # other countries and aggregates such as "eu"


class EnergyChartsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint: Literal["public_power", "ren_share_daily_avg"] = "public_power"
    country: str = "de"
    indicator: str = "renewable-share-electricity"
    district: str = base.CITYWIDE
    renewable: list[str] = Field(default_factory=lambda: list(RENEWABLE), min_length=1)  # case-insensitive
    load: list[str] = Field(default_factory=lambda: ["Load"], min_length=1)  # first name found is the load
    scale: float = 100.0  # public_power: value = scale × renewable / load
    since: date | None = None  # public_power, first run: start day (None = the API's default window)
    timezone: Annotated[str, AfterValidator(_time.check_timezone)] = _time.LOCAL_TZ
    min_coverage: float = Field(default=0.9, gt=0, le=1)
    max_mw: float | None = Field(default=None, gt=0)  # public_power plausibility bound (None = MAX_MW[country])


class EnergyChartsConnector(base.Connector):
    """public_power: renewable MW / load MW per 15-minute step, summed per local day (steps with a null in any
    used series are left out; a day needs `min_coverage` of its steps and must be over in the data).
    ren_share_daily_avg: the published daily share, days as dd.mm.yyyy or ISO. Nulls are skipped as not yet
    published; malformed values and days are rejected; a missing load or renewable series fails the payload.

    public_power plausibility, per step before aggregation: a renewable value must be within 0..`max_mw`, the
    load within (0, `max_mw`]. Each absurd value is quarantined naming series, time and value, and its local day
    is not published at all (a known-wrong value is not left out quietly like a pending null); the watermark is
    held before the start of the earliest such day, so every run reads it again until it is corrected.
    """

    name = "energy-charts"
    Options = EnergyChartsOptions

    def fetch(self, watermark: str | None) -> base.Payload:
        params = {"country": self.options.country}
        after = _time.parse_watermark(watermark)
        start = _time.local_day(after, self.options.timezone) if after else self.options.since
        if start is not None and self.options.endpoint == "public_power":
            params["start"] = start.isoformat()
        local = not is_url(
            self.source.location
        )  # a local folder holds <endpoint>.json; parameters are ignored
        path = f"{self.options.endpoint}.json" if local else self.options.endpoint
        document = self.fetcher.get(self.source.location, path, params=None if local else params)
        return base.Payload(
            documents=[document], meta={"watermark": watermark, "endpoint": self.options.endpoint}
        )

    def parse(self, payload: base.Payload) -> base.ParseResult:
        if len(payload.documents) != 1:
            raise base.PayloadError(
                f"source '{self.source.id}': expected one document, got {len(payload.documents)}"
            )
        after = _time.parse_watermark(payload.meta.get("watermark"))
        endpoint = payload.meta.get("endpoint", self.options.endpoint)
        document = payload.documents[0]
        if endpoint == "ren_share_daily_avg":
            return self._parse_daily(document, after)
        return self._parse_power(document, after)

    # ------------------------------------------------------------------ public_power
    def _parse_power(self, document: base.Document, after: datetime | None) -> base.ParseResult:
        where = f"source '{self.source.id}', {document.name}"
        body = base.require_keys(
            base.load_json(document, self.source.id), ("unix_seconds", "production_types"), where
        )
        times, types = body["unix_seconds"], body["production_types"]
        if not isinstance(times, list) or not isinstance(types, list):
            raise base.PayloadError(
                f"{where}: wrong schema, 'unix_seconds' and 'production_types' must be lists"
            )
        series = _series_by_name(types, len(times), where)
        renewable = [
            series[n.casefold()] for n in dict.fromkeys(self.options.renewable) if n.casefold() in series
        ]
        load = next((series[n.casefold()] for n in self.options.load if n.casefold() in series), None)
        if not renewable or load is None:
            wanted = (
                "renewable series " + ", ".join(self.options.renewable)
                if not renewable
                else "load series " + ", ".join(self.options.load)
            )
            raise base.PayloadError(
                f"{where}: none of the {wanted} found (got: {', '.join(s['name'] for s in types)})"
            )
        rejects: list[base.Reject] = []
        points, withheld = [], set()
        for position, stamp in enumerate(times):
            point = self._power_point(position, stamp, renewable, load, after, rejects, withheld)
            if point is not None:
                points.append(point)
        step = _step([p[0] for p in points])
        rows, last = [], None
        for total in _time.closed_days(
            _time.daily_totals(points, self.options.timezone), step, self.options.min_coverage
        ):
            if total.day in withheld:
                continue  # its absurd values are quarantined; the watermark is held before it below
            raw = {
                "day": total.day.isoformat(),
                "renewable_mw_sum": total.numerator,
                "load_mw_sum": total.denominator,
                "steps": total.periods,
            }
            if total.denominator <= 0:
                rejects.append(
                    base.Reject(base.raw_text(raw), f"load sums to {total.denominator} on {total.day}")
                )
                continue
            rows.append(
                self._row(
                    total.start, total.end, self.options.scale * total.numerator / total.denominator, raw
                )
            )
            last = total.last
        if withheld and last is not None:  # never past a day that was withheld for an absurd value
            last = min(last, _time.day_bounds(min(withheld), self.options.timezone)[0] - timedelta(microseconds=1))
        return base.ParseResult(base.make_frame(rows), rejects, _time.iso_utc(last) if last else None)

    def _power_point(
        self,
        position: int,
        stamp: object,
        renewable: list[dict],
        load: dict,
        after: datetime | None,
        rejects: list[base.Reject],
        withheld: set[date],
    ) -> tuple[datetime, float, float] | None:
        """(time, renewable MW, load MW) of one step; None if it is incomplete, bad or not after the watermark.
        An absurd value adds its local day to `withheld`."""
        try:
            moment = _time.parse_epoch(stamp)
        except ValueError as exc:
            rejects.append(
                base.Reject(base.raw_text({"position": position, "unix_seconds": stamp}), str(exc))
            )
            return None
        if after is not None and moment <= after:
            return None  # stored by an earlier run
        values = []
        for entry in [*renewable, load]:
            value = entry["data"][position]
            if value is None:
                return None  # not yet published
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                rejects.append(
                    base.Reject(
                        base.raw_text(
                            {"time": _time.iso_utc(moment), "series": entry["name"], "value": value}
                        ),
                        f"series '{entry['name']}' at {_time.iso_utc(moment)}: value {value!r} is not a number",
                    )
                )
                return None
            values.append(float(value))
        absurd = False
        for entry, value in zip([*renewable, load], values, strict=True):
            problem = self._implausible(value, is_load=entry is load)
            if problem:
                day = _time.local_day(moment, self.options.timezone)
                rejects.append(
                    base.Reject(
                        base.raw_text(
                            {"time": _time.iso_utc(moment), "series": entry["name"], "value": value}
                        ),
                        f"series '{entry['name']}' at {_time.iso_utc(moment)}: value {value:g} MW {problem}; "
                        f"the local day {day.isoformat()} is not published",
                    )
                )
                withheld.add(day)
                absurd = True
        if absurd:
            return None
        return moment, sum(values[:-1]), values[-1]

    def max_mw(self) -> float:
        o = self.options
        return o.max_mw if o.max_mw is not None else MAX_MW.get(o.country.casefold(), DEFAULT_MAX_MW)

    def _implausible(self, value: float, is_load: bool) -> str | None:
        """Why a value in MW cannot be physically true, or None."""
        if is_load and value <= 0:
            return "is not a load (must be above 0)"
        if value < 0:
            return "is negative"
        if value > self.max_mw():
            return f"exceeds the plausible maximum of {self.max_mw():g} MW"
        return None

    # ------------------------------------------------------------------ ren_share_daily_avg
    def _parse_daily(self, document: base.Document, after: datetime | None) -> base.ParseResult:
        where = f"source '{self.source.id}', {document.name}"
        body = base.require_keys(base.load_json(document, self.source.id), ("days", "data"), where)
        days, data = body["days"], body["data"]
        if not isinstance(days, list) or not isinstance(data, list) or len(days) != len(data):
            raise base.PayloadError(
                f"{where}: wrong schema, 'days' and 'data' must be lists of the same length"
            )
        first = _time.local_day(after, self.options.timezone) if after else None
        rows, rejects, last = [], [], None
        for text, value in zip(days, data, strict=True):
            raw = {"day": text, "value": value}
            try:
                day = parse_day(text)
            except ValueError as exc:
                rejects.append(base.Reject(base.raw_text(raw), str(exc)))
                continue
            if value is None or (first is not None and day < first):
                continue  # null = not yet published; before the watermark's day = stored by an earlier run
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                rejects.append(base.Reject(base.raw_text(raw), f"value {value!r} of {day} is not a number"))
                continue
            start, end = _time.day_bounds(day, self.options.timezone)
            rows.append(self._row(start, end, float(value), raw))
            last = max(last, start) if last else start
        return base.ParseResult(base.make_frame(rows), rejects, _time.iso_utc(last) if last else None)

    def _row(self, start: datetime, end: datetime, value: float, raw: dict) -> dict:
        return {
            "indicator": self.options.indicator,
            "district": self.options.district,
            "period_start": start,
            "period_end": end,
            "value": value,
            "raw": base.raw_text(raw),
        }


def _series_by_name(types: list, length: int, where: str) -> dict[str, dict]:
    """production_types by case-folded name; each must be {name, data} with one value per timestamp."""
    series = {}
    for entry in types:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "data" not in entry:
            raise base.PayloadError(
                f"{where}: wrong schema, a production type is not {{'name': ..., 'data': [...]}}"
            )
        if not isinstance(entry["data"], list) or len(entry["data"]) != length:
            count = len(entry["data"]) if isinstance(entry["data"], list) else "no"
            raise base.PayloadError(
                f"{where}: series '{entry['name']}' has {count} values for {length} timestamps"
            )
        series.setdefault(entry["name"].strip().casefold(), entry)
    return series


def _step(stamps: list[datetime]) -> timedelta:
    """The sampling step: the smallest positive gap between timestamps (15 minutes if it cannot be told)."""
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False) if b > a]
    return min(gaps) if gaps else DEFAULT_STEP


def parse_day(text: object) -> date:
    """A day as 'dd.mm.yyyy', 'yyyy-mm-dd' or an ISO timestamp (its date part)."""
    if isinstance(text, str):
        match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", text)
        try:
            if match:
                return date(int(match[3]), int(match[2]), int(match[1]))
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"unparsable day {text!r} (expected dd.mm.yyyy or yyyy-mm-dd)")
