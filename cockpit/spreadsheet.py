"""CSV and XLSX as spreadsheet programs open them, safely: the one place that writes tabular files for people.

- **Formula cells neutralised** (CSV injection, OWASP): a text cell starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return is written with a leading apostrophe, so Excel and LibreOffice show it as text instead of running
  it; `restore` undoes this exactly (`restore(neutralise(x)) == x` for every text), for files that are read back
  (measures). Numbers are numbers, never neutralised (a negative value stays a number). In XLSX every text cell is
  a string cell as well, so it is never a formula.
- **Dialect by language**: German `;` and decimal comma (what German Excel expects), English `,` and decimal point
  (what `pandas.read_csv` and English Excel expect); UTF-8 with BOM so Excel reads the umlauts; the header row is
  the first line.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
CHUNK = 64 * 1024


def _needs_quote(text: str) -> bool:
    # an apostrophe before what would be neutralised is quoted too, so that `restore` is exact
    while text.startswith(QUOTE):
        text = text[1:]
    return text.startswith(FORMULA_START)


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula, with a leading apostrophe; anything else as it is."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def restore(value):
    """The text `neutralise` was given (a cell read back from a file the cockpit wrote)."""
    if isinstance(value, str) and value.startswith(QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    name: str  # for file names: says how to read the file


DIALECTS = {"de": Dialect(";", ",", "de-semikolon-dezimalkomma"), "en": Dialect(",", ".", "en-comma-decimal-point")}


def dialect(lang: str) -> Dialect:
    return DIALECTS["de" if lang == "de" else "en"]


def number_text(value, decimals: int | None, lang: str) -> str:
    """A number for a CSV cell: no thousands separators, the language's decimal mark; empty when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    text = repr(float(value)) if decimals is None else f"{float(value):.{decimals}f}"
    if text.endswith(".0") and decimals is None:
        text = text[:-2]
    return text.replace(".", dialect(lang).decimal)


def _cell_text(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value, None, lang)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(headers: list[str], rows: Iterable[list], lang: str, bom: bool = True) -> Iterator[bytes]:
    """CSV in the language's dialect, header row first, streamed in chunks. Rows hold typed values: text (str,
    neutralised), numbers (int/float, or text already formatted by `number_text`: pass those as `Formatted`),
    dates and times (ISO 8601)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect(lang).delimiter, lineterminator="\r\n")

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    if bom:
        yield "\ufeff".encode()
    writer.writerow([neutralise(h) for h in headers])
    pending = 0
    for row in rows:
        writer.writerow([cell.text if isinstance(cell, Formatted) else _cell_text(cell, lang) for cell in row])
        pending += 1
        if pending >= 500:
            yield flush()
            pending = 0
    yield flush()


@dataclass(frozen=True)
class Formatted:
    """A number cell already written as text in the file's dialect (e.g. rounded as the page shows it)."""

    text: str


def _xlsx_cell(sheet, value):
    if isinstance(value, Formatted):
        value = value.text
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones: the local wall time (the header says which)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a string cell, never a formula (openpyxl reads '=...' as a formula otherwise)
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_chunks(sheets: list[tuple[str, list[str], Iterable[list]]]) -> Iterator[bytes]:
    """A workbook with one sheet per (title, headers, rows), header row first; text cells are string cells and
    neutralised like CSV cells (so a copy to CSV stays safe), numbers are numbers, dates are dates. Written in
    write-only mode and spooled to a temporary file, so a long table never sits in memory as cells."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([_xlsx_cell(sheet, neutralise(h)) for h in headers])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, neutralise(value)) for value in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
