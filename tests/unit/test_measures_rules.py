"""Rules for measures and alerts: update overdue at the exact boundary, chart events of linked indicators,
alert transitions (once per state change, once on recovery)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cockpit.alerts.rules import Condition, step
from cockpit.kpi import LOCAL_TZ
from cockpit.kpi.measures import chart_events, is_update_overdue, status_counts, update_due
from cockpit.measures.model import Measure


def measure(**extra) -> Measure:
    data = {"id": "m", "name": {"de": "M", "en": "M"}, "description": {"de": "d", "en": "d"},
            "field": "climate-energy", "department": "umweltamt", "status": "in_progress"}
    return Measure.model_validate({**data, **extra})


def test_quarterly_update_is_due_three_calendar_months_after_the_last_report():
    last = datetime(2026, 8, 31, 10, 0, tzinfo=LOCAL_TZ)
    due = update_due(measure(), last)
    assert due == datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ)  # calendar months: 31 Aug -> 30 Nov
    m = measure()
    assert not is_update_overdue(m, last, due)  # the due moment itself is not overdue
    assert is_update_overdue(m, last, due + timedelta(microseconds=1))
    assert not is_update_overdue(m, last, date(2026, 11, 30))  # the due day is not overdue ...
    assert is_update_overdue(m, last, date(2026, 12, 1))  # ... the day after is


def test_the_boundary_holds_across_time_zones_and_daylight_saving():
    last = datetime(2026, 7, 1, 0, 0, tzinfo=LOCAL_TZ)  # summer time (UTC+2)
    due = update_due(measure(), last)  # 1 October 00:00 Berlin = 30 September 22:00 UTC
    assert due.astimezone(UTC) == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert not is_update_overdue(measure(), last, datetime(2026, 9, 30, 22, 0, tzinfo=UTC))
    assert is_update_overdue(measure(), last, datetime(2026, 9, 30, 22, 0, 1, tzinfo=UTC))


def test_without_a_report_the_rhythm_counts_from_the_start_then_from_the_import():
    m = measure(start="2026-01-01", reporting="P6M")
    assert update_due(m, None) == datetime(2026, 7, 1, tzinfo=LOCAL_TZ)
    imported = measure(created_at=datetime(2026, 3, 15, 12, 0, tzinfo=UTC), reporting="P1M")
    assert update_due(imported, None) == datetime(2026, 4, 15, 13, 0, tzinfo=LOCAL_TZ)
    assert update_due(measure(), None) is None
    assert not is_update_overdue(measure(), None, date(2030, 1, 1))


@pytest.mark.parametrize(("status", "reports"), [("planned", True), ("in_progress", True), ("postponed", True),
                                                 ("completed", False), ("cancelled", False)])
def test_only_active_measures_owe_reports(status, reports):
    m = measure(status=status, start="2020-01-01")
    assert is_update_overdue(m, None, date(2026, 1, 1)) is reports


def test_status_counts_include_every_status():
    counts = status_counts([measure(status="planned"), measure(status="planned"), measure(status="completed")])
    assert counts == {"planned": 2, "in_progress": 0, "completed": 1, "postponed": 0, "cancelled": 0}


def test_chart_events_of_an_indicator_come_from_direct_links_and_linked_goals():
    goals = {"co2-halve-2030": "co2-per-inhabitant"}
    by_goal = measure(id="a", start="2025-01-15", end="2027-12-31",
                      links=[{"goal": "co2-halve-2030", "direction": "decrease"}],
                      milestones=[{"id": "x", "name": {"de": "X", "en": "X"}, "due": "2026-06-30",
                                   "reached": "2026-07-02"},
                                  {"id": "y", "name": {"de": "Y", "en": "Y"}, "due": "2027-03-31"}])
    direct = measure(id="b", start="2026-01-01",
                     links=[{"indicator": "co2-per-inhabitant", "direction": "decrease"}])
    other = measure(id="c", start="2024-01-01", links=[{"indicator": "recycling-rate", "direction": "increase"}])
    cancelled = measure(id="d", status="cancelled", start="2024-01-01",
                        links=[{"indicator": "co2-per-inhabitant", "direction": "decrease"}])
    events = chart_events([by_goal, direct, other, cancelled], "co2-per-inhabitant", goals)
    assert [(e.day, e.kind, e.measure_id, e.milestone_id, e.reached) for e in events] == [
        (date(2025, 1, 15), "start", "a", None, False),
        (date(2026, 1, 1), "start", "b", None, False),
        (date(2026, 7, 2), "milestone", "a", "x", True),  # a reached milestone is marked on the day it was reached
        (date(2027, 3, 31), "milestone", "a", "y", False),
        (date(2027, 12, 31), "end", "a", None, False),
    ]
    assert chart_events([by_goal], "recycling-rate", goals) == []


NOW = datetime(2026, 11, 1, tzinfo=UTC)


def run(states, rule="r", subject="s", ranked=False):
    """Feed conditions one after another; the events notified."""
    previous, events = None, []
    for value in states:
        cond = Condition(rule, subject, value=value) if ranked else Condition(rule, subject, bad=value)
        new, event = step(previous, cond, NOW, ranked)
        previous = new or previous
        events.append(event)
    return events


def test_yes_no_rules_notify_once_per_change_and_once_on_recovery():
    assert run([False, True, True, True, False, False, True]) == [None, "fired", None, None, "recovered", None,
                                                                   "fired"]
    assert run([True, True]) == ["fired", None]  # bad when first seen: notify


def test_goal_status_getting_worse_and_recovering():
    assert run(["on_track", "on_track", "at_risk", "at_risk", "off_track", "at_risk", "on_track", "on_track"],
               ranked=True) == [None, None, "fired", None, "fired", None, "recovered", None]
    assert run(["at_risk", "on_track", "achieved", "on_track"], ranked=True) == [None, None, None, "fired"]
    assert run(["on_track", "no_data", "on_track", "off_track"], ranked=True) == [None, None, None, "fired"]
    # recovering to something better than before also counts
    assert run(["on_track", "off_track", "achieved"], ranked=True) == [None, "fired", "recovered"]
