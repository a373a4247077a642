"""`backfill SOURCE --since DATE`: fetch a source's history in chunks, with a progress bar; resumable."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time
from zoneinfo import ZoneInfo

from tqdm import tqdm

from cockpit.catalog.duration import Duration
from cockpit.commands._common import iso_date, open_sources
from cockpit.jobs.backfill import backfill, chunks

NAME = "backfill"
HELP = "fetch a source's history since a date in chunks (interruptible: run it again to resume)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source id from the sources file")
    parser.add_argument("--since", type=iso_date, required=True, help="first day to fetch (YYYY-MM-DD)")
    parser.add_argument("--until", type=iso_date, help="day after the last one to fetch (default: today)")
    parser.add_argument("--chunk", type=Duration.parse, default=Duration.parse("P1M"),
                        help="size of one chunk as ISO 8601 duration (default: P1M)")


def run(args: argparse.Namespace) -> int:
    found = open_sources(args.source)
    if found is None:
        return 2
    cockpit, sources = found
    source = sources[0]
    zone = ZoneInfo(cockpit.settings.timezone)  # chunks follow local calendar days, like the sources' periods
    since = datetime.combine(args.since, time(), tzinfo=zone)
    until = datetime.combine(args.until or datetime.now(zone).date(), time(), tzinfo=zone)
    total = sum(1 for _ in chunks(since, until, args.chunk))
    try:
        with tqdm(total=total, unit="chunk", desc=source.id) as bar:
            outcomes = backfill(cockpit.ingestor, source, since, until, args.chunk, progress=bar)
    except NotImplementedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stored = sum(o.stored for o in outcomes)
    failed = [o for o in outcomes if o.status == "failed"]
    print(f"{source.id}: {len(outcomes)} chunks fetched, {stored} rows stored"
          + (f"; stopped at a failed chunk: {failed[-1].error} (run the command again to resume)" if failed else ""))
    return 1 if failed else 0
