"""A demo that stays current: the synthetic payloads are generated for "today" and read by the real connectors.

The committed payloads under data/samples/demo/ are the connector test fixtures (they end on 2026-11-20). For the
running demo, the same deterministic generators (cockpit/demo/samples/) write the payloads for today into
var/demo/<today>/ (same day -> same bytes): sub-annual series end yesterday (Europe/Berlin), annual series with the
last complete year whose publication lag has passed. Every ingest of a demo source first makes sure that today's
payloads exist and then reads them through the source's usual connector.

Snapshot feeds (GBFS bike sharing, NGSI fill levels) publish only the current state, so one generated file per
day would make an hourly series of one reading a day, stale most of the day. Their demo payload is generated
for the current quarter hour instead (var/demo/<today>/live/<HHMM>/), and the first ingest of such a source
replays the past through the same connector: hourly snapshots of the last HISTORY_HOURS hours and one
snapshot a day (at noon) for a year before that, stored as one run.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from cockpit import PROJECT_ROOT, clock
from cockpit.catalog import Catalog, Indicator
from cockpit.demo.samples import Calendar, charging_register, gbfs, ngsi, sensorthings, smard, statistics
from cockpit.jobs.validate import validate
from cockpit.kpi import LOCAL_TZ
from cockpit.sources.config import SourceConfig

log = logging.getLogger(__name__)

SNAPSHOTS = {"gbfs": gbfs, "ngsi": ngsi}  # committed demo folder -> generator of a snapshot at a moment
SLOT_MINUTES = 15  # the live snapshot is regenerated every quarter hour
HISTORY_HOURS = 8 * 24 + 1  # hourly past snapshots: the last 8 days
HISTORY_DAYS = 366  # past snapshots (noon) every HISTORY_EVERY_DAYS before that: a year at coarser resolution
HISTORY_EVERY_DAYS = 2

FIXTURES = PROJECT_ROOT / "data" / "samples" / "demo"
DEFAULT_FOLDER = PROJECT_ROOT / "var" / "demo"
KEEP_DAYS = 7  # generated folders of earlier days are removed after a week
GENERATORS = (smard, sensorthings, gbfs, ngsi, charging_register, statistics)
# annual series of the demo tables -> the indicator whose publication lag decides their last year
ANNUAL_SERIES = {
    "co2": "co2-per-inhabitant",
    "energy": "final-energy-use",
    "capacity": "renewable-capacity-per-inhabitant",
    "vehicles": "bev-share",
}


def last_published_year(indicator: Indicator, today: date) -> int:
    """The last year whose value is published before `today`: the year ended and its publication lag passed."""
    year = today.year
    while (datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ) + indicator.lag.delta).date() >= today:
        year -= 1
    return year


def calendar_for(catalog: Catalog, today: date) -> Calendar:
    """Sub-annual series end yesterday; each annual series with its last published year."""
    return Calendar(end=today - timedelta(days=1),
                    last_year={key: last_published_year(catalog.indicator(ident), today)
                               for key, ident in ANNUAL_SERIES.items()})


def generate(out: Path, calendar: Calendar) -> None:
    for module in GENERATORS:
        module.generate(out, calendar)


def prepare(catalog: Catalog, today: date, folder: Path = DEFAULT_FOLDER) -> Path:
    """The payloads for `today` under folder/<today>/, generated once (written aside, then renamed into place);
    folders of earlier days are removed."""
    target = folder / today.isoformat()
    if target.is_dir():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{today.isoformat()}-", dir=folder))
    try:
        generate(scratch, calendar_for(catalog, today))
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # another process did not win the race either
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log.info("demo payloads for %s written to %s", today.isoformat(), target)
    keep_from = (today - timedelta(days=KEEP_DAYS)).isoformat()
    for old in folder.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name < keep_from:
            shutil.rmtree(old, ignore_errors=True)
    return target


def is_demo_source(source: SourceConfig) -> bool:
    """A synthetic source that reads the committed demo payloads."""
    return source.synthetic and _relative(source.location) is not None


def _relative(location: str) -> Path | None:
    try:
        return Path(location).resolve().relative_to(FIXTURES.resolve())
    except (ValueError, OSError):
        return None


def for_today(source: SourceConfig, catalog: Catalog, today: date, folder: Path = DEFAULT_FOLDER,
              now: datetime | None = None) -> SourceConfig:
    """The source reading today's generated payloads instead of the committed ones (others unchanged); a
    snapshot feed reads the snapshot of the current quarter hour (`now`, default the cockpit's clock)."""
    relative = _relative(source.location) if source.synthetic else None
    if relative is None:
        return source
    if relative.parts[0] in SNAPSHOTS:
        slot = live_slot(today, now)
        return source.model_copy(update={"location": str(prepare_snapshot(relative.parts[0], slot, folder)
                                                           / relative)})
    return source.model_copy(update={"location": str(prepare(catalog, today, folder) / relative)})


def is_snapshot_source(source: SourceConfig) -> bool:
    """A demo source whose generated feed is a snapshot of the current state (GBFS, NGSI)."""
    relative = _relative(source.location) if source.synthetic else None
    return relative is not None and relative.parts[0] in SNAPSHOTS


def live_slot(today: date, now: datetime | None = None) -> datetime:
    """The start of the current quarter hour on `today` (Europe/Berlin); noon when `now` is another day."""
    moment = (now or clock.now()).astimezone(LOCAL_TZ)
    if moment.date() != today:
        return datetime.combine(today, time(12, 0), LOCAL_TZ)
    return moment.replace(minute=moment.minute - moment.minute % SLOT_MINUTES, second=0, microsecond=0)


def prepare_snapshot(kind: str, slot: datetime, folder: Path = DEFAULT_FOLDER) -> Path:
    """The snapshot feed `kind` at `slot` under folder/<day>/live/<HHMM>/, generated once (written aside,
    then renamed into place); the day's older slots are removed."""
    day = folder / slot.date().isoformat() / "live"
    target = day / slot.strftime("%H%M")
    if (target / kind).is_dir():
        return target
    day.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{slot.strftime('%H%M')}-{kind}-", dir=day))
    try:
        SNAPSHOTS[kind].snapshot(scratch, slot)
        target.mkdir(exist_ok=True)
        try:
            (scratch / kind).rename(target / kind)
        except OSError:
            if not (target / kind).is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for old in day.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name < target.name:
            shutil.rmtree(old / kind, ignore_errors=True)
    return target


def history_moments(slot: datetime) -> list[datetime]:
    """The past snapshots before the live `slot`: a year of every other noon, then every hour of the last 8 days
    (at half past, so that each snapshot's readings fall in one hour)."""
    first_hour = slot.replace(minute=30).astimezone(UTC) - timedelta(hours=HISTORY_HOURS)  # UTC: no DST gaps
    hours = [(first_hour + timedelta(hours=n)).astimezone(LOCAL_TZ) for n in range(HISTORY_HOURS)]
    first_day = first_hour.date() - timedelta(days=HISTORY_DAYS)
    noons = [datetime.combine(first_day + timedelta(days=n), time(12, 30), LOCAL_TZ)
             for n in range(0, HISTORY_DAYS, HISTORY_EVERY_DAYS)]
    return [moment for moment in noons if moment < first_hour] + hours


def replay_history(ingestor, source: SourceConfig, today: date, folder: Path = DEFAULT_FOLDER,
                   now: datetime | None = None):
    """Store the past of a snapshot demo source (see `history_moments`) as one run: every past snapshot is
    generated into a scratch folder and read by the source's usual connector; the watermark ends at the last
    one, so the live snapshot is read next. Returns the run's outcome (None for other sources)."""
    if not is_snapshot_source(source):
        return None
    relative = _relative(source.location)
    kind = relative.parts[0]
    moments = history_moments(live_slot(today, now))
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"cockpit-demo-history-{kind}-"))
    frames, watermark = [], None
    try:
        for moment in moments:
            SNAPSHOTS[kind].snapshot(scratch, moment, history=True)
            past = source.model_copy(update={"location": str(scratch / relative)})
            connector = ingestor.connector(past)
            result = connector.parse(connector.fetch(watermark))
            frames.append(result.frame)
            watermark = result.watermark or watermark
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    valid, rejects = validate(frame, ingestor.catalog)
    run_id = ingestor.store.start_run(source.id)
    batch = ingestor.store.write_batch(source.id, run_id, valid, rejects, len(frame),
                                       watermarks=[(source.id, watermark)] if watermark else [],
                                       note=f"demo history: {len(moments)} past snapshots")
    log.info("%s: demo history of %s snapshots stored (%s rows)", source.id, len(moments), batch.stored)
    return batch
