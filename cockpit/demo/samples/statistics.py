"""Synthetic municipal statistics tables (German CSV conventions) for the statistics-csv demo sources, deterministic."""

from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path

from cockpit.demo.samples import DEMO_START, FIXTURE, SEED, Calendar, semicolon_csv

# kg per connected inhabitant and year, anchors 2019 and 2026 (interpolated): household waste ≈ 415 -> 395 kg,
# recycling rate (bio, paper, glass, packaging) ≈ 46 % -> 53 %, residual waste (grey bin) ≈ 182 -> 148 kg.
FRACTIONS = {  # column: (2019, 2026, seasonal amplitude, peak month)
    "Restabfall_t": (182.0, 148.0, 0.05, 1),
    "Bioabfall_t": (66.0, 84.0, 0.35, 9),
    "Papier_t": (62.0, 59.0, 0.10, 12),
    "Glas_t": (23.0, 21.0, 0.15, 12),
    "LVP_t": (39.0, 47.0, 0.08, 12),
    "Sperrmuell_t": (43.0, 36.0, 0.20, 5),
}
POPULATION = {2010: 99_300, 2015: 96_000, 2019: 95_400, 2022: 93_400, 2026: 92_600}


def population(year: float) -> float:
    """Registered inhabitants, interpolated between the anchor years."""
    years = sorted(POPULATION)
    for low, high in zip(years, years[1:], strict=False):
        if low <= year <= high:
            return POPULATION[low] + (POPULATION[high] - POPULATION[low]) * (year - low) / (high - low)
    return POPULATION[years[-1]]


def de(value: float, decimals: int = 1, thousands: bool = True) -> str:
    """German number format: decimal comma, '.' as thousands separator."""
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def months(first: date, last: date):
    month = first
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def extended(table: dict[int, float], year: int, step: float) -> float:
    """table[year], continued by `step` a year after its last year."""
    last = max(table)
    return table[year] if year in table else table[last] + step * (year - last)


def waste(rng: random.Random, calendar: Calendar = FIXTURE) -> str:
    """Monthly tonnages per fraction and connected inhabitants (UTF-8 with BOM), up to the last complete month."""
    rows = []
    for month in months(date(DEMO_START.year, DEMO_START.month, 1), calendar.last_month):
        t = (month.year - 2019) + (month.month - 0.5) / 12
        inhabitants = round(population(month.year + month.month / 12) * 0.995)
        cells = [month.strftime("%m/%Y"), de(inhabitants, 0)]
        for start, end, amplitude, peak in FRACTIONS.values():
            per_year = start + (end - start) * min(1.0, t / 7)
            season = 1 + amplitude * math.cos(2 * math.pi * (month.month - peak) / 12)
            tonnes = per_year / 12 * season * rng.gauss(1, 0.03) * inhabitants / 1000
            cells.append(de(tonnes, 1))
        rows.append(cells)
    return semicolon_csv(["Monat", "Einwohner", *FRACTIONS], rows)


def climate(rng: random.Random, calendar: Calendar = FIXTURE) -> str:
    """Yearly energy and CO2 balance from 2010 (cp1252); renewable capacity evaluated from 2015 only. Each column
    runs to its own last published year (the balance takes longer than the capacity evaluation)."""
    capacity = {
        2015: 0.19,
        2016: 0.22,
        2017: 0.25,
        2018: 0.28,
        2019: 0.31,
        2020: 0.35,
        2021: 0.39,
        2022: 0.44,
        2023: 0.50,
        2024: 0.53,
        2025: 0.55,
    }
    last = calendar.last_year
    rows = []
    for year in range(2010, max(last["co2"], last["energy"], last["capacity"]) + 1):
        inhabitants = round(population(year + 0.5))
        co2_per_head = (7.3 + (5.9 - 7.3) * (year - 2010) / 15) * rng.gauss(1, 0.015)
        energy = (1760 - 13.5 * (year - 2010)) * rng.gauss(1, 0.01)
        kw = extended(capacity, year, 0.03) if year >= min(capacity) and year <= last["capacity"] else None
        rows.append(
            [
                str(year),
                de(inhabitants, 0),
                de(energy, 0) if year <= last["energy"] else "",
                de(co2_per_head * inhabitants, 0) if year <= last["co2"] else "",
                de(kw * inhabitants * rng.gauss(1, 0.01), 0) if kw else "",
            ]
        )
    header = [
        "Jahr",
        "Einwohner",
        "Endenergieverbrauch [GWh]",
        "CO2-Emissionen [t]",
        "Installierte EE-Leistung [kW]",
    ]
    preamble = [
        "Energie- und CO2-Bilanz der Stadt Gera (BISKO), Territorialbilanz – synthetische Demodaten",
        "Quelle: Stadt Gera, Umweltamt – Klimaschutzmanagement; Lizenz: dl-de/by-2-0",
    ]
    return semicolon_csv(header, rows, preamble)


