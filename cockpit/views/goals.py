"""The goal tree: vision -> field of action (with its sustainability dimension) -> goals."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.catalog import Goal, Indicator
from cockpit.i18n import format_number, format_percent, t
from cockpit.kpi import GoalEvaluation
from cockpit.readmodel.snapshot import Snapshot
from cockpit.roles import Role
from cockpit.views.formatting import (
    DayScreen,
    StatusCount,
    day_text,
    figure_quantity,
    forecast_sentence,
    goal_count_text,
    indicator_href,
    quantity,
    reason_sentence,
    screen_at,
    status_counts,
    status_word,
    target_text,
)
from cockpit.views.measures import GoalMeasuresView, measures_by_goal
from cockpit.views.overview import overdue_sentence

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


@dataclass(frozen=True)
class PathPoint:
    kind: str  # baseline | milestone | target
    kind_text: str
    year: int
    value: float
    value_text: str  # with unit
    number_text: str  # without unit (table cells under a header with the unit)


@dataclass(frozen=True)
class GoalView:
    id: str
    name: str
    indicator_id: str
    indicator_name: str
    unit: str
    direction: str  # decrease | increase
    status: str
    status_text: str
    year: int | None  # Y*, the year the goal is judged on
    actual_label: str | None  # 'Ist 2025'
    value_text: str | None
    expected_label: str | None  # 'Soll 2025'
    expected_text: str | None
    target_label: str  # 'Ziel 2030'
    target_value_text: str  # '4,90 t je Einw.'
    target_text: str  # 'Ziel 2030: 4,90 t je Einw.'
    path: tuple[PathPoint, ...]
    progress: float | None
    progress_bar: float
    progress_text: str | None
    forecast_text: str
    trend_text: str | None  # 'Trend 2030: 4,6 t (80-%-Intervall …)'
    basis_text: str  # legal or political source
    stale: bool
    demo: bool
    reason_text: str | None = None  # one plain-language line explaining the status (goal rules v2)
    stale_text: str | None = None  # 'Wert für 2026 seit 03.01.2027 überfällig'
    href: str | None = None  # the indicator's detail page, '/indicator/<id>?lang=de'
    measures: GoalMeasuresView | None = None  # the visible measures linked to the goal (None: none)


@dataclass(frozen=True)
class FieldView:
    id: str
    name: str
    dimension: str
    dimension_text: str  # 'Dimension: ökologisch'
    goals: tuple[GoalView, ...]
    total_text: str  # '2 Ziele'
    counts: tuple[StatusCount, ...]


@dataclass(frozen=True)
class VisionView:
    id: str
    name: str
    fields: tuple[FieldView, ...]
    total_text: str
    counts: tuple[StatusCount, ...]


@dataclass(frozen=True)
class GoalsView(DayScreen):
    visions: tuple[VisionView, ...]
    total_text: str
    counts: tuple[StatusCount, ...]
    demo: bool

    @property
    def goals(self) -> tuple[GoalView, ...]:
        return tuple(g for v in self.visions for f in v.fields for g in f.goals)

    def goal(self, goal_id: str) -> GoalView:
        return next(g for g in self.goals if g.id == goal_id)


def build_goals(cockpit: Cockpit, role: Role | str, lang: str | None = None,
                now: datetime | None = None) -> GoalsView:
    """The goal tree for `role` in `lang`; goals of indicators the role may not see are left out."""
    return screen_at(goals_from_snapshot, cockpit, role, lang, now)


def goals_from_snapshot(cockpit: Cockpit, snap: Snapshot, lang: str, now: datetime | None = None) -> GoalsView:
    """The goal tree of a snapshot, each goal with the measures the snapshot's viewer may see (as of `now`)."""
    catalog = cockpit.catalog
    visible = {i.id for i in catalog.visible_indicators(snap.role)}
    measures = measures_by_goal(cockpit, snap.role, lang, now)
    per_field: dict[str, list[GoalView]] = {}
    for evaluation in snap.evaluation.goals:
        if evaluation.indicator.id in visible:
            view = replace(_kept_goal_view(evaluation, snap, lang), measures=measures.get(evaluation.goal.id))
            per_field.setdefault(evaluation.goal.field, []).append(view)
    visions = []
    for vision in catalog.visions:
        fields = []
        for field in (f for f in catalog.fields if f.vision == vision.id):
            goals = tuple(per_field.get(field.id, []))
            fields.append(FieldView(
                field.id, field.name.get(lang), field.dimension,
                t("ui.goals.dimension", lang, dimension=t(f"dimension.{field.dimension}", lang)),
                goals, goal_count_text(len(goals), lang), status_counts((g.status for g in goals), lang)))
        vision_goals = [g for f in fields for g in f.goals]
        visions.append(VisionView(vision.id, vision.name.get(lang), tuple(fields),
                                  goal_count_text(len(vision_goals), lang),
                                  status_counts((g.status for g in vision_goals), lang)))
    all_goals = [g for v in visions for f in v.fields for g in f.goals]
    return GoalsView(lang, snap.role, snap.at, day_text(snap.at, lang), catalog.city.get(lang), tuple(visions),
                     goal_count_text(len(all_goals), lang), status_counts((g.status for g in all_goals), lang),
                     any(g.demo for g in all_goals))


