"""`backup`: write a backup of the database (COCKPIT_DATABASE_URL) to a new file: pg_dump's custom format on
PostgreSQL, a copy made with SQLite's online backup API on SQLite. The archive directory (COCKPIT_ARCHIVE_DIR) is
backed up as files beside it (docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cockpit.config import load_settings
from cockpit.store.backup import BackupError, backup, table_counts
from cockpit.store.engine import make_engine

NAME = "backup"
HELP = "write a backup of the database to a new file (pg_dump on PostgreSQL, the backup API on SQLite)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="the backup file to write (must not exist)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        backup(settings.database_url, args.out)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    rows = sum(table_counts(engine).values())
    engine.dispose()
    print(f"backup written to {args.out} ({args.out.stat().st_size} bytes, {rows} rows)")
    return 0
