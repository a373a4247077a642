"""`pathway`: the climate pathway (balance, BAU, measures' effects, plan, target, coverage, gap, budget) from files."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from cockpit.commands._common import iso_date
from cockpit.i18n import format_number, format_percent, t
from cockpit.kpi import LOCAL_TZ
from cockpit.kpi.pathway import Pathway, PathwayError, compute
from cockpit.kpi.pathway_io import (
    PathwayInputError,
    effects_of,
    read_balance,
    read_budget,
    read_factors,
    read_goal,
    read_population,
)
from cockpit.measures.io import MeasureFileError, load_measures

NAME = "pathway"
HELP = "Compute the climate pathway (balance, business as usual, plan, target, coverage, gap, budget) from files."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--balance", required=True, type=Path, metavar="FILE.csv",
                        help="final energy per year, sector and carrier: year,sector,carrier,mwh,grade")
    parser.add_argument("--factors", required=True, type=Path, metavar="FILE.csv",
                        help="emission factors: year,carrier,t_per_mwh")
    parser.add_argument("--measures", required=True, type=Path, metavar="FILE.yaml",
                        help="measures in the import format with optional 'effects'")
    parser.add_argument("--goal", required=True, type=Path, metavar="FILE.yaml", help="one goal (catalog format)")
    parser.add_argument("--budget", type=Path, metavar="FILE.yaml", help="budget: {start_year, tonnes, source}")
    parser.add_argument("--population", type=Path, metavar="FILE.csv",
                        help="inhabitants per year: year,inhabitants (needed for a per-inhabitant goal)")
    parser.add_argument("--off", action="append", default=[], metavar="MEASURE",
                        help="count this measure's effect as 0 (what if; repeatable)")
    parser.add_argument("--at", type=iso_date, default=None, metavar="YYYY-MM-DD",
                        help="day of the computation: balance years after the last complete year are ignored "
                             "(default: today in Europe/Berlin)")
    parser.add_argument("--format", choices=("json", "table"), default="json", help="output format (default json)")
    parser.add_argument("--lang", choices=("de", "en"), default="de", help="language of the table (default de)")


def run(args: argparse.Namespace) -> int:
    at = args.at or datetime.now(LOCAL_TZ).date()
    try:
        consumption = read_balance(args.balance)
        consumption = consumption[consumption["year"] < at.year]  # only complete years before the day
        if consumption.empty:
            raise PathwayInputError(str(args.balance), f"no balance year before {at.year}")
        factors = read_factors(args.factors)
        measures = load_measures(args.measures)
        goal = read_goal(args.goal)
        budget = read_budget(args.budget) if args.budget else None
        population = read_population(args.population) if args.population else None
        pathway = compute(consumption, factors, effects_of(measures), goal, budget, population, args.off)
    except (PathwayInputError, MeasureFileError, PathwayError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "table":
        print(render_table(pathway, args.lang))
    else:
        print(json.dumps(pathway.to_dict(), ensure_ascii=False, indent=2))
    return 0


def render_table(p: Pathway, lang: str) -> str:
    """One line per year (observed, BAU, plan, target) and the result lines, in the locale's number format."""
    def cell(values, year):
        return format_number(values[year], 0, lang) if year in values else "–"

    headers = [t(f"pathway.table.{h}", lang) for h in ("year", "observed", "bau", "plan", "target")]
    rows = [[str(y), cell(p.observed, y), cell(p.bau, y), cell(p.plan, y), cell(p.target, y)] for y in p.years]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [headers, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    result = p.result
    lines += [
        "",
        f"{t('pathway.table.coverage', lang)}: "
        + (format_percent(result.coverage, 0, lang) if result.coverage is not None else t("pathway.no_need", lang)),
        f"{t('pathway.table.gap', lang)}: " + (format_number(result.gap, 0, lang) + " t" if result.gap is not None
                                               else "–"),
        f"{t('pathway.table.budget_remaining', lang)}: "
        + (format_number(p.budget_result.remaining, 0, lang) + " t" if p.budget_result.remaining is not None
           else "–"),
        f"{t('pathway.table.budget_exhausted', lang)}: "
        + (str(p.budget_result.exhausted_year) if p.budget_result.exhausted_year else "–"),
    ]
    return "\n".join(lines)
