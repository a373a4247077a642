"""CSV and XLSX exports: exactly the rows of the table the page shows, German and English formats, a header block
with indicator, unit, filters, source, licence and export time, and the viewer's role enforced on the server."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs

import pytest
from openpyxl import load_workbook

from cockpit.roles import Role
from cockpit.views.explore import build_explore
from cockpit.views.indicator import build_indicator
from tests.fixtures.forms import post_login
from tests.unit.explorer_support import demo_cockpit
from tests.unit.test_app import router_request, text

PASSWORD = "export-test-password"
SHARED = "ind=charge-points-per-1000&district=lusan&district=stadtmitte&from=2024-01&to=2025-06&res=month"
INTERNAL = "municipal-buildings-electricity"
INDICATOR_PUBLIC = "charge-points-per-1000"


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return demo_cockpit(tmp_path_factory.mktemp("export"), internal_password=PASSWORD, secret_key="export-secret")


@pytest.fixture(scope="module")
def app(cockpit):
    from layouts.app import create_app

    return create_app(cockpit)


@pytest.fixture
def client(app):
    return app.server.test_client()


def read_csv(response, delimiter: str) -> tuple[list[list[str]], list[list[str]]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1:]


def page_number(text: str, lang: str) -> str:
    """A table cell as the CSV writes it: no thousands separators."""
    return text.replace(".", "") if lang == "de" else text.replace(",", "")


@pytest.mark.parametrize(("lang", "delimiter"), [("de", ";"), ("en", ",")])
def test_explorer_csv_holds_the_table_rows_in_the_locale_format(client, cockpit, lang, delimiter):
    response = client.get(f"/export/explore.csv?{SHARED}&lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="explorer-')
    header, table = read_csv(response, delimiter)
    view = build_explore(cockpit, Role.PUBLIC, parse_qs(SHARED), lang)
    assert table[0] == list(view.table.headers)
    assert len(table) - 1 == len(view.table.rows) == 3 * 18
    for shown, exported in zip(view.table.rows, table[1:], strict=True):
        assert [page_number(c, lang) if i in view.table.numeric else c for i, c in enumerate(shown)] == exported
    decimal = "," if lang == "de" else "."
    assert decimal in table[1][3] and (lang == "de") == ("," in table[1][3])
    labels = dict(header)
    assert view.filters_text in labels.values()
    assert any("CC BY 4.0" in v for v in labels.values())
    assert any("Bundesnetzagentur" in v for v in labels.values())
    assert len(header) == 6


def test_explorer_xlsx_holds_the_same_rows_with_numbers_as_numbers(client, cockpit):
    response = client.get(f"/export/explore.xlsx?{SHARED}&lang=de")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    blank = next(i for i, r in enumerate(rows) if all(c is None for c in r))
    header, table = rows[:blank], rows[blank + 1:]
    view = build_explore(cockpit, Role.PUBLIC, parse_qs(SHARED), "de")
    assert [c for c in table[0] if c is not None] == list(view.table.headers)
    assert len(table) - 1 == len(view.table.rows)
    for keys, exported in zip(view.table.keys, table[1:], strict=True):
        assert exported[3] == pytest.approx(keys[3], abs=0.005) and isinstance(exported[3], float)
        assert exported[1] == keys[1]
    assert header[0][0] == "Kennzahl" and "Ladepunkte" in header[0][1]


def test_a_public_export_never_contains_an_internal_indicator_also_when_the_url_names_it(client):
    for kind in ("csv", "xlsx"):
        response = client.get(f"/export/explore.{kind}?ind={INTERNAL}&ind=recycling-rate&lang=de")
        assert response.status_code == 200
        body = response.get_data()
        if kind == "xlsx":
            sheet = load_workbook(io.BytesIO(body), read_only=True).active
            body = "\n".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r).encode("utf-8")
        text = body.decode("utf-8")
        assert "Stromverbrauch kommunaler" not in text and INTERNAL not in text
        assert "Recyclingquote" in text
    assert client.get(f"/export/indicator/{INTERNAL}.csv?lang=de").status_code == 404


def test_staff_exports_include_internal_indicators(client):
    post_login(client, {"password": PASSWORD})
    response = client.get(f"/export/explore.csv?ind={INTERNAL}&from=2026-01&lang=de")
    header, table = read_csv(response, ";")
    assert "Stromverbrauch kommunaler Gebäude" in dict(header)["Kennzahl"]
    assert len(table) > 1
    assert client.get(f"/export/indicator/{INTERNAL}.csv?lang=de").status_code == 200


@pytest.mark.parametrize("lang", ["de", "en"])
def test_indicator_export_equals_the_indicator_table(client, cockpit, lang):
    query = "res=month&from=2025-01&to=2025-12"
    header, table = read_csv(client.get(f"/export/indicator/recycling-rate.csv?{query}&lang={lang}"),
                             ";" if lang == "de" else ",")
    view = build_indicator(cockpit, Role.PUBLIC, "recycling-rate", lang, res="month", range_from="2025-01",
                           range_to="2025-12")
    assert table[0] == list(view.table.headers)
    assert [r[0] for r in table[1:]] == [r[0] for r in view.table.rows]
    for shown, exported in zip(view.table.rows, table[1:], strict=True):
        assert page_number(shown[1], lang) == exported[1]
    assert dict(header)["Lizenz" if lang == "de" else "Licence"].startswith("Datenlizenz Deutschland")


def test_unknown_formats_and_bad_parameters_never_give_a_server_error(client):
    assert client.get("/export/explore.pdf").status_code == 404
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
    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if node.get("type") == "Table" and props.get("id") == "explore-table":
                body = next(c for c in props["children"] if c.get("type") == "Tbody")
                found.extend(body["props"]["children"])
                return
            for value in props.values() if "props" in node else node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return found


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
    _, exported = read_csv(client.get(f"/export/explore.csv?{long}&lang=de&sort=-3"), ";")
    assert len(exported) - 1 == len(view.table.rows)  # the export holds every row, not only the rows shown
    short = router_request(client, "/explore", f"?{SHARED}&lang=de")
    assert len(_tbody_rows(short.get_json())) == 3 * 18 and "ersten 200" not in text(short)
