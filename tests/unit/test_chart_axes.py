"""Axes a reader can read: whole years on the goal chart and dates in the page's format on the series chart, also
when an indicator has only one year or one bucket of data (plotly's defaults would tick fractions of a year
('2026 2026 2026') or milliseconds ('23:59:59.9995') around a single point)."""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
import pytest

from layouts.components.chart_base import date_axis, year_axis


def test_one_year_of_data_gets_whole_year_ticks_and_room_on_both_sides():
    axis = year_axis([2026, 2026.9])
    assert axis["dtick"] == 1 and axis["tickformat"] == "d"
    assert axis["range"] == [2025.5, 2027.4]


@pytest.mark.parametrize("years, step", [([2019, 2026], 1), ([2010, 2030], 2), ([1990, 2050], 5)])
def test_long_goal_charts_tick_whole_years_at_a_readable_density(years, step):
    axis = year_axis(years)
    assert axis["dtick"] == step and axis["range"] is None


@pytest.mark.parametrize("grain, lang, ticks", [("day", "de", "%d.%m.%Y"), ("day", "en", "%d %b %Y"),
                                                ("month", "de", "%m/%Y"), ("hour", "de", "%d.%m. %H:%M")])
def test_a_single_bucket_is_shown_with_one_bucket_of_room_in_the_pages_date_format(grain, lang, ticks):
    point = "2026-11-27 12:00" if grain == "hour" else "2026-11-27"
    axis = date_axis([point], grain, lang)
    assert axis["tickformat"] == ticks
    low, high = (datetime.fromisoformat(x) for x in axis["range"])
    assert low < datetime.fromisoformat(point) < high
    go.Figure(layout=dict(xaxis=axis))  # a valid plotly axis


def test_many_buckets_keep_plotlys_own_range():
    assert "range" not in date_axis(["2026-11-01", "2026-11-02"], "day", "de")
