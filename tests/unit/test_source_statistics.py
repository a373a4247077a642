"""Statistics connector: column formulas, German CSV conventions, periods, districts, Excel, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from cockpit import PROJECT_ROOT
from cockpit.jobs.validate import validate
from cockpit.sources import statistics as module
from cockpit.sources.base import PayloadError
from cockpit.sources.config import SourceConfig, SourcesError, load_sources
from cockpit.sources.http import Fetcher
from cockpit.sources.statistics import StatisticsConnector, compile_expression
from tests.conftest import SAMPLES
from tests.unit.source_support import WASTE

FOLDER = SAMPLES / "statistics"
JAN_2024 = dict(total=1209.0 + 511.5 + 465.0 + 170.5 + 325.5 + 232.5, recycled=511.5 + 465.0 + 170.5 + 325.5)


def connector(location, options: dict, fetcher: Fetcher | None = None, source_id="waste-balance"):
    source = SourceConfig(
        id=source_id,
        connector="statistics-csv",
        location=str(location),
        schedule={"cron": "0 4 * * 1"},
        options=options,
    )
    return StatisticsConnector(source, fetcher or Fetcher(retries=0))


def run(name, options=None, **kw):
    conn = connector(FOLDER / name, options or WASTE, **kw)
    return conn.parse(conn.fetch(None))


def pick(frame, indicator, month, district=""):
    local = frame["period_start"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m")
    rows = frame[(frame["indicator"] == indicator) & (local == month) & (frame["district"] == district)]
    return rows["value"].tolist()


# ---------------------------------------------------------------------------------------------- expressions
def test_expressions_use_placeholders_for_plain_and_backticked_names():
    expr, columns = compile_expression("`davon Elektro (BEV)` * 100 / `Pkw insgesamt` + Sperrmüll_t / Glas_t")
    assert columns == ["davon Elektro (BEV)", "Pkw insgesamt", "Sperrmüll_t", "Glas_t"]
    assert expr == "__c0__ * 100 / __c1__ + __c2__ / __c3__"


@pytest.mark.parametrize(
    "expr, problem",
    [
        ("__import__('os').system('true')", "only + - * / ** % // on columns and numbers"),
        ("Restabfall_t.sum()", "only + - * / ** % // on columns and numbers"),
        ("Restabfall_t +", "is not valid"),
        ("100", "names no column"),
    ],
)
def test_invalid_expressions_are_refused_when_the_sources_file_is_read(expr, problem):
    with pytest.raises(SourcesError, match="options.indicators.0.expr") as info:
        connector(FOLDER / "x.csv", {**WASTE, "indicators": [{"id": "recycling-rate", "expr": expr}]})
    assert problem in str(info.value)


# ---------------------------------------------------------------------------------------------- good files
def test_utf8_with_bom_monthly_waste_balance():
    result = run("abfall-utf8-bom.csv")
    assert result.rejects == [] and len(result.frame) == 9
    frame = result.frame
    assert pick(frame, "household-waste-per-inhabitant", "2024-01") == [
        pytest.approx(JAN_2024["total"] * 1000 / 93000)
    ]
    assert pick(frame, "recycling-rate", "2024-01") == [
        pytest.approx(JAN_2024["recycled"] * 100 / JAN_2024["total"])
    ]
    assert pick(frame, "residual-waste-per-inhabitant", "2024-03") == [
        pytest.approx((1161.3 + 325.2) * 1000 / 92900)
    ]
    first = frame.sort_values("period_start").iloc[0]
    assert first["period_start"] == pd.Timestamp(datetime(2023, 12, 31, 23, tzinfo=UTC))  # local month start
    assert first["period_end"] == pd.Timestamp(datetime(2024, 1, 31, 23, tzinfo=UTC))


def test_cp1252_with_umlaut_column_and_title_line():
    options = {
        **WASTE,
        "indicators": [
            {"id": "residual-waste-per-inhabitant", "expr": "(Restabfall_t + Sperrmüll_t) * 1000 / Einwohner"}
        ],
    }
    result = run("abfall-cp1252.csv", options)
    assert result.rejects == []
    assert pick(result.frame, "residual-waste-per-inhabitant", "2024-01") == [
        pytest.approx(1441.5 * 1000 / 93000)
    ]


def test_kba_table_with_preamble_backticks_and_day_dates():
    options = dict(
        period={"column": "Stichtag", "format": "%d.%m.%Y", "rhythm": "year"},
        indicators=[{"id": "bev-share", "expr": "`davon Elektro (BEV)` * 100 / `Pkw insgesamt`"}],
    )
    frame = run("kfz-preamble-cp1252.csv", options, source_id="vehicle-stock").frame
    assert len(frame) == 3
    row = frame.sort_values("period_start").iloc[1]
    assert row["value"] == pytest.approx(521 * 100 / 44900)
    assert row["period_start"] == pd.Timestamp(datetime(2022, 12, 31, 23, tzinfo=UTC))
    assert row["period_end"] == pd.Timestamp(datetime(2023, 12, 31, 23, tzinfo=UTC))


def test_empty_cells_skip_only_the_indicators_that_need_them():
    options = dict(
        period={"column": "Jahr", "format": "%Y", "rhythm": "year"},
        indicators=[
            {"id": "co2-per-inhabitant", "expr": "`CO2-Emissionen [t]` / Einwohner"},
            {
                "id": "renewable-capacity-per-inhabitant",
                "expr": "`Installierte EE-Leistung [kW]` / Einwohner",
            },
        ],
    )
    result = run("co2-yearly.csv", options, source_id="climate-balance")
    assert result.rejects == []
    counts = result.frame["indicator"].value_counts().to_dict()
    assert counts == {"co2-per-inhabitant": 4, "renewable-capacity-per-inhabitant": 2}


def test_district_column_with_a_value_mapping():
    options = dict(
        period={"column": "Monat", "format": "%m/%Y"},
        district_column="Stadtteil",
        districts={"Lusan": "lusan", "Stadtmitte": "stadtmitte"},
        indicators=[{"id": "public-transport-passengers", "expr": "`Fahrgäste` / 1e6"}],
    )
    frame = run("passengers-by-district.csv", options).frame
    assert sorted(frame["district"]) == ["", "lusan", "lusan", "stadtmitte"]
    assert pick(frame, "public-transport-passengers", "2024-01") == [1.3]


def test_decimal_point_and_comma_separator_options():
    options = dict(
        separator=",",
        decimal=".",
        period={"column": "Jahr", "format": "%Y", "rhythm": "year"},
        indicators=[{"id": "bev-share", "expr": "Pkw / Einwohner"}],
    )
    frame = run("decimal-point.csv", options).frame
    assert frame["value"].tolist() == [pytest.approx(44900.5 / 93000)]


# ---------------------------------------------------------------------------------------------- bad rows
BAD_LINES = {
    3: "period '13/2023' in column 'Monat' does not match '%m/%Y'",
    4: "period 'Q1/2023' in column 'Monat' does not match",
    5: "column 'Restabfall_t': '1.2.3' is not a number",
    6: "column 'Bioabfall_t': 'k.A.' is not a number",
    12: "truncated record",
}


@pytest.fixture(scope="module")
def bad_result():
    return run("abfall-bad-rows.csv")


@pytest.mark.parametrize("line", sorted(BAD_LINES))
def test_bad_row_is_one_reject_with_line_and_reason(bad_result, line):
    reasons = [r.reason for r in bad_result.rejects if r.reason.startswith(f"line {line}: ")]
    assert len(reasons) == 1 and BAD_LINES[line] in reasons[0], reasons


def test_division_by_zero_rejects_the_row_for_the_affected_indicators(bad_result):
    reasons = [r.reason for r in bad_result.rejects if r.reason.startswith("line 8: ")]
    assert len(reasons) == 2 and all("gives inf (division by zero?)" in r for r in reasons)
    assert pick(bad_result.frame, "recycling-rate", "2023-05")  # needs no inhabitants, still computed


def test_empty_cell_skips_only_the_affected_indicators(bad_result):
    frame = bad_result.frame
    assert pick(frame, "household-waste-per-inhabitant", "2023-04") == []
    assert pick(frame, "residual-waste-per-inhabitant", "2023-04") == [pytest.approx(1441.5 * 1000 / 93000)]


def test_valid_rows_still_count_and_validation_handles_duplicates_and_ranges(bad_result, catalog):
    frame = bad_result.frame
    assert len(bad_result.rejects) == len(BAD_LINES) + 2
    assert pick(frame, "household-waste-per-inhabitant", "2023-01") == [pytest.approx(2914 * 1000 / 93000)]
    assert len(pick(frame, "recycling-rate", "2023-06")) == 2  # duplicate month: left to validation
    valid, rejects = validate(frame, catalog)
    reasons = [r.reason for r in rejects]
    assert any("duplicate record for household-waste-per-inhabitant" in r for r in reasons)
    assert any("outside the plausible range 0.0..150.0" in r for r in reasons)  # July: packaging typed × 100
    assert len(valid) == len(frame) - len(rejects)


# ---------------------------------------------------------------------------------------------- unusable payloads
@pytest.mark.parametrize(
    "name, problem",
    [
        ("missing-column.csv", "missing column(s) 'Einwohner' named in the indicator expressions"),
        ("error-page.html", "HTML/XML page instead of CSV"),
        ("empty.csv", "empty file"),
        ("comma-separated.csv", "no header line with the period column 'Monat' found"),
        ("abfall.xlsx", "is an Excel workbook, but openpyxl is not installed, so only CSV can be read"),
    ],
)
def test_unusable_payload_is_a_payload_error_naming_source_and_problem(name, problem, monkeypatch):
    monkeypatch.setattr(module, "has_openpyxl", lambda: False)
    with pytest.raises(PayloadError) as info:
        run(name)
    assert "source 'waste-balance'" in str(info.value) and problem in str(info.value)


def test_explicit_encoding_that_does_not_fit():
    with pytest.raises(PayloadError, match="source 'waste-balance'.*not utf-8 encoded"):
        run("abfall-cp1252.csv", {**WASTE, "encoding": "utf-8"})


def test_unknown_encoding_is_refused_in_the_options():
    with pytest.raises(SourcesError, match="unknown encoding 'latin-9x'"):
        connector(FOLDER / "x.csv", {**WASTE, "encoding": "latin-9x"})


def test_payload_beyond_max_bytes_names_the_source():
    with pytest.raises(PayloadError, match="source 'waste-balance'.*exceeds the limit of 100 bytes"):
        run("abfall-utf8-bom.csv", fetcher=Fetcher(max_bytes=100))


# ---------------------------------------------------------------------------------------------- Excel
def test_excel_sheet_is_read_when_openpyxl_is_available(monkeypatch):
    """With openpyxl installed the real workbook is read; without it, pandas' reader is stood in for."""
    if not module.has_openpyxl():
        sheet = pd.DataFrame(
            [
                ["Abfallbilanz Gera", *[None] * 7],
                WASTE_HEADER,
                ["01/2024", 93000, 1209.0, 511.5, 465.0, 170.5, 325.5, 232.5],
                ["02/2024", 93000, 1116.0, 558.0, 418.5, 155.0, 310.0, 279.0],
            ],
            dtype=object,
        )
        monkeypatch.setattr(module, "has_openpyxl", lambda: True)
        monkeypatch.setattr(module.pd, "read_excel", lambda *a, **kw: sheet)
    result = run("abfall.xlsx", {**WASTE, "sheet": "Abfall"})
    assert result.rejects == [] and len(result.frame) == 6
    assert pick(result.frame, "recycling-rate", "2024-01") == [
        pytest.approx(JAN_2024["recycled"] * 100 / JAN_2024["total"])
    ]


