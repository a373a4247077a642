"""The indicator page's view model on the demo data: annual values judged by the goal engine, trend with its 80 %
band to the target year, resolutions (auto keeps to about one point per pixel), the previous year, sorting,
source and licence, visibility, and figures that stay small."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from cockpit.kpi import LOCAL_TZ, evaluate_goal, goal_status, target_path
from cockpit.readmodel.snapshot import annual_frame, snapshot
from cockpit.roles import Role, Viewer
from cockpit.views.indicator import build_indicator
from cockpit.views.timeseries import MAX_POINTS
from layouts.components.chart import goal_figure, series_figure
from layouts.components.chart_base import figure_json_size
from tests.unit.explorer_support import NOW, demo_cockpit

FIGURE_LIMIT = 100_000  # bytes of JSON per figure


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("indicator"))


def build(cockpit, indicator_id, role=Role.PUBLIC, lang="de", **kwargs):
    return build_indicator(cockpit, role, indicator_id, lang, now=NOW, **kwargs)


def test_annual_values_are_judged_like_the_goal_engine_and_the_running_year_is_marked(cockpit):
    view = build(cockpit, "charge-points-per-1000")
    goal = cockpit.catalog.goals_for("charge-points-per-1000")[0]
    indicator = cockpit.catalog.indicator("charge-points-per-1000")
    snap = snapshot(cockpit, Role.PUBLIC, NOW.date())
    evaluation = evaluate_goal(goal, indicator, annual_frame(snap.annual), NOW.date())
    complete = [p for p in view.annual if p.year < NOW.year]
    assert [p.year for p in complete] == list(evaluation.annual.index)
    for point in complete:
        assert point.value == pytest.approx(evaluation.annual[point.year])
        assert point.status == goal_status(goal, point.value, target_path(goal, point.year))
    assert view.annual[-1].year == NOW.year and view.annual[-1].status == "running"
    assert view.status == evaluation.status
    assert [m.kind for m in view.path] == ["baseline", *["milestone"] * len(goal.milestones), "target"]


def test_trend_runs_to_the_target_year_with_the_forecast_band(cockpit):
    view = build(cockpit, "co2-per-inhabitant")
    goal = cockpit.catalog.goals_for("co2-per-inhabitant")[0]
    snap = snapshot(cockpit, Role.PUBLIC, NOW.date())
    forecast = snap.evaluation.get(goal.id).forecast
    last = view.trend[-1]
    assert last.year == goal.target.year
    assert (last.value, last.low, last.high) == pytest.approx((forecast.value, forecast.low, forecast.high))
    assert all(p.low <= p.value <= p.high for p in view.trend)
    assert view.forecast_text and view.trend_text


def test_auto_resolution_keeps_to_about_one_point_per_pixel_and_sends_the_min_max_envelope(cockpit):
    view = build(cockpit, "renewable-share-electricity")  # daily values for eight years
    assert view.grain == "week" and 300 < len(view.series) <= MAX_POINTS
    assert view.envelope
    assert all(p.low <= p.value <= p.high for p in view.series)
    assert any(p.high - p.low > 1 for p in view.series)  # peaks within a week survive in the envelope
    daily = build(cockpit, "renewable-share-electricity", res="day", range_from="2026-01", range_to="2026-03")
    assert daily.grain == "day" and len(daily.series) == 31 + 28 + 31 and not daily.problems


def test_impossible_resolutions_fall_back_to_auto_with_a_reason(cockpit):
    too_fine = build(cockpit, "charge-points-per-1000", res="hour")  # monthly data
    assert too_fine.grain == "month" and len(too_fine.problems) == 1
    assert "zu fein" in too_fine.problems[0].text
    unknown = build(cockpit, "charge-points-per-1000", res="minute", range_from="2020-13", lang="en")
    assert unknown.resolution == "auto" and len(unknown.problems) == 2
    assert any("2020-13" in p.text for p in unknown.problems)


def test_previous_year_is_the_same_period_one_year_earlier(cockpit):
    view = build(cockpit, "recycling-rate", range_from="2025-01", range_to="2025-12")
    by_label = {p.label: p.value for p in build(cockpit, "recycling-rate", range_from="2024-01",
                                                 range_to="2024-12").series}
    assert len(view.previous) == 12
    for point, before in zip(view.series, view.previous, strict=True):
        assert point.x[5:] == before.x[5:] and int(point.x[:4]) == int(before.x[:4])
        assert before.value == by_label[before.label]
    row = view.table.rows[0]
    assert row[0] == "Januar 2025" and row[4] == by_label_text(by_label["Januar 2024"])


def by_label_text(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def test_table_sorts_by_a_column_from_the_url(cockpit):
    view = build(cockpit, "recycling-rate", sort="-1")
    values = [key[1] for key in view.table.keys]
    assert values == sorted(values, reverse=True)
    assert view.table.sort_column == 1 and view.table.descending
    ascending = build(cockpit, "recycling-rate", sort="1")
    assert [k[1] for k in ascending.table.keys] == sorted(values)


def test_source_licence_department_rhythm_and_last_data_are_named(cockpit):
    view = build(cockpit, "co2-per-inhabitant")
    assert "Stadt Gera, Klimaschutzmanagement" in view.source_line
    assert "dl-de/by-2-0" in view.source_line and "Demodaten" in view.source_line
    assert view.licence_url == "https://www.govdata.de/dl-de/by-2-0"
    assert view.department == "Umweltamt – Klimaschutzmanagement"
    latest = snapshot(cockpit, Role.PUBLIC, NOW.date()).latest_start["co2-per-inhabitant"]
    assert view.rhythm_text == "jährlich" and view.last_data_text == str(latest.astimezone(LOCAL_TZ).year)
    english = build(cockpit, "co2-per-inhabitant", lang="en")
    assert english.rhythm_text == "yearly" and english.department == "Environment office – climate management"


def test_internal_indicators_exist_for_staff_only(cockpit):
    assert build(cockpit, "municipal-buildings-electricity") is None
    assert build(cockpit, "no-such-indicator") is None
    staff = build(cockpit, "municipal-buildings-electricity", role=Viewer(Role.INTERNAL, "anna", "umweltamt"))
    assert staff is not None and staff.internal and staff.series


@pytest.mark.parametrize("res", ["auto", "day", "week", "month", "year"])
def test_every_figure_stays_under_100_kb_of_json(cockpit, res):
    for indicator in cockpit.catalog.indicators:
        view = build(cockpit, indicator.id, role=Role.INTERNAL, res=res)
        assert figure_json_size(goal_figure(view)) < FIGURE_LIMIT, indicator.id
        go.Figure(goal_figure(view))  # plain dicts, but valid plotly figures (plotly's validation raises otherwise)
        if not view.annual_only:
            assert figure_json_size(series_figure(view)) < FIGURE_LIMIT, (indicator.id, view.grain)
            go.Figure(series_figure(view))


def test_linked_measures_mark_the_charts_and_have_a_table(cockpit):
    from layouts.components.chart import goal_figure, series_figure

    view = build(cockpit, "charge-points-per-1000")
    marks = [(m.measure_id, m.kind) for m in view.measures]
    assert ("charging-points-city-centre", "start") in marks
    goal = goal_figure(view)
    strip = [trace for trace in goal["data"] if trace.get("yaxis") == "y2"]  # a strip below the values
    # one symbol per kind and one legend entry for all ("Maßnahmen"); the hover names the measure and its kind,
    # the table below the chart lists them all
    assert [trace["name"] for trace in strip if trace.get("showlegend") is not False] == ["Maßnahmen"]
    assert len({trace["marker"]["symbol"] for trace in strip}) == len(strip)
    assert goal["layout"]["yaxis2"]["ticktext"] == ["Maßnahmen"]
    assert "Maßnahmen" in {annotation["text"] for annotation in goal["layout"]["annotations"]}  # named above it
    texts = {annotation["text"] for annotation in goal["layout"]["annotations"]}
    assert not texts & {mark.kind_text for mark in view.measures}  # no labels across the values any more
    hovers = [h for trace in series_figure(view)["data"] if trace.get("yaxis") == "y2" for h in trace["customdata"]]
    assert any("Ladepunkte" in h for h in hovers)


def test_measure_events_close_together_go_on_separate_rows_of_the_strip(cockpit):
    from dataclasses import replace

    from layouts.components.chart import MEASURE_ROWS, goal_figure

    view = build(cockpit, "co2-per-inhabitant")
    first = view.measures[0]
    crowded = tuple(replace(first, day=first.day.replace(month=1 + i % 12), measure_id=f"m{i}") for i in range(9))
    strip = [trace for trace in goal_figure(replace(view, measures=crowded))["data"] if trace.get("yaxis") == "y2"]
    rows = sorted(y for trace in strip for y in trace["y"])
    assert len(rows) == 9 and set(rows) == set(range(MEASURE_ROWS))  # 9 events in one year: all rows, no more


def test_internal_measures_mark_charts_of_staff_only(cockpit):
    public = build(cockpit, "municipal-buildings-electricity")
    staff = build(cockpit, "municipal-buildings-electricity", role=Role.INTERNAL)
    assert public is None  # the indicator itself is internal
    assert any(m.measure_id == "innovation-centre" for m in staff.measures)


@pytest.mark.parametrize("lang, caption, legend", [("de", "Werte je Woche", "Wert je Woche"),
                                                   ("en", "values per week", "Value per week")])
def test_the_resolution_reads_as_part_of_the_sentence(cockpit, lang, caption, legend):
    view = build(cockpit, "renewable-share-electricity", lang=lang)
    assert view.grain == "week" and view.table.caption.endswith(caption)
    names = [trace.get("name") for trace in series_figure(view)["data"]]
    assert legend in names
