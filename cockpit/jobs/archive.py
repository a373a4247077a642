"""The archive job: raw sub-daily rows older than their indicator's retention (`retention_raw_years` in the
catalog) leave the database as Parquet files, a whole Europe/Berlin calendar year at a time, and only after the file was written,
re-read and found to hold exactly the rows (count, checksum, keys and values); rollups stay forever.

For each sub-daily indicator with a retention of R years, the years up to (this year - R - 1) are archived: with
R = 3 in 2026, 2022 and before; 2023 to 2026 stay in the database. A crash between writing and deleting leaves
both; the next run merges the file with the rows (same rows: same file) and deletes them then. A row that arrives
later for an archived year is quarantined by the ingest (`split_archived`), never stored beside the archive.

On PostgreSQL, whose observations are partitioned by UTC year, the rows are not deleted year by year: each year is
verified in the write transaction and collected (`Removal`), and at the end of the run `Store.remove_archived`
drops every partition whose rows are all archived, rewrites one that keeps only a few unarchived rows, and deletes
the verified rows elsewhere - only rows of years that nothing wrote to since their verification.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from cockpit.archive import ArchiveError, ObservationArchive, same_rows
from cockpit.catalog import Catalog
from cockpit.config import LOCAL_TZ
from cockpit.sources.base import Reject
from cockpit.store import Store
from cockpit.store.raw_years import Removal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchiveStep:
    indicator: str
    year: int
    rows: int
    file: str | None  # None on a dry run
    deleted: int | None  # None when nothing was deleted (dry run, or the rows changed meanwhile)
    problem: str | None = None


def due_years(catalog: Catalog, store: Store, now: datetime) -> list[tuple[str, int]]:
    """(indicator, year) pairs whose raw rows are older than the indicator's retention and still stored."""
    due = []
    this_year = now.astimezone(LOCAL_TZ).year
    for indicator in catalog.indicators:
        retention = catalog.raw_retention(indicator)
        if retention is None:
            continue
        due += [(indicator.id, year) for year in store.raw_years(indicator.id, this_year - retention)]
    return due


def split_archived(valid: pd.DataFrame, archive: ObservationArchive | None) -> tuple[pd.DataFrame, list[Reject]]:
    """Rows for a year whose raw rows are archived already are not stored: adding them to the database would
    count them into the rollups a second time (the archived rows are in them). They go to the quarantine with
    the reason; they do not hold the source's watermark (fetching them again would not change this)."""
    if archive is None or valid.empty:
        return valid, []
    try:
        archived = archive.manifest()
    except ArchiveError as exc:
        log.error("archive manifest unreadable, late rows for archived years cannot be told apart: %s", exc)
        return valid, []
    if not archived:
        return valid, []
    years = pd.to_datetime(valid["period_start"], utc=True).dt.tz_convert(LOCAL_TZ).dt.year
    hit = pd.Series([(i, y) in archived for i, y in zip(valid["indicator"], years, strict=True)], index=valid.index)
    if not hit.any():
        return valid, []
    rejects = [Reject(raw=raw, reason=f"indicator '{indicator}': the raw rows of {year} are archived "
                                      f"({archive.root / archived[(indicator, year)].file}); a late row for that year "
                                      "is not stored (the rollups hold the archived rows)")
               for raw, indicator, year in zip(valid["raw"][hit], valid["indicator"][hit], years[hit], strict=True)]
    return valid[~hit].reset_index(drop=True), rejects


def archive_year(store: Store, archive: ObservationArchive, indicator_id: str, year: int,
                 now: datetime, removal: Removal | None = None) -> ArchiveStep:
    """Write, verify, then delete one indicator year (call under `archive.locked()`); with a `removal` on a
    partitioned store the delete is only recorded there (`Store.remove_archived` does it)."""
    rows, revisions = store.raw_year(indicator_id, year)
    if rows.empty:
        return ArchiveStep(indicator_id, year, 0, None, None)
    entry = archive.write(indicator_id, year, rows, revisions, now)
    archive.check(entry)  # re-read: the checksum and row count of the file on disk
    stored = archive.read_file(entry)
    written = stored.merge(rows[["indicator", "district", "period_start"]], on=["indicator", "district",
                                                                                  "period_start"])
    if not same_rows(written, rows):
        raise ArchiveError(f"{archive.root / entry.file}: does not hold the database's rows after writing")
    check = lambda current: same_rows(current, rows)  # noqa: E731
    if removal is not None:
        removal.check, check = check, removal
    deleted = store.delete_raw_year(indicator_id, year, check)
    problem = None if deleted is not None else "rows changed while archiving; they stay until the next run"
    return ArchiveStep(indicator_id, year, len(rows), entry.file, deleted, problem)


def run_archive(catalog: Catalog, store: Store, archive: ObservationArchive, now: datetime | None = None,
                dry_run: bool = False) -> list[ArchiveStep]:
    """Archive every due indicator year; a failing year is reported and keeps its rows, the others go on."""
    now = now or datetime.now(UTC)
    steps = []
    due = due_years(catalog, store, now)
    if dry_run:
        for indicator_id, year in due:
            rows, _ = store.raw_year(indicator_id, year)
            steps.append(ArchiveStep(indicator_id, year, len(rows), None, None))
        return steps
    removal = Removal()
    with archive.locked():
        for indicator_id, year in due:
            try:
                step = archive_year(store, archive, indicator_id, year, now, removal)
            except (ArchiveError, OSError) as exc:
                log.error("archive of %s %s failed, rows kept: %s", indicator_id, year, exc)
                step = ArchiveStep(indicator_id, year, 0, None, None, str(exc))
            steps.append(step)
        removed = store.remove_archived(removal)
    return [_removed(step, removal, removed) for step in steps]


def _removed(step: ArchiveStep, removal: Removal, removed: dict[tuple[str, int], int]) -> ArchiveStep:
    """A step whose removal was deferred to `Store.remove_archived`, with what that removed."""
    key = (step.indicator, step.year)
    if key not in removal.verified:
        return step
    if key in removed:
        return replace(step, deleted=removed[key])
    return replace(step, deleted=None, problem="rows changed while archiving; they stay until the next run")


JOB_ID = "archive-raw-observations"


def add_archive_job(scheduler: BaseScheduler, catalog: Catalog, store: Store, archive_dir: Path) -> bool:
    """Schedule the archive run nightly at 03:30 Europe/Berlin when any indicator has a retention (the scheduler
    runs in the holder of the scheduler lease only, so once across workers and hosts)."""
    if not any(catalog.raw_retention(i) for i in catalog.indicators):
        return False
    scheduler.add_job(run_archive, trigger=CronTrigger(hour=3, minute=30, timezone=LOCAL_TZ),
                      args=[catalog, store, ObservationArchive(archive_dir)], id=JOB_ID, name=JOB_ID,
                      max_instances=1, coalesce=True, misfire_grace_time=6 * 3600, replace_existing=True)
    return True
