"""The cockpit's clock: now in Europe/Berlin, or a fixed day for the demo and the tests.

`COCKPIT_DEMO_TODAY=YYYY-MM-DD` makes the pages and the generated demo believe that today is that day (the time
of day stays the real one). It exists to show and test the demo on a chosen date; production leaves it unset.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from cockpit.config import LOCAL_TZ, ConfigError

ENV_TODAY = "COCKPIT_DEMO_TODAY"


class ClockError(ConfigError):
    """COCKPIT_DEMO_TODAY is not a date (a bad setting: the start stops with its name)."""


def fixed_today() -> date | None:
    """The day set by COCKPIT_DEMO_TODAY, None when unset."""
    text = os.environ.get(ENV_TODAY, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ClockError(f"{ENV_TODAY}: not a date in the form YYYY-MM-DD: {text!r}") from None


def now() -> datetime:
    """The current moment in Europe/Berlin, moved to the day COCKPIT_DEMO_TODAY names when it is set."""
    moment = datetime.now(LOCAL_TZ)
    day = fixed_today()
    if day is None:
        return moment
    return datetime.combine(day, moment.time().replace(tzinfo=None), LOCAL_TZ)


def today() -> date:
    return now().date()


def local_year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a Europe/Berlin calendar year, in UTC (a local year bucket's raw rows, an archive file's)."""
    return (datetime(year, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC),
            datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC))
