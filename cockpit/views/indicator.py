"""The indicator page `/indicator/<id>`: the full chart data (target path, annual values judged by the goal engine,
trend with its 80 % band, sub-annual series with min/max envelope and the previous year), status, reason,
forecast, source, licence, department, rhythm, last data date, definition and a sortable table (no Dash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from cockpit.catalog import Indicator
from cockpit.i18n import format_date, format_signed, normalize_lang, t
from cockpit.kpi import LOCAL_TZ, GoalEvaluation, goal_status, target_path
from cockpit.kpi.forecast import fit_line, trend_points
from cockpit.readmodel.snapshot import is_annual, now_local, snapshot
from cockpit.roles import Role, Viewer, role_of
from cockpit.views.archived import note as archive_note
from cockpit.views.archived import with_archived_buckets
from cockpit.views.formatting import period_label, quantity, status_word
from cockpit.views.goals import GoalView, PathPoint, build_goals, path_points
from cockpit.views.measures import AnnotationView, chart_annotations
from cockpit.views.timeseries import (
    Problem,
    SeriesPoint,
    Table,
    allowed_grains,
    choose_grain,
    duration_text,
    has_envelope,
    licence_link,
    number,
    parse_period,
    rhythm_text,
    series_points,
    sorted_table,
    source_line,
)

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit


@dataclass(frozen=True)
class AnnualPoint:
    year: int
    value: float
    value_text: str
    expected: float | None  # the target path in that year
    expected_text: str | None
    status: str  # the position on the path: achieved | on_track | at_risk | off_track | running | no_goal
    status_text: str  # in the words of a position ('leicht darüber'), never the status words of the verdict


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class IndicatorView:
    lang: str
    id: str
    name: str
    definition: str
    unit: str
    decimals: int
    domain_text: str
    department: str
    internal: bool
    demo: bool
    rhythm_text: str
    lag_text: str
    last_data_text: str
    source_name: str
    source_url: str | None
    attribution: str
    licence: str
    licence_url: str | None
    source_line: str
    goal: GoalView | None
    status: str
    status_text: str
    reason_text: str | None
    forecast_text: str | None
    trend_text: str | None
    path: tuple[PathPoint, ...]
    annual: tuple[AnnualPoint, ...]
    trend: tuple[TrendPoint, ...]
    today: date
    today_text: str
    annual_only: bool
    resolution: str  # the requested one ('auto' or a grain)
    grain: str  # the one used
    grains: tuple[str, ...]  # the ones offered
    range_from: str  # as in the URL ('' = from the first data)
    range_to: str  # '' = now
    series: tuple[SeriesPoint, ...]
    previous: tuple[SeriesPoint, ...]  # the same period one year earlier, x shifted by one year
    envelope: bool
    table: Table
    annual_table: Table | None
    problems: tuple[Problem, ...]
    chart_title: str
    summary: str  # text alternative of the chart
    measures: tuple[AnnotationView, ...] = ()  # start, end and milestones of linked measures (markers + table)
    archive_note: str | None = None  # "enthält archivierte Rohdaten aus 2022" (cockpit.views.archived)


def _department(cockpit: Cockpit, indicator: Indicator, lang: str) -> str:
    for department in cockpit.catalog.departments:
        if department.id == indicator.owner:
            return department.name.get(lang)
    return indicator.department.get(lang)


def _evaluation(snap, indicator_id: str) -> GoalEvaluation | None:
    return next((e for e in snap.evaluation.goals if e.indicator.id == indicator_id), None)


def _annual_points(indicator: Indicator, evaluation: GoalEvaluation | None, annual: pd.DataFrame,
                   today: date, lang: str) -> tuple[AnnualPoint, ...]:
    rows = annual[(annual["indicator"] == indicator.id) & (annual["district"] == "")].sort_values("bucket")
    points = []
    for row in rows.itertuples(index=False):
        year = pd.Timestamp(row.bucket).tz_convert(LOCAL_TZ).year
        value = float(row.value)
        expected = expected_text = None
        if evaluation is not None:
            goal = evaluation.goal
            expected = target_path(goal, year)
            expected_text = number(expected, indicator, lang)
            status = goal_status(goal, value, expected) if year < today.year else "running"
        else:
            status = "running" if year >= today.year else "no_goal"
        text = position_word(status, value, expected, lang)
        points.append(AnnualPoint(year, value, number(value, indicator, lang), expected, expected_text, status, text))
    return tuple(points)


def position_word(position: str, value: float, expected: float | None, lang: str) -> str:
    """A year's position on the target path in its own words ('im Plan', 'leicht darüber', 'deutlich darunter'),
    so that it never reads as the verdict (which adds the trend: 'Nicht auf Kurs')."""
    if position == "running":
        return t("explorer.running_year", lang)
    if position == "no_goal":
        return status_word(position, lang)
    if position in ("at_risk", "off_track"):
        side = "above" if expected is not None and value > expected else "below"
        return t(f"charts.position.{position}.{side}", lang)
    return t(f"charts.position.{position}", lang)


def _trend(evaluation: GoalEvaluation | None) -> tuple[TrendPoint, ...]:
    if evaluation is None or evaluation.forecast is None or evaluation.year is None:
        return ()
    points = trend_points(evaluation.goal, evaluation.annual, evaluation.year)
    line = fit_line(points.index.to_numpy(), points.to_numpy())
    first, last = int(points.index.min()), max(evaluation.goal.target.year, evaluation.year)
    return tuple(TrendPoint(y, line.at(y), line.at(y) - line.half_width(y), line.at(y) + line.half_width(y))
                 for y in range(first, last + 1))


def _shift_year(points: tuple[SeriesPoint, ...]) -> tuple[SeriesPoint, ...]:
    shifted = []
    for p in points:
        moment = pd.Timestamp(p.x) + pd.DateOffset(years=1)
        x = moment.strftime("%Y-%m-%d %H:%M") if " " in p.x else moment.strftime("%Y-%m-%d")
        shifted.append(SeriesPoint(x, p.label, p.value, p.low, p.high, p.n))
    return tuple(shifted)


def data_range(annual: pd.DataFrame, indicator_id: str) -> tuple[datetime | None, datetime | None]:
    """First local year start and last period start of an indicator's city-wide data (from year aggregates)."""
    rows = annual[(annual["indicator"] == indicator_id) & (annual["district"] == "")]
    if rows.empty:
        return None, None
    return (pd.Timestamp(rows["bucket"].min()).to_pydatetime(),
            pd.Timestamp(rows["last_start"].max()).tz_convert(LOCAL_TZ).to_pydatetime())


