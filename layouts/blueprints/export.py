"""Exports of exactly the data a page shows: CSV (UTF-8 with BOM; `;` and decimal comma for German Excel, `,` and
dot for English) and XLSX, each with a header block (indicator, unit, filters, source, licence, export time).

    /export/explore.csv?<the explorer's query>        /export/explore.xlsx?...
    /export/indicator/<id>.csv?res=&from=&to=&lang=    /export/indicator/<id>.xlsx?...

The viewer's role is resolved on the server (never from the URL): a public export never contains an internal
indicator, also when the URL names one. Both formats are streamed: CSV row by row, XLSX from a write-only
workbook spooled to a temporary file, so a long range never builds the whole file in memory.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

import flask
from openpyxl import Workbook

from cockpit.i18n import format_datetime, t
from cockpit.kpi import LOCAL_TZ
from cockpit.views.explore import build_explore
from cockpit.views.indicator import build_indicator
from cockpit.views.timeseries import Table
from layouts.auth import current_viewer
from layouts.context import current_cockpit, resolve_lang

bp = flask.Blueprint("export", __name__)
CHUNK = 64 * 1024


def _params() -> dict:
    args = flask.request.args
    return {key: args.getlist(key) if len(args.getlist(key)) > 1 else args.get(key) for key in args}


def _number(value, decimals: int, lang: str) -> str:
    """Numbers as the table shows them, without thousands separators (Excel reads them as numbers)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",") if lang == "de" else text


def _rows(table: Table, decimals: list[int], lang: str, raw: bool) -> Iterator[list]:
    for texts, keys in zip(table.rows, table.keys, strict=True):
        row = []
        own = keys[len(texts)] if len(keys) > len(texts) else None  # a row's own decimals (explorer records)
        for index, text in enumerate(texts):
            if index in table.numeric and index < len(keys):
                value = keys[index]
                places = own if own is not None else decimals[index]
                if raw:
                    row.append(None if value is None else round(float(value), places))
                else:
                    row.append(_number(value, places, lang))
            else:
                row.append(text)
        yield row


def _csv_stream(header: list[tuple[str, str]], table: Table, decimals: list[int], lang: str) -> Iterator[bytes]:
    delimiter = ";" if lang == "de" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    yield "\ufeff".encode()
    for key, value in header:
        writer.writerow([key, value])
    writer.writerow([])
    writer.writerow(table.headers)
    yield flush()
    pending = 0
    for row in _rows(table, decimals, lang, raw=False):
        writer.writerow(row)
        pending += 1
        if pending >= 500:
            yield flush()
            pending = 0
    yield flush()


def _xlsx_stream(header: list[tuple[str, str]], table: Table, decimals: list[int], lang: str) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(t("explorer.export.sheet", lang))
    for key, value in header:
        sheet.append([key, value])
    sheet.append([])
    sheet.append(list(table.headers))
    for row in _rows(table, decimals, lang, raw=True):
        sheet.append(row)
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def _response(stream: Iterable[bytes], filename: str, mimetype: str) -> flask.Response:
    response = flask.Response(flask.stream_with_context(stream), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(kind: str, name: str, header: list[tuple[str, str]], table: Table, decimals: list[int], lang: str):
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        return _response(_csv_stream(header, table, decimals, lang), f"{name}-{stamp}.csv", "text/csv; charset=utf-8")
    return _response(_xlsx_stream(header, table, decimals, lang), f"{name}-{stamp}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _exported(lang: str) -> tuple[str, str]:
    return t("explorer.export.time", lang), format_datetime(datetime.now(LOCAL_TZ), lang)


@bp.route("/export/explore.<kind>")
def explore_export(kind: str):
    if kind not in ("csv", "xlsx"):
        flask.abort(404)
    params = _params()
    lang = resolve_lang(params.get("lang"))
    view = build_explore(current_cockpit(), current_viewer(), params, lang)
    units = sorted({r.unit for r in view.records})
    header = [
        (t("explorer.col.indicator", lang), "; ".join(p.name for p in view.panels)),
        (t("explorer.col.unit", lang), "; ".join(f"{p.name}: {p.unit}" for p in view.panels) or ", ".join(units)),
        (t("explorer.export.filters", lang), view.filters_text),
        (t("explorer.fact.source", lang), " | ".join(p.source_line for p in view.panels)),
        (t("explorer.fact.licence", lang), "; ".join(sorted({current_cockpit().catalog.indicator(p.indicator_id)
                                                             .source.licence for p in view.panels}))),
        _exported(lang),
    ]
    return _send(kind, "explorer", header, view.table, [0] * len(view.table.headers), lang)


@bp.route("/export/indicator/<indicator_id>.<kind>")
def indicator_export(indicator_id: str, kind: str):
    if kind not in ("csv", "xlsx"):
        flask.abort(404)
    args = flask.request.args
    lang = resolve_lang(args.get("lang"))
    view = build_indicator(current_cockpit(), current_viewer(), indicator_id, lang, res=args.get("res"),
                           range_from=args.get("from"), range_to=args.get("to"), sort=args.get("sort"))
    if view is None:
        flask.abort(404)
    header = [
        (t("explorer.col.indicator", lang), view.name),
        (t("explorer.col.unit", lang), view.unit),
        (t("explorer.export.filters", lang), t("explorer.export.indicator_filters", lang,
                                               res=t(f"explorer.res.{view.grain}", lang),
                                               start=view.range_from or "–", end=view.range_to or "–")),
        (t("explorer.fact.source", lang), view.source_line),
        (t("explorer.fact.licence", lang), view.licence + (f" ({view.licence_url})" if view.licence_url else "")),
        _exported(lang),
    ]
    decimals = [view.decimals if i in view.table.numeric else 0 for i in range(len(view.table.headers))]
    return _send(kind, view.id, header, view.table, decimals, lang)
