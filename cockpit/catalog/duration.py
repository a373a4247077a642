"""ISO 8601 durations (P1Y, P1M, P7D, PT15M) with calendar arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    """A parsed ISO 8601 duration; adding it to a datetime uses calendar months and years."""

    text: str
    years: int = 0
    months: int = 0
    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(str(text).strip())
        if not match:
            raise ValueError(f"not an ISO 8601 duration: {text!r} (examples: P1D, P1M, P1Y, PT15M)")
        parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        return cls(
            text=str(text).strip(),
            years=parts["years"],
            months=parts["months"],
            days=parts["days"] + 7 * parts["weeks"],
            seconds=parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"],
        )

    @property
    def delta(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months, days=self.days, seconds=self.seconds)

    def after(self, moment: datetime) -> datetime:
        return moment + self.delta

    def approx_seconds(self) -> float:
        return self.years * 365.25 * 86400 + self.months * 30.44 * 86400 + self.days * 86400 + self.seconds

    def __str__(self) -> str:
        return self.text
