"""The climate pathway (version 1 of the pathway rules): a BISKO balance by sector and energy carrier, the
business-as-usual line, the measures' effects, the plan, the target path, coverage and gap, and the budget.

Pure functions on plain data and pandas frames; no database, no Dash. docs/pathway.md states the rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from cockpit.catalog.models import Goal
from cockpit.kpi.path import target_path

RULES_VERSION = 1
CO2_INDICATORS = ("co2-per-inhabitant", "co2-total")  # the goals the pathway can follow, in this order
SECTORS = ("households", "commerce", "industry", "municipal", "transport")
GRADE_WEIGHTS = {"A": 1.0, "B": 0.5, "C": 0.25, "D": 0.0}
BAU_WINDOW = 5  # the BAU line runs through the last min(5, available) balance years
BAU_MIN_YEARS = 3
BUDGET_HORIZON = 2100  # the last year searched for the exhaustion of the budget


class PathwayError(ValueError):
    """The inputs cannot be combined (e.g. a carrier without any factor up to a balance year)."""


@dataclass(frozen=True)
class SectorEffect:
    """An expected reduction of one measure in one sector: t CO2e per year at full effect."""

    measure_id: str
    sector: str
    reduction_t: float
    start_year: int
    full_year: int
    end_year: int | None = None
    cancelled: bool = False  # the measure was cancelled: its effect counts 0


@dataclass(frozen=True)
class Budget:
    start_year: int
    tonnes: float
    source: str = ""


@dataclass
class Balance:
    """The emissions of every balance year: per (sector, carrier), summed per sector, per carrier and in total."""

    years: list[int]
    emissions: pd.DataFrame  # year, sector, carrier, mwh, grade, t_per_mwh, t
    total: dict[int, float]
    by_sector: dict[str, dict[int, float]]
    by_carrier: dict[str, dict[int, float]]
    per_inhabitant: dict[int, float | None]
    quality: dict[int, float | None]
    factor_carried_forward: list[int]
    carried: dict[int, list[str]] = field(default_factory=dict)  # year -> carriers whose factor was carried


# ---------------------------------------------------------------- balance


def factor_table(factors: pd.DataFrame, pairs: Iterable[tuple[str, int]]) -> tuple[dict, dict]:
    """The factor of every (carrier, year) pair: that year's factor, else the latest earlier year's (carried
    forward). Returns ({(carrier, year): t_per_mwh}, {year: [carriers carried forward]}); PathwayError if a carrier
    has no factor up to a year."""
    known: dict[str, dict[int, float]] = {}
    for year, carrier, value in zip(factors["year"].tolist(), factors["carrier"].tolist(),
                                    factors["t_per_mwh"].tolist(), strict=True):
        known.setdefault(str(carrier), {})[int(year)] = float(value)
    table, carried = {}, {}
    for carrier, year in sorted(set(pairs)):
        own = known.get(carrier, {})
        if year in own:
            table[(carrier, year)] = own[year]
            continue
        earlier = [y for y in own if y < year]
        if not earlier:
            raise PathwayError(f"no emission factor for carrier '{carrier}' in {year} or any earlier year")
        table[(carrier, year)] = own[max(earlier)]
        carried.setdefault(year, []).append(carrier)
    return table, carried


def data_quality(consumption: pd.DataFrame) -> dict[int, float | None]:
    """Σ(consumption × weight) / Σ consumption per year, weights A 1.0, B 0.5, C 0.25, D 0.0 (None: no consumption)."""
    mwh: dict[int, float] = {}
    weighted: dict[int, float] = {}
    for year, amount, grade in zip(consumption["year"], consumption["mwh"], consumption["grade"], strict=True):
        year = int(year)
        mwh[year] = mwh.get(year, 0.0) + float(amount)
        weighted[year] = weighted.get(year, 0.0) + float(amount) * GRADE_WEIGHTS[grade]
    return {y: (weighted[y] / mwh[y] if mwh[y] > 0 else None) for y in sorted(mwh)}


def balance(consumption: pd.DataFrame, factors: pd.DataFrame,
            population: Mapping[int, float] | None = None) -> Balance:
    """Emissions E = consumption × factor per (sector, carrier, year), summed per sector, carrier and year; per
    inhabitant with the year's population (None where unknown). Plain loops: a balance has a few hundred rows, and
    pandas' per-group overhead would dominate."""
    frame = consumption[["year", "sector", "carrier", "mwh", "grade"]].copy()
    frame["year"] = frame["year"].astype(int)
    frame["mwh"] = frame["mwh"].astype(float)
    years_col, carriers = frame["year"].tolist(), frame["carrier"].astype(str).tolist()
    table, carried = factor_table(factors, zip(carriers, years_col, strict=True))
    factor_col = [table[(c, y)] for c, y in zip(carriers, years_col, strict=True)]
    tonnes = [m * f for m, f in zip(frame["mwh"].tolist(), factor_col, strict=True)]
    frame["t_per_mwh"] = factor_col
    frame["t"] = tonnes
    years = sorted(set(years_col))
    total = dict.fromkeys(years, 0.0)
    sector_sums: dict[str, dict[int, float]] = {}
    carrier_sums: dict[str, dict[int, float]] = {}
    for year, sector, carrier, value in zip(years_col, frame["sector"].tolist(), carriers, tonnes, strict=True):
        total[year] += value
        row = sector_sums.setdefault(sector, dict.fromkeys(years, 0.0))
        row[year] += value
        by_c = carrier_sums.setdefault(carrier, {})
        by_c[year] = by_c.get(year, 0.0) + value
    by_sector = {s: sector_sums[s] for s in SECTORS if s in sector_sums}
    by_carrier = {c: dict(sorted(carrier_sums[c].items())) for c in sorted(carrier_sums)}
    population = population or {}
    per_inhabitant = {y: (total[y] / population[y] if population.get(y) else None) for y in years}
    return Balance(years, frame, total, by_sector, by_carrier, per_inhabitant, data_quality(frame),
                   sorted(carried), {y: sorted(c) for y, c in carried.items()})