def _kept_goal_view(evaluation: GoalEvaluation, snap: Snapshot, lang: str) -> GoalView:
    """`goal_view`, derived once per snapshot part of the goal's indicator and language."""
    part = snap.parts[evaluation.indicator.id]
    return part.kept(("goal", evaluation.goal.id, lang), evaluation, lambda: goal_view(evaluation, snap, lang))[0]


def path_points(goal: Goal, indicator: Indicator, lang: str) -> tuple[PathPoint, ...]:
    """A goal's target path as named points: the baseline, its milestones and the target."""

    def point(kind: str, year_value) -> PathPoint:
        return PathPoint(kind, t(f"ui.goals.path.{kind}", lang), year_value.year, year_value.value,
                         quantity(year_value.value, indicator, lang),
                         format_number(year_value.value, indicator.decimals, lang))

    return (point("baseline", goal.baseline), *(point("milestone", m) for m in goal.milestones),
            point("target", goal.target))


def goal_view(evaluation: GoalEvaluation, snap: Snapshot, lang: str) -> GoalView:
    goal, indicator = evaluation.goal, evaluation.indicator
    year = evaluation.year

    path = path_points(goal, indicator, lang)
    progress = evaluation.progress
    finite = progress is not None and math.isfinite(progress)
    trend = evaluation.forecast
    trend_text = None
    if trend is not None:
        trend_text = t("ui.goals.trend", lang, year=goal.target.year, value=quantity(trend.value, indicator, lang),
                       low=format_number(trend.low, indicator.decimals, lang),
                       high=format_number(trend.high, indicator.decimals, lang))
    return GoalView(
        id=goal.id,
        name=goal.name.get(lang) if goal.name else indicator.name.get(lang),
        indicator_id=indicator.id,
        indicator_name=indicator.name.get(lang),
        unit=indicator.unit.get(lang),
        direction=goal.direction,
        status=evaluation.status,
        status_text=status_word(evaluation.status, lang),
        year=year,
        actual_label=t("ui.goals.actual", lang, year=year) if year is not None else None,
        value_text=quantity(evaluation.value, indicator, lang) if year is not None else None,
        expected_label=t("ui.goals.expected", lang, year=year) if year is not None else None,
        expected_text=quantity(evaluation.expected, indicator, lang) if year is not None else None,
        target_label=t("ui.goals.target", lang, year=goal.target.year),
        target_value_text=figure_quantity(goal.target.value, indicator, lang),
        target_text=target_text(evaluation, lang),
        path=path,
        progress=progress,
        progress_bar=min(1.0, max(0.0, progress)) if finite else 0.0,
        progress_text=t("ui.tile.progress", lang, percent=format_percent(progress, 0, lang)) if finite else None,
        forecast_text=forecast_sentence(evaluation, lang) or "",
        trend_text=trend_text,
        basis_text=t("ui.goals.basis", lang, source=goal.source.get(lang)),
        stale=evaluation.stale,
        demo=indicator.id in snap.synthetic,
        reason_text=reason_sentence(evaluation, lang),
        stale_text=_stale_text(evaluation, snap, lang),
        href=indicator_href(indicator.id, lang),
    )


def _stale_text(evaluation: GoalEvaluation, snap: Snapshot, lang: str) -> str | None:
    """What is overdue since when: the annual value after Y*, or (without a complete year) the next value."""
    if not evaluation.stale:
        return None
    indicator = evaluation.indicator
    return overdue_sentence(indicator, evaluation.year, snap.latest_start.get(indicator.id), lang)
