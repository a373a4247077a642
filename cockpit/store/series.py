"""Time series for charts: aggregates per indicator, district and bucket (hour, day, week, month, year).

Year, month and day come from `Store.aggregates` (backed by rollup tables where available). Hour and week are
aggregated here in SQL over a bounded range, on SQLite and PostgreSQL alike, with the viewer's visibility
applied in the join. Every bucket carries n, sum, min and max (the min/max envelope that keeps peaks visible
when many observations fall into one bucket), the last value and the indicator's own aggregate (`value`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, and_, func, literal, select

from cockpit.config import LOCAL_TZ, LOCAL_TZ_NAME
from cockpit.store.observations import AGGREGATE_COLUMNS
from cockpit.store.schema import indicators, observations
from cockpit.store.visibility import joined_on

SQL_GRAINS = ("hour", "week")
GRAINS = ("hour", "day", "week", "month", "year")
# The longest range aggregated in SQL for the fine grains (a chart never needs more points than this gives).
MAX_SPAN = {"hour": timedelta(days=400), "week": timedelta(days=366 * 30)}


def _local_week(stamp: str | None) -> str | None:
    """SQLite function: the Monday of the Europe/Berlin week of a stored (naive UTC) timestamp, 'YYYY-MM-DD'."""
    if stamp is None:
        return None
    local = datetime.fromisoformat(stamp).replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()
    return (local - timedelta(days=local.weekday())).isoformat()


def _bucket(conn: Connection, grain: str):
    column = observations.c.period_start
    if conn.dialect.name == "sqlite":
        if grain == "hour":  # Europe/Berlin offsets are whole hours: UTC hours are local hours
            return func.strftime("%Y-%m-%d %H:00:00", column)
        conn.connection.driver_connection.create_function("explorer_local_week", 1, _local_week,
                                                          deterministic=True)
        return func.explorer_local_week(column)
    if grain == "hour":
        return func.to_char(func.date_trunc("hour", func.timezone(literal("UTC"), column)),
                            literal("YYYY-MM-DD HH24:00:00"))
    local = func.timezone(literal(LOCAL_TZ_NAME), column)
    return func.to_char(func.date_trunc("week", local), literal("YYYY-MM-DD"))


def check_range(grain: str, since: datetime | None, until: datetime | None) -> None:
    if grain not in SQL_GRAINS:
        raise ValueError(f"grain {grain!r} is not aggregated here (one of {', '.join(SQL_GRAINS)})")
    if since is None or until is None:
        raise ValueError(f"grain {grain!r} needs a bounded range (since and until)")
    if until - since > MAX_SPAN[grain]:
        raise ValueError(f"grain {grain!r} covers at most {MAX_SPAN[grain].days} days")


def read_fine_buckets(conn: Connection, levels: tuple[str, ...], grain: str, indicator_ids: list[str] | None,
                      districts: str | list[str] | None, since: datetime, until: datetime) -> pd.DataFrame:
    """Hour or week aggregates (columns as Store.aggregates) of visible indicators in [since, until).

    `districts`: "" = city-wide, a list = those (use "" in it for city-wide too), None = all."""
    check_range(grain, since, until)
    bucket = _bucket(conn, grain).label("bucket")
    visible = joined_on(observations.c.indicator_id, levels)
    inner = select(
        observations.c.indicator_id.label("indicator"), observations.c.district.label("district"), bucket,
        func.count().label("n"), func.sum(observations.c.value).label("sum"),
        func.min(observations.c.value).label("min"), func.max(observations.c.value).label("max"),
        func.max(observations.c.period_start).label("last_start"),
    ).select_from(observations.join(indicators, visible)).where(
        observations.c.period_start >= since, observations.c.period_start < until)
    if indicator_ids is not None:
        inner = inner.where(observations.c.indicator_id.in_(indicator_ids))
    if isinstance(districts, str):
        inner = inner.where(observations.c.district == districts)
    elif districts is not None:
        inner = inner.where(observations.c.district.in_(list(districts)))
    inner = inner.group_by(observations.c.indicator_id, observations.c.district, bucket).subquery()
    last = observations.alias("last_obs")
    query = select(inner, last.c.value.label("last_value"), indicators.c.aggregation).select_from(
        inner.join(last, and_(last.c.indicator_id == inner.c.indicator, last.c.district == inner.c.district,
                              last.c.period_start == inner.c.last_start))
        .join(indicators, indicators.c.id == inner.c.indicator)
    ).order_by(inner.c.indicator, inner.c.district, inner.c.bucket)
    rows = conn.execute(query).mappings().all()
    frame = pd.DataFrame(rows, columns=[*AGGREGATE_COLUMNS[:-1], "aggregation"])
    if frame.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    naive = pd.to_datetime(frame["bucket"])
    if grain == "hour":
        frame["bucket"] = naive.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ_NAME)
    else:
        frame["bucket"] = naive.dt.tz_localize(LOCAL_TZ_NAME, ambiguous=False, nonexistent="shift_forward")
    frame["last_start"] = pd.to_datetime(frame["last_start"], utc=True)
    for column in ("sum", "min", "max", "last_value"):
        frame[column] = frame[column].astype("float64")
    frame["n"] = frame["n"].astype("int64")
    kind = frame["aggregation"]
    frame["value"] = frame["last_value"].where(kind == "last",
                                               frame["sum"].where(kind == "sum", frame["sum"] / frame["n"]))
    return frame[AGGREGATE_COLUMNS].reset_index(drop=True)


