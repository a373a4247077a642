"""Raw rows by Europe/Berlin calendar year, for the observation archive (`cockpit.jobs.archive`): which years an
indicator has rows in, all rows (and revisions) of one year, and dropping a year after it was archived.

System reads (the archive job, not a viewer). `delete_raw_year` verifies a year's rows against the archive inside
the serialized write transaction and deletes them (SQLite, or an unpartitioned table). On PostgreSQL with yearly
partitions (`cockpit/store/partitions.py`, UTC years) the archive job passes a `Removal`: the verified years are
collected there and `remove_archived` then drops every partition whose rows all belong to verified years, rewrites
a partition that keeps only a few unarchived rows (a UTC year holds the first hour of the next local year), and
deletes the verified rows elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, delete, func, select

from cockpit.clock import local_year_bounds
from cockpit.config import LOCAL_TZ
from cockpit.store import changes, partitions, runs
from cockpit.store.base import StoreBase
from cockpit.store.observations import _frame
from cockpit.store.schema import observation_revisions, observations

ROW_COLUMNS = ["indicator", "district", "period_start", "period_end", "value", "source_id", "run_id", "ingested_at"]
REVISION_COLUMNS = ["indicator", "district", "period_start", "value", "source_id", "run_id", "valid_from",
                    "replaced_at", "replaced_by_run"]


def _in_year(indicator_id: str, year: int) -> list:
    start, end = local_year_bounds(year)
    o = observations.c
    return [o.indicator_id == indicator_id, o.period_start >= start, o.period_start < end]


def read_years(conn: Connection, indicator_id: str, before_year: int) -> list[int]:
    o = observations.c
    first = conn.execute(select(func.min(o.period_start)).where(
        o.indicator_id == indicator_id, o.period_start < local_year_bounds(before_year)[0])).scalar()
    if first is None:
        return []
    found = []
    for year in range(pd.Timestamp(first).tz_convert(LOCAL_TZ).year, before_year):
        if conn.execute(select(o.id).where(*_in_year(indicator_id, year)).limit(1)).first() is not None:
            found.append(year)
    return found


def read_year(conn: Connection, indicator_id: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    o, r = observations.c, observation_revisions.c
    rows = conn.execute(select(
        o.indicator_id.label("indicator"), o.district, o.period_start, o.period_end, o.value, o.source_id, o.run_id,
        o.ingested_at,
    ).where(*_in_year(indicator_id, year)).order_by(o.district, o.period_start)).mappings().all()
    revisions = conn.execute(select(
        o.indicator_id.label("indicator"), o.district, o.period_start, r.value, r.source_id, r.run_id,
        r.valid_from, r.replaced_at, r.replaced_by_run,
    ).select_from(observation_revisions.join(observations, observations.c.id == r.observation_id)).where(
        *_in_year(indicator_id, year)).order_by(o.district, o.period_start, r.valid_from)).mappings().all()
    revisions_frame = _frame(revisions, REVISION_COLUMNS)
    for column in ("valid_from", "replaced_at"):
        revisions_frame[column] = pd.to_datetime(revisions_frame[column], utc=True)
    return _frame(rows, ROW_COLUMNS), revisions_frame


@dataclass(frozen=True)
class Verified:
    """An indicator's local year whose stored rows were found equal to its archive file, not yet removed."""

    groups: dict[int, tuple]  # UTC partition year -> (rows, fingerprint) of this year in it (`local_groups`)


@dataclass
class Removal:
    """One archive run's removals on a partitioned PostgreSQL store: `check(rows)` is the archive's verdict on a
    year's rows (as `delete_raw_year`'s `archived`), `verified` collects the years it accepted."""

    check: Callable[[pd.DataFrame], bool] | None = None
    verified: dict[tuple[str, int], Verified] = field(default_factory=dict)

    def __call__(self, rows: pd.DataFrame) -> bool:
        return self.check is not None and self.check(rows)


def _groups(conn: Connection, indicator_id: str, year: int) -> dict[int, tuple]:
    """(rows, fingerprint) of an indicator's local year in each UTC partition it has rows in."""
    found = {utc_year: partitions.local_groups(conn, utc_year, indicator_id).get((indicator_id, year))
             for utc_year in (year - 1, year)}
    return {utc_year: group for utc_year, group in found.items() if group is not None}


class RawYearsStore(StoreBase):
    def raw_years(self, indicator_id: str, before_year: int) -> list[int]:
        """The local years before `before_year` in which the indicator has raw rows in the database."""
        with self._read() as conn:
            return read_years(conn, indicator_id, before_year)

    def raw_year(self, indicator_id: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """All raw rows of an indicator in a local year (columns ROW_COLUMNS) and their revisions."""
        with self._read() as conn:
            return read_year(conn, indicator_id, year)

    def delete_raw_year(self, indicator_id: str, year: int,
                        archived: Callable[[pd.DataFrame], bool]) -> int | None:
        """Drop an indicator's raw rows of a local year (and their revisions) if `archived(rows)` says the rows
        as they are now, inside the write transaction (no ingest can change them meanwhile), are the archived
        ones; else nothing and None. Rollups stay. Counts as a data change (exports now name the archive).

        With a `Removal` on a partitioned PostgreSQL store nothing is deleted yet: the year is recorded in it as
        verified (its rows and their fingerprint per partition) for `remove_archived`, and the rows to be
        removed are returned."""
        with self._write() as conn:
            rows, _ = read_year(conn, indicator_id, year)
            if rows.empty or not archived(rows):
                return None
            if isinstance(archived, Removal) and partitions.is_partitioned(conn):
                found = _groups(conn, indicator_id, year)
                if sum(count for count, _ in found.values()) != len(rows):  # rows outside their partition
                    return None
                archived.verified[(indicator_id, year)] = Verified(found)
                return len(rows)
            ids = select(observations.c.id).where(*_in_year(indicator_id, year))
            conn.execute(delete(observation_revisions).where(observation_revisions.c.observation_id.in_(ids)))
            deleted = conn.execute(delete(observations).where(*_in_year(indicator_id, year))).rowcount
            changes.record(conn, [indicator_id], runs.bump_data_version(conn))
            return int(deleted)

    def remove_archived(self, removal: Removal) -> dict[tuple[str, int], int]:
        """Remove the rows of the years `removal` verified, in one write transaction, partition by partition
        (`partitions.remove_groups`: a DROP TABLE when the partition holds nothing else, a rewrite keeping the
        few other rows, else a DELETE). A year is removed only if each partition still holds its rows exactly
        as verified (same rows and fingerprint: nothing wrote them since); else it stays (the next run archives
        it again). Rollups stay. Returns the rows removed per (indicator, year)."""
        if not removal.verified:
            return {}
        with self._write() as conn:
            held = {year: partitions.local_groups(conn, year)
                    for year in sorted({y for found in removal.verified.values() for y in found.groups})}
            ready = {key for key, found in removal.verified.items()
                     if all(held[y].get(key) == group for y, group in found.groups.items())}
            removed: dict[tuple[str, int], int] = {}
            for year, found in held.items():
                groups = {key: count for key, (count, _) in found.items()}
                mine = {key: count for key, count in groups.items() if key in ready}
                if mine:
                    partitions.remove_groups(conn, year, mine, kept=sum(groups.values()) - sum(mine.values()))
                    for key, n in mine.items():
                        removed[key] = removed.get(key, 0) + n
            if removed:
                changes.record(conn, {key[0] for key in removed}, runs.bump_data_version(conn))
            return removed
