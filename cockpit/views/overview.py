"""The overview: one tile per indicator the viewer may see, grouped by domain."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from cockpit.catalog import Indicator
from cockpit.i18n import format_date, format_number, format_percent, t
from cockpit.kpi import LOCAL_TZ, GoalEvaluation, due_by, is_stale, year_due_by
from cockpit.readmodel.snapshot import Snapshot, is_annual, is_subdaily
from cockpit.roles import Role
from cockpit.views.formatting import (
    DayScreen,
    StatusCount,
    bucket_label,
    change_quantity,
    day_text,
    due_label,
    forecast_sentence,
    indicator_href,
    month_name,
    overdue_period,
    period_label,
    quantity,
    reason_sentence,
    screen_at,
    stale_sentence,
    status_counts,
    status_word,
    target_text,
)
from cockpit.views.kept import KeptByIdentity
from cockpit.views.measures import OverdueSummary, overdue_summary

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
    lang: str | None = None  # language of name, licence and attribution when it is not the page's


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
    stale_text: str | None  # 'Wert für 2026 seit 03.01.2027 überfällig'
    demo: bool
    source: SourceView
    reason_text: str | None = None  # one plain-language line explaining the status (goal rules v2)
    value_label: str | None = None  # what the big number is: 'Jahresmittel 2025', 'Mittel der 7 Tage bis …'
    running_text: str | None = None  # provisional running year: '2026 bisher (bis Oktober, vorläufig): 57,2 %'
    href: str | None = None  # the indicator's detail page, '/indicator/<id>?lang=de'


@dataclass(frozen=True)
class DomainGroup:
    domain: str
    title: str
    tiles: tuple[TileView, ...]


@dataclass(frozen=True)
class OverviewView(DayScreen):
    groups: tuple[DomainGroup, ...]
    counts: tuple[StatusCount, ...]  # statuses of the tiles with a goal
    demo: bool  # some shown data comes from a synthetic source
    measures_overdue: OverdueSummary | None = None  # measures (visible to the viewer) with an overdue report

    @property
    def tiles(self) -> tuple[TileView, ...]:
        return tuple(tile for group in self.groups for tile in group.tiles)

    def tile(self, indicator_id: str) -> TileView:
        return next(tile for tile in self.tiles if tile.indicator_id == indicator_id)


def build_overview(cockpit: Cockpit, role: Role | str, lang: str | None = None,
                   now: datetime | None = None) -> OverviewView:
    """The overview for `role` in `lang` at `now` (default: the current time in Europe/Berlin)."""
    return screen_at(overview_from_snapshot, cockpit, role, lang, now)


def overview_from_snapshot(cockpit: Cockpit, snap: Snapshot, lang: str, now: datetime) -> OverviewView:
    catalog = cockpit.catalog
    first_goal: dict[str, GoalEvaluation] = {}
    for evaluation in snap.evaluation.goals:
        first_goal.setdefault(evaluation.indicator.id, evaluation)
    visible = catalog.visible_indicators(snap.role)
    tiles = tuple(_kept_tile(ind, lang, now, snap, first_goal.get(ind.id)) for ind in visible)  # a part each
    overdue = _OVERDUE.get((snap,), (lang, now.date()), lambda: overdue_summary(cockpit, snap.role, lang, now))
    # the same view object while its snapshot, tiles (kept while unchanged) and overdue line are the same: its
    # fingerprint and its rendering (layouts) are then derived once, not once per page
    return _VIEWS.get((snap, overdue, *tiles), (lang,), lambda: _view(cockpit, snap, lang, tiles, overdue))


def _view(cockpit: Cockpit, snap: Snapshot, lang: str, tiles: tuple[TileView, ...],
          overdue: OverdueSummary) -> OverviewView:
    groups = tuple(
        DomainGroup(domain, t(f"domain.{domain}", lang), tuple(tile for tile in tiles if tile.domain == domain))
        for domain in DOMAINS
        if any(tile.domain == domain for tile in tiles)
    )
    counts = status_counts((tile.status for tile in tiles if tile.goal_id), lang)
    return OverviewView(lang, snap.role, snap.at, day_text(snap.at, lang), cockpit.catalog.city.get(lang), groups,
                        counts, any(tile.demo for tile in tiles), overdue)


# `overdue_summary` once per snapshot (a new one comes with every new data version, measures and progress reports
# included), language and day: three store reads and every measure's card, not once per page
_OVERDUE: KeptByIdentity[OverdueSummary] = KeptByIdentity(32)
_VIEWS: KeptByIdentity[OverviewView] = KeptByIdentity(32)


def _kept_tile(indicator: Indicator, lang: str, now: datetime, snap: Snapshot,
               evaluation: GoalEvaluation | None) -> TileView:
    """The tile of an indicator from its snapshot part, derived once per part, language and month (the tile
    depends on `now` only through the running month and staleness; staleness is judged again every time)."""
    part = snap.parts[indicator.id]
    key = ("tile", lang, now.year, now.month)
    tile, kept = part.kept(key, evaluation, lambda: tile_view(indicator, lang, now, snap, evaluation, Series(
        _rows_or_none(part.monthly), _rows_or_none(part.annual), _rows_or_none(part.daily))))
    if kept:
        latest_start = snap.latest_start.get(indicator.id)
        due, _ = part.kept(("due",), evaluation, lambda: _stale_due(indicator, evaluation, latest_start))
        if due is not None and ((now if is_subdaily(indicator) else now.date()) > due) != tile.stale:
            stale, stale_text = _stale(indicator, evaluation, latest_start, now, tile.demo, lang)
            tile = replace(tile, stale=stale, stale_text=stale_text)
            part.memo[key] = (evaluation, tile)
    return tile


def _stale_due(indicator: Indicator, evaluation: GoalEvaluation | None,
               latest_start: datetime | None) -> datetime | date | None:
    """After when a tile is stale (`_stale`): the due instant of a sub-daily indicator, the due day of others
    (stale from the next day); None when time cannot make it stale with this evaluation and latest value (a goal
    tile's staleness is the evaluation's; without a value nothing is overdue)."""
    if (evaluation is not None and evaluation.year is not None) or latest_start is None:
        return None
    due = due_by(indicator, latest_start)
    return due if is_subdaily(indicator) else due.date()


def _rows_or_none(frame: pd.DataFrame) -> pd.DataFrame | None:
    return None if frame.empty else frame


@dataclass(frozen=True)
class Series:
    """One indicator's city-wide aggregates from the snapshot (None where the store has none)."""

    monthly: pd.DataFrame | None  # indicator, month, value, n
    yearly: pd.DataFrame | None  # store.aggregates(..., "year")
    daily: pd.DataFrame | None  # store.aggregates(..., "day"), the last RECENT_DAYS days


