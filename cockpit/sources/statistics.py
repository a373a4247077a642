"""Statistics tables (CSV, or Excel when openpyxl is installed) -> indicators computed per row from column formulas."""

from __future__ import annotations

import ast
import codecs
import importlib.util
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cockpit.sources import _csv
from cockpit.sources.base import (
    CITYWIDE,
    Document,
    ParseResult,
    Payload,
    PayloadError,
    Reject,
    make_frame,
)

BACKTICKED = re.compile(r"`([^`]+)`")
ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.Mod,
    ast.FloorDiv,
    ast.USub,
    ast.UAdd,
)
XLSX_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 50


class PeriodSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str = Field(min_length=1)
    format: str = Field(min_length=2)  # strptime format: "%m/%Y", "%Y", "%d.%m.%Y"
    rhythm: Literal["day", "month", "year"] = "month"


class Formula(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    expr: str = Field(min_length=1)

    @field_validator("expr")
    @classmethod
    def _arithmetic(cls, value: str) -> str:
        compile_expression(value)
        return value

    @property
    def columns(self) -> list[str]:
        return compile_expression(self.expr)[1]


class StatisticsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    separator: str = Field(default=";", min_length=1, max_length=1)
    decimal: Literal[",", "."] = ","
    encoding: str = "auto"  # auto = UTF-8 (with or without BOM), else cp1252
    sheet: str | int | None = None  # for .xlsx workbooks (needs openpyxl); default: the first sheet
    period: PeriodSpec
    district_column: str | None = None  # empty cells = city-wide
    districts: dict[str, str] = Field(default_factory=dict)  # optional: cell value -> district id
    indicators: list[Formula] = Field(min_length=1)

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value


def compile_expression(expr: str) -> tuple[str, list[str]]:
    """(expression for DataFrame.eval over placeholder columns c0, c1, ..., the column names in order)."""
    columns: list[str] = []

    def placeholder(name: str) -> str:
        if name not in columns:
            columns.append(name)
        return f"__c{columns.index(name)}__"

    text = BACKTICKED.sub(lambda m: placeholder(m.group(1).strip()), expr)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"expression {expr!r} is not valid: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES) or (
            isinstance(node, ast.Constant) and not _is_number(node.value)
        ):
            raise ValueError(
                f"expression {expr!r}: only + - * / ** % // on columns and numbers are allowed "
                f"(found {type(node).__name__})"
            )
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for name in sorted(names - {f"__c{i}__" for i in range(len(columns))}, key=text.index):
        text = re.sub(rf"(?<![\w]){re.escape(name)}(?![\w])", placeholder(name), text)
    if not columns:
        raise ValueError(f"expression {expr!r} names no column")
    return text, columns


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class Table:
    """The rows of the file below its header, with the header's column names."""

    header: list[str]
    rows: list[_csv.Row]
    cells: list[list[object]]  # parallel to rows: str for CSV, native values for Excel


