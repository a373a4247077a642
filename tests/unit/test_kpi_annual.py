"""Annual values: calendar years in Europe/Berlin, the three aggregations, city-wide selection."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from cockpit.kpi import annual_values, city_observations, latest_period_start, local_years


def frame(rows):
    """rows: (indicator, district, period_start as 'YYYY-MM-DDTHH:MM' UTC, value)."""
    indicator, district, start, value = zip(*rows, strict=True) if rows else ([], [], [], [])
    return pd.DataFrame(
        {
            "indicator": pd.Series(list(indicator), dtype="str"),
            "district": pd.Series(list(district), dtype="str"),
            "period_start": pd.to_datetime(list(start), utc=True),
            "value": pd.Series(list(value), dtype="float64"),
        }
    )


MONTHS_2024 = [("x", "", f"2024-{m:02d}-15T00:00", float(m)) for m in range(1, 13)]


def test_sum_adds_all_observations_of_the_year():
    assert annual_values(frame(MONTHS_2024), "sum").to_dict() == {2024: 78.0}


def test_mean_averages_the_observations_of_the_year():
    assert annual_values(frame(MONTHS_2024), "mean").to_dict() == {2024: 6.5}


def test_last_takes_the_latest_period_start_not_the_last_row():
    rows = [
        ("x", "", "2024-12-01T00:00", 12.0),
        ("x", "", "2024-03-01T00:00", 3.0),
        ("x", "", "2024-06-01T00:00", 6.0),
    ]
    assert annual_values(frame(rows), "last").to_dict() == {2024: 12.0}


def test_years_are_berlin_calendar_years():
    rows = [
        ("x", "", "2024-12-31T23:00", 1.0),  # 1 Jan 2025 00:00 in Berlin
        ("x", "", "2025-12-31T22:59", 2.0),  # 31 Dec 2025 23:59 in Berlin
        ("x", "", "2025-12-31T23:00", 4.0),  # 1 Jan 2026 00:00 in Berlin
        ("x", "", "2024-06-30T22:00", 8.0),  # 1 Jul 2024 00:00 in Berlin (summer time)
    ]
    assert annual_values(frame(rows), "sum").to_dict() == {2024: 8.0, 2025: 3.0, 2026: 4.0}


def test_index_is_int_years_ascending():
    rows = [("x", "", "2026-01-15T00:00", 1.0), ("x", "", "2023-01-15T00:00", 2.0)]
    annual = annual_values(frame(rows), "mean")
    assert list(annual.index) == [2023, 2026]
    assert annual.index.dtype == "int64"


def test_rows_without_value_are_ignored():
    rows = [("x", "", "2024-01-15T00:00", 1.0), ("x", "", "2024-02-15T00:00", float("nan"))]
    assert annual_values(frame(rows), "mean").to_dict() == {2024: 1.0}
    assert annual_values(frame(rows), "last").to_dict() == {2024: 1.0}


def test_empty_frame_gives_empty_series():
    annual = annual_values(frame([]), "sum")
    assert annual.empty


def test_unknown_aggregation_is_rejected():
    with pytest.raises(ValueError, match="aggregation"):
        annual_values(frame(MONTHS_2024), "median")


def test_naive_period_starts_are_rejected():
    naive = pd.Series(pd.to_datetime(["2024-01-01"]))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_years(naive)


def test_city_observations_drop_districts_and_other_indicators():
    rows = [
        ("x", "", "2024-01-15T00:00", 1.0),
        ("x", "lusan", "2024-01-15T00:00", 100.0),
        ("y", "", "2024-01-15T00:00", 1000.0),
    ]
    selected = city_observations(frame(rows), "x")
    assert selected["value"].tolist() == [1.0]


def test_missing_district_counts_as_city_wide():
    data = frame([("x", "", "2024-01-15T00:00", 1.0), ("x", "lusan", "2024-01-15T00:00", 2.0)])
    data = data.assign(district=pd.Series([None, "lusan"], dtype="object"))
    assert city_observations(data, "x")["value"].tolist() == [1.0]


def test_latest_period_start_is_city_wide_and_utc():
    rows = [
        ("x", "", "2024-01-15T00:00", 1.0),
        ("x", "", "2024-03-15T00:00", 1.0),
        ("x", "lusan", "2024-09-15T00:00", 1.0),
        ("y", "", "2025-01-15T00:00", 1.0),
    ]
    assert latest_period_start(frame(rows), "x") == datetime(2024, 3, 15, tzinfo=UTC)
    assert latest_period_start(frame(rows), "z") is None
