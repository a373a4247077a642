"""Goal evaluation end to end: complete years, Y*, path, status, staleness, forecast, tree and JSON shape."""

import json
from datetime import date

import pandas as pd
import pytest

from cockpit.catalog.loader import parse_catalog
from cockpit.kpi import GoalEvaluation, evaluate_catalog, evaluate_goal
from tests.unit.kpi_support import indicator

CO2_GOAL = {
    "id": "co2",
    "indicator": "co2",
    "direction": "decrease",
    "baseline": {"year": 1990, "value": 9.8},
    "milestones": [{"year": 2020, "value": 6.5}],
    "target": {"year": 2030, "value": 4.9},
    "tolerance": 0.10,
    "trend_window": 5,
    "source": "test",
    "field": "climate",
}


def catalog(goals=None, indicators=None):
    return parse_catalog(
        {
            "city": "Test",
            "population": 1000,
            "visions": [
                {"id": "green", "name": {"de": "Grün", "en": "Green"}},
                {"id": "mobile", "name": {"de": "Mobil", "en": "Mobile"}},
            ],
            "fields": [
                {
                    "id": "climate",
                    "name": {"de": "K", "en": "C"},
                    "vision": "green",
                    "dimension": "ecological",
                },
                {"id": "waste", "name": {"de": "A", "en": "W"}, "vision": "green", "dimension": "economic"},
                {"id": "transit", "name": {"de": "Ö", "en": "T"}, "vision": "mobile", "dimension": "social"},
            ],
            "districts": [{"id": "lusan", "name": "Lusan"}],
            "indicators": indicators or [indicator("co2", "last", "P1Y", "P1Y")],
            "goals": [CO2_GOAL] if goals is None else goals,
        }
    )


def increase_goal(ident: str, indicator_id: str, baseline: tuple[int, float], target: tuple[int, float]) -> dict:
    """A goal like CO2_GOAL, but rising from `baseline` to `target` (year, value) without milestones."""
    return CO2_GOAL | {"id": ident, "indicator": indicator_id, "direction": "increase", "milestones": [],
                       "baseline": {"year": baseline[0], "value": baseline[1]},
                       "target": {"year": target[0], "value": target[1]}}


def frame(rows):
    """rows: (indicator, district, period_start in Berlin local time 'YYYY-MM-DD', value)."""
    indicator_ids, districts, starts, values = (
        (list(c) for c in zip(*rows, strict=True)) if rows else [[]] * 4
    )
    local = pd.to_datetime(pd.Series(starts, dtype="str")).dt.tz_localize("Europe/Berlin")
    return pd.DataFrame(
        {
            "indicator": pd.Series(indicator_ids, dtype="str"),
            "district": pd.Series(districts, dtype="str"),
            "period_start": local.dt.tz_convert("UTC"),
            "value": pd.Series(values, dtype="float64"),
        }
    )


def yearly(ident, values: dict[int, float], district=""):
    return [(ident, district, f"{year}-01-01", value) for year, value in values.items()]


CO2_ROWS = yearly("co2", {2021: 6.4, 2022: 6.2, 2023: 6.1, 2024: 6.0, 2025: 5.9})


def evaluate(rows, at, goal_index=0, cat=None):
    cat = cat or catalog()
    goal = cat.goals[goal_index]
    return evaluate_goal(goal, cat.indicator(goal.indicator), frame(rows), at)


def test_issue_example():
    result = evaluate(CO2_ROWS, date(2026, 11, 22))
    # behind the path within the tolerance, and the trend reaches the target only in 2034: one level worse
    assert (result.year, result.value, result.position, result.status, result.stale) == (
        2025, 5.9, "at_risk", "off_track", False)
    assert result.reason == "behind+late"
    assert result.expected == pytest.approx(5.7)
    assert result.progress == pytest.approx(3.9 / 4.9)
    assert result.forecast.value == pytest.approx(5.28)
    assert result.forecast.reached_year == 2034
    assert result.forecast.on_course is False
    assert result.annual.to_dict() == {2021: 6.4, 2022: 6.2, 2023: 6.1, 2024: 6.0, 2025: 5.9}


