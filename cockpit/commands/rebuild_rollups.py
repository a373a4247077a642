"""`rebuild-rollups`: recompute the day/month/year rollups and the per-source counts from the observations."""

from __future__ import annotations

import argparse
import sys

from cockpit.archive import ArchiveError
from cockpit.runtime import open_cockpit

NAME = "rebuild-rollups"
HELP = "recompute the rollups (aggregates by day, month and year) from the stored observations"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="rebuild although raw rows of some years are archived (their rollups are then lost)")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    try:
        archived = sorted(cockpit.archive.manifest())
    except ArchiveError as exc:
        archived, problem = [("?", 0)], str(exc)
    else:
        problem = None
    if archived and not args.force:
        years = ", ".join(f"{indicator} {year}" for indicator, year in archived[:5]) + (" …" if len(archived) > 5
                                                                                      else "")
        print(f"error: raw rows of archived years are no longer in the database ({problem or years}; "
              f"{cockpit.archive.root}); rebuilding would lose their rollups. Use --force to rebuild anyway "
              "(docs/archive.md).", file=sys.stderr)
        return 1
    count = cockpit.store.rebuild_rollups()
    print(f"rollups rebuilt: {count} rows")
    return 0