def per_inhabitant_rows(bal: Balance, indicator: str = "co2-per-inhabitant") -> list[dict]:
    """The balance's emissions per inhabitant as observation rows of the CO2 indicator (one per year with a
    population): the indicator derives from the balance, so there is one number, not two sources of truth."""
    return [dict(indicator=indicator, district="", period_start=f"{y}-01-01T00:00:00+01:00",
                 period_end=f"{y + 1}-01-01T00:00:00+01:00", value=round(v, 4), raw=f"balance {y}: {bal.total[y]:.1f} t")
            for y, v in sorted(bal.per_inhabitant.items()) if v is not None]


# ---------------------------------------------------------------- business as usual, effects, plan


def bau_line(totals: Mapping[int, float]) -> tuple[float, float] | None:
    """(slope, intercept) of the OLS line through the last min(5, n) totals; None with fewer than 3 years."""
    years = sorted(totals)[-BAU_WINDOW:]
    if len(years) < BAU_MIN_YEARS:
        return None
    slope, intercept = np.polyfit(np.array(years, float), np.array([totals[y] for y in years], float), 1)
    return float(slope), float(intercept)


def bau(totals: Mapping[int, float], years: Iterable[int]) -> dict[int, float]:
    """BAU(y) for the given years after Y0 (the latest balance year), never below 0; {} without a line."""
    line = bau_line(totals)
    if line is None or not totals:
        return {}
    y0 = max(totals)
    return {y: max(0.0, line[0] * y + line[1]) for y in years if y > y0}


def effect_in_year(effect: SectorEffect, year: int) -> float:
    """0 before start_year; a linear ramp to the full reduction in full_year; full through end_year; 0 after.
    Cancelled measures count 0."""
    if effect.cancelled or year < effect.start_year:
        return 0.0
    if effect.end_year is not None and year > effect.end_year:
        return 0.0
    if year >= effect.full_year:
        return float(effect.reduction_t)
    steps = effect.full_year - effect.start_year + 1
    return float(effect.reduction_t) * (year - effect.start_year + 1) / steps


def measure_effects(effects: Iterable[SectorEffect], years: Iterable[int]) -> dict[str, dict[int, float]]:
    """Each measure's summed effect per year (all its sectors)."""
    years = list(years)
    out: dict[str, dict[int, float]] = {}
    for effect in effects:
        row = out.setdefault(effect.measure_id, {y: 0.0 for y in years})
        for y in years:
            row[y] += effect_in_year(effect, y)
    return out


def total_effects(effects: Mapping[str, Mapping[int, float]], years: Iterable[int]) -> dict[int, float]:
    return {y: float(sum(e.get(y, 0.0) for e in effects.values())) for y in years}


