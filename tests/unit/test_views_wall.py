"""The wall's view model: URL options with bounds, slides per domain / goals / indicator, automatic splitting,
role filtering, the stamp that triggers refreshes, and the readability arithmetic behind the CSS sizes."""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cockpit import PROJECT_ROOT
from cockpit.sources.base import make_frame
from cockpit.views import build_overview
from cockpit.views import wall as wall_views
from cockpit.views.wall import (
    DEFAULT_SLIDES,
    EVERY_MAX,
    EVERY_MIN,
    SLIDE_BUILDERS,
    SlideView,
    WallOptions,
    build_wall,
    parse_slides,
    wall_options,
    wall_stamp,
    wall_tile,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BERLIN)
SYNTHETIC = "climate-balance"  # marked synthetic in data/sources.yaml
LIVE = "live-test-source"

# ------------------------------------------------------------------------------------------------ readability
# A 55" 16:9 screen at 1920x1080, viewed from 3 m; text must be at least 16 arcminutes high.
DIAGONAL_CM = 55 * 2.54
SCREEN_HEIGHT_CM = DIAGONAL_CM * 9 / math.hypot(16, 9)  # 68.5 cm
PIXEL_CM = SCREEN_HEIGHT_CM / 1080  # 0.0634 cm per pixel
DISTANCE_CM = 300
MIN_ARCMIN = 16
MIN_TEXT_CM = 2 * DISTANCE_CM * math.tan(math.radians(MIN_ARCMIN / 60) / 2)  # 1.40 cm
MIN_TEXT_PX_1080 = MIN_TEXT_CM / PIXEL_CM  # 22.0 px of a 1080-pixel-high screen
DEJAVU_CAP_HEIGHT = 1493 / 2048  # capital letter height of DejaVu Sans (the wall's font) in em


def min_text_px(width: int, height: int) -> float:
    """The 16-arcmin rule for the same 55" screen driven at another resolution (or turned to portrait):
    pixels scale with the shorter side."""
    return MIN_TEXT_PX_1080 * min(width, height) / 1080


def test_the_arcminute_rule_in_numbers():
    assert pytest.approx(68.5, abs=0.1) == SCREEN_HEIGHT_CM
    assert pytest.approx(1.396, abs=0.002) == MIN_TEXT_CM
    assert pytest.approx(22.0, abs=0.1) == MIN_TEXT_PX_1080
    assert min_text_px(3840, 2160) == pytest.approx(44.0, abs=0.2)
    assert min_text_px(1080, 1920) == pytest.approx(22.0, abs=0.1)


def test_the_smallest_wall_text_meets_the_rule():
    """--wall-text (the size of tile name, status word, reason and 'Stand') in vmin: its capitals must be
    at least 22 px high on a 1920x1080 screen (the browser test measures the rendered glyphs too)."""
    css = (PROJECT_ROOT / "assets" / "wall.css").read_text(encoding="utf-8")
    vmin = float(re.search(r"--wall-text:\s*clamp\([^,]+,\s*([\d.]+)vmin", css).group(1))
    cap_px = vmin / 100 * 1080 * DEJAVU_CAP_HEIGHT
    assert cap_px >= MIN_TEXT_PX_1080, f"{vmin}vmin gives {cap_px:.1f} px capitals, below {MIN_TEXT_PX_1080:.1f}"


# ------------------------------------------------------------------------------------------------ options


def test_options_from_the_url_with_bounds_and_defaults():
    assert wall_options({}) == WallOptions()
    assert wall_options({}).slides == DEFAULT_SLIDES and wall_options({}).every == 30
    options = wall_options({"slides": "waste, goals,indicator:co2-per-inhabitant", "every": "12", "theme": "dark",
                            "lang": "en", "shift": "1", "refresh": "5"})
    assert options == WallOptions(("waste", "goals", "indicator:co2-per-inhabitant"), 12, 5, "dark", "en", True)
    assert wall_options({"every": "0"}).every == EVERY_MIN
    assert wall_options({"every": "999999"}).every == EVERY_MAX
    assert wall_options({"every": "soon"}).every == 30
    assert wall_options({"theme": "pink", "lang": "fr"}, default_lang="de") == WallOptions()
    assert wall_options({"slides": "bogus,,"}).slides == DEFAULT_SLIDES
    assert parse_slides("energy,<script>,measures-x,goals") == ("energy", "goals")


def test_the_slides_of_a_token_win_over_the_url():
    options = wall_options({"slides": "energy"}, token_slides=("goals",))
    assert options.slides == ("goals",)


def test_stamp_changes_with_data_day_role_and_slides():
    options = WallOptions()
    base = wall_stamp("public", 7, date(2026, 11, 22), options)
    assert base == wall_stamp("public", 7, date(2026, 11, 22), options)
    assert base != wall_stamp("internal", 7, date(2026, 11, 22), options)
    assert base != wall_stamp("public", 8, date(2026, 11, 22), options)
    assert base != wall_stamp("public", 7, date(2026, 11, 23), options)
    assert base != wall_stamp("public", 7, date(2026, 11, 22), dataclasses.replace(options, slides=("goals",)))


