"""Linear trend forecast of a goal's annual values with an 80 % prediction interval."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # = scipy.stats.t.ppf, without importing scipy.stats (45 MB)

from cockpit.catalog.models import Goal
from cockpit.kpi.status import reached

MIN_POINTS = 3
LAST_YEAR = 2100
CONFIDENCE = 0.80


@dataclass(frozen=True)
class Forecast:
    """The trend line at the target year, its 80 % prediction interval and the year it reaches the target."""

    value: float
    low: float
    high: float
    reached_year: int | None
    on_course: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Line:
    """An ordinary least squares line y = mean_y + slope * (x - mean_x) with its fit statistics."""

    mean_x: float
    mean_y: float
    slope: float
    sxx: float
    n: int
    s: float

    def at(self, x: float) -> float:
        return self.mean_y + self.slope * (x - self.mean_x)

    def half_width(self, x: float) -> float:
        """t * s * sqrt(1 + 1/n + (x - mean_x)^2 / Sxx) with t = t.ppf(0.90, n - 2)."""
        if self.s == 0:
            return 0.0
        quantile = stdtrit(self.n - 2, 0.5 + CONFIDENCE / 2)
        return float(quantile * self.s * math.sqrt(1 + 1 / self.n + (x - self.mean_x) ** 2 / self.sxx))


def fit_line(years: np.ndarray, values: np.ndarray) -> Line:
    """OLS through at least 3 points; a residual error that is only float noise counts as 0 (perfect fit)."""
    x, y = years.astype(float), values.astype(float)
    mean_x, mean_y = x.mean(), y.mean()
    sxx = float(((x - mean_x) ** 2).sum())
    slope = float(((x - mean_x) * (y - mean_y)).sum() / sxx)
    residuals = y - (mean_y + slope * (x - mean_x))
    s = math.sqrt(float((residuals**2).sum()) / (len(x) - 2))
    if s <= 1e-12 * max(1.0, float(np.abs(y).max())):
        s = 0.0
    return Line(float(mean_x), float(mean_y), slope, sxx, len(x), s)


def trend_points(goal: Goal, annual: pd.Series, last_year: int) -> pd.Series:
    """The annual values of the years in (last_year - trend_window, last_year]."""
    return annual[(annual.index > last_year - goal.trend_window) & (annual.index <= last_year)]


def reached_year(goal: Goal, line: Line, last_year: int) -> int | None:
    """The first year in [last_year + 1, 2100] where the line is at or beyond the target."""
    return next((y for y in range(last_year + 1, LAST_YEAR + 1) if reached(goal, line.at(y))), None)


def forecast(goal: Goal, annual: pd.Series, last_year: int, status: str) -> Forecast | None:
    """The trend of the complete years in the goal's trend window up to `last_year` (Y*); None with < 3 points.

    `annual` holds complete years only (int index); `status` is the goal's status in `last_year`.
    """
    points = trend_points(goal, annual, last_year)
    if len(points) < MIN_POINTS:
        return None
    line = fit_line(points.index.to_numpy(), points.to_numpy())
    target_year = goal.target.year
    value, half = line.at(target_year), line.half_width(target_year)
    year = reached_year(goal, line, last_year)
    on_course = status == "achieved" or (year is not None and year <= target_year)
    return Forecast(value, value - half, value + half, year, on_course)
