"""View models: what each screen shows, as plain data in the viewer's language (pure Python, no Dash)."""

from cockpit.readmodel.snapshot import Snapshot, clear_cache, normalize_role, snapshot
from cockpit.views.goals import FieldView, GoalsView, GoalView, PathPoint, VisionView, build_goals
from cockpit.views.overview import (
    DOMAINS,
    DomainGroup,
    OverviewView,
    SourceView,
    Sparkline,
    SparkPoint,
    TileView,
    build_overview,
)

__all__ = [
    "DOMAINS",
    "DomainGroup",
    "FieldView",
    "GoalView",
    "GoalsView",
    "OverviewView",
    "PathPoint",
    "Snapshot",
    "SourceView",
    "SparkPoint",
    "Sparkline",
    "TileView",
    "VisionView",
    "build_goals",
    "build_overview",
    "clear_cache",
    "normalize_role",
    "snapshot",
]
