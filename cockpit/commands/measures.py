"""`measures import|export FILE`: measures (Maßnahmen) from and to YAML or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit.measures import MeasureFileError, dump_measures, load_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit

NAME = "measures"
HELP = "import measures from a YAML/CSV file or export them to one"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="insert new measures and replace known ones (progress reports stay)")
    imp.add_argument("file", type=Path, help="a .yaml/.yml or .csv file")
    exp = sub.add_parser("export", help="write every measure (public and internal) to a file")
    exp.add_argument("file", type=Path, help="a .yaml/.yml or .csv file")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    if args.action == "import":
        try:
            measures = load_measures(args.file, cockpit.catalog)
        except MeasureFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        inserted, updated = cockpit.store.import_measures(measures)
        print(f"{len(measures)} measures read from {args.file}: {inserted} new, {updated} updated")
        return 0
    measures = cockpit.store.measures(Role.ADMIN)
    try:
        text = dump_measures(measures, args.file)
    except MeasureFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.file.write_text(text, encoding="utf-8")
    print(f"{len(measures)} measures written to {args.file}")
    return 0
