"""Ladesäulenregister connector: encodings, preambles, plug blocks, the city filter, monthly history, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
import yaml

from cockpit import PROJECT_ROOT
from cockpit.jobs.validate import validate
from cockpit.sources.base import PayloadError
from cockpit.sources.charging_register import ChargingRegisterConnector, plug_power
from cockpit.sources.config import SourcesError, load_sources
from cockpit.sources.http import Fetcher
from tests.conftest import SAMPLES
from tests.unit.source_support import charging_register_source

FOLDER = SAMPLES / "charging-register"
CITY = 93000
POP = {
    "stadtmitte": 15200,
    "debschwitz-untermhaus": 12400,
    "bieblach-tinz": 13100,
    "lusan": 17800,
    "zwoetzen-liebschwitz": 7900,
    "langenberg": 9800,
    "leumnitz-pforten": 8300,
    "roeppisch-zeulsdorf": 8500,
}


def connector(catalog, location, fetcher: Fetcher | None = None, **overrides) -> ChargingRegisterConnector:
    return ChargingRegisterConnector(charging_register_source(catalog, location, **overrides),
                                     fetcher or Fetcher(retries=0))


def run(catalog, name, **overrides):
    conn = connector(catalog, FOLDER / name, **overrides)
    return conn.parse(conn.fetch(None))


def value(frame: pd.DataFrame, district: str, month: str) -> float:
    local = frame["period_start"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m")
    rows = frame[(frame["district"] == district) & (local == month)]
    assert len(rows) == 1, (district, month, rows)
    return float(rows["value"].iloc[0])


# ---------------------------------------------------------------------------------------------- good files
def test_utf8_with_bom_and_three_preamble_lines(catalog):
    result = run(catalog, "register-utf8-bom-3-preamble.csv")
    assert result.rejects == []
    assert result.watermark == "2024-03-01"  # 'Stand: 01.03.2024' in the preamble
    frame = result.frame
    assert set(frame["indicator"]) == {"charge-points-per-1000"}
    assert len(frame) == 87 * 9  # 2017-01 .. 2024-03, eight districts and the city
    # EGG Sorge (2 points) 03/2017, Autohaus Müller 06/2020, EnBW hub (4) 12/2023, WBG wallbox 02/2024
    assert value(frame, "", "2017-02") == 0
    assert value(frame, "", "2017-03") == pytest.approx(2 * 1000 / CITY)
    assert value(frame, "", "2024-03") == pytest.approx(8 * 1000 / CITY)
    assert value(frame, "stadtmitte", "2024-03") == pytest.approx(
        2 * 1000 / POP["stadtmitte"]
    )  # out of service: no
    assert value(frame, "lusan", "2023-11") == 0
    assert value(frame, "lusan", "2023-12") == pytest.approx(4 * 1000 / POP["lusan"])
    assert value(frame, "zwoetzen-liebschwitz", "2020-06") == pytest.approx(
        1000 / POP["zwoetzen-liebschwitz"]
    )
    assert value(frame, "debschwitz-untermhaus", "2024-02") == pytest.approx(
        1000 / POP["debschwitz-untermhaus"]
    )
    # Pölzig (Landkreis Greiz) has the Gera postcode 07554 but is another town; Heroldstatt, Ronneburg likewise
    assert value(frame, "leumnitz-pforten", "2024-03") == 0


def test_periods_are_local_calendar_months_in_utc(catalog):
    frame = run(catalog, "register-utf8-bom-3-preamble.csv").frame
    last = frame[frame["district"] == ""].sort_values("period_start").iloc[-1]
    assert last["period_start"] == pd.Timestamp(datetime(2024, 2, 29, 23, tzinfo=UTC))
    assert last["period_end"] == pd.Timestamp(datetime(2024, 3, 31, 22, tzinfo=UTC))
    assert "8 charge points" in last["raw"]


def test_cp1252_ten_preamble_lines_plug_blocks_and_no_date(catalog):
    result = run(catalog, "register-cp1252-10-preamble.csv")
    assert result.rejects == []
    # no 'Stand:' in the preamble: the register's month is that of the latest commissioning (28.09.2018)
    assert result.watermark == "2018-09-28"
    frame = result.frame
    assert value(frame, "roeppisch-zeulsdorf", "2018-09") == pytest.approx(
        2 * 1000 / POP["roeppisch-zeulsdorf"]
    )
    # empty 'Anzahl Ladepunkte': three filled plug blocks count; postcode '7546' lost its leading zero
    assert value(frame, "bieblach-tinz", "2018-09") == pytest.approx(3 * 1000 / POP["bieblach-tinz"])
    assert value(frame, "", "2018-09") == pytest.approx(5 * 1000 / CITY)  # Zeitz is filtered out


def test_capacity_indicator_is_optional(catalog):
    frame = run(
        catalog, "register-utf8-bom-3-preamble.csv", capacity_indicator="charging-capacity-per-1000"
    ).frame
    capacity = frame[frame["indicator"] == "charging-capacity-per-1000"]
    assert value(capacity, "", "2024-03") == pytest.approx((22 + 11 + 300 + 3.7) * 1000 / CITY)


def test_places_match_when_the_county_is_empty(catalog, tmp_path):
    text = (
        (FOLDER / "register-utf8-bom-3-preamble.csv").read_bytes().replace(b";Kreisfreie Stadt Gera;", b";;")
    )
    (tmp_path / "r.csv").write_bytes(text)
    conn = connector(catalog, tmp_path / "r.csv")
    frame = conn.parse(conn.fetch(None)).frame
    assert value(frame, "", "2024-03") == pytest.approx(8 * 1000 / CITY)  # 'Gera' and 'Gera-Lusan' match


# ---------------------------------------------------------------------------------------------- bad rows
BAD_ROWS = {
    6: "date '31.02.2021' is not dd.mm.yyyy",
    7: "date '2021-05-01' is not dd.mm.yyyy",
    8: "Anzahl Ladepunkte: 'zwei' is not a number",
    9: "Nennleistung Ladeeinrichtung [kW]: '22 kW' is not a number",
    10: "missing Postleitzahl",
    11: "Postleitzahl '07580' is not mapped to a district",
    12: "duplicate Ladeeinrichtungs-ID 4001 (already in line 5); counted once",
    13: "Anzahl Ladepunkte '0' is not a whole number between 1 and 100",
    14: "Anzahl Ladepunkte '2,5' is not a whole number",
    15: "commissioning date 15.12.2023 is after the register's date 01.11.2023",
    16: "commissioning date 01.01.1985 is before 1990",
    17: "fields but the header has",
    19: "neither Kreis/kreisfreie Stadt nor Ort given",
    21: "Nennleistung Stecker1: 'elf' is not a number",
}


@pytest.fixture(scope="module")
def bad_result(catalog):
    return run(catalog, "register-bad-rows.csv")


@pytest.mark.parametrize("line", sorted(BAD_ROWS))
def test_bad_row_is_rejected_with_its_line_and_reason(bad_result, line):
    matches = [r for r in bad_result.rejects if r.reason.startswith(f"line {line}: ")]
    assert len(matches) == 1, [r.reason for r in bad_result.rejects]
    assert BAD_ROWS[line] in matches[0].reason
    assert matches[0].raw.split(";")[0] in {"4001", *(f"40{n:02d}" for n in range(1, 20))}


def test_bad_rows_leave_the_valid_rows_counted(bad_result):
    assert len(bad_result.rejects) == len(
        BAD_ROWS
    )  # other cities and stations out of operation: silently skipped
    frame = bad_result.frame
    assert value(frame, "", "2023-11") == pytest.approx((2 + 4) * 1000 / CITY)
    assert value(frame, "lusan", "2023-09") == 0
    assert value(frame, "lusan", "2023-10") == pytest.approx(4 * 1000 / POP["lusan"])


# ---------------------------------------------------------------------------------------------- unusable payloads
@pytest.mark.parametrize(
    "name, problem",
    [
        ("register-no-header.csv", "no header line starting with 'Ladeeinrichtungs-ID'"),
        ("register-missing-columns.csv", "lacks the column(s) 'Postleitzahl'"),
        ("register-error-page.html", "HTML/XML page instead of CSV"),
        ("register-empty.csv", "empty file"),
        ("register-truncated.csv", "truncated file"),
        ("register-mixed-encoding.csv", "mixed encodings"),
        ("register-not-text.csv", "neither UTF-8 nor cp1252"),
    ],
)
def test_unusable_payload_is_a_payload_error_naming_source_and_problem(catalog, name, problem):
    conn = connector(catalog, FOLDER / name)
    with pytest.raises(PayloadError) as info:
        conn.parse(conn.fetch(None))
    assert "source 'charging-register'" in str(info.value)
    assert problem in str(info.value)


def test_no_city_station_and_no_date_is_a_payload_error(catalog, tmp_path):
    lines = (FOLDER / "register-cp1252-10-preamble.csv").read_bytes().split(b"\r\n")
    (tmp_path / "r.csv").write_bytes(
        b"\r\n".join(lines[:11] + [lines[13]]) + b"\r\n"
    )  # only the Zeitz station
    conn = connector(catalog, tmp_path / "r.csv")
    with pytest.raises(PayloadError, match="register's month is unknown"):
        conn.parse(conn.fetch(None))


def test_payload_beyond_max_bytes_names_the_source(catalog):
    conn = connector(catalog, FOLDER / "register-utf8-bom-3-preamble.csv", fetcher=Fetcher(max_bytes=1000))
    with pytest.raises(PayloadError, match=r"source 'charging-register'.*exceeds the limit of 1000 bytes"):
        conn.fetch(None)


# ---------------------------------------------------------------------------------------------- over HTTP
def test_served_over_http(catalog, httpserver):
    body = (FOLDER / "register-cp1252-10-preamble.csv").read_bytes()
    httpserver.expect_request("/ladesaeulen.csv").respond_with_data(
        body, content_type="text/csv; charset=cp1252"
    )
    conn = connector(catalog, httpserver.url_for("/ladesaeulen.csv"))
    result = conn.parse(conn.fetch(None))
    assert result.rejects == [] and value(result.frame, "", "2018-09") == pytest.approx(5 * 1000 / CITY)


def test_http_error_page_with_status_200(catalog, httpserver):
    body = (FOLDER / "register-error-page.html").read_bytes()
    httpserver.expect_request("/ladesaeulen.csv").respond_with_data(body, content_type="text/html")
    conn = connector(catalog, httpserver.url_for("/ladesaeulen.csv"))
    with pytest.raises(PayloadError, match="source 'charging-register'.*HTML/XML page"):
        conn.parse(conn.fetch(None))


def test_http_body_beyond_max_bytes(catalog, httpserver):
    httpserver.expect_request("/big.csv").respond_with_data(b"x;" * 50_000, content_type="text/csv")
    conn = connector(catalog, httpserver.url_for("/big.csv"), fetcher=Fetcher(retries=0, max_bytes=10_000))
    with pytest.raises(PayloadError, match="source 'charging-register'.*exceeds the limit of 10000 bytes"):
        conn.fetch(None)


# ---------------------------------------------------------------------------------------------- options
def test_unquoted_postcodes_are_refused(catalog):
    with pytest.raises(SourcesError, match="options.postcodes"):
        connector(catalog, FOLDER / "x.csv", postcodes={7545: "stadtmitte"})


def test_every_mapped_district_needs_a_population(catalog):
    with pytest.raises(SourcesError, match="district_population lacks .*lusan"):
        connector(catalog, FOLDER / "x.csv", district_population={"stadtmitte": 15200})


def test_sources_file_options_agree_with_the_catalog(catalog):
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))
    entry = next(s for s in raw["sources"] if s["id"] == "charging-register")
    expected = charging_register_source(catalog, FOLDER).options
    for key in ("population", "postcodes", "district_population"):
        assert entry["options"][key] == expected[key], key


def test_demo_register_matches_the_reference_magnitudes(catalog):
    source = next(
        s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.id == "charging-register"
    )
    conn = ChargingRegisterConnector(source, Fetcher(retries=0))
    result = conn.parse(conn.fetch(None))
    assert result.rejects == []
    frame = result.frame
    assert 1.3 < value(frame, "", "2023-12") < 1.7  # ≈ 140 charge points (SDG portal: 1.53 in 2023)
    assert 0.05 < value(frame, "", "2017-12") < 0.2  # SDG portal: 0.11 in 2017
    assert 180 <= value(frame, "", "2026-11") * CITY / 1000 <= 200
    valid, rejects = validate(frame, catalog)
    assert rejects == [] and len(valid) == len(frame)


# ---------------------------------------------------------------------- the documented header (third-party fixture)
DOCUMENTED = PROJECT_ROOT / "tests" / "fixtures" / "third_party" / "charging-register"


# (sample, first month, charging points and kW in the city, the reject): the documented header of today's
# editions and the older editions' preamble, group line and header without id and status columns (see SOURCES.md).
# Today's: 3001: 2 points, no station power, plugs "22; 3,7" (one plug at a time: 22) and 11 -> 33 kW; 3002: 1 point,
# 150 kW given (its plug cell "150; 50" is not needed); 3003: broken date, quarantined.
# 2021: two stations in operation: 2 points / 22 kW (Anschlussleistung), 1 point / 50 kW (from "P1 [kW]" "50; 50").
EDITIONS = [
    pytest.param("documented-header-utf8-bom.csv", "2024-03", 3, 183, "line 8: date '31.02.2023' is not dd.mm.yyyy",
                 id="documented-utf8-bom"),
    pytest.param("documented-header-cp1252.csv", "2024-03", 3, 183, "line 8: date '31.02.2023' is not dd.mm.yyyy",
                 id="documented-cp1252"),
    pytest.param("older-edition-2021-cp1252.csv", "2021-12", 3, 72, "line 10: date '31.11.2021' is not dd.mm.yyyy",
                 id="older-edition-2021"),
]


@pytest.mark.parametrize(("name", "since", "points", "kw", "reject"), EDITIONS)
def test_published_editions_with_multi_valued_plug_cells(catalog, name, since, points, kw, reject):
    c = connector(catalog, DOCUMENTED / name, history_since=since, capacity_indicator="charging-kw-per-1000")
    result = c.parse(c.fetch(None))
    city = result.frame[result.frame["district"] == ""].set_index("indicator")["value"]
    assert city["charge-points-per-1000"] == pytest.approx(points * 1000 / catalog.population)
    assert city["charging-kw-per-1000"] == pytest.approx(kw * 1000 / catalog.population)
    assert [r.reason for r in result.rejects] == [reject]
    assert result.watermark == f"{since}-01"


def test_plug_power_cells():
    assert plug_power("22; 3,7") == 22.0 and plug_power("3,7") == 3.7 and plug_power("11;") == 11.0
    with pytest.raises(ValueError, match="is not a number"):
        plug_power("22 kW")
