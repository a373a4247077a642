"""Explorer reads: the chart aggregates of several indicators, each with its own districts, in one query per
resolution, and the last bucket of a district comparison.

Year, month and day come from the rollups (as `Store.aggregates`); a week is summed up from its day rollups in SQL
when the range starts and ends at local midnights (then the days select exactly the observations of the range),
else, and for hours, the buckets are aggregated from the observations (`series.read_fine_buckets`). The viewer's
visibility is applied in the join, as in every read. Columns as `Store.aggregates`.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, DateTime, and_, case, cast, func, literal, or_, select

from cockpit.store.observations import AGGREGATE_COLUMNS
from cockpit.store.schema import indicators, rollups
from cockpit.store.series import read_fine_buckets
from cockpit.store.visibility import joined_on

LOCAL_TZ_NAME = "Europe/Berlin"
ROLLUP_GRAINS = ("year", "month", "day")
_PERIOD = {"year": "Y", "month": "M", "day": "D"}

# {indicator id: its districts ("" = city-wide) or None for all districts}
Wanted = dict[str, tuple[str, ...] | None]


def _floor(moment: datetime, grain: str) -> pd.Timestamp:
    """The local (naive) start of the rollup bucket holding `moment`."""
    local = pd.Timestamp(moment)
    local = local.tz_localize(LOCAL_TZ_NAME) if local.tzinfo is None else local.tz_convert(LOCAL_TZ_NAME)
    return local.tz_localize(None).to_period(_PERIOD[grain]).start_time


def _local_midnight(moment: datetime) -> bool:
    local = pd.Timestamp(moment).tz_convert(LOCAL_TZ_NAME).tz_localize(None)
    return local == local.normalize()


def _wanted_condition(wanted: Wanted):
    """(indicator, district) pairs asked for: indicators grouped by their district lists."""
    r = rollups.c
    groups: dict[tuple[str, ...] | None, list[str]] = {}
    for indicator_id, districts in wanted.items():
        groups.setdefault(None if districts is None else tuple(districts), []).append(indicator_id)
    parts = []
    for districts, ids in groups.items():
        condition = r.indicator_id.in_(ids)
        if districts is not None:
            condition = and_(condition, r.district.in_(list(districts)))
        parts.append(condition)
    return or_(*parts)


def _range_condition(grain: str, since: datetime | None, until: datetime | None) -> list:
    """Buckets of `grain` overlapping [since, until) (bucket-aligned bounds: exactly the periods in between)."""
    r = rollups.c
    conditions = []
    if since is not None:
        conditions.append(r.bucket >= _floor(since, grain).strftime("%Y-%m-%d"))
    if until is not None:
        floor = _floor(until, grain)
        aligned = pd.Timestamp(until).tz_convert(LOCAL_TZ_NAME).tz_localize(None) == floor
        bound = floor.strftime("%Y-%m-%d")
        conditions.append(r.bucket < bound if aligned else r.bucket <= bound)
    return conditions


def _frame(rows) -> pd.DataFrame:
    """Rows (columns as AGGREGATE_COLUMNS, bucket a local 'YYYY-MM-DD') as the aggregates frame, column by column."""
    if not rows:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    indicator, district, bucket, n, total, low, high, last_value, last_start, value = zip(*rows, strict=True)
    buckets = pd.to_datetime(pd.Series(bucket), format="%Y-%m-%d")
    return pd.DataFrame({
        "indicator": indicator, "district": district,
        "bucket": buckets.dt.tz_localize(LOCAL_TZ_NAME, ambiguous=np.ones(len(buckets), dtype=bool),
                                         nonexistent="shift_forward"),
        "n": np.array(n, dtype="int64"), "sum": np.array(total, dtype="float64"),
        "min": np.array(low, dtype="float64"), "max": np.array(high, dtype="float64"),
        "last_value": np.array(last_value, dtype="float64"), "last_start": pd.to_datetime(pd.Series(last_start), utc=True),
        "value": np.array(value, dtype="float64"),
    })


def _value(n, total, last):
    """The indicator's own aggregate of a bucket: sum, last value or mean."""
    return case((indicators.c.aggregation == "sum", total), (indicators.c.aggregation == "last", last),
                else_=total / n)


