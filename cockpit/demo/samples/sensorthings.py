"""Demo OGC SensorThings Observations: daily electricity use (kWh) of Gera's municipal buildings, paged."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cockpit.demo.samples import DEMO_START, FIXTURE, SEED, Calendar

DATASTREAM = 1
PAGE_SIZE = 1000
BERLIN = ZoneInfo("Europe/Berlin")


def _utc(day: date) -> str:
    return datetime.combine(day, time(), tzinfo=BERLIN).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _daily_kwh(day: date, rng: random.Random) -> float:
    """~55 MWh on winter weekdays, ~42 in summer, a quarter less at weekends, a dip in the summer holidays,
    and 1.5 % less per year from efficiency measures."""
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    value = 48.5 + 6.5 * season
    if day.weekday() >= 5:
        value *= 0.74
    if (day.month, day.day) >= (7, 10) and (day.month, day.day) <= (8, 20):
        value *= 0.86
    value *= (1 - 0.015) ** ((day - DEMO_START).days / 365.25)
    return round(value * 1000 * rng.gauss(1, 0.035), 1)


def _observations(rng: random.Random, last: date) -> list[dict]:
    observations = []
    for n in range((last - DEMO_START).days + 1):
        day = DEMO_START + timedelta(days=n)
        end = _utc(day + timedelta(days=1))
        observations.append(
            {
                "@iot.id": 500_000 + n,
                "phenomenonTime": f"{_utc(day)}/{end}",
                "resultTime": end,
                "result": _daily_kwh(day, rng),
            }
        )
    return observations


def _page_name(skip: int) -> str:
    return "Observations.json" if skip == 0 else f"Observations-skip{skip}.json"


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    observations = _observations(random.Random(SEED + 2), calendar.end)
    folder = out / "sensorthings" / f"Datastreams({DATASTREAM})"
    folder.mkdir(parents=True, exist_ok=True)
    for skip in range(0, len(observations), PAGE_SIZE):
        page: dict = {"value": observations[skip : skip + PAGE_SIZE]}
        if skip == 0:
            page = {"@iot.count": len(observations), **page}
        if skip + PAGE_SIZE < len(observations):
            page["@iot.nextLink"] = _page_name(skip + PAGE_SIZE)  # a real server gives the absolute URL
        text = json.dumps(page, separators=(",", ":")).replace('},{"@iot.id"', '},\n{"@iot.id"')
        (folder / _page_name(skip)).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[2] / "data" / "samples" / "demo")
