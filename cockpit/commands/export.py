"""`export`: write stored observations as CSV (indicator, district, period_start, value), for `evaluate` or analysis."""

from __future__ import annotations

import argparse
import sys

from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.spreadsheet import neutralise

NAME = "export"
HELP = "write the stored observations a role may see as CSV (input format of `evaluate`)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.PUBLIC.value,
                        help="whose view to export (default: public; internal adds internal indicators)")
    parser.add_argument("--indicator", action="append", help="only this indicator (repeatable)")
    parser.add_argument("--citywide", action="store_true", help="only city-wide rows, no district rows")
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    frame = cockpit.store.observations(args.role, args.indicator, district="" if args.citywide else None)
    frame = frame[["indicator", "district", "period_start", "value"]].copy()
    frame["period_start"] = frame["period_start"].map(lambda t: t.isoformat())
    for column in ("indicator", "district"):  # no text cell runs as a formula in a spreadsheet
        frame[column] = frame[column].map(neutralise)
    target = args.output or sys.stdout
    frame.to_csv(target, index=False, lineterminator="\n")
    if args.output:
        print(f"{len(frame)} observations written to {args.output}", file=sys.stderr)
    return 0
