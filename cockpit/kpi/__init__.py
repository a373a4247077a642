"""Goal engine: annual values, target paths, status, forecast and staleness (pure functions, no Dash)."""

from cockpit.kpi.annual import LOCAL_TZ, annual_values, local_years
from cockpit.kpi.evaluate import (
    Evaluation,
    GoalEvaluation,
    complete_years,
    evaluate_catalog,
    evaluate_goal,
)
from cockpit.kpi.forecast import Forecast, forecast
from cockpit.kpi.observations import city_observations, latest_period_start
from cockpit.kpi.path import target_path
from cockpit.kpi.staleness import due_by, is_stale, is_year_stale, next_period_start, year_due_by
from cockpit.kpi.status import STATUSES, Status, combined_status, goal_status, progress, reached, shortfall
from cockpit.kpi.tree import TreeNode, goal_tree

__all__ = [
    "LOCAL_TZ",
    "STATUSES",
    "Evaluation",
    "Forecast",
    "GoalEvaluation",
    "Status",
    "TreeNode",
    "annual_values",
    "city_observations",
    "combined_status",
    "complete_years",
    "due_by",
    "evaluate_catalog",
    "evaluate_goal",
    "forecast",
    "goal_status",
    "goal_tree",
    "is_stale",
    "is_year_stale",
    "latest_period_start",
    "local_years",
    "next_period_start",
    "progress",
    "reached",
    "shortfall",
    "target_path",
    "year_due_by",
]
