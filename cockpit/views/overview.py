"""The overview: one tile per indicator the viewer may see, grouped by domain."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from cockpit.catalog import Indicator
from cockpit.i18n import format_number, format_percent, normalize_lang, t
from cockpit.kpi import LOCAL_TZ, GoalEvaluation, due_by, is_stale
from cockpit.roles import Role
from cockpit.views.formatting import (
    StatusCount,
    bucket_label,
    change_quantity,
    day_text,
    due_label,
    forecast_sentence,
    period_label,
    quantity,
    status_counts,
    status_word,
    target_text,
)
from cockpit.views.snapshot import Snapshot, is_annual, is_subdaily, normalize_role, now_local, snapshot

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

DOMAINS = ("energy", "mobility", "waste")


@dataclass(frozen=True)
class SparkPoint:
    label: str  # 'Oktober 2026' or '2025'
    value: float
    text: str  # the value in the locale, without unit


@dataclass(frozen=True)
class Sparkline:
    points: tuple[SparkPoint, ...]
    annual: bool
    caption: str  # table caption
    summary: str  # one-sentence text alternative
    value_header: str  # 'Wert (t je Einw.)'


@dataclass(frozen=True)
class SourceView:
    name: str
    url: str | None
    licence: str
    attribution: str
    department: str


@dataclass(frozen=True)
class TileView:
    indicator_id: str
    domain: str
    name: str
    description: str
    unit: str
    value: float | None
    value_text: str  # number only, '1.234,5'
    quantity_text: str  # number with unit
    change_text: str | None  # '+0,12 t je Einw. ggü. 2024'
    change_direction: str | None  # up | down | flat
    period_text: str | None  # period of the latest value, 'Oktober 2026'
    as_of_text: str  # 'Stand: Oktober 2026' or 'Noch keine Werte'
    spark: Sparkline
    goal_id: str | None
    goal_name: str | None
    target_text: str | None  # 'Ziel 2030: 4,90 t je Einw.'
    target_value: float | None
    target_year: int | None
    progress: float | None  # share of the way from baseline to target (Y*)
    progress_bar: float  # progress clamped to 0..1
    progress_text: str | None  # 'Fortschritt 80 % (2025)'
    evaluated_year: int | None
    status: str  # achieved | on_track | at_risk | off_track | no_data | no_goal
    status_text: str
    forecast_text: str | None
    stale: bool
    stale_text: str | None  # 'Veraltet – neue Werte waren bis 20.11.2026 fällig'
    demo: bool
    source: SourceView
    reason_text: str | None = None  # one plain-language line explaining the status (goal rules v2)


@dataclass(frozen=True)
class DomainGroup:
    domain: str
    title: str
    tiles: tuple[TileView, ...]


@dataclass(frozen=True)
class OverviewView:
    lang: str
    role: Role
    at: date
    at_text: str
    city: str
    groups: tuple[DomainGroup, ...]
    counts: tuple[StatusCount, ...]  # statuses of the tiles with a goal
    demo: bool  # some shown data comes from a synthetic source

    @property
    def tiles(self) -> tuple[TileView, ...]:
        return tuple(tile for group in self.groups for tile in group.tiles)

    def tile(self, indicator_id: str) -> TileView:
        return next(tile for tile in self.tiles if tile.indicator_id == indicator_id)

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything shown changes (lets the refresh skip re-rendering an unchanged grid)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:20]


def build_overview(cockpit: Cockpit, role: Role | str, lang: str | None = None,
                   now: datetime | None = None) -> OverviewView:
    """The overview for `role` in `lang` at `now` (default: the current time in Europe/Berlin)."""
    lang = normalize_lang(lang)
    role = normalize_role(role)
    now = (now or now_local()).astimezone(LOCAL_TZ)
    snap = snapshot(cockpit, role, now.date())
    return overview_from_snapshot(cockpit, snap, lang, now)


def overview_from_snapshot(cockpit: Cockpit, snap: Snapshot, lang: str, now: datetime) -> OverviewView:
    catalog = cockpit.catalog
    first_goal: dict[str, GoalEvaluation] = {}
    for evaluation in snap.evaluation.goals:
        first_goal.setdefault(evaluation.indicator.id, evaluation)
    visible = catalog.visible_indicators(snap.role)
    latest = _latest_by_indicator(snap.latest)
    monthly = {str(k): g for k, g in snap.monthly.groupby("indicator", sort=False)} if len(snap.monthly) else {}
    tiles = [
        tile_view(ind, lang, now, snap, first_goal.get(ind.id), latest.get(ind.id, []), monthly.get(ind.id))
        for ind in visible
    ]
    groups = tuple(
        DomainGroup(domain, t(f"domain.{domain}", lang), tuple(tile for tile in tiles if tile.domain == domain))
        for domain in DOMAINS
        if any(tile.domain == domain for tile in tiles)
    )
    counts = status_counts((tile.status for tile in tiles if tile.goal_id), lang)
    return OverviewView(lang, snap.role, snap.at, day_text(snap.at, lang), catalog.city.get(lang), groups, counts,
                        any(tile.demo for tile in tiles))


def _latest_by_indicator(frame: pd.DataFrame) -> dict[str, list[tuple[datetime, float]]]:
    """indicator -> [(period_start, value)] newest first (at most two)."""
    result: dict[str, list[tuple[datetime, float]]] = {}
    for row in frame.sort_values(["indicator", "rank"]).itertuples(index=False):
        result.setdefault(str(row.indicator), []).append((row.period_start.to_pydatetime(), float(row.value)))
    return result


def tile_view(indicator: Indicator, lang: str, now: datetime, snap: Snapshot, evaluation: GoalEvaluation | None,
              latest: list[tuple[datetime, float]], monthly: pd.DataFrame | None) -> TileView:
    value = latest[0][1] if latest else None
    period = period_label(latest[0][0], indicator, lang) if latest else None
    change_text = direction = None
    if len(latest) >= 2:
        delta = latest[0][1] - latest[1][1]
        tolerance = 0.5 * 10 ** -indicator.decimals
        direction = "flat" if abs(delta) < tolerance else ("up" if delta > 0 else "down")
        change_text = t("ui.tile.change", lang, change=change_quantity(delta, indicator, lang),
                        period=period_label(latest[1][0], indicator, lang))
    latest_start = snap.latest_start.get(indicator.id)
    stale_at = now if is_subdaily(indicator) else now.date()
    stale = is_stale(indicator, latest_start, stale_at)
    stale_text = None
    if stale and latest_start is not None:
        stale_text = t("ui.stale.since", lang, due=due_label(due_by(indicator, latest_start), indicator, lang))
    goal_fields = _goal_fields(evaluation, lang)
    return TileView(
        indicator_id=indicator.id,
        domain=indicator.domain,
        name=indicator.name.get(lang),
        description=indicator.description.get(lang),
        unit=indicator.unit.get(lang),
        value=value,
        value_text=format_number(value, indicator.decimals, lang),
        quantity_text=quantity(value, indicator, lang),
        change_text=change_text,
        change_direction=direction,
        period_text=period,
        as_of_text=t("ui.tile.as_of", lang, period=period) if period else t("ui.tile.no_value", lang),
        spark=sparkline(indicator, monthly, lang, now),
        stale=stale,
        stale_text=stale_text,
        demo=indicator.id in snap.synthetic,
        source=SourceView(indicator.source.name, indicator.source.url, indicator.source.licence,
                          indicator.source.attribution, indicator.department.get(lang)),
        **goal_fields,
    )


def _goal_fields(evaluation: GoalEvaluation | None, lang: str) -> dict:
    if evaluation is None:
        return dict(goal_id=None, goal_name=None, target_text=None, target_value=None, target_year=None,
                    progress=None, progress_bar=0.0, progress_text=None, evaluated_year=None, status="no_goal",
                    status_text=status_word("no_goal", lang), forecast_text=None)
    goal = evaluation.goal
    progress = evaluation.progress
    progress_text = None
    if progress is not None and math.isfinite(progress):
        percent = format_percent(progress, 0, lang)
        progress_text = (t("ui.tile.progress_year", lang, percent=percent, year=evaluation.year)
                         if evaluation.year is not None else t("ui.tile.progress", lang, percent=percent))
    return dict(
        goal_id=goal.id,
        goal_name=goal.name.get(lang) if goal.name else None,
        target_text=target_text(evaluation, lang),
        target_value=goal.target.value,
        target_year=goal.target.year,
        progress=progress,
        progress_bar=min(1.0, max(0.0, progress)) if progress is not None and math.isfinite(progress) else 0.0,
        progress_text=progress_text,
        evaluated_year=evaluation.year,
        status=evaluation.status,
        status_text=status_word(evaluation.status, lang),
        forecast_text=forecast_sentence(evaluation, lang),
    )


def sparkline(indicator: Indicator, monthly: pd.DataFrame | None, lang: str, now: datetime) -> Sparkline:
    """Monthly (or, for annual indicators, yearly) aggregates from the store, oldest first."""
    annual = is_annual(indicator)
    name = indicator.name.get(lang)
    caption = t("ui.spark.caption.year" if annual else "ui.spark.caption.month", lang, name=name)
    header = t("ui.spark.value", lang, unit=indicator.unit.get(lang))
    points: list[SparkPoint] = []
    if monthly is not None:
        rows = monthly.dropna(subset=["value"]).sort_values("month")
        if indicator.aggregation == "sum" and not annual and not indicator.rhythm.months:
            # a running month of a summed daily/hourly indicator is incomplete: leave it out
            running = pd.Timestamp(now.year, now.month, 1, tz=LOCAL_TZ)
            rows = rows[rows["month"] < running]
        points = [
            SparkPoint(bucket_label(row.month.to_pydatetime(), indicator, lang), float(row.value),
                       format_number(float(row.value), indicator.decimals, lang))
            for row in rows.itertuples(index=False)
        ]
    return Sparkline(tuple(points), annual, caption, _spark_summary(points, indicator, lang), header)


def _spark_summary(points: list[SparkPoint], indicator: Indicator, lang: str) -> str:
    if not points:
        return t("ui.spark.empty", lang)
    if len(points) == 1:
        return t("ui.spark.alt_single", lang, value=quantity(points[0].value, indicator, lang),
                 period=points[0].label)
    values = [p.value for p in points]
    return t("ui.spark.alt", lang, start=points[0].label, end=points[-1].label,
             first=quantity(values[0], indicator, lang), last=quantity(values[-1], indicator, lang),
             min=quantity(min(values), indicator, lang), max=quantity(max(values), indicator, lang))
