"""Staleness: latest period start + rhythm + grace in Berlin calendar time, exact boundaries."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cockpit.catalog.models import Indicator
from cockpit.kpi import due_by, is_stale

BERLIN = ZoneInfo("Europe/Berlin")


def indicator(rhythm: str, grace: str | None = None) -> Indicator:
    return Indicator.model_validate(
        {
            "id": "x",
            "name": {"de": "X", "en": "X"},
            "description": {"de": "X", "en": "X"},
            "domain": "energy",
            "unit": "t",
            "aggregation": "last",
            "rhythm": rhythm,
            "grace": grace,
            "visibility": "public",
            "department": "A",
            "source": {"name": "S", "licence": "L", "attribution": "A"},
        }
    )


def berlin_midnight(year, month, day) -> datetime:
    """A period start at local midnight, stored as UTC like every observation."""
    return datetime(year, month, day, tzinfo=BERLIN).astimezone(UTC)


def test_yearly_boundary_day_is_not_stale_the_next_day_is():
    ind = indicator("P1Y", "P1Y")
    latest = berlin_midnight(2025, 1, 1)  # 2024-12-31T23:00Z
    assert not is_stale(ind, latest, date(2027, 1, 1))
    assert is_stale(ind, latest, date(2027, 1, 2))


def test_monthly_rhythm_from_january_31_uses_calendar_months():
    """31 Jan + P1M = 28 Feb; + P1M grace = 28 Mar (rhythm and grace are added one after the other)."""
    ind = indicator("P1M", "P1M")
    latest = berlin_midnight(2025, 1, 31)
    assert due_by(ind, latest).date() == date(2025, 3, 28)
    assert not is_stale(ind, latest, date(2025, 3, 28))
    assert is_stale(ind, latest, date(2025, 3, 29))


def test_monthly_rhythm_in_a_leap_year():
    ind = indicator("P1M", "P2M")
    latest = berlin_midnight(2024, 1, 31)
    assert due_by(ind, latest).date() == date(2024, 4, 29)  # 29 Feb + 2 months


def test_yearly_rhythm_from_february_29():
    ind = indicator("P1Y")  # grace defaults to the rhythm
    latest = berlin_midnight(2024, 2, 29)
    assert due_by(ind, latest).date() == date(2026, 2, 28)
    assert not is_stale(ind, latest, date(2026, 2, 28))
    assert is_stale(ind, latest, date(2026, 3, 1))


def test_grace_defaults_to_the_rhythm():
    ind = indicator("P1M")
    latest = berlin_midnight(2025, 3, 1)
    assert not is_stale(ind, latest, date(2025, 5, 1))
    assert is_stale(ind, latest, date(2025, 5, 2))


def test_daily_rhythm():
    ind = indicator("P1D", "P3D")
    latest = berlin_midnight(2026, 11, 18)
    assert not is_stale(ind, latest, date(2026, 11, 22))
    assert is_stale(ind, latest, date(2026, 11, 23))


def test_hourly_rhythm_with_a_date_counts_the_whole_day():
    ind = indicator("PT1H", "PT3H")
    latest = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # due 15:00 Berlin
    assert not is_stale(ind, latest, date(2026, 11, 22))
    assert is_stale(ind, latest, date(2026, 11, 23))


def test_hourly_rhythm_with_a_datetime_is_exact():
    ind = indicator("PT1H", "PT3H")
    latest = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert not is_stale(ind, latest, datetime(2026, 11, 22, 14, 0, tzinfo=UTC))
    assert is_stale(ind, latest, datetime(2026, 11, 22, 14, 0, 1, tzinfo=UTC))


def test_no_observations_is_not_stale():
    assert is_stale(indicator("P1D"), None, date(2030, 1, 1)) is False


@pytest.mark.parametrize("at", [date(2020, 1, 1), date(2025, 1, 1)])
def test_latest_start_after_at_is_not_stale(at):
    assert not is_stale(indicator("P1D", "P1D"), berlin_midnight(2025, 6, 1), at)
