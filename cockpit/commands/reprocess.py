"""`reprocess SOURCE`: re-parse the archived raw payloads of a source (after a parser fix)."""

from __future__ import annotations

import argparse

from cockpit.commands._common import find_sources, print_outcomes
from cockpit.runtime import open_cockpit

NAME = "reprocess"
HELP = "re-parse a source's archived raw payloads and store the result (after a parser fix)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    sources = find_sources(cockpit, args.source)
    if sources is None:
        return 2
    outcomes = cockpit.ingestor.reprocess(sources[0])
    if not outcomes:
        print(f"{sources[0].id}: no archived payloads")
    return print_outcomes(outcomes)