WASTE_HEADER = [
    "Monat",
    "Einwohner",
    "Restabfall_t",
    "Bioabfall_t",
    "Papier_t",
    "Glas_t",
    "LVP_t",
    "Sperrmuell_t",
]


# ---------------------------------------------------------------------------------------------- over HTTP
def test_served_over_http(httpserver):
    body = (FOLDER / "kfz-preamble-cp1252.csv").read_bytes()
    httpserver.expect_request("/fz3.csv").respond_with_data(
        body, content_type="text/csv; charset=windows-1252"
    )
    options = dict(
        period={"column": "Stichtag", "format": "%d.%m.%Y", "rhythm": "year"},
        indicators=[{"id": "bev-share", "expr": "`davon Elektro (BEV)` * 100 / `Pkw insgesamt`"}],
    )
    conn = connector(httpserver.url_for("/fz3.csv"), options, source_id="vehicle-stock")
    result = conn.parse(conn.fetch(None))
    assert result.rejects == [] and len(result.frame) == 3


def test_http_error_page_with_status_200(httpserver):
    httpserver.expect_request("/abfall.csv").respond_with_data(
        (FOLDER / "error-page.html").read_bytes(), content_type="text/html"
    )
    conn = connector(httpserver.url_for("/abfall.csv"), WASTE)
    with pytest.raises(PayloadError, match="source 'waste-balance'.*HTML/XML page"):
        conn.parse(conn.fetch(None))