# ------------------------------------------------------------------------------------------------ slides


@pytest.fixture
def cockpit(empty_cockpit):
    return empty_cockpit


def write(cockpit, source_id: str, rows: list[tuple[str, str, float]]) -> None:
    frame = make_frame([dict(indicator=i, district="", period_start=s, period_end=None, value=v, raw="")
                        for i, s, v in rows])
    run_id = cockpit.store.start_run(source_id)
    cockpit.store.write_batch(source_id, run_id, frame, [], len(frame))


def fill(cockpit):
    write(cockpit, SYNTHETIC, [("co2-per-inhabitant", f"{y}-01-01T00:00:00+01:00", v)
                               for y, v in {2019: 7.0, 2021: 6.6, 2023: 6.4, 2025: 6.3}.items()])
    write(cockpit, LIVE, [("municipal-buildings-electricity", "2026-11-21T00:00:00+01:00", 40.0),
                          ("recycling-rate", "2026-10-01T00:00:00+02:00", 57.3)])


def test_public_wall_has_a_slide_per_domain_and_the_goals_but_nothing_internal(cockpit):
    fill(cockpit)
    view = build_wall(cockpit, "public", WallOptions(), NOW)
    assert [s.key for s in view.slides] == ["energy", "mobility", "waste", "goals"]
    internal_ids = {i.id for i in cockpit.catalog.indicators if i.visibility == "internal"}
    shown = {tile.indicator_id for slide in view.slides for tile in slide.tiles}
    assert shown == {i.id for i in cockpit.catalog.indicators if i.visibility == "public"}
    assert not shown & internal_ids
    assert "municipal-buildings-electricity" not in repr(view)
    assert view.demo  # the CO2 figures come from a synthetic source
    assert view.stand_text == "Daten Stand 01.10.2026"  # the newest public data (the internal is newer)
    assert view.refreshed_text == "10:00"
    internal = build_wall(cockpit, "internal", WallOptions(), NOW)
    assert "municipal-buildings-electricity" in {t.indicator_id for s in internal.slides for t in s.tiles}
    assert internal.stamp != view.stamp
    assert internal.stand_text == "Daten Stand 21.11.2026"


def test_an_internal_indicator_slide_is_left_out_of_a_public_wall(cockpit):
    fill(cockpit)
    options = wall_options({"slides": "indicator:municipal-buildings-electricity,indicator:co2-per-inhabitant"})
    public = build_wall(cockpit, "public", options, NOW)
    assert [s.key for s in public.slides] == ["indicator-co2-per-inhabitant"]
    internal = build_wall(cockpit, "internal", options, NOW)
    assert [s.key for s in internal.slides] == ["indicator-municipal-buildings-electricity",
                                                "indicator-co2-per-inhabitant"]
    # nothing visible asked for: the default wall instead of an empty screen
    only_internal = wall_options({"slides": "indicator:municipal-buildings-electricity"})
    assert [s.key for s in build_wall(cockpit, "public", only_internal, NOW).slides] == list(DEFAULT_SLIDES)


def test_indicator_slide_has_the_assessed_value_and_a_chart_with_its_table(cockpit):
    fill(cockpit)
    view = build_wall(cockpit, "public", wall_options({"slides": "indicator:co2-per-inhabitant"}), NOW)
    slide = view.slides[0]
    tile = slide.tiles[0]
    assert (tile.number_text, tile.unit_text, tile.value_label) == ("6,30", "t je Einw.", "Ist 2025")
    assert tile.as_of_text == "Stand: 2025"
    assert [p.label for p in slide.chart.points] == ["2019", "2021", "2023", "2025"]
    # an annual goal: its years against the target path up to the target year, on an axis from zero (with unit)
    assert (slide.chart.first_label, slide.chart.last_label) == ("2019", "2030")
    assert (slide.chart.low_text, slide.chart.high_text) == ("0\u00a0t je Einw.", "8\u00a0t je Einw.")
    assert slide.chart.summary.startswith("Jahreswerte 2019 bis 2025: von 7,00\u00a0t je Einw. auf 6,30")
    assert tile.trend is None  # the slide's chart shows it
    domain = build_wall(cockpit, "public", wall_options({"slides": "energy,waste"}), NOW)
    trends = {t.indicator_id: t.trend for s in domain.slides for t in s.tiles}
    assert [p.label for p in trends["co2-per-inhabitant"].points] == ["2019", "2021", "2023", "2025"]
    assert trends["recycling-rate"] is None  # a single value is no trend


