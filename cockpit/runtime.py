"""Wire settings, catalog, sources, store and ingestor together (used by the CLI and the web app factory)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from apscheduler.schedulers.base import BaseScheduler

from cockpit import clock, demo
from cockpit.alerts import add_alert_job
from cockpit.archive import ObservationArchive
from cockpit.catalog import Catalog, load_catalog
from cockpit.config import Settings, load_settings
from cockpit.demo.pathway import STATISTIC_SOURCE, load_demo_pathway
from cockpit.jobs import scheduler as ingest_jobs
from cockpit.jobs.archive import add_archive_job
from cockpit.jobs.ingest import Ingestor, RunOutcome
from cockpit.jobs.partitions import add_partition_job
from cockpit.jobs.scheduler import run_all
from cockpit.measures.demo import load_demo_measures
from cockpit.ratelimit import HitCounter, hit_counter
from cockpit.sources.config import SourceConfig, load_sources
from cockpit.store import Store

log = logging.getLogger(__name__)


class DemoIngestor(Ingestor):
    """Runs a demo source on the payloads generated for today (see cockpit.demo), every other source as it is."""

    def __init__(self, *args, demo_folder: Path = demo.DEFAULT_FOLDER, **kwargs):
        super().__init__(*args, **kwargs)
        self.demo_folder = demo_folder

    def run(self, source):
        try:
            if demo.is_snapshot_source(source) and self.store.watermark(source.id) is None:
                demo.replay_history(self, source, clock.today(), self.demo_folder)  # first run: the past too
            source = demo.for_today(source, self.catalog, clock.today(), self.demo_folder)
        except Exception:  # noqa: BLE001 - the committed payloads still make a demo
            log.exception("source '%s': could not generate today's demo payloads, reading the committed ones",
                          source.id)
        outcome = super().run(source)
        if source.synthetic and source.id == STATISTIC_SOURCE:  # the demo balance follows the demo CO2 statistic
            try:
                load_demo_pathway(self.store, self.catalog, clock.today(), self.demo_folder, refresh=True)
            except Exception:  # noqa: BLE001 - the pathway keeps yesterday's demo balance
                log.exception("could not bring the demo balance in line with today's CO2 statistic")
        return outcome


@dataclass
class Cockpit:
    """The core objects of one running cockpit."""

    settings: Settings
    catalog: Catalog
    sources: list[SourceConfig]
    store: Store

    demo_folder: Path = demo.DEFAULT_FOLDER

    @cached_property
    def ingestor(self) -> Ingestor:
        return DemoIngestor(self.store, self.catalog, archive_max_bytes=self.settings.archive_max_mb * 2**20,
                            demo_folder=self.demo_folder, observation_archive=self.archive)

    @cached_property
    def archive(self) -> ObservationArchive:
        """Raw rows of past years as Parquet files (COCKPIT_ARCHIVE_DIR, `cockpit.jobs.archive`)."""
        return ObservationArchive(self.settings.archive_dir)

    @cached_property
    def hit_counter(self) -> HitCounter:
        """The rate limit's request counter: in Redis when COCKPIT_CACHE_URL names one, else in the database."""
        return hit_counter(self.settings, self.store)

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"unknown source '{source_id}' (known: {', '.join(s.id for s in self.sources)})")

    @property
    def synthetic_sources(self) -> set[str]:
        return {s.id for s in self.sources if s.synthetic}

    def load_demo_if_empty(self) -> list[RunOutcome]:
        """First start: with an empty database, run every source once through the regular ingest."""
        if not (self.settings.load_demo and self.store.is_empty()):
            return []
        log.info("empty database: ingesting every source once (first start)")
        load_demo_measures(self.store, self.catalog)
        load_demo_pathway(self.store, self.catalog, clock.today(), self.demo_folder)
        return run_all(self.ingestor, self.sources)


def build_scheduler(ingestor: Ingestor, sources: list[SourceConfig], run_now: bool = False,
                    scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """The scheduler of a running cockpit: one ingest job per source (`cockpit.jobs.scheduler`) plus the alert job
    when COCKPIT_ALERTS names a configuration. Wired here, so that the jobs know nothing of the alerts, which read
    the evaluated read model."""
    scheduler = ingest_jobs.build_scheduler(ingestor, sources, run_now=run_now, scheduler=scheduler)
    add_alert_job(scheduler, ingestor.store, ingestor.catalog, sources)
    add_archive_job(scheduler, ingestor.catalog, ingestor.store, load_settings().archive_dir)
    add_partition_job(scheduler, ingestor.store)
    return scheduler


def open_cockpit(settings: Settings | None = None, migrate: bool = True, replica: bool = True) -> Cockpit:
    """Load and validate configuration, catalog and sources; migrate the database and sync the catalog.
    `replica=False`: no read replica even when COCKPIT_DATABASE_READ_URL is set (the scheduler process)."""
    settings = settings or load_settings()
    clock.fixed_today()  # a bad COCKPIT_DEMO_TODAY stops the start, naming the variable
    catalog = load_catalog(settings.catalog)
    sources = load_sources(settings.sources)
    read_url = settings.database_read_url if replica else None
    store = Store.from_url(settings.database_url, read_url, settings.database_read_wait)
    if migrate:
        store.migrate()
        store.sync_catalog(catalog)
    return Cockpit(settings=settings, catalog=catalog, sources=sources, store=store)
