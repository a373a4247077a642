"""The pathway rules, version 1: balance, BAU, measure effects, plan, target path, coverage and gap, budget."""

import pandas as pd
import pytest

from cockpit.catalog.models import Goal
from cockpit.kpi.pathway import (
    Budget,
    PathwayError,
    SectorEffect,
    balance,
    bau,
    bau_line,
    budget_state,
    compute,
    cost_effectiveness,
    coverage_and_gap,
    effect_in_year,
    measure_effects,
    plan,
    round_tonnes,
    target_tonnes,
    whole_tonnes,
)


def consumption(rows):
    return pd.DataFrame(rows, columns=["year", "sector", "carrier", "mwh", "grade"])


def factors(rows):
    return pd.DataFrame(rows, columns=["year", "carrier", "t_per_mwh"])


def goal(**overrides):
    data = dict(id="co2", indicator="co2-total", direction="decrease", baseline={"year": 2020, "value": 1000},
                milestones=[{"year": 2025, "value": 700}], target={"year": 2030, "value": 200}, source="x",
                field="climate")
    return Goal.model_validate(data | overrides)


# ---------------------------------------------------------------- balance

def test_emissions_are_consumption_times_factor_summed_per_sector_carrier_and_total():
    bal = balance(consumption([(2020, "households", "gas", 1000, "A"), (2020, "households", "power", 500, "B"),
                               (2020, "transport", "diesel", 200, "D")]),
                  factors([(2020, "gas", 0.25), (2020, "power", 0.4), (2020, "diesel", 0.3)]), {2020: 100})
    assert bal.total == {2020: pytest.approx(250 + 200 + 60)}
    assert bal.by_sector["households"][2020] == pytest.approx(450)
    assert bal.by_sector["transport"][2020] == pytest.approx(60)
    assert bal.by_carrier["power"][2020] == pytest.approx(200)
    assert bal.per_inhabitant[2020] == pytest.approx(5.1)
    assert bal.factor_carried_forward == []


def test_quality_is_consumption_weighted_with_a_1_b_half_c_quarter_d_0():
    bal = balance(consumption([(2020, "households", "gas", 600, "A"), (2020, "commerce", "gas", 200, "B"),
                               (2020, "industry", "gas", 100, "C"), (2020, "transport", "gas", 100, "D")]),
                  factors([(2020, "gas", 0.2)]))
    assert bal.quality[2020] == pytest.approx((600 + 100 + 25 + 0) / 1000)


def test_missing_factor_takes_the_latest_earlier_year_and_flags_the_year():
    bal = balance(consumption([(2019, "households", "gas", 100, "A"), (2021, "households", "gas", 100, "A"),
                               (2021, "households", "power", 100, "A")]),
                  factors([(2018, "gas", 0.3), (2019, "gas", 0.2), (2021, "power", 0.5)]))
    assert bal.total[2019] == pytest.approx(20)  # its own factor
    assert bal.total[2021] == pytest.approx(20 + 50)  # gas carried from 2019
    assert bal.factor_carried_forward == [2021]
    assert bal.carried == {2021: ["gas"]}


def test_a_carrier_without_any_earlier_factor_is_an_error_naming_carrier_and_year():
    with pytest.raises(PathwayError, match="'oil' in 2020"):
        balance(consumption([(2020, "households", "oil", 1, "A")]), factors([(2021, "oil", 0.3)]))


# ---------------------------------------------------------------- BAU

def test_bau_is_the_ols_line_through_the_last_five_years_never_below_zero():
    totals = {2015: 9999, 2016: 500, 2017: 400, 2018: 300, 2019: 200, 2020: 100}  # 2015 outside the window
    assert bau_line(totals) == pytest.approx((-100, 2020 * 100 + 100))
    values = bau(totals, range(2019, 2025))
    assert list(values) == [2021, 2022, 2023, 2024]  # only years after Y0
    assert values[2021] == pytest.approx(0)
    assert values[2022] == 0 and values[2024] == 0  # never below 0


def test_bau_uses_all_years_when_fewer_than_five_and_none_with_fewer_than_three():
    assert bau_line({2019: 300, 2020: 200, 2021: 100}) == pytest.approx((-100, 2021 * 100 + 100))
    assert bau_line({2020: 200, 2021: 100}) is None
    assert bau({2020: 200, 2021: 100}, range(2022, 2030)) == {}


