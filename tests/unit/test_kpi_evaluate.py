"""Goal evaluation end to end: complete years, Y*, path, status, staleness, forecast, tree and JSON shape."""

import json
from datetime import date

import pandas as pd
import pytest

from cockpit.catalog.loader import parse_catalog
from cockpit.kpi import GoalEvaluation, evaluate_catalog, evaluate_goal


def indicator(ident, aggregation="last", rhythm="P1Y", grace=None):
    return {
        "id": ident,
        "name": {"de": ident, "en": ident},
        "description": {"de": "X", "en": "X"},
        "domain": "energy",
        "unit": "t",
        "aggregation": aggregation,
        "rhythm": rhythm,
        "grace": grace,
        "visibility": "public",
        "department": "A",
        "source": {"name": "S", "licence": "L", "attribution": "A"},
    }


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
    assert (result.year, result.value, result.status, result.stale) == (2025, 5.9, "at_risk", False)
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
        goals=[
            {
                **CO2_GOAL,
                "id": "g",
                "indicator": "i",
                "direction": "increase",
                "baseline": {"year": 2020, "value": 0.0},
                "milestones": [],
                "target": {"year": 2030, "value": 100.0},
            }
        ],
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
    assert result.status == "at_risk"


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
    # latest start 1 Jan 2025 Berlin + P1Y + P1Y = 1 Jan 2027
    assert evaluate(CO2_ROWS, date(2027, 1, 1)).stale is False
    assert evaluate(CO2_ROWS, date(2027, 1, 2)).stale is True


def test_staleness_uses_the_running_year_too():
    rows = [*CO2_ROWS, ("co2", "", "2026-01-01", 5.8)]
    assert evaluate(rows, date(2027, 1, 2)).stale is False


def test_increase_goal():
    cat = catalog(
        goals=[
            {
                **CO2_GOAL,
                "id": "re",
                "indicator": "re",
                "direction": "increase",
                "baseline": {"year": 2018, "value": 37.8},
                "milestones": [],
                "target": {"year": 2030, "value": 80.0},
            }
        ],
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
    assert result.stale is True  # 1 Jul 2025 + 1 day + 3 days = 5 Jul 2025
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
    assert [g.status for g in result.goals] == ["at_risk", "achieved", "at_risk", "no_data"]
    assert [n.to_dict() for n in result.tree] == [
        {"node": "green", "level": "vision", "counts": {"achieved": 1, "at_risk": 2}},
        {"node": "climate", "level": "field", "counts": {"achieved": 1, "at_risk": 1}},
        {"node": "waste", "level": "field", "counts": {"at_risk": 1}},
        {"node": "mobile", "level": "vision", "counts": {"no_data": 1}},
        {"node": "transit", "level": "field", "counts": {"no_data": 1}},
    ]


def test_field_without_goals_has_empty_counts():
    result = evaluate_catalog(catalog(), frame(CO2_ROWS), date(2026, 11, 22))
    counts = {n.node: n.counts for n in result.tree}
    assert counts == {
        "green": {"at_risk": 1},
        "climate": {"at_risk": 1},
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
        "status",
        "stale",
        "forecast",
    ]
    assert list(first["forecast"]) == ["value", "low", "high", "reached_year", "on_course"]
    assert type(first["value"]) is float and type(first["year"]) is int
    assert result["goals"][3] == {
        "goal": "none",
        "indicator": "empty",
        "year": None,
        "value": None,
        "expected": None,
        "progress": None,
        "status": "no_data",
        "stale": False,
        "forecast": None,
    }


def test_evaluation_get():
    result = evaluate_catalog(tree_catalog(), frame(CO2_ROWS), date(2026, 11, 22))
    assert result.get("co2-b").status == "achieved"
    with pytest.raises(KeyError):
        result.get("missing")
