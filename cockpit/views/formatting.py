"""Texts shared by the view models: quantities with units, periods by rhythm, status words, forecasts."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from cockpit.catalog import Indicator
from cockpit.i18n import format_date, format_datetime, format_number, format_signed, normalize_lang, t
from cockpit.kpi import LOCAL_TZ, STATUSES, GoalEvaluation, next_period_start
from cockpit.readmodel.snapshot import is_annual, is_subdaily, snapshot_at
from cockpit.roles import Role

NBSP = "\u00a0"
VIEW_STATUSES = (*STATUSES, "no_goal")


class Fingerprinted:
    """Base of a screen's view dataclass: `fingerprint` changes whenever anything shown changes (lets a refresh
    skip re-rendering an unchanged view). Computed once per view object (views are frozen)."""

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class DayScreen(Fingerprinted):
    """What the overview and the goal tree both start with: the viewer's language and role, the day evaluated
    (and its text) and the city."""

    lang: str
    role: Role
    at: date
    at_text: str
    city: str


def month_name(month: int, lang: str) -> str:
    return t(f"ui.month.{month}", lang)


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join_unit(number: str, unit: str, lang: str) -> str:
    if not unit:
        return number
    if unit == "%" and normalize_lang(lang) == "en":
        return f"{number}%"
    return f"{number}{NBSP}{unit}"


def quantity(value: float | None, indicator: Indicator, lang: str) -> str:
    """'1.234,5 t je Einw.' / '1,234.5 t per inhabitant' / '62,3 %' / '62.3%'; '–' without a value."""
    if value is None:
        return "–"
    return _join_unit(format_number(value, indicator.decimals, lang), indicator.unit.get(lang), lang)


def change_quantity(delta: float, indicator: Indicator, lang: str) -> str:
    """A signed difference; a difference of percentages is given in percentage points."""
    unit = indicator.unit.get(lang)
    unit = t("ui.unit.pp", lang) if unit == "%" else unit
    number = format_signed(delta, indicator.decimals, lang)
    return f"{number}{NBSP}{unit}" if unit else number


def period_label(moment: datetime, indicator: Indicator, lang: str) -> str:
    """The period that starts at `moment`, in the indicator's rhythm and Europe/Berlin time.

    Annual '2025', monthly 'Oktober 2026' / 'October 2026', daily '20.11.2026' / '20 Nov 2026',
    sub-daily '20.11.2026, 14:00'.
    """
    local = moment.astimezone(LOCAL_TZ)
    if is_annual(indicator):
        return str(local.year)
    if indicator.rhythm.months:
        return f"{month_name(local.month, lang)} {local.year}"
    if is_subdaily(indicator):
        return format_datetime(moment, lang)
    return format_date(local.date(), lang)


def bucket_label(month: datetime, indicator: Indicator, lang: str) -> str:
    """Label of a sparkline point: the year for annual indicators, else month and year."""
    local = month.astimezone(LOCAL_TZ)
    if is_annual(indicator):
        return str(local.year)
    return f"{month_name(local.month, lang)} {local.year}"


def due_label(due: datetime, indicator: Indicator, lang: str) -> str:
    return format_datetime(due, lang) if is_subdaily(indicator) else format_date(due, lang)


def status_word(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)


def forecast_sentence(evaluation: GoalEvaluation | None, lang: str) -> str | None:
    """'Beim jetzigen Tempo 2032 erreicht (Ziel 2030)' and its variants; None without a goal."""
    if evaluation is None:
        return None
    goal = evaluation.goal
    if evaluation.status == "achieved" and evaluation.year is not None:
        return t("ui.forecast.achieved", lang, year=evaluation.year)
    trend = evaluation.forecast
    if trend is None:
        return t("kpi.forecast.none", lang)
    if trend.reached_year is None:
        return t("kpi.forecast.not_reached", lang, target_year=goal.target.year)
    return t("kpi.forecast.reached", lang, year=trend.reached_year, target_year=goal.target.year)


def gap_quantity(gap: float, indicator: Indicator, lang: str) -> str:
    """An unsigned distance, percentages in percentage points; more decimals where it would round to 0."""
    unit = indicator.unit.get(lang)
    unit = t("ui.unit.pp", lang) if unit == "%" else unit
    decimals = indicator.decimals
    while decimals < 4 and gap > 0 and round(gap, decimals) == 0:
        decimals += 1
    return _join_unit(format_number(gap, decimals, lang), unit, lang)


def reason_sentence(evaluation: GoalEvaluation, lang: str) -> str:
    """One plain-language line explaining the status (goal rules v2), from `evaluation.reason`.

    'Im Plan, aber beim jetzigen Tempo erst 2031 erreicht (Ziel 2030)' /
    'On the path now, but at the current pace reached only in 2031 (target 2030)'.
    """
    code = evaluation.reason
    goal, indicator = evaluation.goal, evaluation.indicator
    if code in ("achieved", "no_data"):
        return capitalize(t(f"kpi.reason.{code}", lang, year=evaluation.year))
    where, trend = code.split("+")
    values = {"target_year": goal.target.year,
              "reached": evaluation.forecast.reached_year if evaluation.forecast else None}
    if where == "behind":
        values["gap"] = gap_quantity(abs(evaluation.value - evaluation.expected), indicator, lang)
        values["side"] = t(f"kpi.reason.side.{'above' if goal.direction == 'decrease' else 'below'}", lang)
    return capitalize(t(f"kpi.reason.{where}.{trend}", lang, **values))


def stale_sentence(period: str, due: str, lang: str) -> str:
    """'Wert für 2026 seit 03.01.2027 überfällig' / 'Value for 2026 overdue since 3 Jan 2027'."""
    return t("ui.stale.overdue", lang, period=period, due=due)


def overdue_period(indicator: Indicator, latest_start: datetime, lang: str) -> str:
    """The period after the latest one, in the indicator's rhythm ('2026', 'November 2026', '21.11.2026')."""
    return period_label(next_period_start(indicator, latest_start), indicator, lang)


