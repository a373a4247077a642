"""Demo GBFS 2.3 feed of a bike-sharing operator in Gera: discovery, system, station information and status."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from cockpit.demo.samples import FIXTURE, SEED, Calendar

BASE = "https://gbfs.gera-rad.example/gbfs/2.3/de"
STATIONS = [
    ("Hauptbahnhof", 50.8842, 12.0767),
    ("Markt", 50.8791, 12.0826),
    ("Theater", 50.8810, 12.0747),
    ("Sorge", 50.8799, 12.0856),
    ("Heinrichstraße", 50.8776, 12.0792),
    ("Gera Arcaden", 50.8817, 12.0815),
    ("Hofwiesenpark", 50.8745, 12.0730),
    ("Küchengarten", 50.8826, 12.0713),
    ("Untermhaus", 50.8868, 12.0657),
    ("Debschwitz", 50.8688, 12.0743),
    ("Südbahnhof", 50.8651, 12.0792),
    ("Lusan Zentrum", 50.8597, 12.1081),
    ("Lusan Brüte", 50.8535, 12.1140),
    ("Bieblach Ost", 50.8950, 12.1002),
    ("Tinz", 50.8958, 12.1087),
    ("Langenberg", 50.9230, 12.0890),
    ("Leumnitz", 50.8890, 12.1290),
    ("Pforten", 50.8870, 12.1050),
    ("Zwötzen", 50.8519, 12.0707),
    ("Liebschwitz", 50.8389, 12.0733),
    ("Röppisch", 50.8720, 12.0250),
    ("Zeulsdorf", 50.8647, 12.1228),
    ("Hochschule", 50.8752, 12.1063),
    ("Stadion der Freundschaft", 50.8714, 12.0846),
    ("Ostbahnhof", 50.8841, 12.1062),
]
FEEDS = ("system_information", "station_information", "station_status")


def _write(path: Path, document: dict, compact: bool = False) -> None:
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    path.write_text(json.dumps(document, ensure_ascii=False, **layout) + "\n", encoding="utf-8")


def _envelope(updated: int, data: dict) -> dict:
    return {"last_updated": updated, "ttl": 60, "version": "2.3", "data": data}


def _status(rng: random.Random, updated: int, in_use: float = 0.0) -> list[dict]:
    """Station status; `in_use` (0-1) is the share of the parked bikes that are out on the road."""
    stations = []
    for number, _station in enumerate(STATIONS, start=1):
        capacity = rng.choice((10, 12, 12, 15))
        bikes = 0 if number in (7, 13, 21) else rng.randint(1, capacity - 2)
        if in_use:
            bikes = int(bikes * (1 - in_use) + rng.random())
        disabled = rng.choice((0, 0, 0, 1))
        renting = number != 16  # one station closed for maintenance
        stations.append(
            {
                "station_id": f"gera-{number:03d}",
                "num_bikes_available": bikes,
                "num_bikes_disabled": disabled,
                "num_docks_available": capacity - bikes - disabled,
                "num_docks_disabled": 0,
                "is_installed": True,
                "is_renting": renting,
                "is_returning": renting,
                "last_reported": updated - rng.randint(5, 600),
            }
        )
    return stations


def in_use(moment: datetime) -> float:
    """The share of bikes out on the road: a daily rhythm (peaks at 8 and 17 h, few at night), more on summer
    days and fewer at weekends."""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    hour = local.hour + local.minute / 60
    rhythm = 0.5 * math.exp(-((hour - 8) ** 2) / 3) + 0.6 * math.exp(-((hour - 17) ** 2) / 5)
    season = 0.75 + 0.25 * math.sin(2 * math.pi * (local.timetuple().tm_yday - 100) / 365.25)
    weekend = 0.7 if local.weekday() >= 5 else 1.0
    return min(0.8, 0.05 + rhythm * season * weekend)


def snapshot(out: Path, moment: datetime, history: bool = False) -> None:
    """The feed as it reads at `moment` (for the running demo's live and past (`history`) snapshots): the same
    moment gives the same bytes, whatever day it is generated on."""
    rng = random.Random(f"{SEED}-gbfs-{int(moment.timestamp())}")
    _write_feed(out, int(moment.timestamp()), rng, in_use(moment), compact=True)


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 3)
    updated = int(datetime.combine(calendar.end, time(12, 0), tzinfo=ZoneInfo("Europe/Berlin")).timestamp())
    _write_feed(out, updated, rng)


def _write_feed(out: Path, updated: int, rng: random.Random, share_in_use: float = 0.0,
                compact: bool = False) -> None:
    folder = out / "gbfs"
    folder.mkdir(parents=True, exist_ok=True)
    feeds = [{"name": name, "url": f"{BASE}/{name}.json"} for name in FEEDS]
    _write(folder / "gbfs.json", _envelope(updated, {"de": {"feeds": feeds}}), compact)
    _write(
        folder / "system_information.json",
        _envelope(
            updated,
            {
                "system_id": "gera-rad",
                "language": "de",
                "name": "GeraRad (Demo)",
                "timezone": "Europe/Berlin",
            },
        ),
        compact,
    )
    _write(
        folder / "station_information.json",
        _envelope(
            updated,
            {
                "stations": [
                    {"station_id": f"gera-{n:03d}", "name": name, "lat": lat, "lon": lon}
                    for n, (name, lat, lon) in enumerate(STATIONS, start=1)
                ]
            },
        ),
        compact,
    )
    _write(folder / "station_status.json", _envelope(updated, {"stations": _status(rng, updated, share_in_use)}),
           compact)


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[2] / "data" / "samples" / "demo")
