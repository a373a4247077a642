"""Energy-Charts connector against recorded public_power and ren_share_daily_avg samples."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from cockpit.sources.base import Document, Payload, PayloadError
from cockpit.sources.energy_charts import EnergyChartsConnector, parse_day
from tests.conftest import SAMPLES
from tests.unit.source_support import assert_html_page_refused, assert_refused, by_start, make_connector

FOLDER = SAMPLES / "energy-charts"
BROKEN = FOLDER / "broken"
# a 15-minute step of the sample: 1500 hydro + 4000 biomass + 2000 offshore + 10000 onshore (+ 8000 solar by day)
BASE_MW, SOLAR_MW, LOAD_MW = 17_500, 8_000, 50_000


def connector(location=FOLDER, **options) -> EnergyChartsConnector:
    return make_connector(EnergyChartsConnector, "ec-test", location, {"cron": "45 6 * * *"}, options)


def parse_file(path, watermark=None, **options):
    payload = Payload(
        [Document(name=str(path), content=path.read_bytes())],
        meta={"watermark": watermark, "endpoint": options.get("endpoint", "public_power")},
    )
    return connector(**options).parse(payload)


# ---------------------------------------------------------------------- public_power
def test_public_power_becomes_a_daily_renewable_share_from_a_local_folder():
    result = connector().parse(connector().fetch(None))
    got = by_start(result.frame)
    # 30.03.: 96 steps, one left out because hydro is null at 02:00
    assert got["2024-03-29T23:00Z"] == pytest.approx(100 * (95 * BASE_MW + 32 * SOLAR_MW) / (95 * LOAD_MW))
    # 31.03. (DST, 92 steps): one left out because 'Wind onshore' is "-" at 04:00
    assert got["2024-03-30T23:00Z"] == pytest.approx(100 * (91 * BASE_MW + 32 * SOLAR_MW) / (91 * LOAD_MW))
    assert len(got) == 2  # 01.04. is published only until 10:00: not emitted yet
    assert result.frame.iloc[1].period_end == pd.Timestamp("2024-03-31T22:00Z")
    assert result.watermark == "2024-03-31T21:45:00Z"


def test_non_numeric_value_is_rejected_and_null_is_not():
    result = parse_file(FOLDER / "public_power.json")
    assert [r.reason for r in result.rejects] == [
        "series 'Wind onshore' at 2024-03-31T02:00:00Z: value '-' is not a number"
    ]


def test_series_names_match_case_insensitively_photovoltaics_and_hourly_steps():
    result = parse_file(FOLDER / "public_power_photovoltaics.json")
    assert by_start(result.frame) == {
        "2024-06-02T22:00Z": pytest.approx(100 * (24 * 6000 + 10 * 12000) / (24 * 40000))
    }
    assert result.rejects == []


def test_configured_names_and_scale():
    result = parse_file(
        FOLDER / "public_power_photovoltaics.json", renewable=["Photovoltaics"], load=["Load"], scale=1
    )
    assert result.frame.iloc[0].value == pytest.approx(10 * 12000 / (24 * 40000))


def test_http_request_carries_country_and_start_from_the_watermark(httpserver):
    httpserver.expect_request(
        "/public_power", query_string={"country": "de", "start": "2024-03-31"}
    ).respond_with_data((FOLDER / "public_power.json").read_bytes(), content_type="application/json")
    c = connector(httpserver.url_for("/"))
    result = c.parse(c.fetch("2024-03-31T21:45:00Z"))
    assert (
        result.frame.empty and result.rejects == [] and result.watermark is None
    )  # only the partial 01.04. is new


def test_first_http_run_uses_since(httpserver):
    httpserver.expect_request(
        "/public_power", query_string={"country": "fr", "start": "2024-03-30"}
    ).respond_with_data((FOLDER / "public_power.json").read_bytes(), content_type="application/json")
    c = connector(httpserver.url_for("/"), country="fr", since="2024-03-30")
    assert len(c.parse(c.fetch(None)).frame) == 2


# ---------------------------------------------------------------------- ren_share_daily_avg
def test_daily_average_with_german_dates_nulls_and_bad_records():
    result = connector(endpoint="ren_share_daily_avg").parse(
        connector(endpoint="ren_share_daily_avg").fetch(None)
    )
    assert by_start(result.frame) == {
        "2024-03-27T23:00Z": 48.2,
        "2024-03-28T23:00Z": 55.9,
        "2024-03-30T23:00Z": 61.4,
        "2024-03-31T22:00Z": 44.7,
    }
    assert sorted(r.reason for r in result.rejects) == [
        "unparsable day '31.02.2024' (expected dd.mm.yyyy or yyyy-mm-dd)",
        "value 'n/a' of 2024-03-30 is not a number",
    ]
    assert result.watermark == "2024-03-31T22:00:00Z"


def test_daily_average_with_iso_dates_and_watermark():
    result = parse_file(
        FOLDER / "ren_share_daily_avg_iso.json",
        watermark="2024-03-29T23:00:00Z",
        endpoint="ren_share_daily_avg",
    )
    assert list(by_start(result.frame)) == [
        "2024-03-29T23:00Z",
        "2024-03-30T23:00Z",
    ]  # from the watermark's day


def test_parse_day_formats():
    assert (
        parse_day("01.04.2024")
        == parse_day("2024-04-01")
        == parse_day("2024-04-01T00:00:00Z")
        == date(2024, 4, 1)
    )
    assert parse_day("1.4.2024") == date(2024, 4, 1)
    with pytest.raises(ValueError, match="unparsable day"):
        parse_day(20240401)


# ---------------------------------------------------------------------- malformed payloads
def test_html_error_page_with_status_200(httpserver):
    c = connector(httpserver.url_for("/"))
    assert_html_page_refused(httpserver, "/public_power", (BROKEN / "error_page.html").read_bytes(),
                             lambda: c.parse(c.fetch(None)),
                             r"^source 'ec-test', http://.*/public_power\?country=de: got an HTML")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("public_power_truncated.json", "truncated JSON"),
        ("public_power_wrong_schema.json", "wrong schema, missing 'production_types'"),
        ("public_power_length_mismatch.json", "series 'photovoltaics' has 20 values for 24 timestamps"),
        (
            "public_power_no_load.json",
            "none of the load series Load found (got: WIND ONSHORE, photovoltaics, Fossil gas)",
        ),
        ("empty.json", "empty response"),
    ],
)
def test_unusable_public_power(name, message):
    assert_refused(parse_file, BROKEN / name, "ec-test", re.escape(message))


def test_no_renewable_series_found():
    with pytest.raises(PayloadError, match="none of the renewable series Hydrogen found"):
        parse_file(FOLDER / "public_power_photovoltaics.json", renewable=["Hydrogen"])


def test_daily_average_with_lists_of_different_length():
    with pytest.raises(PayloadError, match="'days' and 'data' must be lists of the same length"):
        parse_file(BROKEN / "ren_share_daily_avg_lengths.json", endpoint="ren_share_daily_avg")


# ---------------------------------------------------------------------- plausibility before aggregation
def crafted_power(tmp_path, changes: dict[tuple[str, str], object]):
    """A copy of the recorded public_power sample with some values replaced: {(series, UTC time): value}."""
    body = json.loads((FOLDER / "public_power.json").read_text())
    for (name, stamp), value in changes.items():
        position = body["unix_seconds"].index(int(pd.Timestamp(stamp).timestamp()))
        next(p for p in body["production_types"] if p["name"] == name)["data"][position] = value
    path = tmp_path / "public_power.json"
    path.write_text(json.dumps(body))
    return path


def test_absurd_values_are_quarantined_and_their_day_is_withheld_with_the_watermark_before_it(tmp_path):
    clean = by_start(parse_file(FOLDER / "public_power.json").frame)
    path = crafted_power(tmp_path, {("Solar", "2024-03-30T11:00Z"): -100, ("Wind onshore", "2024-03-30T11:00Z"): 9e9})
    result = parse_file(path)
    assert by_start(result.frame) == {"2024-03-30T23:00Z": clean["2024-03-30T23:00Z"]}  # 31.03. as without them
    assert [r.reason for r in result.rejects] == [
        "series 'Wind onshore' at 2024-03-30T11:00:00Z: value 9e+09 MW exceeds the plausible maximum of 200000 MW; "
        "the local day 2024-03-30 is not published",
        "series 'Solar' at 2024-03-30T11:00:00Z: value -100 MW is negative; the local day 2024-03-30 is not "
        "published",
        "series 'Wind onshore' at 2024-03-31T02:00:00Z: value '-' is not a number",
    ]
    assert json.loads(result.rejects[1].raw) == {"time": "2024-03-30T11:00:00Z", "series": "Solar", "value": -100.0}
    # 30.03. is read again next run (until corrected): the watermark stays before it
    assert result.watermark == "2024-03-29T22:59:59.999999Z"
    again = parse_file(path, watermark=result.watermark)
    assert by_start(again.frame) == by_start(result.frame) and again.watermark == result.watermark


def test_load_of_zero_withholds_its_day_and_max_mw_is_an_option(tmp_path):
    result = parse_file(crafted_power(tmp_path, {("Load", "2024-03-31T03:00Z"): 0}))
    assert list(by_start(result.frame)) == ["2024-03-29T23:00Z"]
    assert result.rejects[1].reason == (
        "series 'Load' at 2024-03-31T03:00:00Z: value 0 MW is not a load (must be above 0); "
        "the local day 2024-03-31 is not published")
    assert result.watermark == "2024-03-30T22:45:00Z"  # the last step of 30.03., before 31.03.
    # a bound below the sample's load of 50,000 MW: no day is plausible, nothing is emitted, the watermark stays
    bounded = parse_file(FOLDER / "public_power.json", max_mw=40_000)
    assert bounded.frame.empty and bounded.watermark is None
    assert "value 50000 MW exceeds the plausible maximum of 40000 MW" in bounded.rejects[0].reason
    assert connector(country="at").max_mw() == 50_000 and connector(country="eu").max_mw() == 1_000_000