def test_the_running_year_is_excluded():
    rows = [*CO2_ROWS, ("co2", "", "2026-01-01", 3.0)]
    result = evaluate(rows, date(2026, 11, 22))
    assert result.year == 2025
    assert 2026 not in result.annual.index


def test_a_year_is_complete_once_at_is_in_the_next_year():
    rows = [*CO2_ROWS, ("co2", "", "2026-01-01", 4.0)]
    assert evaluate(rows, date(2027, 1, 1)).year == 2026
    assert evaluate(rows, date(2026, 12, 31)).year == 2025


def test_partial_earlier_year_counts_and_running_year_does_not():
    cat = catalog(
        goals=[CO2_GOAL | {"id": "waste", "indicator": "waste", "field": "waste"}],
        indicators=[indicator("waste", "sum", "P1M", "P3M")],
    )
    rows = [("waste", "", f"2024-{m:02d}-01", 1.0) for m in range(1, 13)]
    rows += [("waste", "", f"2025-{m:02d}-01", 2.0) for m in (3, 4, 5)]  # only three months
    rows += [("waste", "", f"2026-{m:02d}-01", 100.0) for m in (1, 2)]  # the running year
    result = evaluate(rows, date(2026, 3, 15), cat=cat)
    assert result.year == 2025
    assert result.value == 6.0
    assert result.annual.to_dict() == {2024: 12.0, 2025: 6.0}
    assert result.stale is False  # latest start 1 Feb 2026 + 1 month + 3 months = 1 Jun 2026


def test_year_of_a_period_starting_at_berlin_new_year():
    """1 Jan 2025 00:00 Berlin is 31 Dec 2024 23:00 UTC and belongs to 2025."""
    result = evaluate(yearly("co2", {2025: 5.9}), date(2026, 6, 1))
    assert result.year == 2025


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", 6.0), ("mean", 2.0), ("last", 1.0)],
)
def test_all_three_aggregations(aggregation, expected):
    cat = catalog(
        goals=[increase_goal("g", "i", (2020, 0.0), (2030, 100.0))],
        indicators=[indicator("i", aggregation, "P1M")],
    )
    rows = [("i", "", "2025-03-01", 3.0), ("i", "", "2025-09-01", 1.0), ("i", "", "2025-05-01", 2.0)]
    assert evaluate(rows, date(2026, 1, 10), cat=cat).value == expected


def test_district_rows_and_other_indicators_are_ignored():
    rows = [
        *CO2_ROWS,
        *yearly("co2", {2025: 1.0, 2026: 1.0}, district="lusan"),
        *yearly("other", {2025: 0.0, 2026: 0.0}),
    ]
    result = evaluate(rows, date(2026, 11, 22))
    assert result.value == 5.9
    assert result.position == "at_risk"


def test_only_district_rows_is_no_data_and_not_stale():
    result = evaluate(yearly("co2", {2020: 5.0, 2021: 4.0}, district="lusan"), date(2026, 11, 22))
    assert result.status == "no_data"
    assert result.stale is False


def test_no_data():
    result = evaluate([], date(2026, 11, 22))
    assert result.status == "no_data"
    assert result.stale is False
    assert (result.year, result.value, result.expected, result.progress, result.forecast) == (None,) * 5
    assert result.annual.empty


def test_only_running_year_data_is_no_data_but_staleness_is_computed():
    result = evaluate([("co2", "", "2026-01-01", 5.0)], date(2026, 11, 22))
    assert result.status == "no_data"
    assert result.stale is False
    assert evaluate([("co2", "", "2024-01-01", 5.0)], date(2024, 11, 22)).stale is False


def test_milestone_exactly_at_y_star():
    result = evaluate(yearly("co2", {2018: 7.0, 2019: 6.8, 2020: 6.6}), date(2021, 5, 1))
    assert result.year == 2020
    assert result.expected == 6.5
    assert result.status == "at_risk"  # s = 0.1 / 4.9


def test_target_already_achieved():
    result = evaluate(yearly("co2", {2022: 5.5, 2023: 5.0, 2024: 4.8}), date(2025, 2, 1))
    assert result.status == "achieved"
    assert result.progress == pytest.approx(5.0 / 4.9)
    assert result.forecast.on_course is True


