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


def test_value_and_change_are_formatted_in_the_locale_and_compare_like_with_like(cockpit):
    write(cockpit, LIVE, [("final-energy-use", "2024-01-01T00:00:00+01:00", 1267.0),
                          ("final-energy-use", "2025-01-01T00:00:00+01:00", 1234.4),
                          ("household-waste-per-inhabitant", "2025-10-01T00:00:00+02:00", 33.1),
                          ("household-waste-per-inhabitant", "2026-09-01T00:00:00+02:00", 30.0),
                          ("household-waste-per-inhabitant", "2026-10-01T00:00:00+02:00", 32.4)])
    de = build_overview(cockpit, "public", "de", NOW)
    energy = de.tile("final-energy-use")
    assert energy.value_text == "1.234"
    assert energy.quantity_text == "1.234\u00a0GWh"
    assert (energy.value_label, energy.change_text) == ("Jahreswert 2025", "\u221233\u00a0GWh gegenüber 2024")
    assert energy.change_direction == "down"
    assert energy.as_of_text == "Stand: 2025"
    waste = de.tile("household-waste-per-inhabitant")  # a monthly sum: October against October, not September
    assert waste.value_label == "Oktober 2026"
    assert waste.change_text == "\u22120,7\u00a0kg je Einw. gegenüber Oktober 2025"
    assert waste.as_of_text == "Stand: Oktober 2026"

    en = build_overview(cockpit, "public", "en", NOW)
    assert en.tile("final-energy-use").value_text == "1,234"
    assert en.tile("final-energy-use").change_text == "\u221233\u00a0GWh compared with 2024"
    assert en.tile("household-waste-per-inhabitant").change_text == (
        "\u22120.7\u00a0kg per inhabitant compared with October 2025")
    assert en.tile("household-waste-per-inhabitant").as_of_text == "As of October 2026"
    assert en.tile("recycling-rate").name == "Municipal waste recycling rate"


def test_percentages_change_in_percentage_points_without_abbreviations(cockpit):
    write(cockpit, LIVE, annual("recycling-rate", {2024: 52.0, 2025: 52.5}))
    write(cockpit, LIVE, [("recycling-rate", "2026-10-01T00:00:00+02:00", 57.2)])
    de = build_overview(cockpit, "public", "de", NOW).tile("recycling-rate")
    assert de.quantity_text == "52,5\u00a0%"
    assert de.change_text == "+0,5\u00a0Prozentpunkte gegenüber 2024"
    en = build_overview(cockpit, "public", "en", NOW).tile("recycling-rate")
    assert en.quantity_text == "52.5%"
    assert en.change_text == "+0.5\u00a0percentage points compared with 2024"


def test_a_goal_tile_shows_the_assessed_annual_value_and_the_running_year_as_provisional(cockpit):
    """The issue's recycling tile: status about 2025 (52,5 %), October 2026 (57,2 %) only as a provisional line."""
    write(cockpit, LIVE, [("recycling-rate", f"{year}-{m:02d}-01T00:00:00+01:00", value)
                          for year, value in {2022: 49.0, 2023: 50.5, 2024: 51.5, 2025: 52.5}.items()
                          for m in range(1, 13)])
    write(cockpit, LIVE, [("recycling-rate", f"2026-{m:02d}-01T00:00:00+01:00", 57.2) for m in range(1, 11)])
    de = build_overview(cockpit, "public", "de", NOW).tile("recycling-rate")
    assert (de.value, de.value_label, de.evaluated_year) == (52.5, "Jahresmittel 2025", 2025)
    assert de.running_text == "2026 bisher (bis Oktober, vorläufig): 57,2\u00a0%"
    assert de.change_text == "+1,0\u00a0Prozentpunkte gegenüber 2024"
    assert de.progress_text == "Fortschritt 38\u00a0% (2025)"
    assert (de.status, de.status_text) == ("off_track", "Nicht auf Kurs")
    assert de.reason_text == ("2,5\u00a0Prozentpunkte unter dem Zielpfad und Trend zu langsam: erst 2036 "
                              "erreicht (Ziel 2035)")
    en = build_overview(cockpit, "public", "en", NOW).tile("recycling-rate")
    assert (en.value_label, en.running_text) == ("2025 average", "2026 so far (through October, provisional): 57.2%")
    assert en.reason_text == ("2.5\u00a0percentage points below the target path, and the trend is too slow: "
                              "reached only in 2036 (target 2035)")


def test_a_summed_indicator_says_through_which_month_the_running_year_goes(cockpit):
    from cockpit.views.overview import Series, running_year_text

    write(cockpit, LIVE, [("household-waste-per-inhabitant", f"2026-{m:02d}-01T00:00:00+01:00", 30.0)
                          for m in range(1, 11)])
    snap = snapshot(cockpit, "public", NOW.date())
    yearly = snap.annual[snap.annual["indicator"] == "household-waste-per-inhabitant"]
    indicator = cockpit.catalog.indicator("household-waste-per-inhabitant")

    class Judged:  # the line is only shown under an assessed year
        year = 2025

    text = running_year_text(indicator, Judged, Series(None, yearly, None), NOW.date(), "de")
    assert text == "2026 bisher (bis Oktober, vorläufig): 300,0\u00a0kg je Einw."


