"""The period a report covers: `2026` (a year), `2026-H2` (a half year), `2026-Q4` (a quarter)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from cockpit.i18n import format_date, t

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<part>\d))?$")


@dataclass(frozen=True)
class Period:
    code: str  # '2026-H2'
    year: int
    kind: str  # year | half | quarter
    part: int  # 1..2 (half), 1..4 (quarter), 0 (year)
    start: date
    end: date  # last day, inclusive

    def text(self, lang: str) -> str:
        """'2. Halbjahr 2026' / 'second half of 2026' / '2026'."""
        if self.kind == "year":
            return t("reports.period.year", lang, year=self.year)
        return t(f"reports.period.{self.kind}", lang, year=self.year, part=self.part)

    def range_text(self, lang: str) -> str:
        return f"{format_date(self.start, lang)} – {format_date(self.end, lang)}"


def parse_period(text: str) -> Period:
    """The period named by `text`; ValueError naming the accepted forms otherwise."""
    match = _PATTERN.match((text or "").strip())
    if match is None:
        raise ValueError(f"period {text!r}: expected YYYY, YYYY-H1|H2 or YYYY-Q1..Q4 (e.g. 2026-H2)")
    year = int(match["year"])
    kind = {None: "year", "H": "half", "Q": "quarter"}[match["kind"]]
    part = int(match["part"] or 0)
    months = {"year": 12, "half": 6, "quarter": 3}[kind]
    if kind != "year" and not 1 <= part <= 12 // months:
        raise ValueError(f"period {text!r}: {match['kind']}{part} does not exist (H1-H2, Q1-Q4)")
    first_month = 1 if kind == "year" else (part - 1) * months + 1
    start = date(year, first_month, 1)
    next_month = first_month + months
    end = (date(year + 1, 1, 1) if next_month > 12 else date(year, next_month, 1)) - timedelta(days=1)
    code = str(year) if kind == "year" else f"{year}-{match['kind']}{part}"
    return Period(code, year, kind, part, start, end)
