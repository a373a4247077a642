"""APScheduler 3 jobs, one per source, with its own interval or cron; no overlapping runs of one source."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cockpit.catalog.duration import Duration
from cockpit.jobs.ingest import Ingestor, RunOutcome
from cockpit.sources.config import SourceConfig

log = logging.getLogger(__name__)
TZ = ZoneInfo("Europe/Berlin")


def trigger_for(source: SourceConfig):
    if source.schedule.cron:
        return CronTrigger.from_crontab(source.schedule.cron, timezone=TZ)
    return IntervalTrigger(seconds=max(1, int(Duration.parse(source.schedule.interval).approx_seconds())), timezone=TZ)


def add_jobs(scheduler: BaseScheduler, ingestor: Ingestor, sources: list[SourceConfig], run_now: bool = False) -> None:
    """One job per enabled source; a run that fails is recorded by the ingestor and retried on the next tick."""
    for source in sources:
        if not source.enabled:
            continue
        extra = {"next_run_time": datetime.now(TZ)} if run_now else {}
        scheduler.add_job(ingestor.run, trigger=trigger_for(source), args=[source], id=source.id, name=source.id,
                          max_instances=1, coalesce=True, misfire_grace_time=300, replace_existing=True, **extra)


def build_scheduler(ingestor: Ingestor, sources: list[SourceConfig], run_now: bool = False,
                    scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """A scheduler with the ingest jobs; the running cockpit adds its other jobs (`cockpit.runtime.build_scheduler`)."""
    scheduler = scheduler or BackgroundScheduler(timezone=TZ, job_defaults={"max_instances": 1, "coalesce": True})
    add_jobs(scheduler, ingestor, sources, run_now=run_now)
    return scheduler


def run_all(ingestor: Ingestor, sources: list[SourceConfig]) -> list[RunOutcome]:
    """Run every enabled source once, one after another (first start, `ingest all`); failures do not stop the rest."""
    return [ingestor.run(source) for source in sources if source.enabled]
