"""Staleness of any indicator: no new period start within rhythm plus grace period."""

from __future__ import annotations

from datetime import date, datetime

from cockpit.catalog.models import Indicator
from cockpit.kpi.annual import LOCAL_TZ


def due_by(indicator: Indicator, latest_start: datetime) -> datetime:
    """latest_start + rhythm + grace, added one after the other in Europe/Berlin calendar time.

    Months and years are calendar months and years (P1M from 31 January ends on 28/29 February).
    """
    local = latest_start.astimezone(LOCAL_TZ)
    return indicator.grace_period.after(indicator.rhythm.after(local))


def is_stale(indicator: Indicator, latest_start: datetime | None, at: date | datetime) -> bool:
    """Whether `at` is later than `due_by(indicator, latest_start)`.

    A date `at` counts as a whole day: it is later only if it is a later day than the due date, so
    at == due day is not stale and the day after is. An aware datetime `at` is compared exactly.
    Without any observation (latest_start None) nothing can be stale: False (the status says no_data).
    """
    if latest_start is None:
        return False
    due = due_by(indicator, latest_start)
    if isinstance(at, datetime):
        return at > due
    return at > due.date()