def plan(bau_values: Mapping[int, float], effect_totals: Mapping[int, float]) -> dict[int, float]:
    """plan(y) = max(0, BAU(y) − Σ effects(y)) for every BAU year."""
    return {y: max(0.0, v - effect_totals.get(y, 0.0)) for y, v in bau_values.items()}


# ---------------------------------------------------------------- target, coverage, gap, budget


def is_per_inhabitant(goal: Goal) -> bool:
    """A goal on the per-inhabitant emissions (its indicator is a per-inhabitant figure)."""
    return "per-inhabitant" in goal.indicator


def population_in(population: Mapping[int, float], year: int) -> float | None:
    """The year's population, else the nearest earlier known year's, else the first known (None: nothing known)."""
    if not population:
        return None
    if year in population:
        return float(population[year])
    earlier = [y for y in population if y < year]
    return float(population[max(earlier)] if earlier else population[min(population)])


def target_tonnes(goal: Goal, years: Iterable[int], population: Mapping[int, float] | None = None) -> dict[int, float]:
    """The goal's path (interpolated as the goal rules do) in t CO2e per year; a per-inhabitant goal is multiplied
    by the year's population (future years: the last known population)."""
    out = {}
    for y in years:
        value = target_path(goal, y)
        if is_per_inhabitant(goal):
            people = population_in(population or {}, y)
            if people is None:
                raise PathwayError(f"goal '{goal.id}' is per inhabitant: the population is needed")
            value *= people
        out[y] = value
    return out


@dataclass(frozen=True)
class CoverageGap:
    needed: float | None
    coverage: float | None  # share of the needed reduction the effects cover; None: no reduction needed
    gap: float | None  # plan(T) − target(T): > 0 short of the target


def coverage_and_gap(target_year: int, bau_values: Mapping[int, float], effect_totals: Mapping[int, float],
                     plan_values: Mapping[int, float], target: Mapping[int, float]) -> CoverageGap:
    """needed = BAU(T) − target(T); coverage = Σ effects(T) / needed when needed > 0 (else None); gap = plan(T) −
    target(T). Without BAU at T (no line or T not after Y0) all three are None."""
    if target_year not in bau_values or target_year not in target:
        return CoverageGap(None, None, None)
    needed = bau_values[target_year] - target[target_year]
    coverage = effect_totals.get(target_year, 0.0) / needed if needed > 0 else None
    return CoverageGap(needed, coverage, plan_values[target_year] - target[target_year])


@dataclass(frozen=True)
class BudgetState:
    remaining: float | None
    exhausted_year: int | None


def budget_state(budget: Budget | None, observed: Mapping[int, float], plan_values: Mapping[int, float],
                 horizon: int = BUDGET_HORIZON) -> BudgetState:
    """remaining at Y0 = B − Σ observed totals Yb..Y0; the exhaustion year is the first year whose cumulative total
    (observed up to Y0, then plan) exceeds B, None if none up to `horizon`; without a plan there is    none at all (fewer than 3 balance years: no BAU, no plan, no budget year)."""
    if budget is None or not observed:
        return BudgetState(None, None)
    y0 = max(observed)
    remaining = budget.tonnes - sum(v for y, v in observed.items() if budget.start_year <= y <= y0)
    cumulative = 0.0
    for y in range(budget.start_year, horizon + 1):
        value = observed.get(y) if y <= y0 else plan_values.get(y)
        if value is None:
            if y > y0:
                break
            continue
        cumulative += value
        if cumulative > budget.tonnes and plan_values:
            return BudgetState(remaining, y)
    return BudgetState(remaining, None)


# ---------------------------------------------------------------- the whole pathway


