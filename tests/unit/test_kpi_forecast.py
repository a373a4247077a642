"""Trend forecast: OLS line, 80 % prediction interval, year the target is reached, on course."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cockpit.kpi import forecast
from tests.unit.kpi_support import make_goal

goal = make_goal


def trend_goal(direction: str, baseline: tuple[int, float], target: tuple[int, float], window: int):
    return goal(direction=direction, baseline={"year": baseline[0], "value": baseline[1]},
                target={"year": target[0], "value": target[1]}, trend_window=window)


def increase(target_year=2023, target=10.0, window=5):
    return trend_goal("increase", (2019, 0.0), (target_year, target), window)


def decrease(target_year=2030, target=4.9, window=5):
    return trend_goal("decrease", (2010, 10.0), (target_year, target), window)


def series(values: dict[int, float]) -> pd.Series:
    return pd.Series(values, dtype="float64")


def test_tiny_data_set_against_hand_computation():
    """Points (2020, 1), (2021, 2), (2022, 4): slope 1.5, mean 7/3, SSE 1/6, n - 2 = 1.

    At x0 = 2023: y = 7/3 + 1.5 * 2 = 16/3; the t quantile with 1 degree of freedom is the Cauchy
    quantile tan(0.4 pi); half width = tan(0.4 pi) * sqrt(1/6) * sqrt(1 + 1/3 + 4/2) = tan(0.4 pi) * sqrt(5) / 3.
    """
    result = forecast(increase(), series({2020: 1.0, 2021: 2.0, 2022: 4.0}), 2022, "off_track")
    half = math.tan(0.4 * math.pi) * math.sqrt(5) / 3
    assert result.value == pytest.approx(16 / 3, rel=1e-12)
    assert result.low == pytest.approx(16 / 3 - half, rel=1e-9)
    assert result.high == pytest.approx(16 / 3 + half, rel=1e-9)
    # 7/3 + 1.5 (y - 2021) >= 10  <=>  y >= 2026.1
    assert result.reached_year == 2027
    assert result.on_course is False


def test_prediction_interval_against_independent_matrix_computation():
    years = np.array([2019, 2020, 2021, 2022, 2023, 2024])
    values = np.array([7.9, 7.4, 7.5, 6.8, 6.9, 6.1])
    g = decrease(target_year=2030, target=4.9, window=6)
    result = forecast(g, series(dict(zip(years.tolist(), values.tolist(), strict=True))), 2024, "at_risk")

    coefficients = np.polyfit(years - 2000, values, 1)
    design = np.column_stack([np.ones(len(years)), years - 2000.0])
    residuals = values - np.polyval(coefficients, years - 2000)
    s2 = residuals @ residuals / (len(years) - 2)
    x0 = np.array([1.0, 30.0])
    se = math.sqrt(s2 * (1 + x0 @ np.linalg.inv(design.T @ design) @ x0))
    quantile = stats.t.ppf(0.90, len(years) - 2)
    predicted = np.polyval(coefficients, 30.0)

    assert result.value == pytest.approx(predicted, rel=1e-10)
    assert result.low == pytest.approx(predicted - quantile * se, rel=1e-9)
    assert result.high == pytest.approx(predicted + quantile * se, rel=1e-9)
    reached = next(y for y in range(2025, 2101) if np.polyval(coefficients, y - 2000) <= 4.9)
    assert result.reached_year == reached


def test_perfect_fit_has_no_interval():
    result = forecast(decrease(target=5.0), series({2020: 10.0, 2021: 9.0, 2022: 8.0}), 2022, "on_track")
    assert result.value == result.low == result.high == 0.0
    assert result.reached_year == 2025  # the line meets the target exactly


def test_perfect_fit_with_decimal_values_ignores_float_noise():
    result = forecast(
        decrease(target=4.9), series({2020: 6.4, 2021: 6.1, 2022: 5.8, 2023: 5.5}), 2023, "on_track"
    )
    assert result.low == result.high == result.value
    assert result.value == pytest.approx(6.4 - 0.3 * 10)
    assert result.reached_year == 2025  # 5.8 - 3 * 0.3 = 4.9 exactly at the target
    assert result.on_course is True


def test_fewer_than_three_points_give_no_forecast():
    assert forecast(decrease(), series({2021: 9.0, 2022: 8.0}), 2022, "on_track") is None
    assert forecast(decrease(), series({}), 2022, "on_track") is None


def test_only_years_in_the_trend_window_count():
    data = series({2016: 100.0, 2017: 100.0, 2020: 9.0, 2021: 8.5, 2022: 8.0})
    result = forecast(decrease(window=3), data, 2022, "on_track")
    assert result.value == pytest.approx(8.0 - 0.5 * 8)
    sparse = series({2016: 100.0, 2017: 100.0, 2021: 8.5, 2022: 8.0})  # window (2019, 2022]: two points
    assert forecast(decrease(window=3), sparse, 2022, "on_track") is None


def test_years_without_data_in_the_window_are_skipped():
    data = series({2018: 10.0, 2020: 9.0, 2022: 8.0})  # window (2017, 2022]: three points with gaps
    result = forecast(decrease(), data, 2022, "on_track")
    assert result.value == pytest.approx(8.0 - 0.5 * 8)


def test_years_after_the_last_complete_year_are_ignored():
    data = series({2020: 9.0, 2021: 8.5, 2022: 8.0, 2023: 100.0})
    result = forecast(decrease(), data, 2022, "on_track")
    assert result.value == pytest.approx(4.0)


def test_trend_away_from_the_target_is_never_reached():
    result = forecast(decrease(), series({2020: 8.0, 2021: 8.5, 2022: 9.0}), 2022, "off_track")
    assert result.reached_year is None
    assert result.on_course is False


def test_reached_year_search_ends_in_2100():
    # slope -0.01 per year from 8.0 in 2022: 4.9 would be reached in 2332
    result = forecast(decrease(), series({2020: 8.02, 2021: 8.01, 2022: 8.0}), 2022, "off_track")
    assert result.reached_year is None


def test_reached_before_the_target_year_is_on_course():
    result = forecast(decrease(target_year=2030), series({2020: 8.0, 2021: 7.5, 2022: 7.0}), 2022, "at_risk")
    assert result.reached_year == 2027  # 7.0 - 0.5 * 5 = 4.5 <= 4.9, 2026: 5.0
    assert result.on_course is True


def test_reached_exactly_in_the_target_year_is_on_course():
    result = forecast(
        decrease(target_year=2026, target=5.0), series({2020: 8.0, 2021: 7.5, 2022: 7.0}), 2022, "at_risk"
    )
    assert result.reached_year == 2026
    assert result.on_course is True


def test_achieved_is_on_course_even_with_trend_away():
    # achieved in 2022 (4.8 <= 4.9) but rising: the line is 5.2 in 2023 and never below 4.9 again
    result = forecast(decrease(target=4.9), series({2020: 4.0, 2021: 4.4, 2022: 4.8}), 2022, "achieved")
    assert result.reached_year is None
    assert result.on_course is True


def test_reached_year_starts_after_the_last_complete_year():
    # already below the target in 2022 and still falling: the first year searched is 2023
    result = forecast(decrease(target=4.9), series({2020: 5.0, 2021: 4.5, 2022: 4.0}), 2022, "achieved")
    assert result.reached_year == 2023


def test_forecast_to_dict():
    result = forecast(decrease(target=5.0), series({2020: 10.0, 2021: 9.0, 2022: 8.0}), 2022, "on_track")
    assert result.to_dict() == {
        "value": 0.0,
        "low": 0.0,
        "high": 0.0,
        "reached_year": 2025,
        "on_course": True,
    }
