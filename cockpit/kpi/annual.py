"""Annual values of observations: calendar years in Europe/Berlin, aggregated per indicator."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from cockpit.config import LOCAL_TZ

Aggregation = Literal["sum", "mean", "last"]


def local_years(period_start: pd.Series) -> pd.Series:
    """The calendar year of each UTC period start in Europe/Berlin local time.

    A period starting at local midnight on 1 January is stored as 23:00 UTC on 31 December; taking the
    year in local time assigns it to the year it belongs to.
    """
    if getattr(period_start.dt, "tz", None) is None:
        raise ValueError("period_start must be timezone-aware (UTC)")
    return period_start.dt.tz_convert(LOCAL_TZ).dt.year


def annual_values(frame: pd.DataFrame, aggregation: Aggregation) -> pd.Series:
    """One value per calendar year (int index, ascending) from all rows of `frame`.

    The caller selects the rows (e.g. with `city_observations`). Rows without a value are ignored.
    `sum` and `mean` combine all observations of the year; `last` takes the observation with the
    latest period start (on equal starts the later row wins).
    """
    if aggregation not in ("sum", "mean", "last"):
        raise ValueError(f"unknown aggregation {aggregation!r}")
    rows = frame.dropna(subset=["value"]).sort_values("period_start", kind="stable")
    if rows.empty:
        return pd.Series([], index=pd.Index([], dtype="int64", name="year"), dtype="float64", name="value")
    years = local_years(rows["period_start"]).astype("int64").rename("year")
    return rows["value"].astype("float64").groupby(years).agg(aggregation).sort_index()
