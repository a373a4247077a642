"""Evaluate goals against observations: value, path, progress, status, staleness and forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cockpit.catalog.models import Catalog, Goal, Indicator
from cockpit.kpi.annual import annual_values
from cockpit.kpi.forecast import Forecast, forecast
from cockpit.kpi.observations import city_observations, latest_period_start
from cockpit.kpi.path import target_path
from cockpit.kpi.staleness import is_stale, is_year_stale
from cockpit.kpi.status import Status, combined_status, goal_status, progress
from cockpit.kpi.tree import TreeNode, goal_tree


@dataclass(frozen=True)
class GoalEvaluation:
    """A goal judged on its latest complete year with data (`year`, Y*); `annual` holds the complete years used."""

    goal: Goal
    indicator: Indicator
    year: int | None
    value: float | None
    expected: float | None
    progress: float | None
    status: Status
    stale: bool
    forecast: Forecast | None
    annual: pd.Series
    position: Status | None = None  # the status from the shortfall alone (goal rules v2); None = status

    @property
    def reason(self) -> str:
        """What the status rests on, as a code the screens turn into a sentence (see `reason_code`)."""
        return reason_code(self)

    def to_dict(self) -> dict:
        return {
            "goal": self.goal.id,
            "indicator": self.indicator.id,
            "year": self.year,
            "value": self.value,
            "expected": self.expected,
            "progress": self.progress,
            "position": self.position or self.status,
            "status": self.status,
            "reason": self.reason,
            "stale": self.stale,
            "forecast": self.forecast.to_dict() if self.forecast else None,
        }


@dataclass(frozen=True)
class Evaluation:
    """All goals of a catalog on the day `at`, with status counts per vision and field."""

    at: date
    goals: list[GoalEvaluation]
    tree: list[TreeNode]

    def get(self, goal_id: str) -> GoalEvaluation:
        """The evaluation of one goal; KeyError for an unknown goal id."""
        for evaluation in self.goals:
            if evaluation.goal.id == goal_id:
                return evaluation
        raise KeyError(goal_id)

    def to_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "goals": [g.to_dict() for g in self.goals],
            "tree": [n.to_dict() for n in self.tree],
        }


def complete_years(annual: pd.Series, at: date) -> pd.Series:
    """The annual values of the years before the year of `at` (the running year is incomplete)."""
    return annual[annual.index < at.year]


def reason_code(evaluation: GoalEvaluation) -> str:
    """'<position>' or '<position>+<trend>': position achieved | on_track | behind | no_data, trend on_course |
    late (reached after the target year) | never (not by 2100) | none (too few years for a forecast)."""
    position = evaluation.position or evaluation.status
    if position in ("achieved", "no_data"):
        return position
    where = "on_track" if position == "on_track" else "behind"
    trend = evaluation.forecast
    if trend is None:
        return f"{where}+none"
    if trend.on_course:
        return f"{where}+on_course"
    return f"{where}+{'never' if trend.reached_year is None else 'late'}"


def evaluate_goal(goal: Goal, indicator: Indicator, frame: pd.DataFrame, at: date) -> GoalEvaluation:
    """Judge `goal` on the indicator's city-wide observations in `frame` (other rows are ignored).

    Goal rules v2: `position` is the status from the shortfall against the target path; `status` is the
    position made one level worse when a forecast exists that is not on course. `stale` says whether the
    annual value after Y* is overdue (publication lag after the end of Y* + 1). Without a complete year
    with data the status is no_data (value, expected, progress, forecast and year None); stale is then the
    indicator's own staleness from the observations of the running year, False without any.
    """
    annual = complete_years(annual_values(city_observations(frame, indicator.id), indicator.aggregation), at)
    if annual.empty:
        stale = is_stale(indicator, latest_period_start(frame, indicator.id), at)
        return GoalEvaluation(goal, indicator, None, None, None, None, "no_data", stale, None, annual, "no_data")
    year = int(annual.index.max())
    value = float(annual[year])
    expected = target_path(goal, year)
    position = goal_status(goal, value, expected)
    trend = forecast(goal, annual, year, position)
    status = combined_status(position, None if trend is None else trend.on_course)
    return GoalEvaluation(goal, indicator, year, value, expected, progress(goal, value), status,
                          is_year_stale(indicator, year, at), trend, annual, position)


def evaluate_catalog(catalog: Catalog, frame: pd.DataFrame, at: date) -> Evaluation:
    """Evaluate every goal of the catalog in catalog order and count the statuses per vision and field."""
    indicators = catalog.indicator_map
    goals = [evaluate_goal(g, indicators[g.indicator], frame, at) for g in catalog.goals]
    tree = goal_tree(catalog, {e.goal.id: e.status for e in goals})
    return Evaluation(at, goals, tree)