def figure_quantity(value: float, indicator: Indicator, lang: str) -> str:
    """A figure set by a goal, with only the decimals it has ('80 %', '4,9 t je Einw.', '12 je 1.000 Einw.'), so
    that it reads as the goal's name writes it."""
    decimals = 0
    while decimals < indicator.decimals and round(value, decimals) != round(value, indicator.decimals):
        decimals += 1
    return _join_unit(format_number(value, decimals, lang), indicator.unit.get(lang), lang)


def target_text(evaluation: GoalEvaluation, lang: str) -> str:
    goal = evaluation.goal
    return t("kpi.target", lang, year=goal.target.year,
             value=figure_quantity(goal.target.value, evaluation.indicator, lang))


def goal_count_text(count: int, lang: str) -> str:
    return t("ui.count.goals.one", lang) if count == 1 else t("ui.count.goals.other", lang, count=count)


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    text: str  # '2 Auf Kurs'


def status_counts(statuses: Iterable[str], lang: str) -> tuple[StatusCount, ...]:
    """Counts per status in the fixed status order, only statuses that occur."""
    counter = Counter(statuses)
    return tuple(
        StatusCount(s, counter[s], t("ui.count.status", lang, count=counter[s], status=status_word(s, lang)))
        for s in VIEW_STATUSES if counter[s]
    )


def day_text(day: date, lang: str) -> str:
    return format_date(day, lang)


def indicator_href(indicator_id: str, lang: str) -> str:
    """The indicator's detail page (built by the explorer engineer): '/indicator/<id>?lang=de'."""
    return f"/indicator/{indicator_id}?lang={lang}"


def screen_at(build, cockpit, role, lang: str | None, now: datetime | None):
    """The screen `build(cockpit, snapshot, lang, now)` makes of `role`'s snapshot on the day of `now` (default: the
    current time, in Europe/Berlin), in `lang`: the common entry of the overview and the goal tree."""
    snap, now = snapshot_at(cockpit, role, now)
    return build(cockpit, snap, normalize_lang(lang), now)