def test_fewer_than_three_years_give_no_bau_plan_coverage_or_budget_year():
    p = compute(consumption([(2020, "households", "gas", 1000, "A"), (2021, "households", "gas", 900, "A")]),
                factors([(2020, "gas", 1.0)]), [SectorEffect("m", "households", 10, 2022, 2022)],
                goal(target={"year": 2030, "value": 1}), Budget(2020, 100))
    assert p.bau == {} and p.plan == {}
    assert p.result.coverage is None and p.result.gap is None
    assert p.budget_result.exhausted_year is None  # observed 1900 t > 100 t, but no plan: no budget year
    assert p.budget_result.remaining == pytest.approx(100 - 1900)


# ---------------------------------------------------------------- effects and plan

def test_ramp_from_start_to_full_year():
    e = SectorEffect("m", "households", 300, 2025, 2027)
    assert [effect_in_year(e, y) for y in (2024, 2025, 2026, 2027, 2028)] == [0, 100, 200, 300, 300]


def test_full_effect_in_the_start_year_when_full_year_equals_start_year():
    e = SectorEffect("m", "households", 50, 2025, 2025)
    assert [effect_in_year(e, y) for y in (2024, 2025, 2026)] == [0, 50, 50]


def test_effect_ends_after_end_year_and_open_without_one():
    ended = SectorEffect("m", "households", 100, 2025, 2026, end_year=2028)
    assert [effect_in_year(ended, y) for y in (2026, 2028, 2029, 2040)] == [100, 100, 0, 0]
    assert effect_in_year(SectorEffect("m", "households", 100, 2025, 2026), 2099) == 100
    early_end = SectorEffect("m", "households", 400, 2025, 2028, end_year=2026)  # ended during its ramp
    assert [effect_in_year(early_end, y) for y in (2025, 2026, 2027)] == [100, 200, 0]


def test_cancelled_measures_count_zero_and_effects_add_up_per_measure():
    effects = [SectorEffect("a", "households", 100, 2025, 2025), SectorEffect("a", "transport", 50, 2026, 2026),
               SectorEffect("b", "industry", 70, 2025, 2025, cancelled=True)]
    assert measure_effects(effects, [2025, 2026]) == {"a": {2025: 100, 2026: 150}, "b": {2025: 0, 2026: 0}}


def test_plan_is_bau_minus_effects_never_below_zero():
    assert plan({2025: 500, 2026: 100}, {2025: 200, 2026: 300}) == {2025: 300, 2026: 0}


# ---------------------------------------------------------------- target, coverage, gap

def test_target_path_interpolates_baseline_milestones_and_target():
    path = target_tonnes(goal(), [2020, 2022, 2025, 2030, 2031])
    assert path[2022] == pytest.approx(880) and path[2025] == 700 and path[2030] == 200 and path[2031] == 200


def test_per_inhabitant_goal_is_multiplied_by_the_population_and_needs_it():
    g = goal(indicator="co2-per-inhabitant", baseline={"year": 2020, "value": 6}, milestones=[],
             target={"year": 2030, "value": 4})
    path = target_tonnes(g, [2020, 2030], {2020: 100, 2022: 90})
    assert path == {2020: pytest.approx(600), 2030: pytest.approx(360)}  # 2030: last known population
    with pytest.raises(PathwayError, match="population"):
        target_tonnes(g, [2020])


def test_coverage_and_gap_at_the_target_year():
    r = coverage_and_gap(2030, {2030: 1000}, {2030: 300}, {2030: 700}, {2030: 500})
    assert r.needed == 500 and r.coverage == pytest.approx(0.6) and r.gap == pytest.approx(200)


def test_no_reduction_needed_gives_null_coverage_and_a_negative_gap():
    r = coverage_and_gap(2030, {2030: 400}, {2030: 50}, {2030: 350}, {2030: 500})
    assert r.needed == -100 and r.coverage is None and r.gap == pytest.approx(-150)
    zero = coverage_and_gap(2030, {2030: 500}, {2030: 0}, {2030: 500}, {2030: 500})
    assert zero.coverage is None and zero.gap == 0


# ---------------------------------------------------------------- budget

