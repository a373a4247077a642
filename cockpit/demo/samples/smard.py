"""Demo SMARD chart data for the 50Hertz control area: daily renewable generation and grid load, a chunk per year."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cockpit.demo.samples import DEMO_START, FIXTURE, SEED, Calendar

REGION = "50Hertz"
RESOLUTION = "day"
LOAD = 410
# share of the day's renewable generation per filter; PV (4068) and onshore wind (4067) follow the season
FIXED_SHARES = {4066: 0.16, 1225: 0.07, 1226: 0.012, 1228: 0.006}
BERLIN = ZoneInfo("Europe/Berlin")


def _ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=BERLIN).astimezone(UTC).timestamp() * 1000)


def _trend(day: date) -> float:
    """Annual mean renewable share: ~45 % in 2019 rising to ~62 % in 2025/26."""
    years = (day - DEMO_START).days / 365.25
    return min(0.58, 0.42 + 0.16 * years / 6.5)


def _days(end: date) -> list[date]:
    return [DEMO_START + timedelta(days=n) for n in range((end - DEMO_START).days + 1)]


def _series(rng: random.Random, end: date) -> dict[int, dict[date, float | None]]:
    """MWh per day and filter: load with winter peak and weekend dip; renewables from a share with weather noise."""
    series: dict[int, dict[date, float | None]] = {f: {} for f in (LOAD, 4067, 4068, *FIXED_SHARES)}
    weather = 0.0
    for day in _days(end):
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)  # 1 mid-January, -1 mid-July
        load = 262_000 * (1 + 0.11 * season) * (0.84 if day.weekday() >= 5 else 1.0) * rng.gauss(1, 0.02)
        weather = 0.7 * weather + rng.gauss(0, 0.22)
        share = _trend(day) * (1 + 0.06 * season) * math.exp(weather - 0.05)
        share = min(1.3, max(0.1, share))
        renewable = share * load
        pv = renewable * (0.05 + 0.25 * (1 - season) / 2) * rng.uniform(0.6, 1.3)
        fixed = {f: renewable * s for f, s in FIXED_SHARES.items()}
        values = {LOAD: load, 4068: pv, 4067: max(0.0, renewable - pv - sum(fixed.values())), **fixed}
        for filter_id, value in values.items():
            series[filter_id][day] = round(value * 4) / 4
    for _ in range(4):  # a few values not (yet) published
        day = rng.choice(_days(end)[30:-30])
        series[rng.choice(sorted(series))][day] = None
    return series


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 1)
    series = _series(rng, calendar.end)
    years = list(range(DEMO_START.year, calendar.end.year + 1))
    created = _ms(calendar.end + timedelta(days=1)) + 6 * 3600 * 1000
    for filter_id, values in series.items():
        folder = out / "smard" / "chart_data" / str(filter_id) / REGION
        chunks = [_ms(date(year, 1, 1)) for year in years]
        _write(folder / f"index_{RESOLUTION}.json", {"timestamps": chunks})
        for year, chunk in zip(years, chunks, strict=True):
            days = [
                date(year, 1, 1) + timedelta(days=n)
                for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
            ]
            # like SMARD, the current chunk runs to its end with nulls for the days not yet published
            points = [[_ms(day), values.get(day)] for day in days]
            _write(
                folder / f"{filter_id}_{REGION}_{RESOLUTION}_{chunk}.json",
                {"meta_data": {"version": 1, "created": created}, "series": points},
            )


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[2] / "data" / "samples" / "demo")