def _rollup_rows(conn: Connection, levels: tuple[str, ...], grain: str, wanted: Wanted, since: datetime | None,
                 until: datetime | None, last_only: bool):
    r = rollups.c
    where = [r.grain == grain, _wanted_condition(wanted), *_range_condition(grain, since, until)]
    source = rollups.join(indicators, joined_on(r.indicator_id, levels))
    if last_only:
        where.append(r.bucket == select(func.max(r.bucket)).select_from(source).where(*where).scalar_subquery())
    query = select(
        r.indicator_id.label("indicator"), r.district, r.bucket, r.n, r.sum, r.min, r.max, r.last_value,
        r.last_start, _value(r.n, r.sum, r.last_value).label("value"),
    ).select_from(source).where(*where).order_by(r.indicator_id, r.district, r.bucket)
    return conn.execute(query).all()


def _week_start(conn: Connection, day):
    """The Monday (local, 'YYYY-MM-DD') of the week of a day bucket ('YYYY-MM-DD')."""
    if conn.dialect.name == "sqlite":
        return func.date(day, literal("weekday 0"), literal("-6 days"))
    return func.to_char(func.date_trunc(literal("week"), cast(day, DateTime())), literal("YYYY-MM-DD"))


def _week_rows(conn: Connection, levels: tuple[str, ...], wanted: Wanted, since: datetime, until: datetime):
    """Weeks from their day rollups: n and sum added up, min of the minima, max of the maxima, and the last value
    of the week's last day with data (it holds the latest observation; found by the rollups' key)."""
    r = rollups.c
    week = _week_start(conn, r.bucket).label("bucket")
    inner = select(
        r.indicator_id.label("indicator"), r.district.label("district"), week, func.sum(r.n).label("n"),
        func.sum(r.sum).label("sum"), func.min(r.min).label("min"), func.max(r.max).label("max"),
        func.max(r.last_start).label("last_start"), func.max(r.bucket).label("last_day"),
    ).select_from(rollups.join(indicators, joined_on(r.indicator_id, levels))).where(
        r.grain == "day", _wanted_condition(wanted), *_range_condition("day", since, until),
    ).group_by(r.indicator_id, r.district, week).subquery()
    last = rollups.alias("last_day")
    query = select(
        inner.c.indicator, inner.c.district, inner.c.bucket, inner.c.n, inner.c.sum, inner.c.min, inner.c.max,
        last.c.last_value, inner.c.last_start, _value(inner.c.n, inner.c.sum, last.c.last_value).label("value"),
    ).select_from(
        inner.join(last, and_(last.c.grain == "day", last.c.indicator_id == inner.c.indicator,
                              last.c.district == inner.c.district, last.c.bucket == inner.c.last_day))
        .join(indicators, indicators.c.id == inner.c.indicator)
    ).order_by(inner.c.indicator, inner.c.district, inner.c.bucket)
    return conn.execute(query).all()


def reads_raw(grain: str, since: datetime | None, until: datetime | None) -> bool:
    """Whether `read_series` aggregates this grain and range from the raw observations (hours; weeks unless the
    range starts and ends at local midnights) rather than from the rollups."""
    if grain in ROLLUP_GRAINS:
        return False
    return not (grain == "week" and since is not None and until is not None and _local_midnight(since)
                and _local_midnight(until))


def read_series(conn: Connection, levels: tuple[str, ...], grain: str, wanted: Wanted, since: datetime | None,
                until: datetime | None, last_only: bool = False) -> pd.DataFrame:
    """Chart aggregates of visible indicators, each in its own districts, in [since, until) (see module doc).
    `last_only`: only the rows of the latest bucket there is (over all asked-for rows; rollup grains only)."""
    if not wanted:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    if grain in ROLLUP_GRAINS:
        return _frame(_rollup_rows(conn, levels, grain, wanted, since, until, last_only))
    if last_only:
        raise ValueError(f"last_only needs a rollup grain ({', '.join(ROLLUP_GRAINS)}), not {grain!r}")
    if grain == "week" and not reads_raw(grain, since, until):
        return _frame(_week_rows(conn, levels, wanted, since, until))
    everywhere = any(districts is None for districts in wanted.values())
    districts = None if everywhere else sorted({d for ds in wanted.values() for d in ds})
    frame = read_fine_buckets(conn, levels, grain, list(wanted), districts, since, until)
    if frame.empty or everywhere or len({tuple(ds) for ds in wanted.values()}) == 1:
        return frame
    keep = [district in wanted[indicator] for indicator, district in zip(frame["indicator"], frame["district"],
                                                                         strict=True)]
    return frame[keep].reset_index(drop=True)
