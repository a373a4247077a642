"""The target path of a goal: piecewise linear through baseline, milestones and target."""

from __future__ import annotations

import numpy as np

from cockpit.catalog.models import Goal


def target_path(goal: Goal, year: float) -> float:
    """The expected value in `year`; the baseline value before the baseline year, the target value after the target year."""
    points = goal.path_points
    years = [float(p.year) for p in points]
    values = [float(p.value) for p in points]
    return float(np.interp(float(year), years, values))