def resolve_range(range_from: str | None, range_to: str | None, first: datetime | None, now: datetime,
                  lang: str) -> tuple[datetime, datetime, str, str, list[Problem]]:
    """[start, end) from the URL's from/to (defaults: first data .. now); bad values give a Problem."""
    problems = []
    start = end = None
    try:
        start = parse_period(range_from)
    except ValueError:
        problems.append(Problem(t("explorer.problem.date", lang, value=range_from, field="from")))
        range_from = ""
    try:
        end = parse_period(range_to, end=True)
    except ValueError:
        problems.append(Problem(t("explorer.problem.date", lang, value=range_to, field="to")))
        range_to = ""
    default_start = first or datetime(now.year - 10, 1, 1, tzinfo=LOCAL_TZ)
    start = start or default_start
    end = end or (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if start >= end:
        problems.append(Problem(t("explorer.problem.order", lang)))
        start, end, range_from, range_to = default_start, now + timedelta(days=1), "", ""
    return start, end, range_from or "", range_to or "", problems


def build_indicator(cockpit: Cockpit, viewer: Viewer | Role | str, indicator_id: str, lang: str | None = None,
                    res: str | None = None, range_from: str | None = None, range_to: str | None = None,
                    sort: str | None = None, now: datetime | None = None) -> IndicatorView | None:
    """The indicator page for `viewer`; None when the indicator does not exist or the viewer may not see it."""
    lang = normalize_lang(lang)
    if not isinstance(viewer, Viewer):
        viewer = role_of(viewer) or Role.PUBLIC  # a staff Viewer keeps its department's indicators
    catalog = cockpit.catalog
    indicator = next((i for i in catalog.visible_indicators(viewer) if i.id == indicator_id), None)
    if indicator is None:
        return None
    now = (now or now_local()).astimezone(LOCAL_TZ)
    today = now.date()
    snap = snapshot(cockpit, viewer, today)
    evaluation = _evaluation(snap, indicator.id)
    goal = None
    if evaluation is not None:
        goal = next((g for g in build_goals(cockpit, viewer, lang, now).goals if g.id == evaluation.goal.id), None)
    problems: list[Problem] = []
    annual_only = is_annual(indicator)
    first, _last = data_range(snap.annual, indicator.id)
    start, end, range_from, range_to, range_problems = resolve_range(range_from, range_to, first, now, lang)
    problems += range_problems
    requested = res or "auto"
    if requested not in ("auto", "hour", "day", "week", "month", "year"):
        problems.append(Problem(t("explorer.problem.res", lang, value=requested)))
        requested = "auto"
    grain, problem = choose_grain(indicator, requested, start, end, lang)
    if problem:
        problems.append(problem)
    store = cockpit.store
    series = previous = ()
    archived: list[int] = []  # years of raw rows read from the archive's files (hour and some week views)
    if not annual_only:
        frame = store.series(viewer, grain, [indicator.id], "", since=start, until=end)
        frame, archived = with_archived_buckets(cockpit, viewer, grain, {indicator.id: ("",)}, start, end, frame)
        series = series_points(frame, grain, lang)
        if grain != "year":
            before = store.series(viewer, grain, [indicator.id], "", since=_year_back(start),
                                  until=_year_back(end))
            before, archived_before = with_archived_buckets(cockpit, viewer, grain, {indicator.id: ("",)},
                                                            _year_back(start), _year_back(end), before)
            archived = sorted(set(archived) | set(archived_before))
            previous = _shift_year(series_points(before, grain, lang))
    annual = _annual_points(indicator, evaluation, snap.annual, today, lang)
    annual_table = _annual_table(indicator, annual, evaluation is not None, lang, sort if annual_only else None)
    table = annual_table if annual_only else _series_table(indicator, series, previous, grain, lang, sort)
    path = ()
    if evaluation is not None:
        path = path_points(evaluation.goal, indicator, lang)
    latest = snap.latest_start.get(indicator.id)
    demo = indicator.id in snap.synthetic
    name = indicator.name.get(lang)
    return IndicatorView(
        lang=lang, id=indicator.id, name=name, definition=indicator.description.get(lang),
        unit=indicator.unit.get(lang), decimals=indicator.decimals, domain_text=t(f"domain.{indicator.domain}", lang),
        department=_department(cockpit, indicator, lang), internal=indicator.visibility == "internal", demo=demo,
        rhythm_text=rhythm_text(indicator, lang),
        lag_text=t("explorer.lag", lang, duration=duration_text(indicator.lag, lang)),
        last_data_text=period_label(latest, indicator, lang) if latest else t("ui.tile.no_value", lang),
        source_name=indicator.source.name, source_url=indicator.source.url, attribution=indicator.source.attribution,
        licence=indicator.source.licence, licence_url=licence_link(indicator.source.licence),
        source_line=source_line(indicator, lang, demo),
        goal=goal,
        status=goal.status if goal else "no_goal",
        status_text=goal.status_text if goal else status_word("no_goal", lang),
        reason_text=goal.reason_text if goal else None,
        forecast_text=goal.forecast_text if goal else None,
        trend_text=goal.trend_text if goal else None,
        path=path, annual=annual, trend=_trend(evaluation), today=today, today_text=format_date(today, lang),
        annual_only=annual_only, resolution=requested, grain=grain, grains=("auto", *allowed_grains(indicator)),
        range_from=range_from, range_to=range_to, series=series, previous=previous,
        envelope=has_envelope(series, indicator.aggregation), table=table, annual_table=None if annual_only else annual_table,
        problems=tuple(problems),
        chart_title=t("explorer.chart_title", lang, name=name, unit=indicator.unit.get(lang)),
        summary=_summary(indicator, annual, series, lang),
        measures=chart_annotations(cockpit, viewer, indicator.id, lang),
        archive_note=archive_note(archived, lang),
    )


def _year_back(moment: datetime) -> datetime:
    return (pd.Timestamp(moment) - pd.DateOffset(years=1)).to_pydatetime()


def _series_table(indicator: Indicator, series, previous, grain: str, lang: str, sort: str | None) -> Table:
    unit = indicator.unit.get(lang)
    before = {p.x: p.value for p in previous}
    rows = []
    for point in series:
        prior = before.get(point.x)
        change = point.value - prior if prior is not None else None
        texts = (point.label, number(point.value, indicator, lang), number(point.low, indicator, lang),
                 number(point.high, indicator, lang), number(prior, indicator, lang),
                 format_signed(change, indicator.decimals, lang) if change is not None else "–")
        rows.append((texts, (point.x, point.value, point.low, point.high, prior, change)))
    headers = (t("explorer.col.period", lang), t("explorer.col.value", lang, unit=unit),
               t("explorer.col.min", lang), t("explorer.col.max", lang), t("explorer.col.previous", lang),
               t("explorer.col.change", lang))
    caption = t("explorer.table.series", lang, name=indicator.name.get(lang), per=t(f"explorer.per.{grain}", lang))
    return sorted_table(caption, headers, rows, (1, 2, 3, 4, 5), sort)


def _annual_table(indicator: Indicator, annual: tuple[AnnualPoint, ...], with_goal: bool, lang: str,
                  sort: str | None) -> Table:
    unit = indicator.unit.get(lang)
    rows = []
    for p in annual:
        texts = (str(p.year), p.value_text, p.expected_text or "–", p.status_text)
        rows.append((texts, (p.year, p.value, p.expected, p.status_text)))
    headers = (t("explorer.col.year", lang), t("explorer.col.value", lang, unit=unit),
               t("explorer.col.expected", lang), t("charts.position.header", lang))
    if not with_goal:
        rows = [(r[0][:2], r[1][:2]) for r in rows]
        headers = headers[:2]
    caption = t("explorer.table.annual", lang, name=indicator.name.get(lang))
    return sorted_table(caption, headers, rows, (1, 2) if with_goal else (1,), sort)


def _summary(indicator: Indicator, annual: tuple[AnnualPoint, ...], series, lang: str) -> str:
    points = series or annual
    if not points:
        return t("ui.spark.empty", lang)
    first, last = points[0], points[-1]
    first_label = first.label if isinstance(first, SeriesPoint) else str(first.year)
    last_label = last.label if isinstance(last, SeriesPoint) else str(last.year)
    return t("explorer.summary", lang, name=indicator.name.get(lang), start=first_label, end=last_label,
             first=quantity(first.value, indicator, lang), last=quantity(last.value, indicator, lang))
