"""`reprocess SOURCE`: re-parse the archived raw payloads of a source (after a parser fix)."""

from __future__ import annotations

import argparse
import sys

from cockpit.runtime import open_cockpit

NAME = "reprocess"
HELP = "re-parse a source's archived raw payloads and store the result (after a parser fix)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    try:
        source = cockpit.source(args.source)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    outcomes = cockpit.ingestor.reprocess(source)
    for o in outcomes:
        print(f"{o.source_id}: run {o.run_id} {o.status}, read {o.rows_read}, stored {o.stored}, "
              f"rejected {o.rejected}" + (f" - {o.error}" if o.error else ""))
    if not outcomes:
        print(f"{source.id}: no archived payloads")
    return 1 if any(o.status == "failed" for o in outcomes) else 0
