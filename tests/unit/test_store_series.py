"""Chart series from the store on SQLite and PostgreSQL: hour and week buckets aggregated in SQL in Europe/Berlin
time with a min/max envelope, the indicator's own aggregation, district selection and the viewer's visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from cockpit.roles import Role, Viewer
from cockpit.sources.base import make_frame

MEAN = "renewable-share-electricity"  # public, mean
SUM = "municipal-buildings-electricity"  # internal, sum
LAST = "charge-points-per-1000"  # public, last, per district


def write(store, rows):
    frame = make_frame([{"period_end": None, "raw": "", "district": "", **row} for row in rows])
    run = store.start_run("test")
    store.write_batch("test", run, frame, [], len(frame))


def quarter_hours(indicator, start: datetime, values, district=""):
    return [dict(indicator=indicator, district=district, period_start=(start + timedelta(minutes=15 * i)).isoformat(),
                 value=v) for i, v in enumerate(values)]


def test_hour_buckets_carry_count_sum_envelope_and_mean_in_local_time(store):
    # 23:00 UTC on 31 Dec is midnight of 1 Jan in Berlin: the bucket is labelled with the local hour
    write(store, quarter_hours(MEAN, datetime(2025, 12, 31, 23, 0, tzinfo=UTC), [10, 40, 20, 30, 5, 5, 5, 5]))
    frame = store.series(Role.PUBLIC, "hour", [MEAN], "", since=datetime(2025, 12, 31, tzinfo=UTC),
                         until=datetime(2026, 1, 2, tzinfo=UTC))
    assert len(frame) == 2
    first = frame.iloc[0]
    assert first["bucket"] == pd.Timestamp("2026-01-01 00:00", tz="Europe/Berlin")
    assert (first["n"], first["sum"], first["min"], first["max"]) == (4, 100.0, 10.0, 40.0)
    assert first["value"] == pytest.approx(25.0)  # mean indicator: sum / n
    assert first["last_value"] == 30.0
    assert frame.iloc[1]["bucket"] == pd.Timestamp("2026-01-01 01:00", tz="Europe/Berlin")


def test_hour_buckets_keep_both_hours_of_the_autumn_clock_change_apart(store):
    # 2025-10-26: 02:00-03:00 local happens twice (00:00 and 01:00 UTC)
    write(store, quarter_hours(MEAN, datetime(2025, 10, 26, 0, 0, tzinfo=UTC), [1, 1, 1, 1, 3, 3, 3, 3]))
    frame = store.series(Role.PUBLIC, "hour", [MEAN], "", since=datetime(2025, 10, 25, tzinfo=UTC),
                         until=datetime(2025, 10, 27, tzinfo=UTC))
    assert list(frame["value"]) == [1.0, 3.0]
    assert frame["bucket"].iloc[0] != frame["bucket"].iloc[1]


def test_week_buckets_start_on_monday_in_berlin_and_sum_for_sum_indicators(store):
    days = [datetime(2026, 3, 1, 23, 0, tzinfo=UTC) + timedelta(days=i) for i in range(10)]  # local Mon 2 Mar ..
    write(store, [dict(indicator=SUM, period_start=d.isoformat(), value=float(i + 1)) for i, d in enumerate(days)])
    write(store, [dict(indicator=SUM, period_start="2026-03-01T22:30:00+00:00", value=100.0)])  # Sun 23:30 local
    frame = store.series(Role.INTERNAL, "week", [SUM], "", since=datetime(2026, 2, 1, tzinfo=UTC),
                         until=datetime(2026, 4, 1, tzinfo=UTC))
    assert list(frame["bucket"]) == [pd.Timestamp(d, tz="Europe/Berlin") for d in
                                     ("2026-02-23", "2026-03-02", "2026-03-09")]
    assert list(frame["value"]) == [100.0, sum(range(1, 8)), 8 + 9 + 10]
    assert list(frame["n"]) == [1, 7, 3]


def test_last_indicators_take_the_latest_value_of_each_bucket_per_district(store):
    rows = []
    for district, base in (("lusan", 1.0), ("stadtmitte", 3.0), ("", 2.0)):
        rows += [dict(indicator=LAST, district=district, period_start=f"2026-01-{day:02d}T00:00:00+01:00",
                      value=base + day / 100) for day in (5, 6, 7)]
    write(store, rows)
    frame = store.series(Role.PUBLIC, "week", [LAST], ["lusan", "stadtmitte"],
                         since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime(2026, 2, 1, tzinfo=UTC))
    values = dict(zip(frame["district"], frame["value"], strict=True))
    assert values == {"lusan": pytest.approx(1.07), "stadtmitte": pytest.approx(3.07)}
    everything = store.series(Role.PUBLIC, "week", [LAST], None, since=datetime(2026, 1, 1, tzinfo=UTC),
                              until=datetime(2026, 2, 1, tzinfo=UTC))
    assert set(everything["district"]) == {"", "lusan", "stadtmitte"}
    monthly = store.series(Role.PUBLIC, "month", [LAST], ["", "lusan"])
    assert set(monthly["district"]) == {"", "lusan"}
    assert monthly.loc[monthly["district"] == "lusan", "value"].item() == pytest.approx(1.07)


def test_internal_indicators_never_reach_public_viewers_at_any_grain(store):
    write(store, quarter_hours(SUM, datetime(2026, 1, 5, 8, 0, tzinfo=UTC), [1, 2, 3, 4]))
    since, until = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    for grain in ("hour", "day", "week", "month", "year"):
        assert store.series(Role.PUBLIC, grain, [SUM], "", since=since, until=until).empty, grain
        assert store.series(Viewer(Role.PUBLIC), grain, None, None, since=since, until=until).empty, grain
        staff = store.series(Viewer(Role.INTERNAL, "anna", "gebaeudemanagement"), grain, [SUM], "", since=since,
                             until=until)
        assert staff["sum"].sum() == 10.0, grain


def test_fine_grains_need_a_bounded_range(store):
    with pytest.raises(ValueError, match="bounded"):
        store.series(Role.PUBLIC, "hour", [MEAN], "", since=None, until=None)
    with pytest.raises(ValueError, match="at most"):
        store.series(Role.PUBLIC, "hour", [MEAN], "", since=datetime(2020, 1, 1, tzinfo=UTC),
                     until=datetime(2026, 1, 1, tzinfo=UTC))
