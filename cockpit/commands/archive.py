"""`archive`: move raw sub-daily rows older than their retention to Parquet files (`cockpit.jobs.archive`),
or list what would move (`--dry-run`), or check every archive file against its manifest (`--verify`)."""

from __future__ import annotations

import argparse
import sys

from cockpit.jobs.archive import run_archive
from cockpit.runtime import open_cockpit

NAME = "archive"
HELP = ("archive raw sub-daily observations older than their retention (catalog `retention_raw_years`) to "
        "Parquet files under COCKPIT_ARCHIVE_DIR; rollups stay")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="list the indicator years due, change nothing")
    parser.add_argument("--verify", action="store_true",
                        help="check every archive file against the manifest (exists, SHA-256, rows); exit 1 on a "
                             "problem")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    archive = cockpit.archive
    if args.verify:
        problems = archive.verify()
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        entries = archive.manifest() if not problems else {}
        if not problems:
            print(f"archive {archive.root}: {len(entries)} files verified")
        return 1 if problems else 0
    steps = run_archive(cockpit.catalog, cockpit.store, archive, dry_run=args.dry_run)
    failed = False
    for step in steps:
        if args.dry_run:
            print(f"due: {step.indicator} {step.year}: {step.rows} rows")
        elif step.problem:
            failed = True
            print(f"error: {step.indicator} {step.year}: {step.problem}", file=sys.stderr)
        else:
            print(f"archived: {step.indicator} {step.year}: {step.rows} rows -> {archive.root / step.file}, "
                  f"{step.deleted} rows dropped from the database")
    if not steps:
        print("nothing to archive")
    return 1 if failed else 0
