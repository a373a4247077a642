"""Staleness (goal rules v2): latest start + 2·rhythm + publication lag in Berlin calendar time, exact boundaries."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cockpit.catalog.models import Indicator
from cockpit.kpi import due_by, is_stale, is_year_stale, next_period_start, year_due_by
from tests.unit.kpi_support import INDICATOR

BERLIN = ZoneInfo("Europe/Berlin")


def indicator(rhythm: str, lag: str | None = None, key: str = "publication_lag") -> Indicator:
    return Indicator.model_validate(INDICATOR | {"rhythm": rhythm, key: lag})


def berlin_midnight(year, month, day) -> datetime:
    """A period start at local midnight, stored as UTC like every observation."""
    return datetime(year, month, day, tzinfo=BERLIN).astimezone(UTC)


def test_annual_value_with_18_months_lag_boundary_day_is_not_stale_the_next_day_is():
    """CO2 balance 2024 (start 1 Jan 2024): the 2025 value ends 1 Jan 2026 and is due 18 months later."""
    ind = indicator("P1Y", "P18M")
    latest = berlin_midnight(2024, 1, 1)  # 2023-12-31T23:00Z
    assert due_by(ind, latest) == datetime(2027, 7, 1, tzinfo=BERLIN)
    assert next_period_start(ind, latest) == datetime(2025, 1, 1, tzinfo=BERLIN)
    assert not is_stale(ind, latest, date(2027, 7, 1))
    assert is_stale(ind, latest, date(2027, 7, 2))


def test_annual_value_is_not_asked_for_before_the_next_year_is_over():
    """The issue's bug: 2025 data with a 6-month lag was called stale in 2026; now the 2026 value is due 1 Jul 2027."""
    ind = indicator("P1Y", "P6M")
    latest = berlin_midnight(2025, 1, 1)
    assert not is_stale(ind, latest, date(2026, 11, 28))
    assert not is_stale(ind, latest, date(2027, 7, 1))
    assert is_stale(ind, latest, date(2027, 7, 2))


# (rhythm, publication lag or None for the rhythm, latest period start, the day its successor is due by)
BOUNDARIES = [
    # October 2026 with P1M lag: November ends 1 Dec, its value is due 1 Jan 2027
    pytest.param("P1M", "P1M", (2026, 10, 1), date(2027, 1, 1), id="monthly"),
    # 31 Jan + 2 months = 31 Mar; + P1M lag = 30 Apr (the lag is added after the doubled rhythm)
    pytest.param("P1M", "P1M", (2025, 1, 31), date(2025, 4, 30), id="monthly-from-january-31"),
    pytest.param("P1Y", None, (2024, 2, 29), date(2027, 2, 28), id="yearly-from-february-29"),
    pytest.param("P1M", None, (2025, 3, 1), date(2025, 6, 1), id="lag-defaults-to-the-rhythm"),
]


@pytest.mark.parametrize(("rhythm", "lag", "latest", "due"), BOUNDARIES)
def test_the_due_day_is_not_stale_the_next_day_is(rhythm, lag, latest, due):
    ind = indicator(rhythm, lag)
    latest = berlin_midnight(*latest)
    assert due_by(ind, latest).date() == due
    assert not is_stale(ind, latest, due)
    assert is_stale(ind, latest, due + timedelta(days=1))


def test_grace_is_a_deprecated_alias_of_the_publication_lag():
    assert indicator("P1M", "P2M", key="grace").lag == indicator("P1M", "P2M").lag
    latest = berlin_midnight(2025, 1, 1)
    assert due_by(indicator("P1M", "P2M", key="grace"), latest).date() == date(2025, 5, 1)


def test_daily_rhythm_with_two_days_lag():
    ind = indicator("P1D", "P2D")
    latest = berlin_midnight(2026, 11, 18)  # the 19th ends on the 20th, due on the 22nd
    assert not is_stale(ind, latest, date(2026, 11, 22))
    assert is_stale(ind, latest, date(2026, 11, 23))


def test_hourly_rhythm_with_a_date_counts_the_whole_day():
    ind = indicator("PT1H", "PT3H")
    latest = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # due 15:00 UTC
    assert not is_stale(ind, latest, date(2026, 11, 22))
    assert is_stale(ind, latest, date(2026, 11, 23))


def test_hourly_rhythm_with_a_datetime_is_exact():
    ind = indicator("PT1H", "PT3H")
    latest = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert not is_stale(ind, latest, datetime(2026, 11, 22, 15, 0, tzinfo=UTC))
    assert is_stale(ind, latest, datetime(2026, 11, 22, 15, 0, 1, tzinfo=UTC))


def test_no_observations_is_not_stale():
    assert is_stale(indicator("P1D"), None, date(2030, 1, 1)) is False


@pytest.mark.parametrize("at", [date(2020, 1, 1), date(2025, 1, 1)])
def test_latest_start_after_at_is_not_stale(at):
    assert not is_stale(indicator("P1D", "P1D"), berlin_midnight(2025, 6, 1), at)


def test_a_goal_judged_on_a_complete_year_is_stale_only_when_the_next_annual_value_is_overdue():
    """A daily series judged on 2025: the 2026 value ends 1 Jan 2027 and is due two days later."""
    ind = indicator("P1D", "P2D")
    assert year_due_by(ind, 2025) == datetime(2027, 1, 3, tzinfo=BERLIN)
    assert not is_year_stale(ind, 2025, date(2027, 1, 3))
    assert is_year_stale(ind, 2025, date(2027, 1, 4))
    assert not is_year_stale(ind, None, date(2040, 1, 1))
