"""Reading the pathway inputs from files: balance and factor CSVs, population CSV, goal and budget YAML.

Every problem names the file, the row (line number, 1 = header) and the field. Used by `run.py pathway` and by the
balance import into the store.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import yaml
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError

from cockpit.catalog.models import Goal
from cockpit.kpi.pathway import GRADE_WEIGHTS, SECTORS, Budget, SectorEffect

BALANCE_COLUMNS = ("year", "sector", "carrier", "mwh", "grade")
FACTOR_COLUMNS = ("year", "carrier", "t_per_mwh")
POPULATION_COLUMNS = ("year", "inhabitants")


class PathwayInputError(ValueError):
    """An input file cannot be used; the message names the file, the row and the field."""

    def __init__(self, file: str, problem: str, row: int | None = None, field: str | None = None):
        self.file, self.row, self.field, self.problem = file, row, field, problem
        where = [file] + ([f"row {row}"] if row else []) + ([f"field '{field}'"] if field else [])
        super().__init__(", ".join(where) + ": " + problem)


def _year(text: str, name: str, row: int, column: str = "year") -> int:
    try:
        year = int(text.strip())
    except ValueError:
        raise PathwayInputError(name, f"not a year: {text!r}", row, column) from None
    if not 1900 <= year <= 2100:
        raise PathwayInputError(name, f"year {year} outside 1900..2100", row, column)
    return year


def _number(text: str, name: str, row: int, column: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise PathwayInputError(name, f"not a number: {text!r}", row, column) from None
    if not math.isfinite(value) or value < 0:
        raise PathwayInputError(name, f"must be a finite number >= 0: {text!r}", row, column)
    return value


def _rows(name: str, text: str, required: tuple[str, ...]):
    """(line number, row dict) for every non-empty line; PathwayInputError for a missing header or column."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise PathwayInputError(name, f"no header line (expected {','.join(required)})")
    columns = [h.strip() for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise PathwayInputError(name, f"missing column(s) {', '.join(missing)} in header {','.join(columns)}", 1)
    line = reader.line_num
    for fields in reader:
        start, line = line + 1, reader.line_num
        if not fields or not any(f.strip() for f in fields):
            continue
        if len(fields) != len(columns):
            raise PathwayInputError(name, f"{len(fields)} fields, but the header has {len(columns)}", start)
        yield start, dict(zip(columns, (f.strip() for f in fields), strict=True))


def xlsx_as_csv(path: Path | str) -> str:
    """The first sheet of a workbook as CSV text (row numbers stay those of the sheet)."""
    try:
        workbook = load_workbook(Path(path), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and format errors of a broken workbook
        raise PathwayInputError(str(path), f"not a readable .xlsx workbook: {exc}") from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        writer.writerow(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                         for v in row])
    workbook.close()
    return out.getvalue()


def _text(path: Path | str, text: str | None) -> str:
    if text is not None:
        return text
    if str(path).lower().endswith(".xlsx"):
        return xlsx_as_csv(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PathwayInputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PathwayInputError(str(path), "not UTF-8 text") from None


def read_balance(path: Path | str, text: str | None = None) -> pd.DataFrame:
    """The balance CSV `year,sector,carrier,mwh,grade`; a (year, sector, carrier) may occur once."""
    name, records, seen = str(path), [], {}
    for row, r in _rows(name, _text(path, text), BALANCE_COLUMNS):
        if not any(r.values()):
            continue
        year = _year(r["year"], name, row)
        if r["sector"] not in SECTORS:
            raise PathwayInputError(name, f"unknown sector {r['sector']!r} (one of {', '.join(SECTORS)})", row,
                                    "sector")
        if not r["carrier"]:
            raise PathwayInputError(name, "empty", row, "carrier")
        mwh = _number(r["mwh"], name, row, "mwh")
        grade = r["grade"].upper()
        if grade not in GRADE_WEIGHTS:
            raise PathwayInputError(name, f"grade must be A, B, C or D, not {r['grade']!r}", row, "grade")
        key = (year, r["sector"], r["carrier"])
        if key in seen:
            raise PathwayInputError(name, f"{year}/{r['sector']}/{r['carrier']} already given in row {seen[key]}",
                                    row, "carrier")
        seen[key] = row
        records.append((year, r["sector"], r["carrier"], mwh, grade))
    if not records:
        raise PathwayInputError(name, "no balance rows")
    return pd.DataFrame(records, columns=list(BALANCE_COLUMNS))


def read_factors(path: Path | str, text: str | None = None) -> pd.DataFrame:
    """The factors CSV `year,carrier,t_per_mwh` (an optional `reason` column is kept: the reason of an override)."""
    name, records, seen = str(path), [], {}
    for row, r in _rows(name, _text(path, text), FACTOR_COLUMNS):
        year = _year(r["year"], name, row)
        if not r["carrier"]:
            raise PathwayInputError(name, "empty", row, "carrier")
        factor = _number(r["t_per_mwh"], name, row, "t_per_mwh")
        if factor > 5:
            raise PathwayInputError(name, f"{factor} t/MWh is not plausible (more than 5)", row, "t_per_mwh")
        key = (year, r["carrier"])
        if key in seen:
            raise PathwayInputError(name, f"{year}/{r['carrier']} already given in row {seen[key]}", row, "carrier")
        seen[key] = row
        records.append((year, r["carrier"], factor, r.get("reason", "")))
    return pd.DataFrame(records, columns=[*FACTOR_COLUMNS, "reason"])


def read_population(path: Path | str, text: str | None = None) -> dict[int, float]:
    """The population CSV `year,inhabitants`."""
    name, out = str(path), {}
    for row, r in _rows(name, _text(path, text), POPULATION_COLUMNS):
        out[_year(r["year"], name, row)] = _number(r["inhabitants"], name, row, "inhabitants")
    return out


def _yaml(path: Path | str, text: str | None):
    name = str(path)
    try:
        return yaml.safe_load(_text(path, text))
    except yaml.YAMLError as exc:
        raise PathwayInputError(name, f"not valid YAML: {exc}") from None


def read_goal(path: Path | str, text: str | None = None) -> Goal:
    """One goal in the catalog's goal format (a mapping, or `goals:` with exactly one entry)."""
    name, document = str(path), _yaml(path, text)
    if isinstance(document, dict) and "goals" in document:
        document = document["goals"]
        if not isinstance(document, list) or len(document) != 1:
            raise PathwayInputError(name, "'goals' must hold exactly one goal", None, "goals")
        document = document[0]
    if not isinstance(document, dict):
        raise PathwayInputError(name, "expected one goal (a mapping)")
    try:
        return Goal.model_validate(document)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PathwayInputError(name, err["msg"], None, ".".join(str(p) for p in err["loc"]) or None) from None


def read_budget(path: Path | str, text: str | None = None) -> Budget:
    """The budget YAML `{start_year, tonnes, source}`."""
    name, document = str(path), _yaml(path, text)
    if not isinstance(document, dict):
        raise PathwayInputError(name, "expected a mapping {start_year, tonnes, source}")
    for key in ("start_year", "tonnes", "source"):
        if key not in document:
            raise PathwayInputError(name, "missing", None, key)
    start = document["start_year"]
    if not isinstance(start, int) or not 1900 <= start <= 2100:
        raise PathwayInputError(name, f"not a year: {start!r}", None, "start_year")
    tonnes = document["tonnes"]
    if isinstance(tonnes, bool) or not isinstance(tonnes, int | float) or not math.isfinite(tonnes) or tonnes < 0:
        raise PathwayInputError(name, f"must be a number >= 0: {tonnes!r}", None, "tonnes")
    source = document["source"]
    if not isinstance(source, str) or not source.strip():
        raise PathwayInputError(name, "must name the source of the budget", None, "source")
    return Budget(start, float(tonnes), source.strip())


def effects_of(measures) -> list[SectorEffect]:
    """The sector effects of measures (model `cockpit.measures.model.Measure`) as rule inputs."""
    return [SectorEffect(m.id, e.sector, e.reduction_t, e.start_year, e.full_year, e.end_year,
                         m.status == "cancelled")
            for m in measures for e in m.effects]


TEMPLATE_ROWS = [
    (2023, "households", "electricity", 118000, "A"),
    (2023, "households", "natural_gas", 262000, "A"),
    (2023, "transport", "diesel", 310000, "D"),
]


def write_template(path: Path | str) -> None:
    """The balance import template (header and three example rows) as .csv or .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "balance"
        sheet.append(list(BALANCE_COLUMNS))
        for row in TEMPLATE_ROWS:
            sheet.append(list(row))
        workbook.save(path)
        return
    lines = [",".join(BALANCE_COLUMNS), *(",".join(str(v) for v in row) for row in TEMPLATE_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
