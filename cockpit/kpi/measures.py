"""Rules for measures (pure functions): progress updates overdue by reporting rhythm, counts, chart events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from cockpit.kpi.annual import LOCAL_TZ
from cockpit.measures.model import STATUSES, Measure

REPORTING_STATUSES = ("planned", "in_progress", "postponed")  # completed and cancelled measures report no more


def reporting_since(measure: Measure, last_report: datetime | None) -> datetime | None:
    """The moment the reporting rhythm counts from: the latest report, else the start (local midnight),
    else when the measure was first imported; None if none of them is known."""
    if last_report is not None:
        return last_report.astimezone(LOCAL_TZ)
    if measure.start is not None:
        return datetime.combine(measure.start, time.min, LOCAL_TZ)
    if measure.created_at is not None:
        return measure.created_at.astimezone(LOCAL_TZ)
    return None


def update_due(measure: Measure, last_report: datetime | None) -> datetime | None:
    """When the next progress report is due: `reporting_since` plus the reporting rhythm in Europe/Berlin
    calendar time (P3M from 31 August is 30 November); None for measures that no longer report."""
    if measure.status not in REPORTING_STATUSES:
        return None
    since = reporting_since(measure, last_report)
    return None if since is None else measure.reporting.after(since)


def is_update_overdue(measure: Measure, last_report: datetime | None, at: date | datetime) -> bool:
    """Whether `at` is later than the due moment: an aware datetime is compared exactly (the due moment itself
    is not overdue, one microsecond later is); a date counts as a whole day (the due day is not overdue, the day
    after is)."""
    due = update_due(measure, last_report)
    if due is None:
        return False
    if isinstance(at, datetime):
        return at > due
    return at > due.date()


def status_counts(measures: Iterable[Measure]) -> dict[str, int]:
    """Measures per status, in the order of STATUSES (statuses with none are 0)."""
    counts = Counter(m.status for m in measures)
    return {status: counts.get(status, 0) for status in STATUSES}


@dataclass(frozen=True)
class ChartEvent:
    """A marker on an indicator chart: a linked measure's start, end or milestone."""

    day: date
    kind: str  # start | end | milestone
    measure_id: str
    milestone_id: str | None = None
    reached: bool = False


def linked_indicators(measure: Measure, goal_indicator: Mapping[str, str]) -> set[str]:
    """Indicators a measure acts on: those linked directly and those of its linked goals."""
    found = set(measure.indicator_ids)
    found.update(goal_indicator[g] for g in measure.goal_ids if g in goal_indicator)
    return found


def chart_events(measures: Iterable[Measure], indicator_id: str, goal_indicator: Mapping[str, str]) -> list[ChartEvent]:
    """Start, end and milestones of every measure linked to `indicator_id` (directly or through a goal),
    ordered by day; cancelled measures are left out."""
    events = []
    for m in measures:
        if m.status == "cancelled" or indicator_id not in linked_indicators(m, goal_indicator):
            continue
        if m.start:
            events.append(ChartEvent(m.start, "start", m.id))
        for milestone in m.milestones:
            events.append(ChartEvent(milestone.reached or milestone.due, "milestone", m.id, milestone.id,
                                     milestone.reached is not None))
        if m.end:
            events.append(ChartEvent(m.end, "end", m.id))
    return sorted(events, key=lambda e: (e.day, e.measure_id, e.kind))
