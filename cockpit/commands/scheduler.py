"""`scheduler`: run the ingest scheduler only (for deployments with several web workers)."""

from __future__ import annotations

import argparse
import contextlib
import logging

from apscheduler.schedulers.background import BackgroundScheduler

from cockpit.jobs.leader import LeaderScheduler
from cockpit.jobs.scheduler import TZ
from cockpit.reports.schedule import add_report_jobs
from cockpit.runtime import build_scheduler, open_cockpit

NAME = "scheduler"
HELP = "run the ingest scheduler in the foreground, without the web server"
log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-initial-run", action="store_true", help="wait for each job's first tick")


def run(args: argparse.Namespace) -> int:
    """Runs the jobs while this process holds the scheduler lease in the database (cockpit.jobs.leader): several
    `scheduler` or `serve` processes on one database never run a job twice."""
    cockpit = open_cockpit(replica=False)  # the ingest path reads its own writes: the primary only
    leader = LeaderScheduler(cockpit.store, lambda: add_report_jobs(build_scheduler(
        cockpit.ingestor, cockpit.sources, run_now=not args.no_initial_run,
        scheduler=BackgroundScheduler(timezone=TZ)), cockpit))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        leader.run_forever()
    return 0
