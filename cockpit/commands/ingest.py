"""`ingest SOURCE|all`: run one source (or all) once, now, and print the outcome."""

from __future__ import annotations

import argparse

from cockpit.commands._common import open_sources, print_outcomes
from cockpit.jobs.scheduler import run_all

NAME = "ingest"
HELP = "fetch, validate and store one source now (or 'all')"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file, or 'all'")


def run(args: argparse.Namespace) -> int:
    found = open_sources(args.source, allow_all=True)
    if found is None:
        return 2
    cockpit, sources = found
    return print_outcomes(run_all(cockpit.ingestor, sources))