@dataclass(frozen=True)
class Headline:
    """The big number of a tile, what it is (label), and the like-for-like change line."""

    value: float | None
    label: str | None
    change: float | None = None
    change_text: str | None = None


def _rows(frame: pd.DataFrame | None, column: str) -> list[tuple[datetime, float]]:
    """(bucket start as Europe/Berlin datetime, value) oldest first, rows without a value left out."""
    if frame is None or frame.empty:
        return []
    rows = frame.dropna(subset=["value"]).sort_values(column)
    return [(pd.Timestamp(b).tz_convert(LOCAL_TZ).to_pydatetime(), float(v))
            for b, v in zip(rows[column], rows["value"], strict=True)]


def _change(delta: float, indicator: Indicator, lang: str, against: str) -> tuple[float, str]:
    return delta, t("ui.tile.change", lang, change=change_quantity(delta, indicator, lang), period=against)


def _goal_headline(evaluation: GoalEvaluation, indicator: Indicator, lang: str) -> Headline:
    """The annual value of Y* (what the status is about), compared with the year before."""
    year = evaluation.year
    kind = "year" if is_annual(indicator) else indicator.aggregation
    headline = Headline(evaluation.value, t(f"ui.headline.{kind}", lang, year=year))
    if (year - 1) in evaluation.annual.index:
        delta, text = _change(evaluation.value - float(evaluation.annual[year - 1]), indicator, lang, str(year - 1))
        headline = Headline(evaluation.value, headline.label, delta, text)
    return headline