# ---------------------------------------------------------------------------------------------- demo sources
DEMO = {  # source -> (indicator, plausible annual or monthly range, first year)
    "waste-balance": ["household-waste-per-inhabitant", "residual-waste-per-inhabitant", "recycling-rate"],
    "climate-balance": ["co2-per-inhabitant", "final-energy-use", "renewable-capacity-per-inhabitant"],
    "vehicle-stock": ["bev-share"],
    "passenger-counts": ["public-transport-passengers"],
}


@pytest.fixture(scope="module")
def demo():
    sources = {s.id: s for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml")}
    frames = {}
    for source_id in DEMO:
        conn = StatisticsConnector(sources[source_id], Fetcher(retries=0))
        result = conn.parse(conn.fetch(None))
        assert result.rejects == [], source_id
        frames[source_id] = result.frame
    return frames


@pytest.mark.parametrize("source_id", sorted(DEMO))
def test_demo_source_parses_and_validates(demo, catalog, source_id):
    frame = demo[source_id]
    assert sorted(frame["indicator"].unique()) == sorted(DEMO[source_id])
    valid, rejects = validate(frame, catalog)
    assert rejects == [] and len(valid) == len(frame)


def _yearly(frame, indicator, how):
    rows = frame[frame["indicator"] == indicator]
    years = rows["period_start"].dt.tz_convert("Europe/Berlin").dt.year
    return rows.groupby(years)["value"].agg(how)


def test_demo_magnitudes_follow_the_reference_figures(demo):
    waste = demo["waste-balance"]
    household = _yearly(waste, "household-waste-per-inhabitant", "sum")
    assert 390 < household[2019] < 430 and 385 < household[2025] < household[2019]
    assert 44 < _yearly(waste, "recycling-rate", "mean")[2019] < 48
    assert 51 < _yearly(waste, "recycling-rate", "mean")[2025] < 55
    climate = demo["climate-balance"]
    co2 = _yearly(climate, "co2-per-inhabitant", "mean")
    assert 7.0 < co2[2010] < 7.6 and 5.6 < co2[2025] < 6.2
    assert 1700 < _yearly(climate, "final-energy-use", "mean")[2010] < 1820
    capacity = _yearly(climate, "renewable-capacity-per-inhabitant", "mean")
    assert capacity.index.min() == 2015 and 0.17 < capacity[2015] < 0.21 and 0.47 < capacity[2023] < 0.53
    bev = _yearly(demo["vehicle-stock"], "bev-share", "mean")
    assert 0.15 < bev[2019] < 0.25 and 1.0 < bev[2023] < 1.3 and 2.2 < bev[2026] < 2.6
    passengers = demo["passenger-counts"]
    monthly = passengers["value"]
    assert monthly.min() > 1.1 and monthly.max() < 1.5
    april = pick(passengers, "public-transport-passengers", "2023-04")[0]
    june = pick(passengers, "public-transport-passengers", "2023-06")[0]
    assert june > april * 1.05  # Deutschlandticket from May 2023
    last = passengers["period_start"].max().tz_convert("Europe/Berlin")
    assert (last.year, last.month) == (2026, 10)
