"""Shared by the indicator page and the explorer: time ranges from the URL, resolutions, chart series from the
store's aggregates (never raw observations), labels, source lines and sortable tables (pure Python, no Dash)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import pandas as pd

from cockpit.catalog import Indicator
from cockpit.i18n import format_date, format_number, t
from cockpit.kpi import LOCAL_TZ
from cockpit.views.formatting import month_name

RESOLUTIONS = ("auto", "hour", "day", "week", "month", "year")
GRAINS = ("hour", "day", "week", "month", "year")
GRAIN_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
MAX_POINTS = 1000  # about one point per horizontal pixel of a full-width chart (plotly-resampler's default)
HOUR_SPAN_DAYS = 400  # hour buckets are aggregated in SQL over at most this many days
PRESETS = ("1y", "3y", "5y", "10y", "all")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Problem:
    """A URL parameter that could not be used: shown to the user, the default is used instead."""

    text: str


def parse_period(text: str | None, end: bool = False) -> datetime | None:
    """'2020' / '2020-01' / '2020-01-15' -> the local start of that period (with end=True: the start of the next
    one, so the period is included); 'now' -> None for an end. ValueError for anything else."""
    if text is None or text == "":
        return None
    text = text.strip()
    if text.lower() in ("now", "heute", "today"):
        if end:
            return None
        raise ValueError(text)
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = int(match[1]), match[2], match[3]
    start = datetime(year, int(month or 1), int(day or 1), tzinfo=LOCAL_TZ)  # ValueError for month 13 etc.
    if not (1900 <= year <= 2100):
        raise ValueError(text)
    if not end:
        return start
    if day:
        return start + timedelta(days=1)
    if month:
        return datetime(year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)


def preset_start(preset: str, now: datetime) -> str | None:
    """The `from` value a preset stands for ('3y' in Nov 2026 -> '2023-12'); 'all' -> None."""
    if preset == "all" or preset not in PRESETS:
        return None
    years = int(preset[:-1])
    index = now.year * 12 + now.month - 1 - (years * 12 - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def rhythm_grain(indicator: Indicator) -> str:
    """The finest resolution that makes sense for the indicator's rhythm."""
    rhythm = indicator.rhythm
    if rhythm.years:
        return "year"
    if rhythm.months:
        return "month"
    if rhythm.days >= 7:
        return "week"
    if rhythm.days:
        return "day"
    return "hour"


def allowed_grains(indicator: Indicator) -> tuple[str, ...]:
    return GRAINS[GRAINS.index(rhythm_grain(indicator)):]


def bucket_count(grain: str, start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() / 86400 / GRAIN_DAYS[grain]) + 1


def auto_grain(indicator: Indicator, start: datetime, end: datetime) -> str:
    """The finest allowed resolution that sends at most MAX_POINTS points per trace."""
    for grain in allowed_grains(indicator):
        if grain == "hour" and (end - start).days > HOUR_SPAN_DAYS:
            continue
        if bucket_count(grain, start, end) <= MAX_POINTS:
            return grain
    return "year"


def choose_grain(indicator: Indicator, requested: str, start: datetime, end: datetime,
                 lang: str) -> tuple[str, Problem | None]:
    """The resolution to use: the requested one if it is allowed and small enough, else auto (with a reason)."""
    auto = auto_grain(indicator, start, end)
    if requested == "auto":
        return auto, None
    if requested not in allowed_grains(indicator):
        return auto, Problem(t("explorer.problem.grain_rhythm", lang, res=t(f"explorer.res.{requested}", lang),
                                 name=indicator.name.get(lang)))
    too_long = requested == "hour" and (end - start).days > HOUR_SPAN_DAYS
    if too_long or bucket_count(requested, start, end) > 2 * MAX_POINTS:
        return auto, Problem(t("explorer.problem.grain_points", lang, res=t(f"explorer.res.{requested}", lang)))
    return requested, None


def bucket_text(moment: pd.Timestamp | datetime, grain: str, lang: str) -> str:
    """The label of a bucket starting at `moment` (Europe/Berlin)."""
    local = pd.Timestamp(moment).tz_convert(LOCAL_TZ)
    if grain == "year":
        return str(local.year)
    if grain == "month":
        return f"{month_name(local.month, lang)} {local.year}"
    if grain == "week":
        iso = local.isocalendar()
        return t("explorer.week_label", lang, week=iso[1], year=iso[0], day=format_date(local.date(), lang))
    if grain == "day":
        return format_date(local.date(), lang)
    return f"{format_date(local.date(), lang)}, {local:%H:%M}"


def bucket_key(moment: pd.Timestamp, grain: str) -> str:
    """A compact x value for plotly: '2026-11-20' or '2026-11-20 14:00' (local time)."""
    local = pd.Timestamp(moment).tz_convert(LOCAL_TZ)
    return local.strftime("%Y-%m-%d %H:%M") if grain == "hour" else local.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class SeriesPoint:
    x: str  # bucket_key
    label: str  # bucket_text in the viewer's language
    value: float
    low: float  # min/max envelope of the observations in the bucket
    high: float
    n: int


@lru_cache(maxsize=20_000)
def key_text(key: str, grain: str, lang: str) -> str:
    """`bucket_text` of a bucket given by its `bucket_key` (the label depends on the local wall time only)."""
    return bucket_text(datetime.fromisoformat(key).replace(tzinfo=LOCAL_TZ), grain, lang)


