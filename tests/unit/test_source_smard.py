"""SMARD connector against recorded chart-data samples (local folder and local HTTP server)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from werkzeug import Response

from cockpit.sources.base import Document, Payload, PayloadError
from cockpit.sources.config import SourcesError
from cockpit.sources.http import Fetcher
from cockpit.sources.smard import SmardConnector, chunks_from, period_end
from tests.conftest import SAMPLES
from tests.unit.source_support import assert_html_page_refused, assert_refused, by_start, make_connector

FOLDER = SAMPLES / "smard"
HOURLY = FOLDER / "hourly"
BROKEN = FOLDER / "broken"
SHARE = {
    "indicator": "renewable-share-electricity",
    "numerator": [4067, 4068],
    "denominator": [410],
    "scale": 100,
}
HOURLY_OPTIONS = {"region": "DE", "resolution": "hour", "indicators": [SHARE]}
CHUNKS = [1710716400000, 1711321200000, 1711922400000]  # Mondays 18.03., 25.03., 01.04.2024 00:00 local


def connector(location, **options) -> SmardConnector:
    return make_connector(SmardConnector, "smard-test", location, {"cron": "30 6 * * *"}, options or HOURLY_OPTIONS)


def run(c: SmardConnector, watermark: str | None = None):
    return c.parse(c.fetch(watermark))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def serve_folder(httpserver, folder, prefix="/app"):
    """Serve a folder below `prefix` like a static web server (404 for missing files)."""

    def handler(request):
        path = folder / request.path.removeprefix(prefix + "/")
        if not path.is_file():
            return Response("not found", status=404)
        return Response(path.read_bytes(), content_type="application/json")

    httpserver.expect_request(re.compile(f"^{prefix}/.*")).respond_with_handler(handler)
    return httpserver.url_for(prefix)


def requested(httpserver) -> list[str]:
    return [request.path for request, _response in httpserver.log]


def chunk_payload(path, filter_id=410) -> Payload:
    document = Document(name=str(path), content=path.read_bytes())
    return Payload(
        [document], meta={"documents": [{"kind": "chunk", "filter": filter_id, "timestamp": CHUNKS[0]}]}
    )


# ---------------------------------------------------------------------- valid data
def test_hourly_series_become_one_share_per_local_day():
    result = run(connector(HOURLY))
    values = by_start(result.frame)
    assert len(result.frame) == 15
    assert set(result.frame["indicator"]) == {"renewable-share-electricity"}
    assert set(result.frame["district"]) == {""}
    # a normal day: 24 × 300 wind + 9 × 200 PV over 24 × 1000 load
    assert values["2024-03-17T23:00Z"] == pytest.approx(37.5)
    # the day starts at local midnight (CET) and ends at the next one
    first = result.frame.iloc[0]
    assert first.period_start == utc("2024-03-17T23:00Z") and first.period_end == utc("2024-03-18T23:00Z")


def test_dst_day_has_23_hours_and_ends_at_local_midnight():
    frame = run(connector(HOURLY)).frame
    day = frame[frame["period_start"] == utc("2024-03-30T23:00Z")].iloc[0]
    assert day.period_end == utc("2024-03-31T22:00Z")
    assert json.loads(day.raw)["periods"] == 23
    assert day.value == pytest.approx(100 * (23 * 300 + 9 * 200) / (23 * 1000))


def test_null_is_skipped_as_not_yet_published_never_rejected():
    result = run(connector(HOURLY))
    values = by_start(result.frame)
    # 20.03.: PV null at 12:00 -> that hour is left out, the day still has 23 of 24 hours
    assert values["2024-03-19T23:00Z"] == pytest.approx(100 * (23 * 300 + 8 * 200) / 23_000)
    # 21.03.: PV null for 6 hours -> coverage 18/24 below 0.9 -> no value, no reject
    assert "2024-03-20T23:00Z" not in values
    assert not any("null" in r.reason or "None" in r.reason for r in result.rejects)


def test_day_still_being_published_is_not_emitted_and_watermark_is_last_complete_hour():
    result = run(connector(HOURLY))
    assert result.frame["period_start"].max() == utc("2024-04-01T22:00Z")  # 02.04. is the last full day
    assert result.watermark == "2024-04-02T21:00:00Z"  # 23:00 CEST on 02.04.


def test_malformed_points_are_rejected_with_reasons_and_the_rest_is_kept():
    result = run(connector(HOURLY))
    reasons = sorted(r.reason for r in result.rejects)
    assert reasons == [
        "filter 4067: timestamp '1710824400000' is not epoch milliseconds",
        "filter 4067: value 'n/a' at 2024-03-26T04:00:00Z is not a number",
        "filter 410: duplicate timestamp 2024-03-27T09:00:00Z with a different value (1000.0 and 1100.0); "
        "the last one was kept",
        "filter 410: series point [1711591200000] is not a [timestamp, value] pair",
    ]
    values = by_start(result.frame)
    assert values["2024-03-25T23:00Z"] == pytest.approx(100 * 8700 / 23_000)  # the 'n/a' hour is left out
    assert values["2024-03-26T23:00Z"] == pytest.approx(100 * 9000 / 24_100)  # the last duplicate is kept
    assert all('"filter"' in r.raw for r in result.rejects)


def daily_50hertz(indicator: dict) -> SmardConnector:
    """The connector on the daily 50Hertz samples (yearly chunks) for one indicator."""
    return connector(FOLDER / "daily", region="50Hertz", resolution="day", indicators=[indicator])


def test_daily_resolution_across_yearly_chunks():
    result = run(daily_50hertz({**SHARE, "numerator": [4068]}))
    values = by_start(result.frame)
    assert list(values) == [
        "2023-12-28T23:00Z",
        "2023-12-29T23:00Z",
        "2023-12-30T23:00Z",
        "2023-12-31T23:00Z",
        "2024-01-01T23:00Z",
        "2024-01-02T23:00Z",
    ]  # 04.01. onwards is null
    assert values["2023-12-28T23:00Z"] == pytest.approx(8.0)
    assert values["2024-01-02T23:00Z"] == pytest.approx(10.0)
    assert result.watermark == "2024-01-02T23:00:00Z"


def test_numerator_only_is_a_scaled_sum_per_day():
    values = by_start(run(daily_50hertz({"indicator": "pv-generation", "numerator": [4068], "scale": 0.001})).frame)
    assert values["2023-12-28T23:00Z"] == pytest.approx(20.0)  # 20 000 MWh -> 20 GWh


def test_local_folder_and_http_server_give_the_same_frame(httpserver):
    base = serve_folder(httpserver, HOURLY)
    over_http = run(connector(base))
    from_folder = run(connector(HOURLY))
    pd.testing.assert_frame_equal(over_http.frame, from_folder.frame)
    assert "/app/chart_data/410/DE/index_hour.json" in requested(httpserver)
    assert f"/app/chart_data/4068/DE/4068_DE_hour_{CHUNKS[2]}.json" in requested(httpserver)


# ---------------------------------------------------------------------- incremental
def test_watermark_skips_the_chunks_before_the_one_that_holds_it(httpserver):
    base = serve_folder(httpserver, HOURLY)
    result = run(connector(base), watermark="2024-03-27T12:00:00Z")
    paths = requested(httpserver)
    assert not any(str(CHUNKS[0]) in p for p in paths)
    assert sum(str(CHUNKS[1]) in p for p in paths) == 3 and sum(str(CHUNKS[2]) in p for p in paths) == 3
    starts = by_start(result.frame)
    assert min(starts) == "2024-03-27T23:00Z"  # 27.03. is only partly after the watermark: not emitted again
    assert not any(
        "1710824400000" in r.reason for r in result.rejects
    )  # old chunk: its bad point is not seen


def test_second_run_from_the_watermark_yields_nothing_new():
    c = connector(HOURLY)
    first = run(c)
    second = run(c, watermark=first.watermark)
    assert second.frame.empty and second.rejects == [] and second.watermark is None


def test_since_option_limits_the_first_run():
    c = connector(HOURLY, **HOURLY_OPTIONS, since="2024-03-26")
    payload = c.fetch(None)
    stamps = {d["timestamp"] for d in payload.meta["documents"] if d["kind"] == "chunk"}
    assert stamps == {CHUNKS[1], CHUNKS[2]}


def test_chunks_from():
    assert chunks_from([1, 5, 9], None) == [1, 5, 9]
    at = datetime.fromtimestamp(0.006, tz=UTC)
    assert chunks_from([1, 5, 9], at) == [5, 9]
    assert chunks_from([1, 5, 9], datetime.fromtimestamp(0, tz=UTC)) == [1, 5, 9]


def test_period_end_of_coarse_resolutions_follows_the_local_calendar():
    start = datetime(2024, 1, 31, 23, tzinfo=UTC)  # 01.02.2024 00:00 CET
    assert period_end(start, "month", "Europe/Berlin") == datetime(2024, 2, 29, 23, tzinfo=UTC)
    assert period_end(start, "week", "Europe/Berlin") == start + timedelta(days=7)
    assert period_end(datetime(2023, 12, 31, 23, tzinfo=UTC), "year", "Europe/Berlin") == datetime(
        2024, 12, 31, 23, tzinfo=UTC
    )


SHARE_4068_OF_410 = {"indicator": "x", "numerator": [4068], "denominator": [410], "scale": 100}


def write_chunk(root, filter_id: int, resolution: str, series: list, meta: dict | None = None) -> None:
    """A published index with one chunk (from CHUNKS[0]) of `series` for filter `filter_id` in region DE."""
    base = root / "chart_data" / str(filter_id) / "DE"
    base.mkdir(parents=True)
    (base / f"index_{resolution}.json").write_text(json.dumps({"timestamps": [CHUNKS[0]]}))
    (base / f"{filter_id}_DE_{resolution}_{CHUNKS[0]}.json").write_text(
        json.dumps({"meta_data": meta or {}, "series": series}))


def test_weekly_resolution_is_emitted_per_published_week(tmp_path):
    for filter_id, value in ((4068, 300.0), (410, 1000.0)):
        write_chunk(tmp_path, filter_id, "week", [[CHUNKS[0], value], [CHUNKS[1], value], [CHUNKS[2], None]],
                    {"version": 1})
    c = connector(tmp_path, region="DE", resolution="week", indicators=[SHARE_4068_OF_410])
    result = run(c)
    assert list(result.frame["value"]) == [30.0, 30.0]
    assert result.frame.iloc[1].period_end == utc("2024-03-31T22:00Z")  # the week with the DST change
    assert result.watermark == "2024-03-24T23:00:00Z"


# ---------------------------------------------------------------------- malformed payloads
def test_html_error_page_with_status_200_instead_of_the_index(httpserver):
    assert_html_page_refused(httpserver, "/app/chart_data/4067/DE/index_hour.json",
                             (BROKEN / "index_html.json").read_bytes(),
                             lambda: connector(httpserver.url_for("/app")).fetch(None),
                             r"source 'smard-test'.*index_hour\.json: got an HTML/XML page")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("index_wrong_schema.json", "wrong schema, missing 'timestamps'"),
        ("index_strings.json", "'timestamps' must be a list of epoch milliseconds"),
    ],
)
def test_unusable_index(tmp_path, name, message):
    folder = tmp_path / "chart_data" / "4067" / "DE"
    folder.mkdir(parents=True)
    (folder / "index_hour.json").write_bytes((BROKEN / name).read_bytes())
    with pytest.raises(PayloadError, match=r"source 'smard-test'") as info:
        connector(tmp_path).fetch(None)
    assert message in str(info.value) and "index_hour.json" in str(info.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("chunk_empty.json", "empty response"),
        ("chunk_truncated.json", "truncated JSON"),
        ("chunk_latin1.json", "not UTF-8 encoded JSON"),
        ("chunk_series_object.json", "'series' must be a list of [timestamp, value] pairs"),
        ("chunk_no_series.json", "wrong schema, missing 'series'"),
    ],
)
def test_unusable_chunk(name, message):
    assert_refused(lambda path: connector(HOURLY).parse(chunk_payload(path)),
                   BROKEN / name, "smard-test", re.escape(message))


def test_missing_chunk_is_a_problem_of_the_run_naming_the_file(tmp_path):
    for filter_id in (4067, 4068, 410):
        folder = tmp_path / "chart_data" / str(filter_id) / "DE"
        folder.mkdir(parents=True)
        (folder / "index_hour.json").write_text(json.dumps({"timestamps": [CHUNKS[0]]}))
    c = connector(tmp_path)
    payload = c.fetch(None)  # the index is there, the chunks are not: the fetch itself succeeds
    result = c.parse(payload)
    assert result.frame.empty and result.watermark is None
    assert len(result.problems) == 3
    assert f"4067_DE_hour_{CHUNKS[0]}.json" in result.problems[0] and "retried next run" in result.problems[0]


def test_denominator_summing_to_zero_is_rejected(tmp_path):
    for filter_id, value in ((4068, 300.0), (410, 0.0)):
        write_chunk(tmp_path, filter_id, "day", [[CHUNKS[0], value]])
    c = connector(tmp_path, region="DE", resolution="day", indicators=[SHARE_4068_OF_410])
    result = run(c)
    assert result.frame.empty
    assert [r.reason for r in result.rejects] == [
        "x: denominator (filters [410]) is 0 MWh at 2024-03-17T23:00:00Z; the local day 2024-03-18 is not published"
    ]
    assert result.watermark is None  # nothing emitted: the watermark does not move


def test_invalid_options_name_the_source_and_field():
    with pytest.raises(SourcesError, match=r"source 'smard-test': field 'options.indicators'"):
        connector(HOURLY, region="DE")
    with pytest.raises(SourcesError, match=r"options.resolution"):
        connector(HOURLY, **{**HOURLY_OPTIONS, "resolution": "minute"})


def test_demo_payload_of_the_sources_file():
    from cockpit import PROJECT_ROOT
    from cockpit.demo.samples import DEMO_END, DEMO_START
    from cockpit.sources.config import load_sources

    source = next(s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "smard-50hertz")
    result = run(SmardConnector(source, Fetcher()))
    frame = result.frame
    days = (DEMO_END - DEMO_START).days + 1
    assert days - 5 <= len(frame) < days  # a few days with a null are left out
    assert result.rejects == []
    yearly = frame.groupby(frame["period_end"].dt.year)["value"].mean()
    assert 40 < yearly[2019] < 50 and 55 < yearly[2025] < 68
    assert frame["value"].between(0, 200).all()


def test_unknown_time_zone_is_refused():
    with pytest.raises(SourcesError, match=r"options.timezone.*unknown time zone 'Europe/Gera'"):
        connector(HOURLY, **HOURLY_OPTIONS, timezone="Europe/Gera")


# ---------------------------------------------------------------------- plausibility before aggregation
def ms(text: str) -> int:
    return int(pd.Timestamp(text).timestamp() * 1000)


def crafted_hourly(tmp_path, changes: dict[tuple[int, str], object]):
    """A copy of the recorded hourly samples with some points replaced: {(filter, UTC time): value}."""
    folder = tmp_path / "smard"
    shutil.copytree(HOURLY, folder)
    for (filter_id, stamp), value in changes.items():
        for path in (folder / "chart_data" / str(filter_id) / "DE").glob(f"{filter_id}_DE_hour_*.json"):
            chunk = json.loads(path.read_text())
            for point in chunk["series"]:
                if isinstance(point, list) and point and point[0] == ms(stamp):
                    point[1:] = [value]
            path.write_text(json.dumps(chunk))
    return folder


ABSURD = {
    (4068, "2024-03-19T11:00Z"): -50.0,  # PV negative at noon of 19.03.
    (410, "2024-03-22T02:00Z"): 0.0,  # grid load 0 at 03:00 of 22.03.
    (4067, "2024-03-23T05:00Z"): 9.9e9,  # wind 9.9 TWh in one hour on 23.03.
}


def test_absurd_points_are_quarantined_and_their_day_is_withheld_with_the_watermark_before_it(tmp_path):
    clean = by_start(run(connector(HOURLY)).frame)
    result = run(connector(crafted_hourly(tmp_path, ABSURD)))
    values = by_start(result.frame)
    # the three days holding an absurd point are not published; every other day is as without them
    withheld = {"2024-03-18T23:00Z", "2024-03-21T23:00Z", "2024-03-22T23:00Z"}
    assert values == {day: value for day, value in clean.items() if day not in withheld}
    reasons = [r.reason for r in result.rejects if "not published" in r.reason]
    assert sorted(reasons) == [
        "filter 4067: value 9900000000.0 MWh at 2024-03-23T05:00:00Z exceeds the plausible maximum of 200000 MWh "
        "per hour; the local day 2024-03-23 is not published",
        "filter 4068: value -50.0 MWh at 2024-03-19T11:00:00Z is negative; the local day 2024-03-19 is not "
        "published",
        "renewable-share-electricity: denominator (filters [410]) is 0 MWh at 2024-03-22T02:00:00Z; the local day "
        "2024-03-22 is not published",
    ]
    assert len(result.rejects) == 4 + 3  # the malformed points of the samples plus the three absurd ones
    assert json.loads(next(r.raw for r in result.rejects if "4068" in r.reason and "negative" in r.reason)) == {
        "filter": 4068, "point": [ms("2024-03-19T11:00Z"), -50.0]}
    # the watermark stays before the first withheld day, so a corrected publication is read again
    assert result.watermark == "2024-03-18T22:59:59.999999Z"
    again = run(connector(crafted_hourly(tmp_path / "again", ABSURD)), result.watermark)
    assert by_start(again.frame) == {day: v for day, v in values.items() if day > "2024-03-18T23:00Z"}
    assert again.watermark == result.watermark


def test_max_mw_and_signed_filters_are_options(tmp_path):
    # 300 MWh of wind per hour is above a bound of 250 MW: every day with wind is withheld
    result = run(connector(HOURLY, **HOURLY_OPTIONS, max_mw=250))
    assert result.frame.empty
    assert any("exceeds the plausible maximum of 250 MWh per hour" in r.reason for r in result.rejects)
    # a filter that may be negative (e.g. residual load) is not rejected for its sign
    folder = crafted_hourly(tmp_path, {(4068, "2024-03-19T11:00Z"): -50.0})
    signed = run(connector(folder, **HOURLY_OPTIONS, signed=[4068]))
    assert by_start(signed.frame)["2024-03-18T23:00Z"] == pytest.approx(100 * (24 * 300 + 8 * 200 - 50) / 24_000)
    assert not any("negative" in r.reason for r in signed.rejects)


def test_quarter_hour_bound_follows_the_resolution():
    c = connector(HOURLY, **{**HOURLY_OPTIONS, "resolution": "quarterhour"})
    assert c.max_mwh() == 200_000 / 4
    assert connector(HOURLY, **{**HOURLY_OPTIONS, "region": "50Hertz"}).max_mwh() == 100_000
