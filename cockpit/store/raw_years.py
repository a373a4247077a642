"""Raw rows by Europe/Berlin calendar year, for the observation archive (`cockpit.jobs.archive`): which years an
indicator has rows in, all rows (and revisions) of one year, and dropping a year after it was archived.

System reads (the archive job, not a viewer). `delete_raw_year` is a plain DELETE inside the serialized write
transaction; on PostgreSQL with yearly partitions (`cockpit/store/partitions.py`) the drop of a whole year's
partition plugs in here once every indicator in it is archived (partitions bounded at local year starts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, delete, func, select

from cockpit.config import LOCAL_TZ
from cockpit.store import changes, runs
from cockpit.store.base import StoreBase
from cockpit.store.observations import _frame
from cockpit.store.schema import observation_revisions, observations

ROW_COLUMNS = ["indicator", "district", "period_start", "period_end", "value", "source_id", "run_id", "ingested_at"]
REVISION_COLUMNS = ["indicator", "district", "period_start", "value", "source_id", "run_id", "valid_from",
                    "replaced_at", "replaced_by_run"]


def _bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar year, in UTC."""
    return (datetime(year, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC))


def _in_year(indicator_id: str, year: int) -> list:
    start, end = _bounds(year)
    o = observations.c
    return [o.indicator_id == indicator_id, o.period_start >= start, o.period_start < end]


def read_years(conn: Connection, indicator_id: str, before_year: int) -> list[int]:
    o = observations.c
    first = conn.execute(select(func.min(o.period_start)).where(
        o.indicator_id == indicator_id, o.period_start < _bounds(before_year)[0])).scalar()
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
        ones; else nothing and None. Rollups stay. Counts as a data change (exports now name the archive)."""
        with self._write() as conn:
            rows, _ = read_year(conn, indicator_id, year)
            if rows.empty or not archived(rows):
                return None
            ids = select(observations.c.id).where(*_in_year(indicator_id, year))
            conn.execute(delete(observation_revisions).where(observation_revisions.c.observation_id.in_(ids)))
            deleted = conn.execute(delete(observations).where(*_in_year(indicator_id, year))).rowcount
            changes.record(conn, [indicator_id], runs.bump_data_version(conn))
            return int(deleted)