def test_after_the_target_year_expected_is_the_target():
    result = evaluate(yearly("co2", {2031: 5.0, 2032: 5.0}), date(2033, 2, 1))
    assert result.expected == 4.9
    assert result.status == "at_risk"
    assert result.forecast is None  # fewer than 3 points


def test_before_the_baseline_year_expected_is_the_baseline():
    cat = catalog(goals=[CO2_GOAL | {"baseline": {"year": 2020, "value": 9.8}, "milestones": []}])
    result = evaluate(yearly("co2", {2018: 9.9}), date(2019, 3, 1), cat=cat)
    assert result.expected == 9.8
    assert result.status == "at_risk"  # (9.9 - 9.8) / 4.9 = 0.02 behind the clamped path


def test_stale_boundary_through_evaluate():
    # Y* = 2025 (start 1 Jan 2025 Berlin) + 2 * P1Y + P1Y lag = 1 Jan 2028
    assert evaluate(CO2_ROWS, date(2028, 1, 1)).stale is False
    assert evaluate(CO2_ROWS, date(2028, 1, 2)).stale is True


def test_a_value_of_the_running_year_moves_y_star_and_staleness_on():
    rows = [*CO2_ROWS, ("co2", "", "2026-01-01", 5.8)]
    assert evaluate(rows, date(2028, 1, 2)).stale is False  # judged on 2026 from 2027 on


def test_increase_goal():
    cat = catalog(
        goals=[increase_goal("re", "re", (2018, 37.8), (2030, 80.0))],
        indicators=[indicator("re", "mean", "P1D", "P3D")],
    )
    rows = [
        ("re", "", f"{year}-{m:02d}-01", value)
        for year, value in {2023: 50.0, 2024: 52.0, 2025: 54.0}.items()
        for m in (1, 7)
    ]
    result = evaluate(rows, date(2026, 1, 3), cat=cat)
    assert result.value == 54.0
    assert result.expected == pytest.approx(37.8 + 42.2 * 7 / 12)
    assert result.status == "off_track"  # shortfall (62.4167 - 54) / 42.2 = 0.199
    # judged on the complete year 2025: a daily series that paused in July 2025 does not make the goal stale
    assert result.stale is False
    assert evaluate(rows, date(2027, 1, 4), cat=cat).stale is False  # the 2026 value: 1 Jan 2027 + P3D lag
    assert evaluate(rows, date(2027, 1, 5), cat=cat).stale is True
    assert result.forecast.value == pytest.approx(64.0)
    assert result.forecast.reached_year == 2038  # 54 + 2 * 13 = 80


def test_evaluation_annual_is_for_charts():
    result = evaluate(CO2_ROWS, date(2026, 11, 22))
    assert isinstance(result, GoalEvaluation)
    assert result.annual.index.tolist() == [2021, 2022, 2023, 2024, 2025]


def tree_catalog():
    goals = [
        CO2_GOAL,
        CO2_GOAL | {"id": "co2-b", "target": {"year": 2030, "value": 5.9}},
        CO2_GOAL | {"id": "co2-c", "field": "waste"},
        CO2_GOAL | {"id": "none", "indicator": "empty", "field": "transit"},
    ]
    return catalog(goals=goals, indicators=[indicator("co2", "last", "P1Y", "P1Y"), indicator("empty")])


def test_tree_counts_per_field_and_vision():
    result = evaluate_catalog(tree_catalog(), frame(CO2_ROWS), date(2026, 11, 22))
    assert [g.status for g in result.goals] == ["off_track", "achieved", "off_track", "no_data"]
    assert [n.to_dict() for n in result.tree] == [
        {"node": "green", "level": "vision", "counts": {"achieved": 1, "off_track": 2}},
        {"node": "climate", "level": "field", "counts": {"achieved": 1, "off_track": 1}},
        {"node": "waste", "level": "field", "counts": {"off_track": 1}},
        {"node": "mobile", "level": "vision", "counts": {"no_data": 1}},
        {"node": "transit", "level": "field", "counts": {"no_data": 1}},
    ]


