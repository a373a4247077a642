"""Import and export of measures as YAML or CSV; every error names the file, the record and the field."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from cockpit.catalog import Catalog
from cockpit.measures.model import DIMENSIONS, Measure
from cockpit.spreadsheet import neutralise, restore

CSV_COLUMNS = [
    "id", "name_de", "name_en", "description_de", "description_en", "field", "department", "contact", "status",
    "start", "end", "budget_eur", "visibility", "reporting", "demo", "links", "milestones",
    *[f"check_{d}{suffix}" for d in DIMENSIONS for suffix in ("", "_de", "_en")],
    "effects", "cost_one_off_eur", "cost_per_year_eur",
]


class MeasureFileError(ValueError):
    """A measures file cannot be read; the message names the file, the record and the field."""

    def __init__(self, file: str, problem: str, record: str | None = None, field: str | None = None):
        self.file, self.record, self.field, self.problem = file, record, field, problem
        where = [file] + ([f"record {record}"] if record else []) + ([f"field '{field}'"] if field else [])
        super().__init__(": ".join([", ".join(where), problem]))


def _record_label(index: int, raw) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    return f"{index} (id '{ident}')" if ident else str(index)


def _parse_records(name: str, records: list, first: int) -> list[Measure]:
    measures, seen = [], set()
    for index, raw in enumerate(records, start=first):
        label = _record_label(index, raw)
        if not isinstance(raw, dict):
            raise MeasureFileError(name, "a record must be a mapping of fields", label)
        try:
            measure = Measure.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            raise MeasureFileError(name, err["msg"], label, field) from None
        if measure.id in seen:
            raise MeasureFileError(name, f"id '{measure.id}' is used twice", label, "id")
        seen.add(measure.id)
        measures.append(measure)
    return measures


def _read_yaml(name: str, text: str) -> list[Measure]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MeasureFileError(name, f"not valid YAML: {exc}") from None
    if isinstance(document, dict):
        document = document.get("measures")
    if not isinstance(document, list):
        raise MeasureFileError(name, "expected a list 'measures:' of records")
    return _parse_records(name, document, 1)


def _csv_record(name: str, line: int, row: dict) -> dict:
    record: dict = {}
    for key in ("id", "field", "department", "contact", "status", "start", "end", "budget_eur", "visibility",
                "reporting"):
        if row.get(key):
            record[key] = row[key]
    for key in ("name", "description"):
        record[key] = {"de": row.get(f"{key}_de", ""), "en": row.get(f"{key}_en", "")}
    if row.get("demo"):
        record["demo"] = row["demo"].strip().lower() in ("1", "true", "yes", "ja")
    if row.get("cost_one_off_eur") or row.get("cost_per_year_eur"):
        record["cost"] = {k: row[f"cost_{k}"] for k in ("one_off_eur", "per_year_eur") if row.get(f"cost_{k}")}
    for key in ("links", "milestones", "effects"):
        if row.get(key):
            try:
                record[key] = json.loads(row[key])
            except json.JSONDecodeError as exc:
                raise MeasureFileError(name, f"not a JSON list: {exc.msg}", _record_label(line, row), key) from None
    check = {}
    for dim in DIMENSIONS:
        if row.get(f"check_{dim}"):
            check[dim] = {"assessment": row[f"check_{dim}"],
                          "justification": {"de": row.get(f"check_{dim}_de", ""),
                                            "en": row.get(f"check_{dim}_en", "")}}
    record["check"] = check
    return record


def _read_csv(name: str, text: str) -> list[Measure]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "name_de", "name_en", "field", "department") if c not in (reader.fieldnames or [])]
    if missing:
        raise MeasureFileError(name, f"missing columns: {', '.join(missing)}")
    # cells the export neutralised against formula injection ("'=..." for "=...") read back as they were
    records = [_csv_record(name, line, {k: restore(v) for k, v in row.items()})
               for line, row in enumerate(reader, start=2)]
    return _parse_records(name, records, 2)  # CSV records are numbered by their line


def load_measures(path: Path | str, catalog: Catalog | None = None, text: str | None = None) -> list[Measure]:
    """Read measures from a .yaml/.yml or .csv file; with `catalog`, also check fields, departments and links."""
    path = Path(path)
    name = str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MeasureFileError(name, f"cannot read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        measures = _read_yaml(name, text)
    elif suffix == ".csv":
        measures = _read_csv(name, text)
    else:
        raise MeasureFileError(name, "unknown format: use .yaml, .yml or .csv")
    if catalog is not None:
        validate_against_catalog(measures, catalog, name, first=2 if suffix == ".csv" else 1)
    return measures


def validate_against_catalog(measures: list[Measure], catalog: Catalog, name: str = "measures", first: int = 1):
    """Fields of action, departments, goals and indicators must exist in the catalog."""
    fields = {f.id for f in catalog.fields}
    departments = {d.id for d in catalog.departments}
    goals = {g.id for g in catalog.goals}
    indicators = set(catalog.indicator_map)
    for index, measure in enumerate(measures, start=first):
        label = f"{index} (id '{measure.id}')"
        if measure.field not in fields:
            raise MeasureFileError(name, f"unknown field of action '{measure.field}'", label, "field")
        if measure.department not in departments:
            raise MeasureFileError(name, f"unknown department '{measure.department}'", label, "department")
        for n, link in enumerate(measure.links):
            if link.goal and link.goal not in goals:
                raise MeasureFileError(name, f"unknown goal '{link.goal}'", label, f"links.{n}.goal")
            if link.indicator and link.indicator not in indicators:
                raise MeasureFileError(name, f"unknown indicator '{link.indicator}'", label, f"links.{n}.indicator")


def _plain(measure: Measure) -> dict:
    data = measure.model_dump(mode="json", exclude_none=True, exclude={"created_at"})
    if not data.get("demo"):
        data.pop("demo", None)
    if not data.get("effects"):
        data.pop("effects", None)
    return data


def dump_measures(measures: list[Measure], path: Path | str) -> str:
    """The measures as YAML or CSV text (by the file suffix); import of the text gives the same measures."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return yaml.safe_dump({"measures": [_plain(m) for m in measures]}, allow_unicode=True, sort_keys=False,
                              width=110)
    if suffix != ".csv":
        raise MeasureFileError(str(path), "unknown format: use .yaml, .yml or .csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for m in measures:
        data = _plain(m)
        row = {key: data.get(key, "") for key in ("id", "field", "department", "contact", "status", "start", "end",
                                                  "budget_eur", "visibility", "reporting")}
        row.update(name_de=m.name.de, name_en=m.name.en, description_de=m.description.de,
                   description_en=m.description.en, demo="true" if m.demo else "",
                   links=json.dumps(data.get("links", []), ensure_ascii=False),
                   milestones=json.dumps(data.get("milestones", []), ensure_ascii=False),
                   effects=json.dumps(data["effects"], ensure_ascii=False) if data.get("effects") else "",
                   cost_one_off_eur=m.cost.one_off_eur if m.cost else "",
                   cost_per_year_eur=m.cost.per_year_eur if m.cost else "")
        for dim in DIMENSIONS:
            check = m.check.get(dim)
            if check:
                row[f"check_{dim}"] = check.assessment
                row[f"check_{dim}_de"] = check.justification.de
                row[f"check_{dim}_en"] = check.justification.en
        writer.writerow({key: neutralise(value) for key, value in row.items()})  # no cell runs as a formula
    return out.getvalue()
