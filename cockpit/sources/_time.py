"""Shared time helpers of the connectors: strict ISO parsing, UTC formatting and local-day buckets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCAL_TZ = "Europe/Berlin"


def check_timezone(name: str) -> str:
    """An IANA time zone name (for option validators); ValueError if it is unknown."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def parse_instant(text: object) -> datetime:
    """An ISO 8601 / RFC 3339 timestamp with a zone, as UTC; ValueError (with a reason) otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"timestamp {text!r} is not a string")
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unparsable timestamp {text!r}") from None
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError(f"timestamp {text!r} has no time zone")
    return stamp.astimezone(UTC)


def parse_epoch(value: object, unit: str = "s") -> datetime:
    """A POSIX timestamp (seconds or, with unit='ms', milliseconds) as UTC; ValueError for non-integers."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(f"timestamp {value!r} is not a number")
    seconds = value / 1000 if unit == "ms" else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp {value!r} is out of range") from None


def iso_utc(stamp: datetime) -> str:
    """UTC ISO 8601 with a 'Z' (microseconds only when present), as used in watermarks and OData filters."""
    stamp = stamp.astimezone(UTC)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if stamp.microsecond:
        text += f".{stamp.microsecond:06d}".rstrip("0")
    return text + "Z"


def parse_watermark(text: str | None) -> datetime | None:
    """A stored watermark as UTC, or None if there is none or it is not a timestamp (then everything is fetched)."""
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        return None


def floor_hour(stamp: datetime) -> datetime:
    return stamp.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def local_midnight(day: date, tz: str = LOCAL_TZ) -> datetime:
    """Local midnight of a calendar day, as UTC."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_day(stamp: datetime, tz: str = LOCAL_TZ) -> date:
    return stamp.astimezone(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str = LOCAL_TZ) -> tuple[datetime, datetime]:
    """(start, end) of a local calendar day in UTC; 23 or 25 hours long on DST changes."""
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


@dataclass
class DayTotal:
    """Sums of numerator and denominator over the complete periods of one local day."""

    day: date
    start: datetime
    end: datetime
    numerator: float = 0.0
    denominator: float = 0.0
    periods: int = 0
    last: datetime | None = None

    def coverage(self, step: timedelta) -> float:
        expected = max(1, round((self.end - self.start) / step))
        return self.periods / expected


def daily_totals(points: Iterable[tuple[datetime, float, float]], tz: str = LOCAL_TZ) -> list[DayTotal]:
    """Group (period start, numerator, denominator) points by local calendar day, oldest day first."""
    days: dict[date, DayTotal] = {}
    for stamp, num, den in sorted(points, key=lambda p: p[0]):
        day = local_day(stamp, tz)
        total = days.get(day)
        if total is None:
            total = days[day] = DayTotal(day, *day_bounds(day, tz))
        total.numerator += num
        total.denominator += den
        total.periods += 1
        total.last = stamp
    return list(days.values())


def closed_days(days: list[DayTotal], step: timedelta, min_coverage: float) -> list[DayTotal]:
    """Days with at least `min_coverage` of their periods complete that are over in the data.

    A day is over when it is fully covered or a later day has data, so a day still being published is not emitted
    with a partial value (the watermark stays before it and the next run reads it again).
    """
    kept = []
    for position, total in enumerate(days):
        over = position < len(days) - 1 or total.coverage(step) >= 1
        if over and total.coverage(step) >= min_coverage:
            kept.append(total)
    return kept
