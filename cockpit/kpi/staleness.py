"""Staleness (goal rules v2): the value of the period after the latest one is overdue.

The next period after the latest one starts at latest_start + rhythm and ends at latest_start + 2·rhythm; its
value is normally published `publication_lag` after that. An indicator is stale when
`at > latest_start + 2·rhythm + publication_lag`, in Europe/Berlin calendar arithmetic.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from cockpit.catalog.models import Indicator
from cockpit.kpi.annual import LOCAL_TZ

ONE_YEAR = relativedelta(years=1)


def next_period_start(indicator: Indicator, latest_start: datetime) -> datetime:
    """The start of the period after the latest one (latest_start + rhythm, Europe/Berlin)."""
    return indicator.rhythm.after(latest_start.astimezone(LOCAL_TZ))


def due_by(indicator: Indicator, latest_start: datetime) -> datetime:
    """latest_start + 2·rhythm + publication_lag in Europe/Berlin calendar time: when the next value is overdue.

    2·rhythm is one doubled calendar duration (P1M from 31 January ends on 31 March), the lag is added after it.
    """
    local = latest_start.astimezone(LOCAL_TZ)
    return local + indicator.rhythm.delta * 2 + indicator.lag.delta


def _later(at: date | datetime, due: datetime) -> bool:
    if isinstance(at, datetime):
        return at > due
    return at > due.date()


def is_stale(indicator: Indicator, latest_start: datetime | None, at: date | datetime) -> bool:
    """Whether `at` is later than `due_by(indicator, latest_start)`.

    A date `at` counts as a whole day: it is later only if it is a later day than the due date, so
    at == due day is not stale and the day after is. An aware datetime `at` is compared exactly.
    Without any observation (latest_start None) nothing can be stale: False (the status says no_data).
    """
    if latest_start is None:
        return False
    return _later(at, due_by(indicator, latest_start))


def year_due_by(indicator: Indicator, year: int) -> datetime:
    """When the annual value of year + 1 is overdue: the end of year + 1 plus the publication lag.

    This is the staleness rule applied to the annual values a goal is judged on (rhythm P1Y, latest start
    1 January of `year`), whatever the indicator's own rhythm: a daily series that paused for a few days
    does not make a goal judged on a complete year stale.
    """
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
    return start + ONE_YEAR * 2 + indicator.lag.delta


def is_year_stale(indicator: Indicator, year: int | None, at: date | datetime) -> bool:
    """Whether the annual value after `year` is overdue on `at` (False without a year)."""
    return year is not None and _later(at, year_due_by(indicator, year))