@dataclass
class Pathway:
    balance: Balance
    y0: int
    target_year: int
    years: list[int]
    bau: dict[int, float]
    effects: dict[str, dict[int, float]]
    effect_totals: dict[int, float]
    plan: dict[int, float]
    target: dict[int, float]
    result: CoverageGap
    budget: Budget | None
    budget_result: BudgetState
    population: dict[int, float] = field(default_factory=dict)

    @property
    def observed(self) -> dict[int, float]:
        return self.balance.total

    def to_dict(self) -> dict:
        """The JSON shape of `run.py pathway` (years as keys in order, tonnes rounded to 0.1 t)."""
        def series(values: Mapping[int, float]) -> dict[str, float]:
            return {str(y): round_tonnes(values[y]) for y in self.years if y in values}

        return {
            "y0": self.y0,
            "years": self.years,
            "observed": series(self.observed),
            "by_sector": {s: series(v) for s, v in self.balance.by_sector.items()},
            "quality": {str(y): (None if q is None else round(q, 4)) for y, q in self.balance.quality.items()},
            "factor_carried_forward": self.balance.factor_carried_forward,
            "bau": series(self.bau),
            "effects": {m: series({y: v for y, v in e.items() if y > self.y0}) for m, e in self.effects.items()},
            "plan": series(self.plan),
            "target": series(self.target),
            "coverage": None if self.result.coverage is None else round(self.result.coverage, 4),
            "gap": round_tonnes(self.result.gap),
            "budget_remaining": round_tonnes(self.budget_result.remaining),
            "budget_exhausted_year": self.budget_result.exhausted_year,
        }


def round_tonnes(value: float | None) -> float | None:
    """The one rounding of the pathway's tonnes: to 0.1 t, halves away from zero (in decimal, not binary). What
    `run.py pathway`, the API and its CSV publish."""
    if value is None or not math.isfinite(value):
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def whole_tonnes(value: float | None) -> float | None:
    """Whole tonnes as pages, the wall and reports show them: of the published 0.1 t figure (`round_tonnes`), so
    that the page never says 3.003 t where the API says 3002.4 t; halves away from zero."""
    published = round_tonnes(value)
    if published is None:
        return None
    return float(Decimal(repr(published)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))



def compute(consumption: pd.DataFrame, factors: pd.DataFrame, effects: Iterable[SectorEffect], goal: Goal,
            budget: Budget | None = None, population: Mapping[int, float] | None = None,
            switched_off: Iterable[str] = ()) -> Pathway:
    """Every figure of the pathway; `switched_off` measures count 0 (the "what if")."""
    bal = balance(consumption, factors, population)
    if not bal.years:
        raise PathwayError("the balance has no years")
    y0, first, target_year = bal.years[-1], bal.years[0], goal.target.year
    years = list(range(first, max(y0, target_year) + 1))
    off = set(switched_off)
    effects = [e for e in effects if e.measure_id not in off]
    horizon = list(range(y0 + 1, BUDGET_HORIZON + 1))
    bau_all = bau(bal.total, horizon)
    per_measure_all = measure_effects(effects, horizon)
    totals_all = total_effects(per_measure_all, horizon)
    plan_all = plan(bau_all, totals_all)
    per_measure = {m: {y: v for y, v in e.items() if y in years} for m, e in per_measure_all.items()}
    in_years = set(years)
    bau_values = {y: v for y, v in bau_all.items() if y in in_years}
    plan_values = {y: v for y, v in plan_all.items() if y in in_years}
    effect_totals = {y: v for y, v in totals_all.items() if y in in_years}
    target = target_tonnes(goal, years, population)
    result = coverage_and_gap(target_year, bau_values, effect_totals, plan_values, target)
    return Pathway(bal, y0, target_year, years, bau_values, per_measure, effect_totals, plan_values, target,
                   result, budget, budget_state(budget, bal.total, plan_all), dict(population or {}))


# ---------------------------------------------------------------- cost-effectiveness

DEFAULT_LIFE_YEARS = 20  # an effect without end year counts for 20 years from its start (typical asset life)


@dataclass(frozen=True)
class CostEffectiveness:
    eur_per_tonne: float
    tonnes: float  # over the life
    cost_eur: float  # one-off + per year × life years
    first_year: int
    last_year: int


def cost_effectiveness(effects: Iterable[SectorEffect], one_off_eur: float, per_year_eur: float,
                       life_years: int = DEFAULT_LIFE_YEARS) -> CostEffectiveness | None:
    """EUR per tonne over the measure's life: its life runs from the first start year to the last end year (an
    open effect: `life_years` from its start); None without tonnes (no effects, cancelled)."""
    effects = list(effects)
    if not effects:
        return None
    first = min(e.start_year for e in effects)
    last = max(e.end_year if e.end_year is not None else e.start_year + life_years - 1 for e in effects)
    tonnes = sum(effect_in_year(e, y) for e in effects for y in range(first, last + 1)
                 if e.end_year is not None or y < e.start_year + life_years)
    if tonnes <= 0:
        return None
    cost = one_off_eur + per_year_eur * (last - first + 1)
    return CostEffectiveness(cost / tonnes, tonnes, cost, first, last)