WINDOW_DAYS = 7


def _days_headline(indicator: Indicator, daily: pd.DataFrame | None, lang: str) -> Headline | None:
    """Daily and sub-daily series: the last 7 days up to the latest day with data (mean or total), compared
    with the 7 days before; a 'last' indicator shows its latest day."""
    if daily is None or daily.empty:
        return None
    frame = daily.assign(day=pd.to_datetime(daily["bucket"]).dt.tz_convert(LOCAL_TZ).dt.date)
    last_day = max(frame["day"])
    date_text = day_text(last_day, lang)
    agg = indicator.aggregation

    def window(end) -> pd.DataFrame:
        return frame[(frame["day"] <= end) & (frame["day"] > end - timedelta(days=WINDOW_DAYS))]

    def value(rows: pd.DataFrame) -> float | None:
        if rows.empty:
            return None
        if agg == "sum":
            return float(rows["sum"].sum())
        if agg == "mean":
            return float(rows["sum"].sum() / rows["n"].sum())
        return float(rows.sort_values("day")["value"].iloc[-1])

    if agg == "last":
        return Headline(value(frame[frame["day"] == last_day]), t("ui.headline.days.last", lang, date=date_text))
    current, previous = window(last_day), window(last_day - timedelta(days=WINDOW_DAYS))
    label = t(f"ui.headline.days.{agg}", lang, days=WINDOW_DAYS, date=date_text)
    now_value, before = value(current), value(previous)
    comparable = not previous.empty and (agg != "sum" or len(previous) == len(current) == WINDOW_DAYS)
    if now_value is None or before is None or not comparable:
        return Headline(now_value, label)
    delta = now_value - before
    return Headline(now_value, label, delta, t("ui.tile.change_days", lang,
                                               change=change_quantity(delta, indicator, lang), days=WINDOW_DAYS))


def _period_headline(indicator: Indicator, series: Series, lang: str) -> Headline | None:
    """Monthly series: the latest month, compared with the same month a year earlier; annual series: the
    latest year, compared with the year before."""
    if is_annual(indicator):
        rows = _rows(series.yearly, "bucket")
        if not rows:
            return None
        (start, value) = rows[-1]
        head = Headline(value, t("ui.headline.year", lang, year=start.year))
        earlier = [r for r in rows if r[0].year == start.year - 1]
    else:
        rows = _rows(series.monthly, "month")
        if not rows:
            return None
        (start, value) = rows[-1]
        head = Headline(value, period_label(start, indicator, lang))
        earlier = [r for r in rows if (r[0].year, r[0].month) == (start.year - 1, start.month)]
    if not earlier:
        return head
    delta, text = _change(value - earlier[0][1], indicator, lang, period_label(earlier[0][0], indicator, lang))
    return Headline(value, head.label, delta, text)


def headline(indicator: Indicator, evaluation: GoalEvaluation | None, series: Series, lang: str) -> Headline:
    if evaluation is not None and evaluation.year is not None:
        return _goal_headline(evaluation, indicator, lang)
    found = None
    if evaluation is None and not (indicator.rhythm.years or indicator.rhythm.months):
        found = _days_headline(indicator, series.daily, lang)  # None when the last days hold no data
    return found or _period_headline(indicator, series, lang) or Headline(None, None)