def vehicles(rng: random.Random, calendar: Calendar = FIXTURE) -> str:
    """Car stock on 1 January by fuel (KBA FZ 3 style, cp1252) with a title preamble."""
    bev = {2019: 0.20, 2020: 0.33, 2021: 0.55, 2022: 0.85, 2023: 1.16, 2024: 1.55, 2025: 1.90, 2026: 2.40}
    phev = {2019: 0.15, 2020: 0.25, 2021: 0.55, 2022: 0.90, 2023: 1.15, 2024: 1.30, 2025: 1.45, 2026: 1.70}
    hybrid = {2019: 1.1, 2020: 1.6, 2021: 2.4, 2022: 3.4, 2023: 4.4, 2024: 5.4, 2025: 6.4, 2026: 7.3}
    rows = []
    for year in range(DEMO_START.year, calendar.last_year["vehicles"] + 1):
        cars = round(population(year) * (0.470 + 0.0025 * (year - 2019)) * rng.gauss(1, 0.002))
        counts = {
            "bev": round(cars * extended(bev, year, 0.6) / 100),
            "phev": round(cars * extended(phev, year, 0.25) / 100),
            "hybrid": round(cars * extended(hybrid, year, 0.9) / 100),
        }
        diesel = round(cars * (0.255 - 0.006 * (year - 2019)))
        petrol = cars - diesel - sum(counts.values()) - round(cars * 0.012)
        rows.append(
            [
                f"01.01.{year}",
                "Gera, Stadt",
                de(cars, 0),
                de(petrol, 0),
                de(diesel, 0),
                de(counts["hybrid"], 0),
                de(counts["phev"], 0),
                de(counts["bev"], 0),
            ]
        )
    header = [
        "Stichtag",
        "Zulassungsbezirk",
        "Pkw insgesamt",
        "davon Benzin",
        "davon Diesel",
        "davon Hybrid (ohne Plug-in)",
        "davon Plug-in-Hybrid",
        "davon Elektro (BEV)",
    ]
    preamble = [
        "Kraftfahrt-Bundesamt – Bestand an Personenkraftwagen nach Kraftstoffarten (FZ 3) – synthetische "
        "Demodaten",
        "Zulassungsbezirk: Gera, Stadt (16052)",
        "",
    ]
    return semicolon_csv(header, rows, preamble)


def passengers(rng: random.Random, calendar: Calendar = FIXTURE) -> str:
    """Monthly passengers of the tram and bus operator (UTF-8 with BOM), +9 % from May 2023 (Deutschlandticket)."""
    season = {
        1: 0.97,
        2: 0.99,
        3: 1.03,
        4: 1.0,
        5: 1.01,
        6: 0.99,
        7: 0.92,
        8: 0.93,
        9: 1.03,
        10: 1.05,
        11: 1.06,
        12: 0.98,
    }
    rows = []
    for month in months(date(DEMO_START.year, DEMO_START.month, 1), calendar.last_month):
        total = 1_260_000 * season[month.month] * rng.gauss(1, 0.01)
        if month >= date(2023, 5, 1):
            total *= 1.09
        tram = total * rng.uniform(0.56, 0.6)
        rows.append(
            [
                month.strftime("%m/%Y"),
                de(round(tram), 0),
                de(round(total) - round(tram), 0),
                de(round(total), 0),
            ]
        )
    return semicolon_csv(["Monat", "Fahrgäste Straßenbahn", "Fahrgäste Bus", "Fahrgäste gesamt"], rows)


def generate(out: Path, calendar: Calendar = FIXTURE) -> None:
    rng = random.Random(SEED + 2)
    folder = out / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "abfallbilanz-monatlich.csv": (waste(rng, calendar), "utf-8-sig"),
        "energie-co2-bilanz.csv": (climate(rng, calendar), "cp1252"),
        "kfz-bestand.csv": (vehicles(rng, calendar), "cp1252"),
        "fahrgaeste-monatlich.csv": (passengers(rng, calendar), "utf-8-sig"),
    }
    for name, (text, encoding) in files.items():
        (folder / name).write_bytes(text.encode(encoding))
