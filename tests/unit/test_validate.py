"""Per-record validation: bad records become rejects with reasons, valid ones are kept."""

from __future__ import annotations

import math

import pytest

from cockpit.jobs.validate import validate
from cockpit.sources.base import Document, PayloadError, load_json, make_frame


def row(indicator="recycling-rate", district="", start="2026-01-01T00:00:00+01:00", value=50.0, raw="r"):
    return dict(indicator=indicator, district=district, period_start=start, period_end=None, value=value, raw=raw)


def test_valid_rows_pass(catalog):
    valid, rejects = validate(make_frame([row(), row(start="2026-02-01T00:00:00+01:00")]), catalog)
    assert len(valid) == 2 and rejects == []


@pytest.mark.parametrize(("record", "reason"), [
    (row(indicator="pm10"), "unknown indicator 'pm10'"),
    (row(value=None), "missing or non-numeric value"),
    (row(value=math.inf), "not finite"),
    (row(value=140.0), "outside the plausible range 0.0..100.0 of 'recycling-rate'"),
    (row(value=-1.0), "outside the plausible range"),
    (row(district="lusan"), "is city-wide but the record names district 'lusan'"),
    (row(indicator="charge-points-per-1000", district="atlantis", value=1.0), "unknown district 'atlantis'"),
    (row(start=None), "missing or unparsable timestamp"),
])
def test_bad_records_are_rejected_with_reason(catalog, record, reason):
    valid, rejects = validate(make_frame([row(start="2025-06-01T00:00:00+02:00"), record]), catalog)
    assert len(valid) == 1
    assert len(rejects) == 1 and reason in rejects[0].reason


def test_identical_duplicates_collapse_and_conflicting_ones_are_reported(catalog):
    frame = make_frame([row(raw="a"), row(raw="b"), row(value=51.0, raw="c")])
    valid, rejects = validate(frame, catalog)
    assert valid["value"].tolist() == [51.0]
    assert [r.raw for r in rejects] == ["b"] and "duplicate record" in rejects[0].reason


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty response"),
    (b"   \n", "empty response"),
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML/XML page instead of JSON"),
    (b'{"series": [[1, 2], [3', "truncated JSON"),
    (b'{"series": nope}', "invalid JSON"),
    (b'\xff\xfe{"a": 1}', "not UTF-8"),
])
def test_load_json_names_the_source_and_the_problem(body, message):
    with pytest.raises(PayloadError) as err:
        load_json(Document("https://x/index.json", body), "smard-50hertz")
    assert "source 'smard-50hertz', https://x/index.json" in str(err.value)
    assert message in str(err.value)


def test_json_cut_inside_a_string_counts_as_truncated():
    with pytest.raises(PayloadError, match="truncated JSON"):
        load_json(Document("x.json", b'{"entities": [{"id": "wastecontainer:Gera:0'), "waste-containers")
