"""Synthetic Ladesäulenregister CSV (Bundesnetzagentur shape) for Gera and a few neighbouring towns, deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cockpit.demo.samples import FIXTURE, SEED, Calendar, semicolon_csv

BASE_HEADER = [
    "Ladeeinrichtungs-ID",
    "Betreiber",
    "Anzeigename (Karte)",
    "Status",
    "Art der Ladeeinrichtung",
    "Anzahl Ladepunkte",
    "Nennleistung Ladeeinrichtung [kW]",
    "Inbetriebnahmedatum",
    "Straße",
    "Hausnummer",
    "Adresszusatz",
    "Postleitzahl",
    "Ort",
    "Kreis/kreisfreie Stadt",
    "Bundesland",
    "Breitengrad",
    "Längengrad",
    "Standortbezeichnung",
    "Informationen zum Parkraum",
    "Bezahlsysteme",
    "Öffnungszeiten",
    "Öffnungszeiten: Wochentage",
    "Öffnungszeiten: Tageszeiten",
]
PLUG_BLOCKS = 6
HEADER = BASE_HEADER + [
    f"{name}{n}"
    for n in range(1, PLUG_BLOCKS + 1)
    for name in ("Steckertypen", "Nennleistung Stecker", "EVSE-ID", "Public Key")
]

# Charge points in operation in Gera at the end of each year (≈ 0.11 per 1,000 in 2017, ≈ 1.5 in 2023).
TARGET_POINTS = {
    2015: 3,
    2016: 6,
    2017: 10,
    2018: 18,
    2019: 30,
    2020: 48,
    2021: 74,
    2022: 104,
    2023: 142,
    2024: 160,
    2025: 176,
    2026: 190,
}

OPERATORS = [  # (Betreiber, Anzeigename, EVSE operator id, weight)
    ("Energieversorgung Gera GmbH", "EGG", "EGG", 0.34),
    ("EnBW mobility+ AG & Co. KG", "EnBW", "EBW", 0.16),
    ("TEAG Mobil GmbH", "TEAG", "TEA", 0.12),
    ("Stadtwerke Gera AG", "Stadtwerke Gera", "SWG", 0.08),
    ("Allego GmbH", "Allego", "ALG", 0.06),
    ("EWE Go GmbH", "EWE Go", "EWG", 0.06),
    ("Lidl Dienstleistung GmbH & Co. KG", "Lidl", "LDL", 0.06),
    ("Kaufland Dienstleistung GmbH & Co. KG", "Kaufland", "KFL", 0.05),
    ("Autohaus Müller Gera GmbH", "Autohaus Müller", "AHM", 0.04),
    ("Wohnungsbaugenossenschaft Aufbau Gera eG", "WBG Aufbau", "WBA", 0.03),
]

# district -> (postcode, weight, streets, approximate centre)
DISTRICTS = {
    "stadtmitte": (
        "07545",
        0.30,
        [
            "Sorge",
            "Heinrichstraße",
            "Schloßstraße",
            "Theaterplatz",
            "Johannisplatz",
            "Puschkinplatz",
            "De-Smit-Straße",
            "Gagarinstraße",
        ],
        (50.8789, 12.0820),
    ),
    "debschwitz-untermhaus": (
        "07548",
        0.12,
        ["Wiesestraße", "Straße des Friedens", "Untermhäuser Straße", "Plauensche Straße"],
        (50.8660, 12.0690),
    ),
    "bieblach-tinz": (
        "07546",
        0.12,
        ["Bieblacher Straße", "Tinzer Straße", "Hermann-Drechsler-Straße", "Berliner Straße"],
        (50.8950, 12.0900),
    ),
    "lusan": (
        "07549",
        0.14,
        ["Karl-Marx-Allee", "Zeitzer Straße", "Werner-Petzold-Straße", "Leibnizstraße"],
        (50.8590, 12.1070),
    ),
    "zwoetzen-liebschwitz": (
        "07551",
        0.07,
        ["Zwötzener Straße", "Liebschwitzer Straße", "Lange Straße"],
        (50.8450, 12.1010),
    ),
    "langenberg": ("07552", 0.08, ["Hauptstraße", "Langenberger Straße", "Am Bahnhof"], (50.9190, 12.0650)),
    "leumnitz-pforten": (
        "07554",
        0.08,
        ["Leumnitzer Straße", "Pfortener Straße", "Keplerstraße"],
        (50.8890, 12.1240),
    ),
    "roeppisch-zeulsdorf": (
        "07557",
        0.09,
        ["Röppischer Straße", "Zeulsdorfer Straße", "Clara-Zetkin-Straße"],
        (50.8560, 12.0460),
    ),
}

# Stations of neighbouring towns that the connector must filter out (one has a Gera postcode: Pölzig, 07554).
NEIGHBOURS = [
    ("Ronneburg", "07580", "Landkreis Greiz", "Markt", (50.8630, 12.1790)),
    ("Bad Köstritz", "07586", "Landkreis Greiz", "Heinrich-Schütz-Straße", (50.9300, 12.0110)),
    ("Pölzig", "07554", "Landkreis Greiz", "Dorfstraße", (50.9510, 12.1960)),
    ("Weida", "07570", "Landkreis Greiz", "Geraer Straße", (50.7720, 12.0640)),
    ("Zeitz", "06712", "Burgenlandkreis", "Altmarkt", (51.0480, 12.1380)),
    ("Ronneburg", "07580", "Landkreis Greiz", "Brunnencorso", (50.8610, 12.1840)),
]


@dataclass
class Station:
    id: int
    operator: tuple
    status: str
    points: int
    dc: bool
    power: float
    commissioned: date
    street: str
    number: str
    postcode: str
    place: str
    county: str
    lat: float
    lon: float


def target_points(year: int) -> int:
    """Charge points in operation at the end of `year` (16 more a year after the table)."""
    last = max(TARGET_POINTS)
    return TARGET_POINTS[year] if year in TARGET_POINTS else TARGET_POINTS[last] + 16 * (year - last)


def _commission_date(rng: random.Random, year: int, end: date) -> date:
    # the register of `end` lists stations commissioned up to the end of the month before
    last = date(end.year, end.month, 1) - timedelta(days=1) if year == end.year else date(year, 12, 31)
    first = date(year, 1, 1)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _station(rng: random.Random, ident: int, year: int, remaining: int, district: str | None,
             end: date = FIXTURE.end) -> Station:
    operator = rng.choices(OPERATORS, weights=[o[3] for o in OPERATORS])[0]
    dc = year >= 2019 and rng.random() < 0.22
    points = min(
        remaining, rng.choice([1, 2]) if dc else rng.choices([1, 2, 4, 6], [0.12, 0.74, 0.1, 0.04])[0]
    )
    power = rng.choice([50.0, 150.0, 300.0]) if dc else rng.choices([22.0, 11.0, 3.7], [0.8, 0.15, 0.05])[0]
    if district is None:
        place, postcode, county, street, (lat, lon) = rng.choice(NEIGHBOURS)
    else:
        postcode, _w, streets, (lat, lon) = DISTRICTS[district]
        place, county, street = "Gera", "Kreisfreie Stadt Gera", rng.choice(streets)
    return Station(
        ident,
        operator,
        "In Betrieb",
        max(1, points),
        dc,
        power,
        _commission_date(rng, year, end),
        street,
        str(rng.randint(1, 120)),
        postcode,
        place,
        county,
        lat + rng.uniform(-0.008, 0.008),
        lon + rng.uniform(-0.012, 0.012),
    )


def stations(rng: random.Random, end: date = FIXTURE.end) -> list[Station]:
    """Gera's stations year by year up to the target counts, plus some out of operation and some of neighbours."""
    ids = iter(rng.sample(range(1_000_000, 1_400_000), 400))
    names, weights = list(DISTRICTS), [d[1] for d in DISTRICTS.values()]
    result, total = [], 0
    first = min(TARGET_POINTS)
    for year in range(first, end.year + 1):
        target = target_points(year)
        if year == end.year:  # the running year's build-out, complete by October
            done = min(1.0, (end.month - 1) / 10)
            target = round(target_points(year - 1) + (target - target_points(year - 1)) * done)
        while total < target:
            station = _station(rng, next(ids), year, target - total, rng.choices(names, weights)[0], end)
            total += station.points
            result.append(station)
    for year in (2018, 2022):  # out of operation: in the register, but not counted
        station = _station(rng, next(ids), year, 2, rng.choices(names, weights)[0])
        station.status = "Außer Betrieb"
        result.append(station)
    for year in (2019, 2020, 2021, 2022, 2023, 2025):
        result.append(_station(rng, next(ids), year, 2, None))
    return sorted(result, key=lambda s: s.id)


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def row(station: Station) -> list[str]:
    name, label, evse_operator, _weight = station.operator
    kind = "Schnellladeeinrichtung" if station.dc else "Normalladeeinrichtung"
    plug = "DC Fahrzeugkupplung Typ Combo (CCS)" if station.dc else "AC Typ 2 Steckdose"
    if station.dc and station.power <= 50:
        plug += ", DC CHAdeMO"
    blocks = []
    for n in range(1, PLUG_BLOCKS + 1):
        if n <= station.points:
            blocks += [plug, _number(station.power), f"DE*{evse_operator}*E{station.id}*{n}", ""]
        else:
            blocks += ["", "", "", ""]
    payment = "Kreditkarte; App" if station.dc else "RFID-Karte, Ladekarte, Onlinezahlungsverfahren"
    hours = (
        "24/7"
        if station.operator[0]
        not in ("Lidl Dienstleistung GmbH & Co. KG", "Kaufland Dienstleistung GmbH & Co. KG")
        else "Keine Angabe"
    )
    return [
        str(station.id),
        name,
        label,
        station.status,
        kind,
        str(station.points),
        _number(station.power),
        station.commissioned.strftime("%d.%m.%Y"),
        station.street,
        station.number,
        "",
        station.postcode,
        station.place,
        station.county,
        "Thüringen" if station.county != "Burgenlandkreis" else "Sachsen-Anhalt",
        _number(round(station.lat, 6)),
        _number(round(station.lon, 6)),
        "",
        "",
        payment,
        hours,
        "",
        "",
        *blocks,
    ]


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 1)
    preamble = [
        "Ladesäulenregister der Bundesnetzagentur – öffentlich zugängliche Ladepunkte (synthetische Demodaten)",
        f"Stand: {calendar.end:%d.%m.%Y}",
        "Lizenz: Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
    ]
    text = semicolon_csv(HEADER, [row(s) for s in stations(rng, calendar.end)], preamble)
    folder = out / "charging-register"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Ladesaeulenregister.csv").write_bytes(text.encode("cp1252"))
