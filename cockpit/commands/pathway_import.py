"""`pathway-import`: the city's BISKO balance (CSV/XLSX) and population into the store, a template, factor overrides."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from cockpit.kpi.pathway import PathwayError, balance, per_inhabitant_rows
from cockpit.kpi.pathway_io import PathwayInputError, read_balance, read_population, write_template
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views.pathway import factors_with_overrides, reference

DERIVED_SOURCE = "pathway-balance"  # the job-run source of the derived CO2 indicator

NAME = "pathway-import"
HELP = "import the climate balance (CSV/XLSX), write its template, or override an emission factor with a reason"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--balance", type=Path, metavar="FILE",
                        help="balance .csv/.xlsx: year,sector,carrier,mwh,grade (replaces the years it holds)")
    parser.add_argument("--population", type=Path, metavar="FILE", help="inhabitants .csv/.xlsx: year,inhabitants")
    parser.add_argument("--source", metavar="TEXT", help="who published the balance (required with --balance)")
    parser.add_argument("--template", type=Path, metavar="FILE", help="write the balance template (.csv or .xlsx)")
    parser.add_argument("--override", nargs=3, metavar=("YEAR", "CARRIER", "T_PER_MWH"),
                        help="the city's own emission factor instead of the shipped one (needs --reason, --author)")
    parser.add_argument("--reason", metavar="TEXT", help="why the factor is overridden (shown on the pathway page)")
    parser.add_argument("--author", metavar="NAME", help="who overrides the factor")


def _override(cockpit, args) -> int:
    year, carrier, value = args.override
    try:
        year_n, factor = int(year), float(value)
    except ValueError:
        print(f"error: --override: not a year and a number: {year!r} {value!r}", file=sys.stderr)
        return 2
    if not (args.reason or "").strip() or not (args.author or "").strip():
        print("error: --override needs --reason and --author", file=sys.stderr)
        return 2
    if not 0 <= factor <= 5:
        print(f"error: --override: {factor} t/MWh is not plausible (0..5)", file=sys.stderr)
        return 2
    cockpit.store.set_factor_override(year_n, carrier, factor, args.reason, args.author)
    print(f"factor {carrier} {year_n}: {factor} t/MWh ({args.reason.strip()})")
    return 0


def derive_indicator(cockpit) -> int:
    """Write the stored balance's emissions per inhabitant as observations of `co2-per-inhabitant` (source
    `pathway-balance`); the number of years (0 without the indicator, a population or a usable balance)."""
    if "co2-per-inhabitant" not in cockpit.catalog.indicator_map:
        return 0
    rows, population, _ = cockpit.store.balance_inputs()
    if rows.empty or not population:
        return 0
    try:
        bal = balance(rows, factors_with_overrides(reference(), cockpit.store.factor_overrides()), population)
    except PathwayError as exc:
        print(f"warning: co2-per-inhabitant not derived: {exc}", file=sys.stderr)
        return 0
    frame = make_frame(per_inhabitant_rows(bal))
    if frame.empty:
        return 0
    run_id = cockpit.store.start_run(DERIVED_SOURCE)
    cockpit.store.write_batch(DERIVED_SOURCE, run_id, frame, [], len(frame))
    return len(frame)


def run(args: argparse.Namespace) -> int:
    if args.template:
        write_template(args.template)
        print(f"template written to {args.template}")
        if not (args.balance or args.override):
            return 0
    if not (args.balance or args.override or args.population):
        print("error: give --balance, --population, --override or --template", file=sys.stderr)
        return 2
    if args.balance and not (args.source or "").strip():
        print("error: --balance needs --source (who published the balance)", file=sys.stderr)
        return 2
    try:
        balance = read_balance(args.balance) if args.balance else None
        population = read_population(args.population) if args.population else {}
    except PathwayInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cockpit = open_cockpit()
    if balance is not None or population:
        frame = balance if balance is not None else pd.DataFrame(columns=["year", "sector", "carrier", "mwh", "grade"])
        written = cockpit.store.import_balance(frame, population, (args.source or "").strip())
        print(f"{written} balance rows and {len(population)} population years imported")
        derived = derive_indicator(cockpit)
        if derived:
            print(f"co2-per-inhabitant: {derived} years derived from the balance")
    return _override(cockpit, args) if args.override else 0
