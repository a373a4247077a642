"""The store reads of the outward standards on SQLite and PostgreSQL: selection by stream, id and time, order,
paging, count, and nothing of an indicator the viewer may not see."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from cockpit.roles import Role
from cockpit.sources.base import make_frame
from cockpit.store.standards import ObservationSelection

PUBLIC, INTERNAL = "recycling-rate", "municipal-buildings-electricity"


def fill(store):
    rows = [(PUBLIC, "", f"{year}-10-01T00:00:00+02:00", 50.0 + year - 2020) for year in range(2020, 2026)]
    rows += [("charge-points-per-1000", "lusan", "2026-09-01T00:00:00+02:00", 0.9),
             (INTERNAL, "", "2026-11-20T00:00:00+01:00", 47.4)]
    frame = make_frame([dict(indicator=i, district=d, period_start=s, period_end=None, value=v, raw="")
                        for i, d, s, v in rows])
    run_id = store.start_run("waste-balance")
    store.write_batch("waste-balance", run_id, frame, [], len(frame))


def test_selection_order_paging_and_visibility(store):
    fill(store)
    everything = ObservationSelection(limit=100, count=True)
    rows, total = store.standard_observations(Role.PUBLIC, everything)
    assert total == 7 and INTERNAL not in {r["indicator"] for r in rows}
    staff, staff_total = store.standard_observations(Role.INTERNAL, everything)
    assert staff_total == 8 and INTERNAL in {r["indicator"] for r in staff}
    since = datetime(2023, 1, 1, tzinfo=UTC)
    newest = ObservationSelection(streams=((PUBLIC, ""),), times=(("ge", since),),
                                  order=(("phenomenonTime", True),), offset=1, limit=2, count=True)
    rows, total = store.standard_observations(Role.PUBLIC, newest)
    assert total == 3 and [r["value"] for r in rows] == [54.0, 53.0]
    assert rows[0]["period_start"].tzinfo is not None
    hidden = ObservationSelection(streams=((INTERNAL, ""),))
    assert store.standard_observations(Role.PUBLIC, hidden)[0] == []
    first = store.standard_observations(Role.PUBLIC, ObservationSelection(limit=1))[0][0]
    assert store.standard_observations(Role.PUBLIC, ObservationSelection(ids=(first["id"],)))[0] == [first]
    assert store.standard_observations(Role.PUBLIC, ObservationSelection(streams=()))[0] == []


def test_stream_spans(store):
    fill(store)
    spans = store.stream_spans(Role.PUBLIC, [(PUBLIC, ""), (INTERNAL, ""), ("charge-points-per-1000", "")])
    assert set(spans) == {(PUBLIC, "")}
    assert spans[(PUBLIC, "")] == (datetime(2020, 9, 30, 22, tzinfo=UTC), datetime(2025, 9, 30, 22, tzinfo=UTC))


def test_stream_spans_across_new_year_and_after_an_archived_year(store):
    """The last start of a stream in the first local hour of a year (still the previous UTC year) is found, and a
    stream whose first year's raw rows were dropped (archived; its rollups stay) starts at its first kept row."""
    fill(store)
    frame = make_frame([dict(indicator=PUBLIC, district="", period_start="2027-01-01T00:30:00+01:00",
                             period_end=None, value=57.0, raw="")])
    store.write_batch("waste-balance", store.start_run("waste-balance"), frame, [], 1)
    spans = store.stream_spans(Role.PUBLIC, [(PUBLIC, ""), ("charge-points-per-1000", "lusan")])
    assert spans[(PUBLIC, "")] == (datetime(2020, 9, 30, 22, tzinfo=UTC), datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert spans[("charge-points-per-1000", "lusan")] == (datetime(2026, 8, 31, 22, tzinfo=UTC),) * 2
    store.drop_raw_year(PUBLIC, 2020)
    assert store.stream_spans(Role.PUBLIC, [(PUBLIC, "")])[(PUBLIC, "")][0] == datetime(2021, 9, 30, 22, tzinfo=UTC)


def test_every_stream_in_id_order_when_the_matching_rows_come_late(store):
    """'Every stream' in id order (the SensorThings default and its keyset paging) finds the first visible rows
    even when thousands of rows of an internal indicator come before them in id order (PostgreSQL reads growing
    windows of ids), with $skip and the keyset bound."""
    hidden = make_frame([dict(indicator=INTERNAL, district="", period_start=stamp, period_end=None, value=1.0, raw="")
                         for stamp in pd.date_range("2025-01-01", periods=5000, freq="h", tz="UTC").astype(str)])
    store.write_batch("waste-balance", store.start_run("waste-balance"), hidden, [], len(hidden))
    fill(store)
    every = ((PUBLIC, "charge-points-per-1000"), ("charge-points-per-1000",), ("lusan",))
    rows, _ = store.standard_observations(Role.PUBLIC, ObservationSelection(every=every, limit=3))
    all_rows, total = store.standard_observations(Role.PUBLIC, ObservationSelection(every=every, limit=100,
                                                                                      count=True))
    assert total == 7 and [r["id"] for r in rows] == [r["id"] for r in all_rows[:3]]
    assert [r["id"] for r in all_rows] == sorted(r["id"] for r in all_rows) and all_rows[0]["id"] > 5000
    skipped, _ = store.standard_observations(Role.PUBLIC, ObservationSelection(every=every, offset=2, limit=2))
    assert skipped == all_rows[2:4]
    after, _ = store.standard_observations(Role.PUBLIC, ObservationSelection(
        every=every, after=("gt", all_rows[4]["id"]), limit=10))
    assert after == all_rows[5:]
