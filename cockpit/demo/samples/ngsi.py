"""Demo FIWARE NGSI-v2 keyValues WasteContainer entities: 40 sensor-equipped containers in Gera's 8 districts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cockpit.demo.samples import FIXTURE, SEED, Calendar

# district id, postcode (as in data/catalog.yaml), street, approximate centre (lat, lon)
DISTRICTS = [
    ("stadtmitte", "07545", "Johannisplatz", 50.8795, 12.0820),
    ("debschwitz-untermhaus", "07548", "Leibnizstraße", 50.8720, 12.0700),
    ("bieblach-tinz", "07546", "Bieblacher Hang", 50.8950, 12.1040),
    ("lusan", "07549", "Karl-Matthes-Straße", 50.8570, 12.1110),
    ("zwoetzen-liebschwitz", "07551", "Zwötzener Straße", 50.8470, 12.0720),
    ("langenberg", "07552", "Langenberger Straße", 50.9220, 12.0900),
    ("leumnitz-pforten", "07554", "Pfortener Straße", 50.8880, 12.1200),
    ("roeppisch-zeulsdorf", "07557", "Zeulsdorfer Straße", 50.8680, 12.1250),
]
KINDS = ("glass", "paper", "plastic", "glass", "inorganic")
PER_DISTRICT = 5
VANDALIZED = 23  # one container reports status "vandalized": its reading is quarantined


def _iso(stamp: datetime) -> str:
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _container(number: int, district: tuple, rng: random.Random, observed: datetime) -> dict:
    _district_id, postcode, street, lat, lon = district
    level = round(min(0.98, max(0.02, rng.betavariate(2.2, 2.6))), 2)
    emptied = observed - timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 8))
    return {
        "id": f"wastecontainer:gera:{number:03d}",
        "type": "WasteContainer",
        "location": {
            "type": "Point",
            "coordinates": [
                round(lon + rng.uniform(-0.006, 0.006), 5),
                round(lat + rng.uniform(-0.004, 0.004), 5),
            ],
        },
        "address": {
            "streetAddress": f"{street} {rng.randint(1, 60)}",
            "postalCode": postcode,
            "addressLocality": "Gera",
            "addressCountry": "DE",
        },
        "storedWasteKind": KINDS[number % len(KINDS)],
        "category": ["fixed", "surface"],
        "fillingLevel": level,
        "temperature": round(rng.uniform(2.0, 9.0), 1),
        "status": "vandalized" if number == VANDALIZED else ("lidOpen" if number == 31 else "ok"),
        "dateLastEmptying": _iso(emptied),
        "dateObserved": _iso(observed + timedelta(minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))),
        "refDevice": [f"device:fillsensor:{number:03d}"],
    }


def fill_at(number: int, moment: datetime, rng: random.Random) -> tuple[float, datetime]:
    """(fill level, last emptying) of container `number` at `moment`: each container is emptied once a week
    on its own weekday at 7 h and fills up over the week (glass slower than paper and packaging)."""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    weekday = number % 7
    days_back = (local.weekday() - weekday) % 7
    emptied = datetime.combine(local.date() - timedelta(days=days_back), time(7, 0), tzinfo=local.tzinfo)
    if emptied > local:
        emptied -= timedelta(days=7)
    hours = (local - emptied).total_seconds() / 3600
    speed = 0.8 if KINDS[number % len(KINDS)] == "glass" else 1.0
    level = 0.04 + speed * 0.85 * hours / (7 * 24) + rng.gauss(0, 0.03)
    return round(min(0.98, max(0.02, level)), 2), emptied


def snapshot(out: Path, moment: datetime, history: bool = False) -> None:
    """The entities as the context broker returns them at `moment` (every container observed within the 15
    minutes before it, `moment` at :15 to :59 keeps them in one hour): the same moment gives the same bytes. Past snapshots (`history`) hold no faulty
    containers; the live one has the vandalized container, whose reading is quarantined."""
    rng = random.Random(f"{SEED}-ngsi-{int(moment.timestamp())}")
    layout = random.Random(SEED + 4)  # the same containers at the same places in every snapshot
    entities = []
    for index, district in enumerate(DISTRICTS):
        for k in range(PER_DISTRICT):
            number = index * PER_DISTRICT + k + 1
            entity = _container(number, district, layout, moment)
            level, emptied = fill_at(number, moment, rng)
            entity["fillingLevel"] = level
            entity["dateLastEmptying"] = _iso(emptied)
            entity["dateObserved"] = _iso(moment - timedelta(seconds=rng.randint(0, 899)))  # within its hour
            if history:
                entity["status"] = "ok"
            entities.append(entity)
    _write_entities(out, entities, compact=True)


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 4)
    observed = datetime.combine(calendar.end, time(12, 0), tzinfo=ZoneInfo("Europe/Berlin"))
    entities = []
    for index, district in enumerate(DISTRICTS):
        for k in range(PER_DISTRICT):
            entities.append(_container(index * PER_DISTRICT + k + 1, district, rng, observed))
    _write_entities(out, entities)


def _write_entities(out: Path, entities: list[dict], compact: bool = False) -> None:
    folder = out / "ngsi"
    folder.mkdir(parents=True, exist_ok=True)
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    (folder / "entities.json").write_text(json.dumps(entities, ensure_ascii=False, **layout) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[2] / "data" / "samples" / "demo")
