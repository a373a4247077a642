"""The demo BISKO balance for Gera and the shipped pathway reference data (factor table, budget).

The demo balance is derived from the demo CO2 statistic (statistics/energie-co2-bilanz.csv, generated for today by
`cockpit.demo.prepare`): each year's total is split by fixed sector shares and a slowly changing carrier mix, and the
final energy of each (sector, carrier) is the sector's emissions divided by its mix factor. So the balance totals are
the numbers of the CO2 indicator (one number, not two sources of truth), and the pathway page and the CO2 tile agree.
Deterministic: the same day gives the same balance.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from cockpit import PROJECT_ROOT, demo
from cockpit.catalog import Catalog
from cockpit.kpi.pathway import Budget, factor_table
from cockpit.kpi.pathway_io import read_factors

log = logging.getLogger(__name__)

REFERENCE = PROJECT_ROOT / "data" / "pathway" / "pathway.yaml"
DEMO_SOURCE = "Demodaten: BISKO-Bilanz Gera (synthetisch, aus der Demo-CO2-Statistik abgeleitet)"
STATISTIC_SOURCE = "climate-balance"  # the demo source whose CO2 statistic the demo balance follows

# Share of each sector in the emissions (a city with little heavy industry) and the carrier mix of its final energy
# (energy shares in 2010 and 2025, interpolated), with the data-quality grade of each input.
SECTOR_SHARES = {"households": 0.31, "commerce": 0.17, "industry": 0.19, "municipal": 0.03, "transport": 0.30}
CARRIER_MIX = {
    "households": {"electricity": (0.20, 0.22), "natural_gas": (0.44, 0.46), "heating_oil": (0.14, 0.07),
                   "district_heating": (0.14, 0.20), "lignite": (0.04, 0.00), "biomass": (0.04, 0.05)},
    "commerce": {"electricity": (0.40, 0.40), "natural_gas": (0.38, 0.42), "heating_oil": (0.10, 0.04),
                 "district_heating": (0.12, 0.14)},
    "industry": {"electricity": (0.45, 0.47), "natural_gas": (0.48, 0.50), "heating_oil": (0.07, 0.03)},
    "municipal": {"electricity": (0.35, 0.33), "natural_gas": (0.25, 0.20), "district_heating": (0.40, 0.47)},
    "transport": {"diesel": (0.56, 0.53), "petrol": (0.43, 0.40), "electricity": (0.01, 0.07)},
}
GRADES = {"electricity": "A", "natural_gas": "A", "district_heating": "A", "heating_oil": "C", "lignite": "C",
          "biomass": "C", "diesel": "D", "petrol": "D"}
MUNICIPAL_GRADE = "A"  # the city's own meters


@dataclass(frozen=True)
class Reference:
    factors: pd.DataFrame
    version: str
    source: dict
    approximate: bool
    budget: Budget
    budget_source_en: str


def load_reference(path: Path = REFERENCE) -> Reference:
    """The shipped factor table with its version and source, and the budget with its source."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    factors = document["factors"]
    budget = document["budget"]
    return Reference(read_factors(path.parent / factors["file"]), str(factors["version"]), factors["source"],
                     bool(factors.get("approximate")),
                     Budget(int(budget["start_year"]), float(budget["tonnes"]), " ".join(budget["source"].split())),
                     " ".join(budget.get("source_en", budget["source"]).split()))


def _number(text: str) -> float | None:
    text = text.strip().replace(".", "").replace(",", ".")
    return float(text) if text else None


def statistics_totals(text: str) -> tuple[dict[int, float], dict[int, float]]:
    """({year: CO2 t}, {year: inhabitants}) from the demo statistics table (German CSV, two preamble lines)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Jahr;"))
    totals, population = {}, {}
    for row in csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter=";"):
        year = int(row["Jahr"])
        co2 = _number(row.get("CO2-Emissionen [t]") or "")
        people = _number(row.get("Einwohner") or "")
        if co2 is not None and people:
            totals[year], population[year] = co2, people
    return totals, population


def _mix(sector: str, year: int) -> dict[str, float]:
    weight = min(max((year - 2010) / 15, 0.0), 1.0)
    raw = {c: a + (b - a) * weight for c, (a, b) in CARRIER_MIX[sector].items()}
    total = sum(raw.values())
    return {c: v / total for c, v in raw.items() if v > 0}


def demo_balance(totals: dict[int, float], factors: pd.DataFrame) -> pd.DataFrame:
    """Final energy per (year, sector, carrier) whose emissions add up to `totals` (MWh to 0.1)."""
    pairs = [(c, y) for y in totals for s in SECTOR_SHARES for c in _mix(s, y)]
    table, _ = factor_table(factors, pairs)
    rows = []
    for year, total in sorted(totals.items()):
        for sector, share in SECTOR_SHARES.items():
            mix = _mix(sector, year)
            per_mwh = sum(s * table[(c, year)] for c, s in mix.items())
            mwh = total * share / per_mwh
            for carrier, s in mix.items():
                grade = MUNICIPAL_GRADE if sector == "municipal" else GRADES[carrier]
                if sector == "transport" and year >= 2020 and carrier != "electricity":
                    grade = "C"  # regional traffic counts replace federal key figures from 2020
                rows.append((year, sector, carrier, round(mwh * s, 1), grade))
    return pd.DataFrame(rows, columns=["year", "sector", "carrier", "mwh", "grade"])


def demo_inputs(catalog: Catalog, today: date, folder: Path = demo.DEFAULT_FOLDER,
                reference: Reference | None = None) -> tuple[pd.DataFrame, dict[int, float]]:
    """The demo balance and population for `today` (from today's generated CO2 statistic)."""
    reference = reference or load_reference()
    path = demo.prepare(catalog, today, folder) / "statistics" / "energie-co2-bilanz.csv"
    totals, population = statistics_totals(path.read_bytes().decode("cp1252"))
    return demo_balance(totals, reference.factors), population


def load_demo_pathway(store, catalog: Catalog, today: date, folder: Path = demo.DEFAULT_FOLDER,
                      refresh: bool = False) -> int:
    """With no balance stored yet, import the demo balance; with `refresh`, also bring a stored *demo* balance in
    line with today's demo CO2 statistic (a city's own balance is never touched). The number of rows imported."""
    frame, _, sources = store.balance_inputs()
    if not frame.empty and (not refresh or sources != [DEMO_SOURCE]):
        return 0
    balance, population = demo_inputs(catalog, today, folder)
    if not frame.empty and _records(frame) == _records(balance):
        return 0
    written = store.import_balance(balance, population, DEMO_SOURCE)
    log.info("loaded the demo balance (%d rows, %d..%d)", written, balance["year"].min(), balance["year"].max())
    return written


def _records(frame: pd.DataFrame) -> set[tuple]:
    return {(int(y), s, c, round(float(m), 1), g) for y, s, c, m, g in
            zip(frame["year"], frame["sector"], frame["carrier"], frame["mwh"], frame["grade"], strict=True)}
