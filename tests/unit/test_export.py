"""CSV and XLSX exports: exactly the rows of the table the page shows, header row first, German and English formats
(read by pandas), an ISO period column, metadata (indicator, unit, filters, source, licence, export time) as a
separate JSON file and a second XLSX sheet, and the viewer's role enforced on the server."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from urllib.parse import parse_qs

import pandas as pd
import pytest
from openpyxl import load_workbook

from bench.pages import json_objects
from cockpit.roles import Role
from cockpit.views.explore import build_explore
from cockpit.views.indicator import build_indicator
from tests.fixtures.forms import post_login
from tests.unit.explorer_support import demo_cockpit
from tests.unit.opendata_support import app_fixtures
from tests.unit.test_app import router_request, text

PASSWORD = "export-test-password"
SHARED = "ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2024-01&to=2025-06&res=month"
INTERNAL = "municipal-buildings-electricity"
INDICATOR_PUBLIC = "charge-points-per-1000"


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("export"), internal_password=PASSWORD, secret_key="export-secret")


app, client = app_fixtures()


def read_csv(response, delimiter: str) -> list[list[str]]:
    """The rows of a CSV export: the header row is the first line (no metadata block above it)."""
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def shown_columns(row: list) -> list:
    """An export row without its ISO period column (index 3 in the explorer): the columns the page shows."""
    return row[:3] + row[4:]


def meta(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('-meta.json"')
    return response.get_json()


def page_number(text: str, lang: str) -> str:
    """A table cell as the CSV writes it: no thousands separators."""
    return text.replace(".", "") if lang == "de" else text.replace(",", "")


@pytest.mark.parametrize(("lang", "delimiter"), [("de", ";"), ("en", ",")])
def test_explorer_csv_holds_the_table_rows_in_the_locale_format(client, cockpit, lang, delimiter):
    response = client.get(f"/export/explore.csv?{SHARED}&lang={lang}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="explorer-')
    assert disposition.endswith("-de-semikolon-dezimalkomma.csv\"" if lang == "de" else
                                "-en-comma-decimal-point.csv\"")
    table = read_csv(response, delimiter)
    view = build_explore(cockpit, Role.PUBLIC, parse_qs(SHARED), lang)
    assert shown_columns(table[0]) == list(view.table.headers)
    assert table[0][3] == ("Periodenbeginn (ISO 8601)" if lang == "de" else "Period start (ISO 8601)")
    assert len(table) - 1 == len(view.table.rows) == 3 * 18
    for shown, keys, exported in zip(view.table.rows, view.table.keys, table[1:], strict=True):
        assert [page_number(c, lang) if i in view.table.numeric else c for i, c in enumerate(shown)] == \
            shown_columns(exported)
        assert exported[3] == keys[2] and date.fromisoformat(exported[3]).day == 1  # the month's first day
    decimal = "," if lang == "de" else "."
    assert decimal in table[1][4] and (lang == "de") == ("," in table[1][4])
    labels = meta(client, f"/export/explore-meta.json?{SHARED}&lang={lang}")
    assert view.filters_text in labels["description"].values()
    assert any("CC BY 4.0" in v for v in labels["description"].values())
    assert any("Bundesnetzagentur" in v for v in labels["description"].values())
    assert labels["columns"] == table[0]
    assert labels["csv"]["delimiter"] == delimiter and labels["csv"]["decimal"] == decimal
    assert [i["id"] for i in labels["indicators"]] == ["charge-points-per-1000"]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", [f"/export/explore.csv?{SHARED}", "/export/indicator/recycling-rate.csv?res=month"])
def test_pandas_reads_the_csv_as_numbers_and_dates(client, lang, path):
    """English: `pandas.read_csv` with its defaults; German: `sep=";", decimal=","`. Numbers come out as numbers
    and the ISO column parses as dates."""
    body = client.get(f"{path}&lang={lang}").get_data()
    options = {"sep": ";", "decimal": ","} if lang == "de" else {}
    frame = pd.read_csv(io.BytesIO(body), **options)
    iso = "Periodenbeginn (ISO 8601)" if lang == "de" else "Period start (ISO 8601)"
    value = next(c for c in frame.columns if c.startswith("Wert" if lang == "de" else "Value"))
    assert len(frame) > 10
    assert pd.api.types.is_float_dtype(frame[value]) and frame[value].notna().all()
    assert frame.columns[0] in ("Kennzahl", "Indicator", "Zeitraum", "Period")  # the BOM is not part of the name
    starts = pd.to_datetime(frame[iso], format="ISO8601")
    assert starts.notna().all() and (starts.dt.day == 1).all()


def test_explorer_xlsx_holds_the_same_columns_with_numbers_and_dates_and_metadata_on_a_second_sheet(client,
                                                                                                    cockpit):
    response = client.get(f"/export/explore.xlsx?{SHARED}&lang=de")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert workbook.sheetnames == ["Daten", "Metadaten"]
    table = [list(r) for r in workbook["Daten"].iter_rows(values_only=True)]
    csv_rows = read_csv(client.get(f"/export/explore.csv?{SHARED}&lang=de"), ";")
    view = build_explore(cockpit, Role.PUBLIC, parse_qs(SHARED), "de")
    assert table[0] == csv_rows[0]
    assert len(table) - 1 == len(view.table.rows)
    for keys, exported in zip(view.table.keys, table[1:], strict=True):
        assert exported[4] == pytest.approx(keys[3], abs=0.005) and isinstance(exported[4], float)
        assert exported[1] == keys[1]
        assert isinstance(exported[3], datetime) and exported[3].strftime("%Y-%m-%d") == keys[2]
    info = {r[0]: r[1] for r in workbook["Metadaten"].iter_rows(min_row=2, values_only=True)}
    assert "Ladepunkte" in info["Kennzahl"] and "CC BY 4.0" in info["Lizenz"]
    assert view.filters_text == info["Filter"]


def test_a_public_export_never_contains_an_internal_indicator_also_when_the_url_names_it(client):
    for kind in ("csv", "xlsx", "meta.json"):
        path = "/export/explore-meta.json" if kind == "meta.json" else f"/export/explore.{kind}"
        response = client.get(f"{path}?ind={INTERNAL}&ind=recycling-rate&lang=de")
        assert response.status_code == 200
        body = response.get_data()
        if kind == "xlsx":
            book = load_workbook(io.BytesIO(body), read_only=True)
            body = "\n".join(str(c) for sheet in book for r in sheet.iter_rows(values_only=True)
                              for c in r).encode("utf-8")
        text = body.decode("utf-8")
        assert "Stromverbrauch kommunaler" not in text and INTERNAL not in text
        assert "Recyclingquote" in text
    assert client.get(f"/export/indicator/{INTERNAL}.csv?lang=de").status_code == 404
    assert client.get(f"/export/indicator/{INTERNAL}-meta.json?lang=de").status_code == 404


def test_staff_exports_include_internal_indicators(client):
    post_login(client, {"password": PASSWORD})
    response = client.get(f"/export/explore.csv?ind={INTERNAL}&from=2026-01&lang=de")
    table = read_csv(response, ";")
    assert len(table) > 1 and table[1][0] == "Stromverbrauch kommunaler Gebäude"
    described = meta(client, f"/export/explore-meta.json?ind={INTERNAL}&from=2026-01&lang=de")["description"]
    assert "Stromverbrauch kommunaler Gebäude" in described["Kennzahl"]
    assert client.get(f"/export/indicator/{INTERNAL}.csv?lang=de").status_code == 200


@pytest.mark.parametrize("lang", ["de", "en"])
def test_indicator_export_equals_the_indicator_table(client, cockpit, lang):
    query = "res=month&from=2025-01&to=2025-12"
    table = read_csv(client.get(f"/export/indicator/recycling-rate.csv?{query}&lang={lang}"),
                     ";" if lang == "de" else ",")
    view = build_indicator(cockpit, Role.PUBLIC, "recycling-rate", lang, res="month", range_from="2025-01",
                           range_to="2025-12")
    assert [table[0][0], *table[0][2:]] == list(view.table.headers)
    assert [r[0] for r in table[1:]] == [r[0] for r in view.table.rows]
    assert [r[1] for r in table[1:]] == [f"2025-{m:02d}-01" for m in range(1, 13)]
    for shown, exported in zip(view.table.rows, table[1:], strict=True):
        assert page_number(shown[1], lang) == exported[2]
    described = meta(client, f"/export/indicator/recycling-rate-meta.json?{query}&lang={lang}")["description"]
    assert described["Lizenz" if lang == "de" else "Licence"].startswith("Datenlizenz Deutschland")


def test_unknown_formats_and_bad_parameters_never_give_a_server_error(client):
    assert client.get("/export/explore.pdf").status_code == 404
    assert client.get("/export/explore.json").status_code == 404  # the metadata is explore-meta.json
    assert client.get("/export/explore-meta.csv").status_code == 404
    assert client.get("/export/indicator/recycling-rate.json").status_code == 404
    response = client.get("/export/explore.csv?from=2020-99&res=minute&ind=%00&district=x&sort=--")
    assert response.status_code == 200


def test_crafted_page_requests_never_render_internal_indicators_for_the_public(client, cockpit):
    name = cockpit.catalog.indicator(INTERNAL).name.de
    for path, search in (("/explore", f"?ind={INTERNAL}&lang=de"), (f"/indicator/{INTERNAL}", "?lang=de"),
                         ("/explore", "?department=gebaeudemanagement&lang=de")):
        page = text(router_request(client, path, search))
        assert name not in page and "(intern)" not in page, path
    assert "Kennzahl nicht gefunden" in text(router_request(client, f"/indicator/{INTERNAL}", "?lang=de"))
    for search in ("?from=2020-99&res=minute&district=x&sort=--&ind=%00", "?to=1800&from=2100",
                   "?ind=" + "a," * 300):
        assert router_request(client, "/explore", search).status_code == 200
        assert router_request(client, f"/indicator/{INDICATOR_PUBLIC}", search).status_code == 200
    post_login(client, {"password": PASSWORD})
    assert name in text(router_request(client, "/explore", f"?ind={INTERNAL}&lang=de"))


def _tbody_rows(payload) -> list:
    """The rows of the explorer's data table in a routing callback response (Dash component JSON)."""
    tables = [node["props"] for node in json_objects(payload)
              if node.get("type") == "Table" and node.get("props", {}).get("id") == "explore-table"]
    bodies = [next(c for c in table["children"] if c.get("type") == "Tbody") for table in tables]
    return [row for body in bodies for row in body["props"]["children"]]


