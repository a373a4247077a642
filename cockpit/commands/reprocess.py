"""`reprocess SOURCE`: re-parse the archived raw payloads of a source (after a parser fix)."""

from __future__ import annotations

import argparse

from cockpit.commands._common import open_sources, print_outcomes

NAME = "reprocess"
HELP = "re-parse a source's archived raw payloads and store the result (after a parser fix)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file")


def run(args: argparse.Namespace) -> int:
    found = open_sources(args.source)
    if found is None:
        return 2
    cockpit, sources = found
    outcomes = cockpit.ingestor.reprocess(sources[0])
    if not outcomes:
        print(f"{sources[0].id}: no archived payloads")
    return print_outcomes(outcomes)
