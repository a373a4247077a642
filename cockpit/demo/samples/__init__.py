"""Deterministic generators of the demo payloads, one module per published format."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

DEMO_START = date(2019, 1, 1)
DEMO_END = date(2026, 11, 20)  # last day of the committed demo payloads (the connector test fixtures)
SEED = 20261122
POPULATION = 93_000


@dataclass(frozen=True)
class Calendar:
    """Where the generated series end: `end` is the last day of sub-annual data; `last_year` holds, per annual
    series (co2, energy, capacity, vehicles), the last year with a published value."""

    end: date = DEMO_END
    last_year: dict[str, int] = field(default_factory=lambda: dict(co2=2025, energy=2025, capacity=2025,
                                                                    vehicles=2026))

    @property
    def last_month(self) -> date:
        """The first day of the last complete month up to `end`."""
        following = date(self.end.year + self.end.month // 12, self.end.month % 12 + 1, 1)
        if (following - self.end).days == 1:  # `end` is the last day of its month
            return date(self.end.year, self.end.month, 1)
        return date(self.end.year - (self.end.month == 1), (self.end.month - 2) % 12 + 1, 1)


FIXTURE = Calendar()  # the committed payloads under data/samples/demo/: never depends on the clock


def semicolon_csv(header: list[str], rows: list[list[str]], preamble: list[str] = ()) -> str:
    """A German-style CSV text (';' between fields, CRLF line ends), after the preamble lines."""
    buffer = io.StringIO()
    for line in preamble:
        buffer.write(line + "\r\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