def test_a_long_explorer_table_shows_its_first_rows_and_says_that_the_exports_hold_all(client, cockpit):
    long = "ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2017-01&to=2025-06&res=month"
    view = build_explore(cockpit, Role.PUBLIC, parse_qs(long), "de")
    assert len(view.table.rows) > 200
    response = router_request(client, "/explore", f"?{long}&lang=de&sort=-3")
    rows = _tbody_rows(response.get_json())
    assert len(rows) == 200
    total = f"{len(view.table.rows):,}".replace(",", ".")
    assert f"ersten 200 von {total} Zeilen" in text(response)
    assert "Export enthalten alle Zeilen" in text(response)
    sorted_view = build_explore(cockpit, Role.PUBLIC, parse_qs(f"{long}&sort=-3"), "de")
    first = rows[0]["props"]["children"][0]["props"]["children"]
    assert first == sorted_view.table.rows[0][0]  # the first rows in the chosen order
    exported = read_csv(client.get(f"/export/explore.csv?{long}&lang=de&sort=-3"), ";")
    assert len(exported) - 1 == len(view.table.rows)  # the export holds every row, not only the rows shown
    short = router_request(client, "/explore", f"?{SHARED}&lang=de")
    assert len(_tbody_rows(short.get_json())) == 3 * 18 and "ersten 200" not in text(short)


def test_the_iso_period_start_of_every_kind_of_period():
    from cockpit.views.export import period_start

    assert period_start(2024) == date(2024, 1, 1)  # a year of the annual table
    assert period_start("2024-03-01") == date(2024, 3, 1)  # a month, week or day bucket
    hour = period_start("2024-07-01 14:00")  # an hour, local time: with its offset in the CSV
    assert hour.isoformat() == "2024-07-01T14:00:00+02:00"
    assert period_start("2024-12-01 14:00").isoformat() == "2024-12-01T14:00:00+01:00"
    assert period_start("") is None and period_start(None) is None
