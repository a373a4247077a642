"""Exports of exactly the data a page shows, as files that open: CSV with the header row first (German `;` and
decimal comma, English `,` and decimal point, said in the file name; UTF-8 with BOM), XLSX with the same columns
(numbers as numbers, the period start as a real date) and the metadata on a second sheet, and the metadata of the
CSV as a separate JSON file (indicator, unit, filters, source, licence, export time, how to read the CSV).

    /export/explore.csv?<the explorer's query>        /export/explore.xlsx?...     /export/explore-meta.json?...
    /export/indicator/<id>.csv?res=&from=&to=&lang=    /export/indicator/<id>.xlsx?...  /export/indicator/<id>-meta.json?...

The viewer's role is resolved on the server (never from the URL): a public export never contains an internal
indicator, also when the URL names one. CSV is streamed row by row, XLSX from a write-only workbook spooled to a
temporary file, so a long range never builds the whole file in memory. Text cells that a spreadsheet would run as
a formula are neutralised (`cockpit.spreadsheet`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import flask

from cockpit.i18n import t
from cockpit.kpi import LOCAL_TZ
from cockpit.spreadsheet import csv_chunks, xlsx_chunks
from cockpit.views.explore import build_explore
from cockpit.views.export import (
    ExportTable,
    export_table,
    exported_at,
    filename,
    meta_document,
    meta_rows,
    rows,
)
from cockpit.views.indicator import build_indicator
from layouts.auth import current_viewer
from layouts.context import current_cockpit, resolve_lang

bp = flask.Blueprint("export", __name__)
KINDS = ("csv", "xlsx", "json")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _params() -> dict:
    args = flask.request.args
    return {key: args.getlist(key) if len(args.getlist(key)) > 1 else args.get(key) for key in args}


def _response(stream: Iterable[bytes] | bytes, name: str, kind: str) -> flask.Response:
    body = flask.stream_with_context(stream) if not isinstance(stream, bytes) else stream
    response = flask.Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _send(export: ExportTable, kind: str, lang: str, now: datetime) -> flask.Response:
    if kind == "csv":
        return _response(csv_chunks(export.headers, rows(export, lang, for_csv=True), lang),
                         filename(export, "csv", lang, now), "csv")
    if kind == "json":
        document = meta_document(export, lang, now, filename(export, "csv", lang, now))
        return _response(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
                         filename(export, "json", lang, now), "json")
    sheets = [(t("explorer.export.sheet", lang), export.headers, rows(export, lang, for_csv=False)),
              (t("export.meta.sheet", lang), [t("export.meta.field", lang), t("export.meta.value", lang)],
               meta_rows(export, lang, now))]
    return _response(xlsx_chunks(sheets), filename(export, "xlsx", lang, now), "xlsx")


@bp.route("/export/explore.<kind>")
@bp.route("/export/explore-meta.<kind>")
def explore_export(kind: str):
    if kind not in KINDS or (kind == "json") != flask.request.path.startswith("/export/explore-meta."):
        flask.abort(404)
    params = _params()
    lang = resolve_lang(params.get("lang"))
    cockpit = current_cockpit()
    now = datetime.now(LOCAL_TZ)
    view = build_explore(cockpit, current_viewer(), params, lang)
    units = sorted({r.unit for r in view.records})
    indicators = [cockpit.catalog.indicator(p.indicator_id) for p in view.panels]
    meta = [
        (t("explorer.col.indicator", lang), "; ".join(p.name for p in view.panels)),
        (t("explorer.col.unit", lang), "; ".join(f"{p.name}: {p.unit}" for p in view.panels) or ", ".join(units)),
        (t("explorer.export.filters", lang), view.filters_text),
        (t("explorer.fact.source", lang), " | ".join(p.source_line for p in view.panels)),
        (t("explorer.fact.licence", lang), "; ".join(sorted({i.source.licence for i in indicators}))),
        exported_at(now, lang),
    ]
    if view.archive_note:  # raw rows of past years read from the archive's Parquet files
        meta.append((t("archive.note.label", lang), view.archive_note))
    machine = {"indicators": [{"id": p.indicator_id, "name": p.name, "unit": p.unit, "per_1000_inhabitants":
                               p.normalised, "licence": i.source.licence, "source": i.source.name,
                               "attribution": i.source.attribution}
                              for p, i in zip(view.panels, indicators, strict=True)],
               "query": view.query}
    if view.archive_note:
        machine["archive_note"] = view.archive_note
    if view.peer_layers:  # the comparison with other cities: its own source and licence
        meta.insert(-1, (t("peers_explore.filter", lang), " | ".join(layer.note for layer in view.peer_layers.values())))
        machine["peer_comparison"] = [{"indicator": i, "note": layer.note, "demo": layer.demo}
                                      for i, layer in view.peer_layers.items()]
    export = export_table("explorer", view.table, 2, [0] * len(view.table.headers), meta, machine, lang,
                          row_decimals=7)
    return _send(export, kind, lang, now)


@bp.route("/export/indicator/<indicator_id>.<kind>")
def indicator_export(indicator_id: str, kind: str):
    meta_file = indicator_id.endswith("-meta") and kind == "json"
    if kind not in KINDS or (kind == "json") != meta_file:
        flask.abort(404)
    indicator_id = indicator_id.removesuffix("-meta") if meta_file else indicator_id
    args = flask.request.args
    lang = resolve_lang(args.get("lang"))
    now = datetime.now(LOCAL_TZ)
    view = build_indicator(current_cockpit(), current_viewer(), indicator_id, lang, res=args.get("res"),
                           range_from=args.get("from"), range_to=args.get("to"), sort=args.get("sort"))
    if view is None:
        flask.abort(404)
    licence = view.licence + (f" ({view.licence_url})" if view.licence_url else "")
    meta = [
        (t("explorer.col.indicator", lang), view.name),
        (t("explorer.col.unit", lang), view.unit),
        (t("explorer.export.filters", lang), t("explorer.export.indicator_filters", lang,
                                               res=t(f"explorer.res.{view.grain}", lang),
                                               start=view.range_from or "–", end=view.range_to or "–")),
        (t("explorer.fact.source", lang), view.source_line),
        (t("explorer.fact.licence", lang), licence),
        exported_at(now, lang),
    ]
    machine = {"indicators": [{"id": view.id, "name": view.name, "unit": view.unit, "licence": view.licence}],
               "resolution": view.grain}
    if view.archive_note:  # hour buckets of past years computed from the archive's Parquet files
        meta.append((t("archive.note.label", lang), view.archive_note))
        machine["archive_note"] = view.archive_note
    decimals = [view.decimals if i in view.table.numeric else 0 for i in range(len(view.table.headers))]
    export = export_table(view.id, view.table, 0, decimals, meta, machine, lang)
    return _send(export, kind, lang, now)