def test_field_without_goals_has_empty_counts():
    result = evaluate_catalog(catalog(), frame(CO2_ROWS), date(2026, 11, 22))
    counts = {n.node: n.counts for n in result.tree}
    assert counts == {
        "green": {"off_track": 1},
        "climate": {"off_track": 1},
        "waste": {},
        "mobile": {},
        "transit": {},
    }


def test_to_dict_is_the_documented_json():
    result = evaluate_catalog(tree_catalog(), frame(CO2_ROWS), date(2026, 11, 22)).to_dict()
    json.dumps(result)  # plain JSON types only
    assert result["at"] == "2026-11-22"
    first = result["goals"][0]
    assert list(first) == [
        "goal",
        "indicator",
        "year",
        "value",
        "expected",
        "progress",
        "position",
        "status",
        "reason",
        "stale",
        "forecast",
    ]
    assert (first["position"], first["status"], first["reason"]) == ("at_risk", "off_track", "behind+late")
    assert list(first["forecast"]) == ["value", "low", "high", "reached_year", "on_course"]
    assert type(first["value"]) is float and type(first["year"]) is int
    assert result["goals"][3] == {
        "goal": "none",
        "indicator": "empty",
        "year": None,
        "value": None,
        "expected": None,
        "progress": None,
        "position": "no_data",
        "status": "no_data",
        "reason": "no_data",
        "stale": False,
        "forecast": None,
    }


def test_evaluation_get():
    result = evaluate_catalog(tree_catalog(), frame(CO2_ROWS), date(2026, 11, 22))
    assert result.get("co2-b").status == "achieved"
    with pytest.raises(KeyError):
        result.get("missing")


INCREASE_GOAL = CO2_GOAL | {"id": "re", "indicator": "co2", "direction": "increase", "milestones": [],
                            "baseline": {"year": 2020, "value": 40.0}, "target": {"year": 2030, "value": 80.0}}


@pytest.mark.parametrize(
    ("values", "position", "status", "reason"),
    [
        # on the path (2025 path 60), trend +4/year reaches 80 in 2030: on course
        ({2023: 52.0, 2024: 56.0, 2025: 60.0}, "on_track", "on_track", "on_track+on_course"),
        # on the path, trend +2/year reaches 80 only in 2035: one level worse
        ({2023: 56.0, 2024: 58.0, 2025: 60.0}, "on_track", "at_risk", "on_track+late"),
        # on the path but falling: never reached
        ({2023: 64.0, 2024: 62.0, 2025: 61.0}, "on_track", "at_risk", "on_track+never"),
        # slightly behind (58 vs 60, 0.05 of the span), trend +6/year reaches 80 in 2029: a good trend never upgrades
        ({2023: 46.0, 2024: 52.0, 2025: 58.0}, "at_risk", "at_risk", "behind+on_course"),
        # slightly behind and too slow: off track
        ({2023: 56.0, 2024: 57.0, 2025: 58.0}, "at_risk", "off_track", "behind+late"),
        # clearly behind and too slow: stays off track
        ({2023: 48.0, 2024: 49.0, 2025: 50.0}, "off_track", "off_track", "behind+late"),
        # clearly behind, good trend: still off track
        ({2023: 30.0, 2024: 40.0, 2025: 50.0}, "off_track", "off_track", "behind+on_course"),
        # target reached: achieved stays
        ({2023: 70.0, 2024: 75.0, 2025: 81.0}, "achieved", "achieved", "achieved"),
        # no forecast (two years): status = position
        ({2024: 58.0, 2025: 58.0}, "at_risk", "at_risk", "behind+none"),
        ({2024: 56.0, 2025: 61.0}, "on_track", "on_track", "on_track+none"),
    ],
)
def test_status_is_the_position_made_worse_by_a_forecast_not_on_course(values, position, status, reason):
    cat = catalog(goals=[INCREASE_GOAL])
    result = evaluate(yearly("co2", values), date(2026, 3, 1), cat=cat)
    assert (result.position, result.status, result.reason) == (position, status, reason)
