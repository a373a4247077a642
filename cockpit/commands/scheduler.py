"""`scheduler`: run the ingest scheduler only (for deployments with several web workers)."""

from __future__ import annotations

import argparse
import contextlib
import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from cockpit.jobs.scheduler import TZ, build_scheduler
from cockpit.runtime import open_cockpit

NAME = "scheduler"
HELP = "run the ingest scheduler in the foreground, without the web server"
log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-initial-run", action="store_true", help="wait for each job's first tick")


def run(args: argparse.Namespace) -> int:
    cockpit = open_cockpit()
    scheduler = build_scheduler(cockpit.ingestor, cockpit.sources, run_now=not args.no_initial_run,
                                scheduler=BlockingScheduler(timezone=TZ))
    log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0
