"""The partition job (PostgreSQL): the observation partitions of this and the next year exist before rows need
them, and stray rows in the DEFAULT partition are moved into their year's partition with a warning in the log.

Scheduled with the ingest jobs (`cockpit.runtime.build_scheduler`), so it runs only in the process holding the
scheduler lease (`cockpit.jobs.leader`): once across workers and hosts. Idempotent; on SQLite it does nothing."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from cockpit.store import Store

log = logging.getLogger(__name__)
JOB_ID = "observation-partitions"
TZ = ZoneInfo("Europe/Berlin")


def ensure_partitions(store: Store, ahead: int = 1) -> dict:
    """One run of the job; returns what it did ({"created": [years], "drained": {year: rows}})."""
    done = store.ensure_partitions(ahead)
    if done["created"]:
        log.info("observation partitions created: %s", ", ".join(map(str, done["created"])))
    if done["drained"]:
        log.warning("observation rows found outside their year partition and moved: %s",
                    ", ".join(f"{year}: {rows}" for year, rows in sorted(done["drained"].items())))
    return done


def add_partition_job(scheduler: BaseScheduler, store: Store) -> bool:
    """Daily at 03:17 local time and once right at the scheduler's start; only where observations are
    partitioned (PostgreSQL)."""
    if store.engine.dialect.name != "postgresql":
        return False
    scheduler.add_job(ensure_partitions, trigger=CronTrigger(hour=3, minute=17, timezone=TZ), args=[store],
                      id=JOB_ID, name=JOB_ID, max_instances=1, coalesce=True, misfire_grace_time=3600,
                      replace_existing=True, next_run_time=datetime.now(TZ))
    return True