def series_points(frame: pd.DataFrame, grain: str, lang: str, scale: float = 1.0,
                  running_after: datetime | None = None) -> tuple[SeriesPoint, ...]:
    """Points of one (indicator, district) from aggregate rows, oldest first; values times `scale`."""
    if frame.empty:
        return ()
    rows = frame.sort_values("bucket")
    rows = rows[rows["value"].notna()]
    if running_after is not None:
        rows = rows[rows["bucket"] < pd.Timestamp(running_after)]
    if rows.empty:
        return ()
    local = rows["bucket"].dt.tz_convert(LOCAL_TZ)
    keys = local.dt.strftime("%Y-%m-%d %H:%M" if grain == "hour" else "%Y-%m-%d").tolist()
    return tuple(SeriesPoint(key, key_text(key, grain, lang), value * scale, low * scale, high * scale, int(n))
                 for key, value, low, high, n in zip(keys, rows["value"].astype("float64").tolist(),
                                                     rows["min"].astype("float64").tolist(),
                                                     rows["max"].astype("float64").tolist(),
                                                     rows["n"].tolist(), strict=True))


def grouped_points(frame: pd.DataFrame, grain: str, lang: str) -> dict[tuple[str, str], tuple[SeriesPoint, ...]]:
    """`series_points` of every (indicator, district) of an aggregates frame, in one pass."""
    if frame.empty:
        return {}
    rows = frame[frame["value"].notna()].sort_values(["indicator", "district", "bucket"])
    local = rows["bucket"].dt.tz_convert(LOCAL_TZ)
    keys = local.dt.strftime("%Y-%m-%d %H:%M" if grain == "hour" else "%Y-%m-%d").tolist()
    grouped: dict[tuple[str, str], list[SeriesPoint]] = {}
    for indicator, district, key, value, low, high, n in zip(
            rows["indicator"].tolist(), rows["district"].tolist(), keys, rows["value"].astype("float64").tolist(),
            rows["min"].astype("float64").tolist(), rows["max"].astype("float64").tolist(), rows["n"].tolist(),
            strict=True):
        grouped.setdefault((indicator, district), []).append(
            SeriesPoint(key, key_text(key, grain, lang), value, low, high, int(n)))
    return {pair: tuple(points) for pair, points in grouped.items()}


def scaled(points: tuple[SeriesPoint, ...], scale: float) -> tuple[SeriesPoint, ...]:
    """The points with value, low and high times `scale`."""
    if scale == 1.0:
        return points
    return tuple(SeriesPoint(p.x, p.label, p.value * scale, p.low * scale, p.high * scale, p.n) for p in points)


def has_envelope(points: tuple[SeriesPoint, ...], aggregation: str = "mean") -> bool:
    """A min/max band makes sense where the bucket value lies between the single values (mean, last)."""
    return aggregation != "sum" and any(p.n > 1 and p.high - p.low > 1e-12 for p in points)


def source_line(indicator: Indicator, lang: str, demo: bool) -> str:
    """Attribution in the form Datenlizenz Deutschland asks for: provider, dataset, licence (+ link)."""
    source = indicator.source
    text = t("explorer.source_line", lang, attribution=source.attribution, name=source.name,
             licence=source.licence)
    if source.url:
        text += f" ({source.url})"
    if demo:
        text += " – " + t("explorer.demo_word", lang)
    return text


LICENCE_LINKS = {
    "dl-de/by-2-0": "https://www.govdata.de/dl-de/by-2-0",
    "dl-de/zero-2-0": "https://www.govdata.de/dl-de/zero-2-0",
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}


def licence_link(licence: str) -> str | None:
    for key, url in LICENCE_LINKS.items():
        if key in licence:
            return url
    return None


def rhythm_text(indicator: Indicator, lang: str) -> str:
    key = {"year": "yearly", "month": "monthly", "week": "weekly", "day": "daily", "hour": "hourly"}[
        rhythm_grain(indicator)]
    return t(f"explorer.rhythm.{key}", lang)


def duration_text(duration, lang: str) -> str:
    parts = []
    for unit in ("years", "months", "days"):
        amount = getattr(duration, unit)
        if amount:
            parts.append(t(f"explorer.duration.{unit}", lang, n=amount))
    hours = getattr(duration, "seconds", 0) // 3600
    if hours:
        parts.append(t("explorer.duration.hours", lang, n=hours))
    return ", ".join(parts) or "–"


@dataclass(frozen=True)
class Table:
    """A data table: caption, headers, rows of display texts, and sort keys per cell (for sorting)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...]
    sort_column: int | None = None
    descending: bool = False
    keys: tuple[tuple, ...] = ()  # the raw values behind each row (numbers unrounded), same order as rows


def sorted_table(caption: str, headers: tuple[str, ...], rows: list[tuple[tuple[str, ...], tuple]],
                 numeric: tuple[int, ...], sort: str | None) -> Table:
    """`rows` are (texts, keys) pairs; `sort` from the URL is '<column>' or '-<column>' (descending)."""
    column, descending = None, False
    if sort:
        descending = sort.startswith("-")
        try:
            column = int(sort.lstrip("-"))
        except ValueError:
            column = None
        if column is not None and not (0 <= column < len(headers)):
            column = None
    ordered = rows
    if column is not None:
        present = [r for r in rows if r[1][column] is not None]
        missing = [r for r in rows if r[1][column] is None]
        ordered = sorted(present, key=lambda r: r[1][column], reverse=descending) + missing
    return Table(caption, headers, tuple(r[0] for r in ordered), numeric, column, descending,
                 tuple(r[1] for r in ordered))


def number(value: float | None, indicator: Indicator, lang: str, extra: int = 0) -> str:
    return format_number(value, indicator.decimals + extra, lang)


def today_local(now: datetime | None = None) -> date:
    return (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