class StatisticsConnector(_csv.SingleFileConnector):
    """A table with one period per row; each configured indicator is a formula over the row's columns.

    Each indicator is an arithmetic expression over columns, e.g. "(Restabfall_t + Bioabfall_t) * 1000 / Einwohner";
    names that are no Python identifiers are written in backticks (`Pkw insgesamt`). The expressions are checked when
    the sources file is loaded; a column they name that the file lacks is a PayloadError naming the column.

    Per row: an unparsable period or number, or a record cut short, makes the row a Reject (line number and reason);
    the other rows still count. An empty cell is "no value": the indicators that need it are skipped for that row.
    A result that is not finite (division by zero) is a Reject for that row and indicator. Duplicate periods are left
    to the ingest's validation (identical ones collapse, conflicting ones are quarantined).
    """

    name = "statistics-csv"
    Options = StatisticsOptions

    def parse(self, payload: Payload) -> ParseResult:
        document = _csv.single_document(payload.documents, self.source.id)
        where = f"source '{self.source.id}', {document.name}"
        table = self._table(document, where)
        self._check_columns(table, where)
        rows, rejects, good = [], [], []
        for row, cells in zip(table.rows, table.cells, strict=True):
            try:
                good.append((row, self._record(table.header, row, cells)))
            except _csv.RowError as exc:
                rejects.append(Reject(row.raw, f"line {row.line}: {exc}"))
        for formula in self.options.indicators:
            new_rows, new_rejects = _evaluate(formula, good)
            rows += new_rows
            rejects += new_rejects
        return ParseResult(frame=make_frame(rows), rejects=rejects)

    # ------------------------------------------------------------------ file -> table
    def _table(self, document: Document, where: str) -> Table:
        if document.content.startswith(XLSX_MAGIC) or document.name.lower().endswith((".xlsx", ".xlsm")):
            return self._excel(document, where)
        _csv.check_csv_bytes(document.content, where)
        text = _csv.decode(document.content, where, self.options.encoding)
        rows = _csv.read_rows(text, self.options.separator, where)
        index = self._header_index([r.fields for r in rows], rows, where)
        header = [_csv.clean(f) for f in rows[index].fields]
        body = rows[index + 1 :]
        return Table(header, body, [list(r.fields) for r in body])

    def _excel(self, document: Document, where: str) -> Table:
        if not has_openpyxl():
            raise PayloadError(
                f"{where}: is an Excel workbook, but openpyxl is not installed, so only CSV can be "
                "read: export the sheet as CSV or install openpyxl"
            )
        try:
            sheet = pd.read_excel(
                io.BytesIO(document.content), sheet_name=self.options.sheet or 0, header=None, dtype=object
            )
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken workbooks
            raise PayloadError(f"{where}: unreadable Excel workbook: {exc}") from None
        grid = [[None if _blank(v) else v for v in values] for values in sheet.itertuples(index=False)]
        rows = [
            _csv.Row(
                n + 1,
                ";".join("" if v is None else str(v) for v in cells),
                ["" if v is None else str(v) for v in cells],
            )
            for n, cells in enumerate(grid)
        ]
        keep = [i for i, r in enumerate(rows) if any(f.strip() for f in r.fields)]
        rows, grid = [rows[i] for i in keep], [grid[i] for i in keep]
        if not rows:
            raise PayloadError(f"{where}: the sheet is empty")
        index = self._header_index([r.fields for r in rows], rows, where)
        return Table([_csv.clean(f) for f in rows[index].fields], rows[index + 1 :], grid[index + 1 :])

    def _header_index(self, fields: list[list[str]], rows: list[_csv.Row], where: str) -> int:
        wanted = self.options.period.column
        for index, names in enumerate(fields[:HEADER_SEARCH_ROWS]):
            if wanted in (_csv.clean(n) for n in names):
                return index
        first = rows[0].raw[:80] if rows else ""
        raise PayloadError(
            f"{where}: no header line with the period column '{wanted}' found (first line: {first!r})"
        )

    def _check_columns(self, table: Table, where: str) -> None:
        needed = [c for f in self.options.indicators for c in f.columns]
        if self.options.district_column:
            needed.append(self.options.district_column)
        missing = list(dict.fromkeys(c for c in needed if c not in table.header))
        if missing:
            raise PayloadError(
                f"{where}: missing column(s) {', '.join(repr(c) for c in missing)} named in the "
                f"indicator expressions (the file has: {', '.join(table.header)})"
            )

    # ------------------------------------------------------------------ row -> record
    def _record(self, header: list[str], row: _csv.Row, cells: list[object]) -> dict:
        values = dict(zip(header, cells, strict=False))
        if not row.complete and len(cells) < len(header):
            raise _csv.RowError("truncated record (the file ends in the middle of this line)")
        if len(cells) < len(header) and any(
            c not in values for f in self.options.indicators for c in f.columns
        ):
            raise _csv.RowError(f"{len(cells)} fields but the header has {len(header)}")
        opts = self.options
        start, end = self._period(values.get(opts.period.column))
        numbers, problems = {}, []
        for column in dict.fromkeys(c for f in opts.indicators for c in f.columns):
            cell = values.get(column)
            if _blank(cell):
                continue
            try:
                numbers[column] = _csv.german_number(cell, opts.decimal)
            except _csv.RowError as exc:
                problems.append(f"column '{column}': {exc}")
        if problems:
            raise _csv.RowError("; ".join(problems))
        return dict(start=start, end=end, district=self._district(values), numbers=numbers)

    def _period(self, cell: object) -> tuple[datetime, datetime]:
        spec = self.options.period
        if isinstance(cell, datetime | date):
            day = cell.date() if isinstance(cell, datetime) else cell
        else:
            text = "" if cell is None else str(cell).strip()
            if spec.format == "%Y" and re.fullmatch(r"\d{4}\.0", text):
                text = text[:4]  # a year read from Excel as a float
            try:
                day = datetime.strptime(text, spec.format).date()
            except ValueError:
                raise _csv.RowError(
                    f"period {text!r} in column '{spec.column}' does not match {spec.format!r}"
                ) from None
        return _csv.period_bounds(day, spec.rhythm)

    def _district(self, values: dict) -> str:
        column = self.options.district_column
        if not column:
            return CITYWIDE
        cell = values.get(column)
        text = "" if _blank(cell) else _csv.clean(str(cell))
        return self.options.districts.get(text, text)


def _evaluate(formula: Formula, good: list[tuple[_csv.Row, dict]]) -> tuple[list[dict], list[Reject]]:
    """One indicator over the parsed records: rows with every needed cell, rejects for non-finite results."""
    expr, columns = compile_expression(formula.expr)
    usable = [(row, rec) for row, rec in good if all(c in rec["numbers"] for c in columns)]
    if not usable:
        return [], []
    data = pd.DataFrame(
        [[rec["numbers"][c] for c in columns] for _, rec in usable],
        columns=[f"__c{i}__" for i in range(len(columns))],
        dtype="float64",
    )
    values = data.eval(expr, engine="python")
    rows, rejects = [], []
    for (row, rec), value in zip(usable, pd.Series(values, index=data.index).tolist(), strict=True):
        if not math.isfinite(value):
            rejects.append(
                Reject(
                    row.raw,
                    f"line {row.line}: indicator '{formula.id}': {formula.expr} gives "
                    f"{value} (division by zero?)",
                )
            )
            continue
        rows.append(
            dict(
                indicator=formula.id,
                district=rec["district"],
                period_start=rec["start"],
                period_end=rec["end"],
                value=value,
                raw=row.raw,
            )
        )
    return rows, rejects


def has_openpyxl() -> bool:
    """Excel workbooks are read only when the optional openpyxl package is installed."""
    return importlib.util.find_spec("openpyxl") is not None


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()
