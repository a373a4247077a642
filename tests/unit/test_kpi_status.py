"""Status and progress: achieved, on_track, at_risk and off_track in both directions and at the boundaries."""

import pytest

from cockpit.kpi import goal_status, progress, shortfall, target_path
from tests.unit.kpi_support import make_goal

goal = make_goal


def co2():
    """The shipped CO2 goal: decrease 9.8 (1990) -> 6.5 (2020) -> 4.9 (2030), tolerance 0.10; path(2025) = 5.7."""
    return goal(
        direction="decrease",
        baseline={"year": 1990, "value": 9.8},
        milestones=[{"year": 2020, "value": 6.5}],
        target={"year": 2030, "value": 4.9},
        tolerance=0.10,
    )


def renewables():
    """Increase 40 (2020) -> 80 (2030), tolerance 0.25: path(2025) = 60, |D| = 40, tolerance = 10 points."""
    return goal(
        direction="increase",
        baseline={"year": 2020, "value": 40.0},
        target={"year": 2030, "value": 80.0},
        tolerance=0.25,
    )


def status(g, value, year):
    return goal_status(g, value, target_path(g, year))


def test_progress_is_share_of_the_way_from_baseline_to_target():
    assert progress(co2(), 5.9) == pytest.approx((5.9 - 9.8) / (4.9 - 9.8))
    assert progress(co2(), 9.8) == 0
    assert progress(co2(), 4.9) == pytest.approx(1)
    assert progress(renewables(), 60.0) == 0.5
    assert progress(renewables(), 90.0) == 1.25


def test_issue_example_is_at_risk():
    assert status(co2(), 5.9, 2025) == "at_risk"
    assert shortfall(co2(), 5.9, 5.7) == pytest.approx(0.2 / 4.9)


@pytest.mark.parametrize(
    ("value", "expected_status"),
    [
        (4.9, "achieved"),  # exactly at the target
        (4.0, "achieved"),  # beyond the target
        (5.0, "on_track"),  # better than the path
        (5.7, "on_track"),  # exactly on the path (s = 0)
        (5.71, "at_risk"),
        (6.19, "at_risk"),  # s = 0.49 / 4.9 = 0.10 exactly the tolerance
        (6.2, "off_track"),  # just beyond the tolerance
        (12.0, "off_track"),
    ],
)
def test_decrease_statuses(value, expected_status):
    assert status(co2(), value, 2025) == expected_status


@pytest.mark.parametrize(
    ("value", "expected_status"),
    [
        (80.0, "achieved"),
        (95.0, "achieved"),
        (79.9, "on_track"),
        (60.0, "on_track"),  # on the path
        (59.99, "at_risk"),
        (50.0, "at_risk"),  # s = 10 / 40 = 0.25 exactly the tolerance
        (49.99, "off_track"),
        (10.0, "off_track"),
    ],
)
def test_increase_statuses(value, expected_status):
    assert status(renewables(), value, 2025) == expected_status


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "tolerance", "inside", "outside"),
    [
        # path(2025) = 6, |D| = 8, tolerance 0.25 -> 2 units: 8 is still at risk, a hair above it off track
        pytest.param("decrease", 10.0, 2.0, 0.25, (8.0, "at_risk"), 8.0 + 1e-6, id="tolerance-boundary"),
        # no tolerance: half way is on track, a hair below it off track (nothing at risk)
        pytest.param("increase", 0.0, 10.0, 0, (5.0, "on_track"), 4.99, id="zero-tolerance-no-at-risk"),
    ],
)
def test_the_tolerance_boundary_with_binary_exact_numbers(direction, baseline, target, tolerance, inside, outside):
    g = goal(direction=direction, baseline={"year": 2020, "value": baseline}, target={"year": 2030, "value": target},
             tolerance=tolerance)
    assert status(g, inside[0], 2025) == inside[1]
    assert status(g, outside, 2025) == "off_track"


def test_achieved_wins_over_the_path():
    """Past the target year the path is the target; reaching it is achieved, missing it is measured against it."""
    assert status(co2(), 4.9, 2035) == "achieved"
    assert status(co2(), 5.3, 2035) == "at_risk"  # s = 0.4 / 4.9 = 0.082
    assert status(co2(), 5.5, 2035) == "off_track"