def test_a_slide_with_more_tiles_than_fit_is_split(cockpit, monkeypatch):
    fill(cockpit)
    monkeypatch.setattr(wall_views, "TILES_PER_SLIDE", 2)
    view = build_wall(cockpit, "internal", wall_options({"slides": "energy"}), NOW)
    energy = [i.id for i in cockpit.catalog.indicators if i.domain == "energy"]  # 5 with the internal one
    assert [s.key for s in view.slides] == ["energy", "energy-2", "energy-3"]
    assert [s.part_text for s in view.slides] == ["Teil 1 von 3", "Teil 2 von 3", "Teil 3 von 3"]
    assert [t.indicator_id for s in view.slides for t in s.tiles] == energy
    assert all(len(s.tiles) <= 2 for s in view.slides)


def test_no_default_slide_holds_more_than_fits(cockpit):
    fill(cockpit)
    view = build_wall(cockpit, "internal", WallOptions(), NOW)
    assert all(len(s.tiles) <= wall_views.TILES_PER_SLIDE for s in view.slides)
    assert all(len(s.goals) <= wall_views.GOALS_PER_SLIDE for s in view.slides)


def test_goal_summary_counts_and_lists_goals_at_risk_worst_first(cockpit):
    fill(cockpit)
    view = build_wall(cockpit, "public", wall_options({"slides": "goals", "lang": "en"}), NOW)
    (slide,) = view.slides
    assert slide.title == "Goals at a glance"
    assert sum(c.count for c in slide.counts) == len(cockpit.catalog.goals)
    statuses = [g.status for g in slide.goals]
    assert statuses == sorted(statuses, key=("off_track", "at_risk").index)
    assert set(statuses) <= {"off_track", "at_risk"}
    shown = {g.goal_id for g in slide.goals}
    overview = build_overview(cockpit, "public", "en", NOW)
    expected = {tile.goal_id for tile in overview.tiles if tile.status in ("off_track", "at_risk")}
    assert shown == expected


def test_the_reason_line_of_the_overview_is_shown_when_present(cockpit):
    fill(cockpit)
    tile = build_overview(cockpit, "public", "de", NOW).tile("co2-per-inhabitant")
    assert tile.reason_text and wall_tile(tile, None, "de").reason_text == tile.reason_text  # the same words
    explained = dataclasses.replace(tile, reason_text="Der Trend reicht nicht bis 2030.")
    assert wall_tile(explained, None, "de").reason_text == "Der Trend reicht nicht bis 2030."


def test_more_slide_kinds_plug_in_through_the_builder_table(cockpit, monkeypatch):
    fill(cockpit)

    def measures(ctx, arg):
        return [SlideView("measures", "measures", f"Maßnahmen {arg}".strip(), payload=("x",))]

    monkeypatch.setitem(SLIDE_BUILDERS, "measures", measures)
    view = build_wall(cockpit, "public", wall_options({"slides": "measures:2026,energy,energy"}), NOW)
    assert [s.key for s in view.slides] == ["measures", "energy"]
    assert view.slides[0].title == "Maßnahmen 2026"


def test_measures_slide_counts_per_status_and_names_overdue_reports_but_never_internal_measures(cockpit):
    from cockpit.measures.demo import load_demo_measures

    load_demo_measures(cockpit.store, cockpit.catalog)
    options = wall_options({"slides": "measures"})
    public = build_wall(cockpit, "public", options, NOW).slides
    internal = build_wall(cockpit, "internal", options, NOW).slides
    assert [s.kind for s in public] == ["measures"]
    public_total = sum(c.count for c in public[0].payload.counts)
    internal_total = sum(c.count for c in internal[0].payload.counts)
    assert internal_total == public_total + 1  # the internal demo measure only on a staff wall
    names = public[0].payload.overdue_names
    assert all(isinstance(n, str) and n for n in names)
    assert "Innovationszentrum" not in " ".join(names)


def test_an_annual_goal_on_the_indicator_slide_shows_its_years_against_the_path_from_zero(cockpit):
    fill(cockpit)
    view = build_wall(cockpit, "public", wall_options({"slides": "indicator:co2-per-inhabitant"}), NOW)
    chart = view.slides[0].chart
    goal = cockpit.catalog.goals_for("co2-per-inhabitant")[0]
    assert chart.axis_top is not None and chart.ticks[-1].startswith("0")
    assert chart.axis_top >= max(p.value for p in (*chart.points, *chart.path))
    assert all(tick.endswith("t je Einw.") for tick in chart.ticks)
    assert list(chart.years) == sorted(set(chart.years)) and max(chart.years) < NOW.year  # complete years only
    assert chart.path[-1].label == str(goal.target.year) and chart.last_label == str(goal.target.year)
    assert chart.path[-1].value == pytest.approx(goal.target.value)
    assert "Zielpfad" in chart.summary


def test_tiles_are_split_into_balanced_slides(cockpit, monkeypatch):
    fill(cockpit)
    monkeypatch.setattr(wall_views, "TILES_PER_SLIDE", 4)
    assert [len(p) for p in wall_views._parts(list(range(5)), 4)] == [3, 2]
    assert [len(p) for p in wall_views._parts(list(range(9)), 4)] == [3, 3, 3]
    assert wall_views._parts([], 4) == [[]]
