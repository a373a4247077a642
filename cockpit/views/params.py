"""Query parameters of the public routes (embeds, open-data API), checked strictly: a malformed value is a
ParameterError naming the parameter and what is allowed (HTTP 400), never a server error."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from cockpit.kpi import LOCAL_TZ

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")


class ParameterError(ValueError):
    """A query parameter is malformed; the message names it."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"parameter '{name}': {message}")


def single(args: Mapping, name: str) -> str | None:
    """The one value of `name` (None when absent); a repeated parameter is an error."""
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else ([args[name]] if name in args else [])
    if len(values) > 1:
        raise ParameterError(name, "given more than once")
    return values[0] if values else None


def choice(args: Mapping, name: str, allowed: Sequence[str], default: str) -> str:
    value = single(args, name)
    if value is None:
        return default
    if value not in allowed:
        raise ParameterError(name, f"{_show(value)} is not one of {', '.join(allowed)}")
    return value


def flag(args: Mapping, name: str, default: bool) -> bool:
    value = single(args, name)
    if value is None:
        return default
    if value not in ("0", "1"):
        raise ParameterError(name, f"{_show(value)} is not 0 or 1")
    return value == "1"


def integer(args: Mapping, name: str, default: int, low: int, high: int) -> int:
    value = single(args, name)
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value) or not low <= int(value) <= high:
        raise ParameterError(name, f"{_show(value)} is not a whole number from {low} to {high}")
    return int(value)


def moment(args: Mapping, name: str) -> datetime | None:
    """A date (the start of that day in Europe/Berlin) or a date-time (without offset: Europe/Berlin) -> UTC.
    Instants before 1900 or after 2200 are clamped to those years (there is no data out there)."""
    value = single(args, name)
    if value is None:
        return None
    hint = "is not an ISO 8601 date or date-time (e.g. 2026-01-01 or 2026-01-01T00:00:00Z)"
    try:
        if _DATE.match(value):
            parsed = datetime.combine(date.fromisoformat(value), time(), LOCAL_TZ)
        elif _DATETIME.match(value):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=LOCAL_TZ)
        else:
            raise ParameterError(name, f"{_show(value)} {hint}")
    except ParameterError:
        raise
    except ValueError:
        raise ParameterError(name, f"{_show(value)} {hint}") from None
    if parsed.year < EARLIEST.year:
        return EARLIEST
    if parsed.year >= LATEST.year:
        return LATEST
    return parsed.astimezone(UTC)


def _show(value: str) -> str:
    """The value quoted for a message, shortened and without control characters."""
    clean = "".join(c if c.isprintable() else "?" for c in value)
    return repr(clean if len(clean) <= 40 else clean[:40] + "…")
