"""What the explorer and indicator exports hold: the table a page shows as columns a program reads (header row
first, numbers as numbers, a machine-readable ISO 8601 period start beside the readable period) and the metadata
(indicator, unit, filters, source, licence, export time, how to read the CSV) for a separate `…-meta.json` or the
second XLSX sheet. The file formats themselves are written by `cockpit.spreadsheet`. Plain data, no Flask."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from cockpit.i18n import format_datetime, t
from cockpit.kpi import LOCAL_TZ
from cockpit.spreadsheet import Formatted, dialect, number_text
from cockpit.views.timeseries import Table


@dataclass(frozen=True)
class ExportTable:
    name: str  # file name stem
    headers: list[str]
    table: Table
    period_column: int  # the readable period column; its sort key is the period start
    decimals: list[int]  # per column (numbers rounded as the page shows them)
    row_decimals: int | None  # the index in a row's keys of the row's own decimals (explorer records), or None
    meta: list[tuple[str, str]]  # label -> text, in the viewer's language
    meta_json: dict  # the same, for programs


def period_start(key) -> date | datetime | None:
    """The start of a table row's period from its sort key: 2026 (a year), '2026-11-01' (a bucket) or
    '2026-11-20 14:00' (an hour, local time) -> a date, or a time in Europe/Berlin."""
    if isinstance(key, int):
        return date(key, 1, 1)
    if not isinstance(key, str) or not key:
        return None
    if len(key) > 10:
        return datetime.fromisoformat(key).replace(tzinfo=LOCAL_TZ)
    return date.fromisoformat(key[:10])


def export_table(name: str, table: Table, period_column: int, decimals: list[int], meta: list[tuple[str, str]],
                 meta_json: dict, lang: str, row_decimals: int | None = None) -> ExportTable:
    headers = list(table.headers)
    headers.insert(period_column + 1, t("export.col.period_iso", lang))
    return ExportTable(name, headers, table, period_column, decimals, row_decimals, meta, meta_json)


def rows(export: ExportTable, lang: str, for_csv: bool) -> Iterator[list]:
    """The table's rows with the ISO column: numbers rounded as the page shows them (CSV: text in the language's
    dialect; XLSX: numbers), texts as shown, the period start as a date/time."""
    table = export.table
    for texts, keys in zip(table.rows, table.keys, strict=True):
        own = keys[export.row_decimals] if export.row_decimals is not None else None
        row: list = []
        for index, text in enumerate(texts):
            if index in table.numeric and index < len(keys):
                value = keys[index]
                places = own if own is not None else export.decimals[index]
                if value is None or (isinstance(value, float) and value != value):
                    row.append(None)
                elif for_csv:
                    row.append(Formatted(number_text(value, places, lang)))
                else:
                    row.append(round(float(value), places))
            else:
                row.append(text)
            if index == export.period_column:
                row.append(period_start(keys[index]))
        yield row


def filename(export: ExportTable, kind: str, lang: str, now: datetime) -> str:
    stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        return f"{export.name}-{stamp}-{dialect(lang).name}.csv"
    if kind == "json":
        return f"{export.name}-{stamp}-meta.json"
    return f"{export.name}-{stamp}.xlsx"


def exported_at(now: datetime, lang: str) -> tuple[str, str]:
    return t("explorer.export.time", lang), format_datetime(now.astimezone(LOCAL_TZ), lang)


def meta_document(export: ExportTable, lang: str, now: datetime, csv_name: str) -> dict:
    """The `…-meta.json` of an export: the labelled texts as the XLSX's second sheet shows them, the columns, how
    the CSV is written, and the machine-readable facts."""
    csv_dialect = dialect(lang)
    return {
        "language": lang,
        "exported_at": now.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
        "csv": {"file": csv_name, "encoding": "utf-8-sig", "delimiter": csv_dialect.delimiter,
                "decimal": csv_dialect.decimal, "header_row": 1,
                "pandas": ("pandas.read_csv(file, sep=';', decimal=',')" if lang == "de"
                           else "pandas.read_csv(file)")},
        "columns": export.headers,
        "period_start_column": export.headers[export.period_column + 1],
        "timezone": "Europe/Berlin",
        "description": dict(export.meta),
        **export.meta_json,
    }


def meta_rows(export: ExportTable, lang: str, now: datetime) -> list[list[str]]:
    """The second XLSX sheet: label and text per line, then how the columns are meant."""
    csv_dialect = dialect(lang)
    return [[label, text] for label, text in export.meta] + [
        [t("export.meta.period_iso", lang), t("export.meta.period_iso_text", lang,
                                              column=export.headers[export.period_column + 1])],
        [t("export.meta.csv", lang), t("export.meta.csv_text", lang, delimiter=csv_dialect.delimiter,
                                       decimal=csv_dialect.decimal)],
    ]
