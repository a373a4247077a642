"""The council report as PDF/UA-1 and XLSX: structure checks with pikepdf, the extracted text (every goal and its
status word), golden texts of the demo report in German and English, the XLSX tables, the `report` command."""

from __future__ import annotations

import io
import os
import re
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cockpit.cli import main
from cockpit.kpi import LOCAL_TZ
from cockpit.reports import build_report, parse_period
from cockpit.reports.pdf import render_pdf
from cockpit.reports.xlsx import neutralise, render_xlsx
from tests.unit.explorer_support import demo_cockpit

DEMO_TODAY = "2026-11-25"
TODAY = date(2026, 11, 25)
GENERATED = datetime(2026, 11, 25, 14, 5, tzinfo=LOCAL_TZ)
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCKPIT_DEMO_TODAY", DEMO_TODAY)  # the demo payloads are made for this day
        yield demo_cockpit(tmp_path_factory.mktemp("report-pdf"))


@pytest.fixture(scope="module")
def reports(demo):
    out = {}
    for lang in ("de", "en"):
        for audience in ("public", "internal"):
            content = build_report(demo, parse_period("2026-H2"), audience, lang, today=TODAY)
            out[lang, audience] = (content, render_pdf(content, GENERATED))
    return out


def structure_elements(node, found: list) -> list:
    if isinstance(node, pikepdf.Array):
        for kid in node:
            structure_elements(kid, found)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            structure_elements(node.K, found)
    return found


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("key", [("de", "public"), ("en", "public"), ("de", "internal"), ("en", "internal")])
def test_every_report_is_tagged_pdf_ua(reports, key):
    content, pdf = reports[key]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        assert root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == key[0]
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert str(doc.docinfo.Title) == content.title
        with doc.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        elements = structure_elements(root.StructTreeRoot.K, [])
        kinds = [str(e.S) for e in elements]
        figures = [e for e in elements if str(e.S) == "/Figure"]
        assert len(figures) == len(content.charts) > len(content.goals) > 0  # the goals' and the pathway's
        assert [str(f.Alt) for f in figures] == [c.alt for c in content.charts]
        assert kinds.count("/Table") == kinds.count("/THead") and "/TH" in kinds  # every table has headers
        assert "/H1" in kinds and "/H2" in kinds and "/TOC" in kinds
        assert "/Outlines" in root  # bookmarks
        page = doc.pages[0]
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]  # A4
        for font in (f for p in doc.pages for f in p.Resources.get("/Font", {}).values()):
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))  # embedded


@pytest.mark.parametrize("key", [("de", "public"), ("en", "public"), ("de", "internal")])
def test_text_names_every_goal_with_its_status(reports, key):
    content, pdf = reports[key]
    text = " ".join(text_of(pdf).split())
    for goal in content.goals:
        assert " ".join(goal.name.split()) in text
        assert f"Status: {goal.status_text}." in text
    for measure in content.measures:
        assert measure.office.split()[0] in text