def test_budget_remaining_and_exhaustion_year_from_observed_then_plan():
    observed = {2019: 999, 2020: 100, 2021: 100, 2022: 100}
    state = budget_state(Budget(2020, 500), observed, {2023: 100, 2024: 100, 2025: 100})
    assert state.remaining == 200  # 2019 is before the budget's start
    assert state.exhausted_year == 2025  # 300 observed + 100 + 100 = 500 (not more) + 100 > 500


def test_budget_already_exceeded_in_an_observed_year():
    state = budget_state(Budget(2020, 150), {2020: 100, 2021: 100, 2022: 100}, {2023: 100})
    assert state.remaining == -150 and state.exhausted_year == 2021


def test_no_exhaustion_up_to_2100_gives_null():
    plan_values = {y: 0.0 for y in range(2023, 2101)}
    state = budget_state(Budget(2020, 1000), {2020: 100, 2021: 100, 2022: 100}, plan_values)
    assert state.remaining == 700 and state.exhausted_year is None
    assert budget_state(None, {2020: 1}, {}).remaining is None


# ---------------------------------------------------------------- the whole pathway

def test_compute_ties_the_rules_together_and_what_if_switches_measures_off():
    rows = [(y, "households", "gas", 1000 - 50 * (y - 2018), "A") for y in range(2018, 2023)]
    args = (consumption(rows), factors([(2018, "gas", 1.0)]),
            [SectorEffect("a", "households", 100, 2023, 2024), SectorEffect("b", "households", 30, 2025, 2025)],
            goal(baseline={"year": 2018, "value": 1000}, milestones=[], target={"year": 2030, "value": 300}),
            Budget(2018, 8000))
    p = compute(*args)
    assert p.y0 == 2022 and p.years == list(range(2018, 2031))
    assert p.bau[2030] == pytest.approx(1000 - 50 * 12)
    assert p.plan[2030] == pytest.approx(400 - 130)
    assert p.result.coverage == pytest.approx(130 / 100)
    assert p.result.gap == pytest.approx(-30)
    d = p.to_dict()
    assert d["effects"]["a"] == {str(y): (50.0 if y == 2023 else 100.0) for y in range(2023, 2031)}
    assert d["observed"]["2018"] == 1000 and "2023" not in d["observed"] and "2022" not in d["bau"]
    off = compute(*args, switched_off=["a"])
    assert off.plan[2030] == pytest.approx(400 - 30)
    assert off.result.gap == pytest.approx(70) and off.result.coverage == pytest.approx(0.3)
    assert set(off.to_dict()) == {"y0", "years", "observed", "by_sector", "quality", "factor_carried_forward",
                                  "bau", "effects", "plan", "target", "coverage", "gap", "budget_remaining",
                                  "budget_exhausted_year"}


def test_cost_per_tonne_over_the_life_with_open_effects_counting_twenty_years():
    ended = cost_effectiveness([SectorEffect("m", "transport", 100, 2025, 2026, end_year=2029)], 10_000, 1_000)
    assert ended.tonnes == 50 + 100 * 4 and ended.cost_eur == 10_000 + 5 * 1_000
    assert ended.eur_per_tonne == pytest.approx(15_000 / 450)
    open_ = cost_effectiveness([SectorEffect("m", "transport", 10, 2025, 2025)], 2_000, 0)
    assert (open_.first_year, open_.last_year, open_.tonnes) == (2025, 2044, 200)
    assert cost_effectiveness([SectorEffect("m", "transport", 10, 2025, 2025, cancelled=True)], 1, 1) is None
    assert cost_effectiveness([], 1, 1) is None


def test_one_rounding_rule_for_published_and_shown_tonnes():
    """The API publishes 0.1 t (halves away from zero, in decimal); pages and reports show whole tonnes of that
    published figure, so a reader rounding the API's number gets the page's digits (3002.46 t: API 3002.5, page
    3.003 t, never 3.002)."""
    assert [round_tonnes(v) for v in (3002.46, 3002.44, 2.25, -2.25, 0.05)] == [3002.5, 3002.4, 2.3, -2.3, 0.1]
    assert [whole_tonnes(v) for v in (3002.46, 3002.44, 2.5, -2.5)] == [3003.0, 3002.0, 3.0, -3.0]
    assert round_tonnes(None) is None and whole_tonnes(float("nan")) is None
