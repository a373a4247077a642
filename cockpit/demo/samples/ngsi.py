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


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 4)
    observed = datetime.combine(calendar.end, time(12, 0), tzinfo=ZoneInfo("Europe/Berlin"))
    entities = []
    for index, district in enumerate(DISTRICTS):
        for k in range(PER_DISTRICT):
            entities.append(_container(index * PER_DISTRICT + k + 1, district, rng, observed))
    folder = out / "ngsi"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entities.json").write_text(
        json.dumps(entities, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[2] / "data" / "samples" / "demo")
