"""`ingest SOURCE|all`: run one source (or all) once, now, and print the outcome."""

from __future__ import annotations

import argparse
import sys

from cockpit.jobs.scheduler import run_all
from cockpit.runtime import open_cockpit

NAME = "ingest"
HELP = "fetch, validate and store one source now (or 'all')"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file, or 'all'")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    try:
        sources = cockpit.sources if args.source == "all" else [cockpit.source(args.source)]
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    outcomes = run_all(cockpit.ingestor, sources)
    for o in outcomes:
        line = f"{o.source_id}: run {o.run_id} {o.status}, read {o.rows_read}, stored {o.stored}, rejected {o.rejected}"
        print(line + (f" - {o.error}" if o.error else ""))
    return 1 if any(o.status == "failed" for o in outcomes) else 0
