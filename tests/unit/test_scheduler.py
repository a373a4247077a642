"""The scheduler: one job per enabled source with its own trigger; no overlapping runs; misses coalesce."""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cockpit import PROJECT_ROOT
from cockpit.jobs.ingest import Ingestor
from cockpit.jobs.scheduler import TZ, build_scheduler
from cockpit.sources.config import SourceConfig, load_sources


def source(id_, schedule, enabled=True):
    return SourceConfig(id=id_, connector="statistics-csv", location="/tmp/x.csv", schedule=schedule, enabled=enabled)


def test_one_job_per_enabled_source_with_its_own_trigger(sqlite_store, catalog):
    sources = [source("hourly", {"interval": "PT1H"}), source("nightly", {"cron": "30 6 * * *"}),
               source("off", {"interval": "PT5M"}, enabled=False)]
    scheduler = build_scheduler(Ingestor(sqlite_store, catalog), sources)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"hourly", "nightly"}
    assert isinstance(jobs["hourly"].trigger, IntervalTrigger)
    assert jobs["hourly"].trigger.interval == timedelta(hours=1)
    assert isinstance(jobs["nightly"].trigger, CronTrigger)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=TZ)
    assert jobs["nightly"].trigger.get_next_fire_time(None, now) == datetime(2026, 11, 23, 6, 30, tzinfo=TZ)
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True
        assert job.args == (next(s for s in sources if s.id == job.id),)


def test_run_now_schedules_the_first_run_immediately(sqlite_store, catalog):
    scheduler = build_scheduler(Ingestor(sqlite_store, catalog), [source("a", {"interval": "P1D"})], run_now=True)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("a")
        assert job.next_run_time - datetime.now(TZ) < timedelta(seconds=5)
    finally:
        scheduler.shutdown(wait=False)


def test_shipped_sources_file_is_valid():
    sources = load_sources(PROJECT_ROOT / "data" / "sources.yaml")
    assert len({s.connector for s in sources if s.enabled}) >= 5
    assert all(s.synthetic for s in sources if "samples/demo" in s.location)
