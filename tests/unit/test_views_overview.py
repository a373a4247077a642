"""The overview view model on a temp SQLite store filled through store.write_batch."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cockpit.config import load_settings
from cockpit.i18n import t
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import build_overview, clear_cache, snapshot

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BERLIN)
SYNTHETIC = "climate-balance"  # marked synthetic in data/sources.yaml
LIVE = "live-test-source"  # not in the sources file: real data


@pytest.fixture
def cockpit(tmp_path):
    clear_cache()
    return open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False))


def write(cockpit, source_id: str, rows: list[tuple[str, str, float]]) -> None:
    """rows: (indicator, period_start ISO with offset, value), city-wide."""
    frame = make_frame([dict(indicator=i, district="", period_start=s, period_end=None, value=v, raw="")
                        for i, s, v in rows])
    run_id = cockpit.store.start_run(source_id)
    cockpit.store.write_batch(source_id, run_id, frame, [], len(frame))


def annual(indicator: str, values: dict[int, float]) -> list[tuple[str, str, float]]:
    return [(indicator, f"{year}-01-01T00:00:00+01:00", value) for year, value in values.items()]


CO2_ON_TRACK = {2021: 6.3, 2022: 6.0, 2023: 5.8, 2024: 5.6, 2025: 5.4}


def test_public_role_never_sees_internal_indicators(cockpit):
    write(cockpit, LIVE, [("municipal-buildings-electricity", "2026-11-21T00:00:00+01:00", 40.0),
                          ("recycling-rate", "2026-10-01T00:00:00+02:00", 57.3)])
    public = build_overview(cockpit, "public", "de", NOW)
    internal_ids = {i.id for i in cockpit.catalog.indicators if i.visibility == "internal"}
    public_ids = {tile.indicator_id for tile in public.tiles}
    assert public_ids == {i.id for i in cockpit.catalog.indicators if i.visibility == "public"}
    assert not public_ids & internal_ids
    assert "municipal-buildings-electricity" not in repr(public)
    internal = build_overview(cockpit, "internal", "de", NOW)
    assert {tile.indicator_id for tile in internal.tiles} == {i.id for i in cockpit.catalog.indicators}
    assert internal.tile("municipal-buildings-electricity").value == 40.0
    # admins see everything staff see; anything that is not a known role is public
    assert {tile.indicator_id for tile in build_overview(cockpit, "admin", "de", NOW).tiles} == {
        i.id for i in cockpit.catalog.indicators}
    for unknown in ("superuser", "Internal", None):
        assert {tile.indicator_id for tile in build_overview(cockpit, unknown, "de", NOW).tiles} == public_ids


def test_tiles_are_grouped_by_domain_in_order(cockpit):
    view = build_overview(cockpit, "public", "de", NOW)
    assert [g.domain for g in view.groups] == ["energy", "mobility", "waste"]
    assert [g.title for g in view.groups] == ["Energie", "Mobilität", "Abfall"]
    assert [g.title for g in build_overview(cockpit, "public", "en", NOW).groups] == ["Energy", "Mobility", "Waste"]


def test_value_and_change_are_formatted_in_the_locale(cockpit):
    write(cockpit, LIVE, [("final-energy-use", "2024-01-01T00:00:00+01:00", 1267.0),
                          ("final-energy-use", "2025-01-01T00:00:00+01:00", 1234.4),
                          ("recycling-rate", "2026-09-01T00:00:00+02:00", 56.8),
                          ("recycling-rate", "2026-10-01T00:00:00+02:00", 57.3)])
    de = build_overview(cockpit, "public", "de", NOW)
    energy = de.tile("final-energy-use")
    assert energy.value_text == "1.234"
    assert energy.quantity_text == "1.234\u00a0GWh"
    assert energy.change_text == "\u221233\u00a0GWh ggü. 2024"
    assert energy.change_direction == "down"
    assert energy.as_of_text == "Stand: 2025"
    recycling = de.tile("recycling-rate")
    assert recycling.quantity_text == "57,3\u00a0%"
    assert recycling.change_text == "+0,5\u00a0Pp. ggü. September 2026"
    assert recycling.as_of_text == "Stand: Oktober 2026"

    en = build_overview(cockpit, "public", "en", NOW)
    assert en.tile("final-energy-use").value_text == "1,234"
    assert en.tile("final-energy-use").change_text == "\u221233\u00a0GWh vs. 2024"
    assert en.tile("recycling-rate").quantity_text == "57.3%"
    assert en.tile("recycling-rate").change_text == "+0.5\u00a0pp vs. September 2026"
    assert en.tile("recycling-rate").as_of_text == "As of October 2026"
    assert en.tile("recycling-rate").name == "Municipal waste recycling rate"


def test_data_date_follows_the_rhythm(cockpit):
    write(cockpit, LIVE, [("renewable-share-electricity", "2026-11-20T00:00:00+01:00", 61.0),
                          ("bike-sharing-bikes-available", "2026-11-22T08:00:00+01:00", 140.0)])
    de = build_overview(cockpit, "public", "de", NOW)
    assert de.tile("renewable-share-electricity").as_of_text == "Stand: 20.11.2026"
    assert de.tile("bike-sharing-bikes-available").as_of_text == "Stand: 22.11.2026, 08:00"
    en = build_overview(cockpit, "public", "en", NOW)
    assert en.tile("renewable-share-electricity").as_of_text == "As of 20 Nov 2026"


def test_goal_status_progress_target_and_forecast(cockpit):
    write(cockpit, SYNTHETIC, annual("co2-per-inhabitant", CO2_ON_TRACK))
    tile = build_overview(cockpit, "public", "de", NOW).tile("co2-per-inhabitant")
    assert tile.goal_id == "co2-halve-2030"
    assert tile.status == "on_track"
    assert tile.status_text == "Auf Kurs"
    assert tile.target_text == "Ziel 2030: 4,90\u00a0t je Einw."
    assert (tile.target_value, tile.target_year) == (4.9, 2030)
    assert tile.progress == pytest.approx((5.4 - 9.8) / (4.9 - 9.8))
    assert tile.progress_text == "Fortschritt 90\u00a0% (2025)"
    assert 0 <= tile.progress_bar <= 1
    assert tile.forecast_text == "Bei aktuellem Trend erreicht 2028 (Ziel 2030)"
    en = build_overview(cockpit, "public", "en", NOW).tile("co2-per-inhabitant")
    assert en.forecast_text == "At the current trend reached 2028 (target 2030)"
    assert en.status_text == "On track"
    assert en.progress_text == "Progress 90% (2025)"


def test_off_track_and_no_data_and_no_goal(cockpit):
    write(cockpit, LIVE, annual("bev-share", {2022: 0.9, 2023: 1.2, 2024: 1.5, 2025: 1.9}))
    write(cockpit, LIVE, annual("final-energy-use", {2025: 1500.0}))
    view = build_overview(cockpit, "public", "de", NOW)
    assert view.tile("bev-share").status == "off_track"
    assert view.tile("bev-share").status_text == "Nicht auf Kurs"
    no_data = view.tile("renewable-share-electricity")  # has a goal, no observations
    assert (no_data.status, no_data.status_text) == ("no_data", "Keine Daten")
    assert no_data.value is None and no_data.value_text == "–"
    assert no_data.as_of_text == "Noch keine Werte"
    assert no_data.forecast_text == t("kpi.forecast.none", "de")
    no_goal = view.tile("final-energy-use")
    assert (no_goal.status, no_goal.status_text) == ("no_goal", "Kein Ziel")
    assert no_goal.goal_id is None and no_goal.progress_text is None and no_goal.forecast_text is None
    assert [(c.status, c.count) for c in view.counts] == [("off_track", 1), ("no_data", 4)]


def test_stale_for_indicators_with_and_without_goal(cockpit):
    write(cockpit, LIVE, annual("co2-per-inhabitant", {2021: 6.3, 2022: 6.0, 2023: 5.8}))  # goal; P1Y + P1Y grace
    write(cockpit, LIVE, annual("final-energy-use", {2023: 1500.0}))  # no goal
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.0)])  # fresh
    view = build_overview(cockpit, "public", "de", NOW)
    co2, energy, recycling = (view.tile(i) for i in ("co2-per-inhabitant", "final-energy-use", "recycling-rate"))
    assert co2.stale and energy.stale and not recycling.stale
    assert energy.status == "no_goal"
    assert energy.stale_text == "Veraltet – neue Werte waren bis 01.01.2025 fällig"
    assert recycling.stale_text is None


def test_hourly_indicator_is_stale_by_the_hour(cockpit):
    write(cockpit, LIVE, [("bike-sharing-bikes-available", "2026-11-22T06:00:00+01:00", 140.0)])
    # rhythm PT1H + grace PT3H: due at 10:00
    assert not build_overview(cockpit, "public", "de", NOW).tile("bike-sharing-bikes-available").stale
    later = NOW.replace(minute=1)
    tile = build_overview(cockpit, "public", "de", later).tile("bike-sharing-bikes-available")
    assert tile.stale
    assert tile.stale_text == "Veraltet – neue Werte waren bis 22.11.2026, 10:00 fällig"


def test_demo_flag_follows_synthetic_sources(cockpit):
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.0)])
    live = build_overview(cockpit, "public", "de", NOW)
    assert not live.tile("recycling-rate").demo
    assert not live.demo
    write(cockpit, SYNTHETIC, annual("co2-per-inhabitant", CO2_ON_TRACK))
    demo = build_overview(cockpit, "public", "de", NOW)
    assert demo.tile("co2-per-inhabitant").demo
    assert not demo.tile("recycling-rate").demo
    assert demo.demo


def test_sparkline_points_table_and_summary(cockpit):
    write(cockpit, LIVE, [("recycling-rate", f"2026-{m:02d}-01T00:00:00+01:00", 50.0 + m) for m in range(1, 11)])
    write(cockpit, LIVE, annual("co2-per-inhabitant", CO2_ON_TRACK))
    view = build_overview(cockpit, "public", "de", NOW)
    spark = view.tile("recycling-rate").spark
    assert [p.label for p in spark.points][:2] == ["Januar 2026", "Februar 2026"]
    assert [p.value for p in spark.points] == [50.0 + m for m in range(1, 11)]
    assert spark.points[-1].text == "60,0"
    assert spark.caption == "Recyclingquote der Siedlungsabfälle: Monatswerte"
    assert spark.summary == ("Verlauf Januar 2026 bis Oktober 2026: von 51,0\u00a0% auf 60,0\u00a0% "
                             "(Minimum 51,0\u00a0%, Maximum 60,0\u00a0%)")
    yearly = view.tile("co2-per-inhabitant").spark
    assert yearly.annual and [p.label for p in yearly.points] == ["2021", "2022", "2023", "2024", "2025"]
    assert yearly.caption.endswith("Jahreswerte")


def test_sparkline_leaves_out_the_running_month_of_a_summed_daily_indicator(cockpit):
    write(cockpit, LIVE, [("municipal-buildings-electricity", f"2026-10-{d:02d}T00:00:00+02:00", 40.0)
                          for d in range(1, 32)])
    write(cockpit, LIVE, [("municipal-buildings-electricity", "2026-11-01T00:00:00+01:00", 40.0)])
    spark = build_overview(cockpit, "internal", "de", NOW).tile("municipal-buildings-electricity").spark
    assert [(p.label, p.value) for p in spark.points] == [("Oktober 2026", 31 * 40.0)]


def test_one_snapshot_per_role_data_version_and_day(cockpit):
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.0)])
    first = snapshot(cockpit, "public", NOW.date())
    assert snapshot(cockpit, "public", NOW.date()) is first
    build_overview(cockpit, "public", "en", NOW)
    assert snapshot(cockpit, "public", NOW.date()) is first  # the language does not matter
    assert snapshot(cockpit, "internal", NOW.date()) is not first
    write(cockpit, LIVE, [("recycling-rate", "2026-11-01T00:00:00+01:00", 58.0)])
    assert snapshot(cockpit, "public", NOW.date()) is not first


def test_fingerprint_changes_with_the_data(cockpit):
    before = build_overview(cockpit, "public", "de", NOW)
    assert build_overview(cockpit, "public", "de", NOW).fingerprint == before.fingerprint
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.0)])
    assert build_overview(cockpit, "public", "de", NOW).fingerprint != before.fingerprint


def test_source_licence_attribution_department(cockpit):
    tile = build_overview(cockpit, "public", "en", NOW).tile("renewable-share-electricity")
    assert tile.source.name == "SMARD Strommarktdaten (Bundesnetzagentur)"
    assert tile.source.url == "https://www.smard.de"
    assert tile.source.licence == "CC BY 4.0"
    assert tile.source.attribution == "Bundesnetzagentur | SMARD.de"
    assert tile.source.department == "Environment office – climate management"
