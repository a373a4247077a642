"""The explorer's read of several indicators at once (SQLite and PostgreSQL): the same rows as one `Store.series`
read per indicator - weeks summed up from the day rollups included, also across the clock changes - each
indicator in its own districts, the latest bucket of a comparison, and the viewer's visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from cockpit.kpi import LOCAL_TZ
from cockpit.roles import Role, visible_levels
from cockpit.sources.base import make_frame
from cockpit.store.series import read_fine_buckets

MEAN = "renewable-share-electricity"  # public, mean
SUM = "municipal-buildings-electricity"  # internal, sum
LAST = "charge-points-per-1000"  # public, last, per district
DISTRICTS = ("", "lusan", "stadtmitte")


def write(store, rows):
    frame = make_frame([{"period_end": None, "raw": "", **row} for row in rows])
    run = store.start_run("test")
    store.write_batch("test", run, frame, [], len(frame))


@pytest.fixture
def filled(store):
    """Three-hourly values from mid-March to mid-November 2025 (both clock changes) in three districts."""
    rng = np.random.default_rng(7)
    starts = pd.date_range("2025-03-10T00:00:00Z", "2025-11-12T00:00:00Z", freq="3h")
    rows = []
    for indicator in (MEAN, SUM, LAST):
        for district in DISTRICTS:
            values = rng.uniform(0, 100, len(starts)).round(3)
            rows += [dict(indicator=indicator, district=district, period_start=s.isoformat(), value=float(v))
                     for s, v in zip(starts, values, strict=True)]
    write(store, rows)
    return store


def per_indicator(store, role, grain, wanted, since, until) -> pd.DataFrame:
    """The reference: one read per indicator; weeks aggregated from the raw observations (as `Store.series` did
    before it read weeks from the day rollups too)."""
    if grain == "week":
        with store.engine.connect() as conn:
            parts = [read_fine_buckets(conn, visible_levels(role), grain, [i], None if ds is None else list(ds),
                                       since, until) for i, ds in wanted.items()]
    else:
        parts = [store.series(role, grain, [i], None if ds is None else list(ds), since=since, until=until)
                 for i, ds in wanted.items()]
    return pd.concat(parts, ignore_index=True)


def same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    order = ["indicator", "district", "bucket"]
    pd.testing.assert_frame_equal(left.sort_values(order).reset_index(drop=True),
                                  right.sort_values(order).reset_index(drop=True), check_dtype=False, rtol=1e-12)


RANGES = [
    (datetime(2025, 3, 1, tzinfo=LOCAL_TZ), datetime(2025, 12, 1, tzinfo=LOCAL_TZ)),  # local midnights
    (datetime(2025, 3, 26, tzinfo=LOCAL_TZ), datetime(2025, 4, 5, tzinfo=LOCAL_TZ)),  # spring clock change
    (datetime(2025, 10, 20, tzinfo=LOCAL_TZ), datetime(2025, 11, 3, tzinfo=LOCAL_TZ)),  # autumn clock change
    (datetime(2025, 5, 14, 13, 30, tzinfo=UTC), datetime(2025, 7, 2, 7, 0, tzinfo=UTC)),  # not at midnight
]


@pytest.mark.parametrize("grain", ["year", "month", "week", "day", "hour"])
def test_one_read_gives_the_rows_of_one_read_per_indicator_each_in_its_districts(filled, grain):
    wanted = {MEAN: ("",), SUM: ("", "lusan"), LAST: DISTRICTS}
    for since, until in RANGES:
        if grain == "hour":
            until = min(until, since + timedelta(days=20))
        expected = per_indicator(filled, Role.INTERNAL, grain, wanted, since, until)
        assert not expected.empty
        same(filled.explore_series(Role.INTERNAL, grain, wanted, since, until), expected)
    everywhere = {LAST: None}
    since, until = RANGES[0]
    if grain == "hour":
        until = since + timedelta(days=20)
    same(filled.explore_series(Role.PUBLIC, grain, everywhere, since, until),
         per_indicator(filled, Role.PUBLIC, grain, everywhere, since, until))


def test_weeks_from_days_carry_the_envelope_and_the_last_value_of_the_week(filled):
    since, until = RANGES[2]
    frame = filled.explore_series(Role.INTERNAL, "week", {LAST: ("lusan",)}, since, until)
    assert list(frame["bucket"]) == [pd.Timestamp(d, tz="Europe/Berlin") for d in
                                     ("2025-10-20", "2025-10-27")]
    raw = filled.observations(Role.INTERNAL, [LAST], "lusan", start=since, end=until)
    first = raw[raw["period_start"] < datetime(2025, 10, 27, tzinfo=LOCAL_TZ)]
    row = frame.iloc[0]
    assert row["n"] == len(first) and row["min"] == first["value"].min() and row["max"] == first["value"].max()
    assert row["value"] == row["last_value"] == first.sort_values("period_start")["value"].iloc[-1]


@pytest.mark.parametrize("grain", ["year", "month"])
def test_last_only_gives_the_rows_of_the_latest_bucket(filled, grain):
    since, until = datetime(2025, 1, 1, tzinfo=LOCAL_TZ), datetime(2025, 10, 1, tzinfo=LOCAL_TZ)
    frame = filled.series(Role.PUBLIC, grain, [LAST], None, since=since, until=until)
    latest = filled.explore_series(Role.PUBLIC, grain, {LAST: None}, since, until, last_only=True)
    same(latest, frame[frame["bucket"] == frame["bucket"].max()])
    assert set(latest["district"]) == set(DISTRICTS)


def test_the_indicator_pages_weeks_come_from_the_day_rollups_and_equal_the_raw_weeks(filled):
    """`Store.series` (the indicator page) reads weeks over midnight-aligned ranges from the day rollups: the
    same rows as aggregating the raw observations, also across both clock changes."""
    for since, until in RANGES:
        for districts in ("", ["lusan", "stadtmitte"]):
            same(filled.series(Role.INTERNAL, "week", [SUM], districts, since=since, until=until),
                 per_indicator(filled, Role.INTERNAL, "week", {SUM: (districts,) if districts == "" else
                                                                tuple(districts)}, since, until))


def test_internal_indicators_never_reach_public_viewers(filled):
    since, until = RANGES[0]
    for grain in ("month", "week", "day"):
        frame = filled.explore_series(Role.PUBLIC, grain, {SUM: DISTRICTS, MEAN: ("",)}, since, until)
        assert set(frame["indicator"]) == {MEAN}
    assert filled.explore_series(Role.PUBLIC, "month", {SUM: None}, since, until, last_only=True).empty
