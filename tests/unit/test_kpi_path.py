"""Target path: piecewise linear through baseline, milestones and target, clamped at both ends."""

import pytest

from cockpit.kpi import target_path
from tests.unit.kpi_support import make_goal


def goal(**overrides):
    shipped = {"direction": "decrease", "baseline": {"year": 1990, "value": 9.8},
               "milestones": [{"year": 2020, "value": 6.5}], "target": {"year": 2030, "value": 4.9}}
    return make_goal(**(shipped | overrides))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1990, 9.8),  # baseline
        (2005, 8.15),  # halfway between baseline and milestone
        (2020, 6.5),  # milestone exactly
        (2025, 5.7),  # halfway between milestone and target
        (2030, 4.9),  # target
    ],
)
def test_path_is_piecewise_linear(year, expected):
    assert target_path(goal(), year) == pytest.approx(expected, abs=1e-12)


def test_before_the_baseline_year_the_path_is_the_baseline_value():
    assert target_path(goal(), 1980) == 9.8


def test_after_the_target_year_the_path_is_the_target_value():
    assert target_path(goal(), 2031) == 4.9
    assert target_path(goal(), 2100) == 4.9


def test_path_without_milestones():
    g = goal(
        milestones=[],
        baseline={"year": 2020, "value": 0.0},
        target={"year": 2030, "value": 10.0},
        direction="increase",
    )
    assert target_path(g, 2023) == pytest.approx(3.0)


def test_path_returns_plain_float():
    assert type(target_path(goal(), 2025)) is float