def normalised(text: str) -> str:
    """The extracted text without the moment of generation (and with runs of spaces folded)."""
    text = re.sub(r"(Erstellt am|Generated on): [^\n]*", r"\1: <generated>", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_golden_text_of_the_demo_report(reports, lang):
    _content, pdf = reports[lang, "public"]
    text = normalised(text_of(pdf))
    golden = GOLDEN / f"report_public_{lang}.txt"
    if os.environ.get("COCKPIT_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_climate_pathway_section_in_the_pdf(reports, lang):
    content, pdf = reports[lang, "public"]
    text = " ".join(text_of(pdf).split())
    (section,) = content.extra_sections
    assert section.id == "pathway"
    assert " ".join(section.title.split()) in text
    for paragraph in section.paragraphs[:5]:  # sentence, balance, target year, budget, data quality
        assert " ".join(paragraph.split()) in text
    chart_table = section.charts[0].table
    number = f"A{content.tables.index(chart_table) + 1}"
    assert f"{number} {chart_table.caption}" in text  # the chart's table in the appendix


def test_the_public_report_is_the_public_content_only(reports):
    public_text = text_of(reports["de", "public"][1])
    internal_content, internal_pdf = reports["de", "internal"]
    assert "Öffentlichkeit" in public_text and "Verwaltung (intern)" not in public_text
    assert "Verwaltung (intern)" in text_of(internal_pdf)
    public_ids = {g.id for g in reports["de", "public"][0].goals}
    for goal in internal_content.goals:
        if goal.id not in public_ids:
            assert goal.name not in public_text
    def pathway_measures(content) -> list[str]:
        return [row[0] for tb in content.extra_sections[0].tables if tb.id == "pathway-measures" for row in tb.rows]

    public_measures = pathway_measures(reports["de", "public"][0])
    internal_only = [n for n in pathway_measures(internal_content) if n not in public_measures]
    assert internal_only and public_measures  # the internal measure's effect is in the internal pathway only
    for name in internal_only:
        assert " ".join(name.split()) in " ".join(text_of(internal_pdf).split())
        assert " ".join(name.split()) not in " ".join(public_text.split())


def test_xlsx_has_the_same_tables(reports):
    content, _pdf = reports["de", "public"]
    book = load_workbook(io.BytesIO(render_xlsx(content)))
    names = book.sheetnames
    assert names[0] == "Zusammenfassung"
    assert len([n for n in names if n.startswith("A")]) == len(content.tables)
    for i, (name, table) in enumerate(zip([n for n in names if n.startswith("A")], content.tables,
                                          strict=True), start=1):
        sheet = book[name]
        assert name.startswith(f"A{i} ")
        assert [c.value for c in sheet[1]] == list(table.headers)
        assert sheet.max_row == len(table.rows) + 1
    co2 = next(g for g in content.goals if g.id == "co2-halve-2030")
    sheet = book[names[names.index(next(n for n in names if n.startswith("A1 ")))]]
    years = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert years == [int(r[0]) for r in co2.chart.table.rows]
    year, value = co2.chart.values[-1]
    assert next(r[1].value for r in sheet.iter_rows(min_row=2) if r[0].value == year) == value  # a number
    pathway = content.extra_sections[0].charts[0]  # the climate pathway's chart table, numbers as numbers
    number = content.tables.index(pathway.table) + 1
    sheet = book[next(n for n in names if n.startswith(f"A{number} "))]
    plan = {r[0].value: r[3].value for r in sheet.iter_rows(min_row=2)}
    assert plan == pytest.approx({int(r[0]): dict(pathway.trend).get(int(r[0])) for r in pathway.table.rows})
    assert isinstance(plan[content.extra_sections[0].charts[0].trend[-1][0]], float)
    sectors = book[next(n for n in names if n.startswith(f"A{number + 1} "))]
    assert [c.value for c in sectors[1]][1] == "Private Haushalte"
    cover = book["Zusammenfassung"]
    assert cover["A1"].value == content.title
    sources = book[next(n for n in names if n.startswith("Datenquellen"))]
    assert sources.max_row == len(content.sources) + 1


@pytest.mark.parametrize(("text", "cell"), [("=1+1", "'=1+1"), ("+49 365", "'+49 365"), ("-5", "'-5"),
                                            ("@SUM(A1)", "'@SUM(A1)"), ("Amt", "Amt"), ("", "")])
def test_formula_like_text_is_neutralised(text, cell):
    assert neutralise(text) == cell


def test_report_command_writes_pdf_and_xlsx(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", DEMO_TODAY)
    out = tmp_path / "bericht.pdf"
    assert main(["report", "--period", "2026-Q4", "--lang", "en", "--out", str(out)]) == 0
    with pikepdf.open(out) as doc:
        assert str(doc.Root.Lang) == "en"
    assert load_workbook(tmp_path / "bericht.xlsx").sheetnames[0] == "Summary"
    assert "data version" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--period", "2026-H3", "--out", str(out)])
    assert exc.value.code == 2
    assert "H1-H2" in capsys.readouterr().err
