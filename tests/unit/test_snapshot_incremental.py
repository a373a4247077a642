"""After new data, a snapshot re-reads only the indicators that changed and shows exactly what a snapshot read from
scratch shows (on SQLite and PostgreSQL); the pages built from it are the same as from a fresh one."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from cockpit.readmodel.snapshot import read_snapshot
from cockpit.sources.base import make_frame
from cockpit.views import build_goals, build_overview, clear_cache
from layouts.components.goal import goals_content
from layouts.components.tile import overview_content

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
SYNTHETIC = "climate-balance"  # marked synthetic in data/sources.yaml


def write(store, source: str, rows: list[tuple[str, str, str, float]]) -> None:
    """rows: (indicator, district, period_start ISO with offset, value)."""
    frame = make_frame([dict(indicator=i, district=d, period_start=s, period_end=None, value=v, raw="")
                        for i, d, s, v in rows])
    store.write_batch(source, store.start_run(source), frame, [], len(frame))


def base_rows() -> list[tuple[str, str, str, float]]:
    rows = [("co2-per-inhabitant", "", f"{y}-01-01T00:00:00+01:00", 7.0 - 0.3 * (y - 2019)) for y in range(2019, 2026)]
    rows += [("recycling-rate", "", f"2025-{m:02d}-01T00:00:00+01:00", 50.0 + m) for m in range(1, 13)]
    rows += [("smart-bin-fill-level", "", f"2026-11-{d:02d}T{h:02d}:00:00+01:00", 10.0 + d + h)
             for d in range(10, 21) for h in range(0, 24, 6)]
    return rows


def assert_same(incremental, scratch) -> None:
    for name in ("annual", "monthly", "daily", "latest"):
        pd.testing.assert_frame_equal(getattr(incremental, name), getattr(scratch, name), check_index_type=False)
    assert incremental.evaluation.to_dict() == scratch.evaluation.to_dict()
    assert incremental.latest_start == scratch.latest_start
    assert incremental.synthetic == scratch.synthetic


def test_a_snapshot_after_new_data_rereads_only_the_changed_indicators_and_equals_one_from_scratch(store, catalog):
    write(store, SYNTHETIC, base_rows())
    first = read_snapshot(catalog, store, {SYNTHETIC}, "internal", DAY, store.data_version())
    write(store, "live", [("smart-bin-fill-level", "", "2026-11-21T06:00:00+01:00", 77.0),
                          ("smart-bin-fill-level", "bench-01", "2026-11-21T06:00:00+01:00", 12.0),
                          ("recycling-rate", "", "2025-12-01T00:00:00+01:00", 66.0)])  # a revision
    version = store.data_version()
    second = read_snapshot(catalog, store, {SYNTHETIC}, "internal", DAY, version, previous=first)
    assert_same(second, read_snapshot(catalog, store, {SYNTHETIC}, "internal", DAY, version))
    assert second.parts["co2-per-inhabitant"] is first.parts["co2-per-inhabitant"]
    assert second.parts["smart-bin-fill-level"] is not first.parts["smart-bin-fill-level"]
    assert second.parts["recycling-rate"] is not first.parts["recycling-rate"]
    pd.testing.assert_frame_equal(second.latest, store.latest("internal", 2))  # as the store's own read
    latest = second.latest.set_index(["indicator", "rank"])["value"]
    assert latest[("smart-bin-fill-level", 1)] == 77.0
    # an unchanged store: the next snapshot takes everything over
    third = read_snapshot(catalog, store, {SYNTHETIC}, "internal", DAY, version, previous=second)
    assert all(third.parts[i] is second.parts[i] for i in second.parts)
    assert_same(third, second)


def test_a_previous_snapshot_of_another_day_or_role_is_not_taken_over(store, catalog):
    write(store, SYNTHETIC, base_rows())
    internal = read_snapshot(catalog, store, {SYNTHETIC}, "internal", DAY, store.data_version())
    public = read_snapshot(catalog, store, {SYNTHETIC}, "public", DAY, store.data_version(), previous=internal)
    assert "smart-bin-fill-level" not in public.parts and "smart-bin-fill-level" not in public.synthetic
    assert public.parts["co2-per-inhabitant"] is not internal.parts["co2-per-inhabitant"]
    later = read_snapshot(catalog, store, {SYNTHETIC}, "internal", date(2026, 11, 23), store.data_version(),
                          previous=internal)
    assert later.parts["co2-per-inhabitant"] is not internal.parts["co2-per-inhabitant"]


@pytest.fixture
def cockpit(empty_cockpit):
    return empty_cockpit


def test_pages_after_new_data_are_the_same_as_from_a_fresh_snapshot(cockpit):
    write(cockpit.store, SYNTHETIC, base_rows())
    for lang in ("de", "en"):
        build_overview(cockpit, "internal", lang, NOW)
        build_goals(cockpit, "internal", lang, NOW)
    for value in (80.0, 81.0):
        write(cockpit.store, "live", [("smart-bin-fill-level", "", "2026-11-21T12:00:00+01:00", value),
                                      ("co2-per-inhabitant", "", "2025-01-01T00:00:00+01:00", value / 20)])
        for lang in ("de", "en"):
            cached = (build_overview(cockpit, "internal", lang, NOW), build_goals(cockpit, "internal", lang, NOW))
            clear_cache()
            fresh = (build_overview(cockpit, "internal", lang, NOW), build_goals(cockpit, "internal", lang, NOW))
            assert cached == fresh
            rendered = [json.dumps([overview_content(view[0]), goals_content(view[1])], cls=PlotlyJSONEncoder)
                        for view in (cached, fresh)]
            assert rendered[0] == rendered[1]
    assert build_overview(cockpit, "internal", "de", NOW).tile("smart-bin-fill-level").demo  # both sources