def test_daily_and_hourly_series_show_a_seven_day_aggregate_not_one_day(cockpit):
    days = [(f"2026-11-{d:02d}T00:00:00+01:00", 40.0 if d <= 14 else 44.0) for d in range(8, 22)]
    write(cockpit, LIVE, [("municipal-buildings-electricity", s, v) for s, v in days])
    hours = [(f"2026-11-{d:02d}T{h:02d}:00:00+01:00", 100.0 + d) for d in range(15, 22) for h in (8, 20)]
    write(cockpit, LIVE, [("bike-sharing-bikes-available", s, v) for s, v in hours])
    internal = build_overview(cockpit, "internal", "de", NOW)
    meters = internal.tile("municipal-buildings-electricity")
    assert (meters.value, meters.value_label) == (7 * 44.0, "Summe der 7 Tage bis 21.11.2026")
    assert meters.change_text == "+28,0\u00a0MWh gegenüber den 7 Tagen davor"
    bikes = internal.tile("bike-sharing-bikes-available")
    assert (bikes.value, bikes.value_label) == (118.0, "Mittel der 7 Tage bis 21.11.2026")
    assert bikes.change_text is None  # nothing to compare with
    en = build_overview(cockpit, "internal", "en", NOW).tile("municipal-buildings-electricity")
    assert (en.value_label, en.change_text) == ("7-day total up to 21 Nov 2026",
                                                "+28.0\u00a0MWh compared with the previous 7 days")


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
    assert tile.target_text == "Ziel 2030: 4,9\u00a0t je Einw."  # as the goal writes it
    assert (tile.target_value, tile.target_year) == (4.9, 2030)
    assert tile.progress == pytest.approx((5.4 - 9.8) / (4.9 - 9.8))
    assert tile.progress_text == "Fortschritt 90\u00a0% (2025)"
    assert 0 <= tile.progress_bar <= 1
    assert (tile.value, tile.value_label) == (5.4, "Jahreswert 2025")
    assert tile.forecast_text == "Beim jetzigen Tempo 2028 erreicht (Ziel 2030)"
    assert tile.reason_text == "Im Plan und beim jetzigen Tempo 2028 erreicht (Ziel 2030)"
    en = build_overview(cockpit, "public", "en", NOW).tile("co2-per-inhabitant")
    assert en.forecast_text == "At the current pace reached in 2028 (target 2030)"
    assert en.reason_text == "On the path, and at the current pace reached in 2028 (target 2030)"
    assert en.href == "/indicator/co2-per-inhabitant?lang=en"
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


def test_stale_means_the_next_value_is_overdue(cockpit):
    write(cockpit, LIVE, annual("co2-per-inhabitant", {2021: 6.3, 2022: 6.0, 2023: 5.8}))  # goal; lag P18M
    write(cockpit, LIVE, annual("final-energy-use", {2022: 1520.0, 2023: 1500.0}))  # no goal; lag P18M
    write(cockpit, LIVE, annual("bev-share", {2023: 1.2, 2024: 1.5, 2025: 1.9}))  # lag P3M: 2026 due 1 Apr 2027
    view = build_overview(cockpit, "public", "de", NOW)
    co2, energy, bev = (view.tile(i) for i in ("co2-per-inhabitant", "final-energy-use", "bev-share"))
    assert co2.stale and energy.stale and not bev.stale
    # 2023 data: the 2024 value ended on 1 Jan 2025 and was due 18 months later
    assert co2.stale_text == "Wert für 2024 seit 01.07.2026 überfällig"
    assert energy.stale_text == "Wert für 2024 seit 01.07.2026 überfällig"
    assert bev.stale_text is None
    en = build_overview(cockpit, "public", "en", NOW).tile("co2-per-inhabitant")
    assert en.stale_text == "Value for 2024 overdue since 1 Jul 2026"


def test_a_goal_judged_on_a_complete_year_is_not_stale_because_its_daily_data_paused(cockpit):
    write(cockpit, LIVE, [("renewable-share-electricity", f"{year}-{m:02d}-01T00:00:00+01:00", 50.0 + year - 2020)
                          for year in range(2021, 2026) for m in range(1, 13)])
    write(cockpit, LIVE, [("renewable-share-electricity", "2026-10-01T00:00:00+02:00", 60.0)])  # paused since
    tile = build_overview(cockpit, "public", "de", NOW).tile("renewable-share-electricity")
    assert tile.evaluated_year == 2025 and not tile.stale and tile.stale_text is None
    assert tile.running_text == "2026 bisher (bis 01.10.2026, vorläufig): 60,0\u00a0%"


def test_hourly_indicator_is_stale_by_the_hour(cockpit):
    write(cockpit, LIVE, [("bike-sharing-bikes-available", "2026-11-22T06:00:00+01:00", 140.0)])
    # 06:00 + 2 * PT1H + PT1H lag: the value for 07:00 is overdue from 09:00
    assert not build_overview(cockpit, "public", "de", NOW.replace(hour=9)).tile("bike-sharing-bikes-available").stale
    later = NOW.replace(hour=9, minute=1)
    tile = build_overview(cockpit, "public", "de", later).tile("bike-sharing-bikes-available")
    assert tile.stale
    assert tile.stale_text == "Wert für 22.11.2026, 07:00 seit 22.11.2026, 09:00 überfällig"


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


def test_a_goal_figure_reads_as_the_goal_name_writes_it(cockpit):
    write(cockpit, LIVE, annual("renewable-share-electricity", {2023: 55.0, 2024: 58.0, 2025: 61.0}))
    en = build_overview(cockpit, "public", "en", NOW).tile("renewable-share-electricity")
    assert en.goal_name == "Renewable electricity: 80% of consumption by 2030"
    assert en.target_text == "Target 2030: 80%"  # not 80.0% beside 80%
    de = build_overview(cockpit, "public", "de", NOW).tile("renewable-share-electricity")
    assert (de.goal_name, de.target_text) == ("Erneuerbarer Strom: 80 % des Verbrauchs bis 2030", "Ziel 2030: 80\u00a0%")