def running_year_text(indicator: Indicator, evaluation: GoalEvaluation | None, series: Series,
                      at: date, lang: str) -> str | None:
    """The provisional line of the running year under an assessed annual value:
    '2026 bisher (bis Oktober, vorläufig): 57,2 %' (aggregated like the year); 'Aktuell (Oktober 2026): …'
    for stock indicators ('last')."""
    if evaluation is None or evaluation.year is None or is_annual(indicator) or series.yearly is None:
        return None
    rows = series.yearly[pd.to_datetime(series.yearly["bucket"]).dt.tz_convert(LOCAL_TZ).dt.year == at.year]
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return None
    row = rows.iloc[-1]
    latest = pd.Timestamp(row["last_start"]).to_pydatetime()
    value = quantity(float(row["value"]), indicator, lang)
    if indicator.aggregation == "last":
        return t("ui.running.latest", lang, period=period_label(latest, indicator, lang), value=value)
    local = latest.astimezone(LOCAL_TZ)
    until = month_name(local.month, lang) if indicator.rhythm.months else day_text(local.date(), lang)
    return t("ui.running.partial", lang, year=at.year, until=until, value=value)


def _stale(indicator: Indicator, evaluation: GoalEvaluation | None, latest_start: datetime | None,
           now: datetime, demo: bool, lang: str) -> tuple[bool, str | None]:
    """Goal tiles are stale when the next annual value is overdue (the goal's rule), other tiles when the
    indicator's next value is; the text names what is overdue and since when."""
    if evaluation is not None and evaluation.year is not None:
        return (True, overdue_sentence(indicator, evaluation.year, None, lang)) if evaluation.stale else (False, None)
    stale_at = now if is_subdaily(indicator) else now.date()
    if latest_start is None or not is_stale(indicator, latest_start, stale_at):
        return False, None
    text = overdue_sentence(indicator, None, latest_start, lang)
    if demo and is_subdaily(indicator):
        text = t("ui.stale.with_note", lang, text=text, note=t("ui.stale.demo_snapshot", lang))
    return True, text


def overdue_sentence(indicator: Indicator, year: int | None, latest_start: datetime | None,
                     lang: str) -> str | None:
    """What is overdue since when: the annual value after `year` (the year a goal is judged on), else the value
    after the latest one (None without one)."""
    if year is not None:
        return stale_sentence(str(year + 1), format_date(year_due_by(indicator, year), lang), lang)
    if latest_start is None:
        return None
    return stale_sentence(overdue_period(indicator, latest_start, lang),
                          due_label(due_by(indicator, latest_start), indicator, lang), lang)


def tile_view(indicator: Indicator, lang: str, now: datetime, snap: Snapshot, evaluation: GoalEvaluation | None,
              series: Series) -> TileView:
    head = headline(indicator, evaluation, series, lang)
    value = head.value
    direction = None
    if head.change is not None:
        tolerance = 0.5 * 10 ** -indicator.decimals
        direction = "flat" if abs(head.change) < tolerance else ("up" if head.change > 0 else "down")
    latest_start = snap.latest_start.get(indicator.id)
    period = period_label(latest_start, indicator, lang) if latest_start is not None else None
    demo = indicator.id in snap.synthetic
    stale, stale_text = _stale(indicator, evaluation, latest_start, now, demo, lang)
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
        change_text=head.change_text,
        change_direction=direction,
        period_text=period,
        as_of_text=t("ui.tile.as_of", lang, period=period) if period else t("ui.tile.no_value", lang),
        spark=sparkline(indicator, series.monthly, lang, now),
        stale=stale,
        stale_text=stale_text,
        demo=demo,
        source=source_view(indicator, lang),
        value_label=head.label,
        running_text=running_year_text(indicator, evaluation, series, snap.at, lang),
        href=indicator_href(indicator.id, lang),
        **goal_fields,
    )


def source_view(indicator: Indicator, lang: str) -> SourceView:
    source = indicator.source
    return SourceView(source.name, source.url, source.licence, source.attribution, indicator.department.get(lang),
                      None if source.lang == lang else source.lang)


def _goal_fields(evaluation: GoalEvaluation | None, lang: str) -> dict:
    if evaluation is None:
        return dict(goal_id=None, goal_name=None, target_text=None, target_value=None, target_year=None,
                    progress=None, progress_bar=0.0, progress_text=None, evaluated_year=None, status="no_goal",
                    status_text=status_word("no_goal", lang), forecast_text=None, reason_text=None)
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
        reason_text=reason_sentence(evaluation, lang),
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
