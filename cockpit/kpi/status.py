"""Goal status and progress from a year's value and the target path."""

from __future__ import annotations

from typing import Literal

from cockpit.catalog.models import Goal

Status = Literal["achieved", "on_track", "at_risk", "off_track", "no_data"]
STATUSES: tuple[Status, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_data")

# Comparisons allow this share of |target - baseline| for binary rounding, so that decimal inputs lying
# exactly on a boundary (the target, the path, the tolerance) get the status the rules give them.
EPSILON = 1e-9


def span(goal: Goal) -> float:
    """D = target - baseline (never 0 in a valid catalog)."""
    return goal.target.value - goal.baseline.value


def progress(goal: Goal, value: float) -> float:
    """(value - baseline) / D: 0 at the baseline, 1 at the target."""
    return (value - goal.baseline.value) / span(goal)


def shortfall(goal: Goal, value: float, expected: float) -> float:
    """How far `value` lags behind `expected`, in units of |D|; negative when ahead of the path."""
    gap = value - expected if goal.direction == "decrease" else expected - value
    return gap / abs(span(goal))


def reached(goal: Goal, value: float) -> bool:
    """Whether `value` is at or beyond the target (<= for decrease, >= for increase)."""
    beyond = goal.target.value - value if goal.direction == "decrease" else value - goal.target.value
    return beyond >= -EPSILON * abs(span(goal))


def goal_status(goal: Goal, value: float, expected: float) -> Status:
    """achieved, on_track (shortfall <= 0), at_risk (0 < shortfall <= tolerance) or off_track."""
    if reached(goal, value):
        return "achieved"
    lag = shortfall(goal, value, expected)
    if lag <= EPSILON:
        return "on_track"
    return "at_risk" if lag <= goal.tolerance + EPSILON else "off_track"


_WORSE: dict[Status, Status] = {"on_track": "at_risk", "at_risk": "off_track"}


def combined_status(position: Status, on_course: bool | None) -> Status:
    """Goal rules v2: the status is the position, one level worse when a forecast exists and is not on course.

    `on_course` None means there is no forecast (status = position). on_track -> at_risk, at_risk -> off_track;
    off_track, achieved and no_data stay. A good trend never upgrades a position behind the path.
    """
    if on_course is None or on_course:
        return position
    return _WORSE.get(position, position)
