"""Vectorised validation: in one mixed payload every bad record gets its own reason, the good ones are kept."""

from __future__ import annotations

import math

from cockpit.jobs.validate import validate
from cockpit.sources.base import make_frame


def row(raw, indicator="recycling-rate", district="", start="2026-01-01T00:00:00+01:00", value=50.0):
    return dict(indicator=indicator, district=district, period_start=start, period_end=None, value=value, raw=raw)


def test_each_record_of_a_mixed_payload_gets_the_reason_of_the_first_rule_it_breaks(catalog):
    records = [
        row("good-1"),
        row("unknown", indicator="pm10", value=math.nan),  # unknown indicator wins over the missing value
        row("no-time", start=None),
        row("range", value=140.0, start="2026-02-01T00:00:00+01:00"),
        row("good-2", start="2026-03-01T00:00:00+01:00"),
        row("city", district="lusan"),
        row("district", indicator="charge-points-per-1000", district="atlantis", value=1.0),
        row("inf", value=math.inf, start="2026-04-01T00:00:00+02:00"),
    ]
    valid, rejects = validate(make_frame(records * 300), catalog)
    assert sorted(set(valid["raw"])) == ["good-1", "good-2"]
    by_raw = {r.raw: r.reason for r in rejects}
    assert len(rejects) == 6 * 300
    assert by_raw == {
        "unknown": "unknown indicator 'pm10'",
        "no-time": "missing or unparsable timestamp (period_start)",
        "range": "value 140.0 outside the plausible range 0.0..100.0 of 'recycling-rate'",
        "city": "indicator 'recycling-rate' is city-wide but the record names district 'lusan'",
        "district": "unknown district 'atlantis'",
        "inf": "value inf is not finite",
    }
    assert [r.raw for r in rejects[:6]] == ["unknown", "no-time", "range", "city", "district", "inf"]

