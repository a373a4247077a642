"""`rebuild-rollups`: recompute the day/month/year rollups and the per-source counts from the observations."""

from __future__ import annotations

import argparse

from cockpit.runtime import open_cockpit

NAME = "rebuild-rollups"
HELP = "recompute the rollups (aggregates by day, month and year) from the stored observations"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    count = cockpit.store.rebuild_rollups()
    print(f"rollups rebuilt: {count} rows")
    return 0
