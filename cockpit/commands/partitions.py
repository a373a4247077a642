"""`partitions`: the PostgreSQL observation partitions (docs/partitioning.md) by hand.

- `status`: whether `observations` is partitioned, a conversion under way (ids copied), every partition with its
  bounds and estimated rows, and the rows in the DEFAULT partition. Reads only; does not migrate the store.
- `convert`: the online, resumable conversion that migration 0015 does, alone: on a store still at revision
  0014 while the previous version's web workers and scheduler go on serving and ingesting, e.g. in slices on
  quiet nights (`--batches`). The migration then finds the table partitioned and only records its revision.
- `ensure`: the scheduled job's work now: this and the next `--ahead` years' partitions exist, stray rows in the
  DEFAULT partition move into their year's partition.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Engine

from cockpit.config import load_settings
from cockpit.jobs.partitions import ensure_partitions
from cockpit.runtime import open_cockpit
from cockpit.store import migrate, partitions
from cockpit.store.engine import make_engine

NAME = "partitions"
HELP = ("PostgreSQL observation partitions: status, the online conversion of migration 0015 alone (convert), "
        "creating partitions ahead (ensure)")
FIRST_CONVERTIBLE = 14  # 0014_effect_history: the table layout the conversion copies
NOT_FINISHED = 3  # exit code of `convert --batches N` that stopped before the swap


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="{status,convert,ensure}")
    actions.add_parser("status", help="partitioned or not, a conversion under way, the partitions and their rows")
    convert = actions.add_parser("convert", help="convert an unpartitioned store online (resumable; the migration "
                                                 "0015 does the same at the upgrade)")
    convert.add_argument("--batch-rows", type=int, default=500_000, metavar="N",
                         help="ids copied per committed batch (default 500000)")
    convert.add_argument("--batches", type=int, default=None, metavar="N",
                         help=f"stop after N batches (exit code {NOT_FINISHED}; run again to go on)")
    ensure = actions.add_parser("ensure", help="create this and the next years' partitions, drain DEFAULT")
    ensure.add_argument("--ahead", type=int, default=1, metavar="N", help="years ahead of this one (default 1)")


def _revision_number(revision: str | None) -> int:
    return int(revision[:4]) if revision and revision[:4].isdigit() else -1


def _status(engine: Engine) -> int:
    revision = migrate.current_revision(engine)
    print(f"database: {engine.dialect.name}, revision {revision or 'none (empty)'} "
          f"(this version: {migrate.head_revision()})")
    if engine.dialect.name != "postgresql":
        print("observations: one plain table (partitioning is for PostgreSQL only)")
        return 0
    with engine.connect() as conn:
        if not partitions.is_partitioned(conn):
            state = partitions.conversion_state(conn)
            print("observations: not partitioned")
            if state is None:
                print("conversion: not started (`run.py partitions convert`, or the upgrade's migration 0015)")
            else:
                print(f"conversion: under way, ids up to {state['copied_id']:,} of {state['max_id']:,} copied in "
                      f"{state['batches']} batches since {state['started_at']:%Y-%m-%d %H:%M %Z}; "
                      "`run.py partitions convert` goes on")
            return 0
        print("observations: partitioned by UTC year")
        for name, bounds, estimate in partitions.layout(conn):
            rows = f"about {estimate:,} rows" if estimate >= 0 else "rows not yet counted (ANALYZE)"
            print(f"  {name}: {bounds}, {rows}")
        stray = partitions.default_rows(conn)
        print(f"{partitions.DEFAULT_PARTITION}: {stray} rows" +
              (" (`run.py partitions ensure` moves them into their years)" if stray else ""))
    return 0


def _convert(engine: Engine, batch_rows: int, batches: int | None) -> int:
    if engine.dialect.name != "postgresql":
        print("observations: one plain table on SQLite, nothing to convert")
        return 0
    revision = migrate.current_revision(engine)
    with engine.connect() as conn:
        done = partitions.is_partitioned(conn)
    if done:
        print("observations: partitioned already, nothing to convert")
        return 0
    if _revision_number(revision) < FIRST_CONVERTIBLE:
        print(f"error: the store is at revision {revision or 'none'}; the conversion needs 0014_effect_history or "
              "later: upgrade it first (`run.py status` with this version migrates and converts)", file=sys.stderr)
        return 2
    if batch_rows < 1 or (batches is not None and batches < 1):
        print("error: --batch-rows and --batches must be at least 1", file=sys.stderr)
        return 2
    copied = 0
    while batches is None or copied < batches:
        if partitions.convert(engine, batch_rows=batch_rows, max_batches=1):
            print("observations: converted to the partitioned table "
                  f"(revision {revision}; the upgrade's migration 0015 finds it done)")
            return 0
        copied += 1
        with engine.connect() as conn:
            state = partitions.conversion_state(conn)
        print(f"copied ids up to {state['copied_id']:,} of {state['max_id']:,}", flush=True)
    print(f"stopped after {copied} batches; `run.py partitions convert` goes on from there")
    return NOT_FINISHED


def run(args: argparse.Namespace) -> int:
    if args.action == "ensure":
        done = ensure_partitions(open_cockpit().store, args.ahead)
        print(f"partitions created: {', '.join(map(str, done['created'])) or 'none'}")
        for year, rows in sorted(done["drained"].items()):
            print(f"moved {rows} rows of {year} from {partitions.DEFAULT_PARTITION} into their partition")
        return 0
    engine = make_engine(load_settings().database_url)
    try:
        if args.action == "status":
            return _status(engine)
        return _convert(engine, args.batch_rows, args.batches)
    finally:
        engine.dispose()
