"""The report's tables as an XLSX workbook (openpyxl): the title page facts, the status counts, the measures, the
sources and one sheet per chart table (with numbers as numbers), as in the PDF's appendix.

Text cells that a spreadsheet would read as a formula (a leading = + - @) get a leading apostrophe (the shared
`cockpit.spreadsheet.neutralise`)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from cockpit.i18n import t
from cockpit.reports.model import ReportContent, Table
from cockpit.reports.parts import CommentEntry
from cockpit.reports.pdf import measures_table, sources_table, summary_table
from cockpit.spreadsheet import neutralise

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(number: str, caption: str, taken: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub(" ", f"{number} {caption}".strip())[:31].strip()
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def _write(book: Workbook, taken: set[str], number: str, table: Table, rows=None) -> None:
    sheet = book.create_sheet(_sheet_name(number, table.caption, taken))
    sheet.append([neutralise(h) for h in table.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows if rows is not None else table.rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    sheet.freeze_panes = "A2"


def comments_table(comments: tuple[CommentEntry, ...], lang: str) -> Table:
    headers = (t("reports.comments.kind", lang), t("reports.comments.item", lang), t("reports.comments.office", lang),
               t("reports.comments.text", lang))
    rows = tuple((t(f"reports.comments.kind_{c.kind}", lang), c.item_name, c.office, c.text) for c in comments)
    return Table("comments", t("reports.comments.title", lang), headers, rows)


def render_xlsx(content: ReportContent, comments: tuple[CommentEntry, ...] = ()) -> bytes:
    """The workbook; with the departments' `comments`, a sheet of them after the sources."""
    lang = content.lang
    book = Workbook()
    cover = book.active
    cover.title = t("reports.summary.title", lang)[:31]
    taken = {cover.title}
    cover.append([neutralise(content.title)])
    cover["A1"].font = Font(bold=True)
    for label, value in content.facts:
        cover.append([neutralise(label), neutralise(value)])
    if content.demo_text:
        cover.append([neutralise(content.demo_text)])
    _write(book, taken, "", summary_table(content))
    measures = [m for g in content.goals for m in measures_table(content, g).rows]
    seen: list = []
    for row in measures:
        if row not in seen:
            seen.append(row)
    if content.goals:
        head = measures_table(content, content.goals[0])
        _write(book, taken, "", Table("measures", head.caption, head.headers, tuple(seen)))
    _write(book, taken, "", sources_table(content))
    if comments:
        _write(book, taken, "", comments_table(comments, lang))
    charts = {c.table.id: c for c in content.charts}
    for i, table in enumerate(content.tables, start=1):
        chart = charts.get(table.id)
        rows = None
        if chart is not None:  # numbers as numbers
            values, path, trend = (dict(s) for s in (chart.values, chart.path, chart.trend))
            rows = [(int(r[0]), values.get(int(r[0])), path.get(int(r[0])), trend.get(int(r[0])))
                    for r in table.rows]
        _write(book, taken, f"A{i}", table, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
