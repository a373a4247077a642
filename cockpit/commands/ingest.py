"""`ingest SOURCE|all`: run one source (or all) once, now, and print the outcome."""

from __future__ import annotations

import argparse

from cockpit.commands._common import find_sources, print_outcomes
from cockpit.jobs.scheduler import run_all
from cockpit.runtime import open_cockpit

NAME = "ingest"
HELP = "fetch, validate and store one source now (or 'all')"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file, or 'all'")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    sources = find_sources(cockpit, args.source, allow_all=True)
    if sources is None:
        return 2
    return print_outcomes(run_all(cockpit.ingestor, sources))
