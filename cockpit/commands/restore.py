"""`restore`: restore a backup made by `backup` into the empty database named by COCKPIT_DATABASE_URL (a new
PostgreSQL database, or a SQLite file that does not exist yet), then print the rows per table to compare with the
source. Start the cockpit afterwards: it migrates a backup of an older version on start (docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit.config import load_settings
from cockpit.store.backup import BackupError, restore, table_counts
from cockpit.store.engine import make_engine

NAME = "restore"
HELP = "restore a backup file into an empty database (COCKPIT_DATABASE_URL)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, type=Path, help="the backup file to restore")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        restore(settings.database_url, args.source, engine)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    engine = make_engine(settings.database_url)
    counts = table_counts(engine)
    engine.dispose()
    print(f"restored {args.source}: {sum(counts.values())} rows in {len(counts)} tables")
    for table, rows in counts.items():
        print(f"  {table}: {rows}")
    return 0
