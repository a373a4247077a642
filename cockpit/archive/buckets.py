"""Archived raw rows as the store's chart aggregates: hour and week buckets computed in pandas exactly as
`cockpit.store.series.read_fine_buckets` computes them in SQL, and buckets of two frames combined (a week across
the end of an archived year has rows in the file and in the database)."""

from __future__ import annotations

import pandas as pd

AGGREGATE_COLUMNS = ["indicator", "district", "bucket", "n", "sum", "min", "max", "last_value", "last_start", "value"]
LOCAL_TZ_NAME = "Europe/Berlin"


def _value(frame: pd.DataFrame, aggregation: dict[str, str]) -> pd.Series:
    kind = frame["indicator"].map(aggregation).fillna("mean")
    return frame["last_value"].where(kind == "last", frame["sum"].where(kind == "sum", frame["sum"] / frame["n"]))


def fine_buckets(rows: pd.DataFrame, grain: str, aggregation: dict[str, str]) -> pd.DataFrame:
    """Hour (UTC hour = local hour in Europe/Berlin) or local-week buckets of raw rows (columns indicator,
    district, period_start, value); `aggregation` maps indicator id -> sum | mean | last."""
    if rows.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    rows = rows.sort_values("period_start", kind="stable")
    starts = pd.to_datetime(rows["period_start"], utc=True)
    if grain == "hour":
        bucket = starts.dt.floor("h").dt.tz_convert(LOCAL_TZ_NAME)
    else:
        local_days = starts.dt.tz_convert(LOCAL_TZ_NAME).dt.tz_localize(None).dt.normalize()
        monday = local_days - pd.to_timedelta(local_days.dt.day_of_week, unit="D")
        bucket = monday.dt.tz_localize(LOCAL_TZ_NAME, ambiguous=False, nonexistent="shift_forward")
    grouped = rows.assign(bucket=bucket, period_start=starts).groupby(["indicator", "district", "bucket"],
                                                                      sort=True)
    frame = grouped.agg(n=("value", "size"), sum=("value", "sum"), min=("value", "min"), max=("value", "max"),
                        last_value=("value", "last"), last_start=("period_start", "max")).reset_index()
    frame["n"] = frame["n"].astype("int64")
    frame["value"] = _value(frame, aggregation)
    return frame[AGGREGATE_COLUMNS]


def combine(first: pd.DataFrame, second: pd.DataFrame, aggregation: dict[str, str]) -> pd.DataFrame:
    """Buckets of both frames, a bucket in both merged (counts and sums added, min of minima, max of maxima,
    the last value of the later one), sorted as the store sorts them."""
    frames = [f for f in (first, second) if f is not None and len(f)]
    if not frames:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    both = pd.concat([f[AGGREGATE_COLUMNS] for f in frames], ignore_index=True)
    both["last_start"] = pd.to_datetime(both["last_start"], utc=True)
    both = both.sort_values(["indicator", "district", "bucket", "last_start"], kind="stable")
    grouped = both.groupby(["indicator", "district", "bucket"], sort=True)
    frame = grouped.agg(n=("n", "sum"), sum=("sum", "sum"), min=("min", "min"), max=("max", "max"),
                        last_value=("last_value", "last"), last_start=("last_start", "max")).reset_index()
    frame["n"] = frame["n"].astype("int64")
    frame["value"] = _value(frame, aggregation)
    return frame[AGGREGATE_COLUMNS].reset_index(drop=True)
