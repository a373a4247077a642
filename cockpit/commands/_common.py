"""Pieces the commands share: argument types, source lookup, outcome lines."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cockpit.jobs.ingest import RunOutcome
from cockpit.runtime import Cockpit, open_cockpit
from cockpit.sources.config import SourceConfig


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def find_sources(cockpit: Cockpit, source_id: str, allow_all: bool = False) -> list[SourceConfig] | None:
    """The source named on the command line ('all' where allowed); None after printing the error."""
    if allow_all and source_id == "all":
        return list(cockpit.sources)
    try:
        return [cockpit.source(source_id)]
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return None


def open_sources(source_id: str, allow_all: bool = False) -> tuple[Cockpit, list[SourceConfig]] | None:
    """The cockpit and the source(s) named on the command line; None after printing the error."""
    cockpit = open_cockpit()
    sources = find_sources(cockpit, source_id, allow_all)
    return None if sources is None else (cockpit, sources)


def print_outcomes(outcomes: list[RunOutcome]) -> int:
    """One line per run; exit code 1 if any run failed."""
    for o in outcomes:
        print(f"{o.source_id}: run {o.run_id} {o.status}, read {o.rows_read}, stored {o.stored}, "
              f"rejected {o.rejected}" + (f" - {o.error}" if o.error else ""))
    return 1 if any(o.status == "failed" for o in outcomes) else 0
