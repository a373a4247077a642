"""SDG-Portal (sdg-portal.de) indicator data as its data service publishes it: the CSV export of the Bertelsmann
Stiftung's data API behind SDG-Portal and Wegweiser Kommune (`https://www.wegweiser-kommune.de/data-api/rest/export/
<indicator>+<regions>+<years>+tabelle.csv`), one file per indicator for a selection of municipalities
(published sample: tests/fixtures/third_party/sdg-portal/, source in SOURCES.md).

The file, UTF-8, `;`-separated, decimal comma, fields with line breaks quoted:

    PKW mit Elektroantrieb                      <- the indicator
    Kreisfreie Städte                           <- the selection of regions
                                                <- empty
    Kommune;GKZ;ARS;Bundesland;Demografietyp;"2020\nPKW mit Elektroantrieb (%)";"2021\n…"
    Gera;16052000;160520000000;Thüringen;Typ 2;0,21;0,66;1,52
    …                                           <- one record per municipality ("k.A." = no data)
                                                <- empty, then notes: "k.A. = …", "Quelle: …",
    "Datenlizenz Deutschland - Namensnennung - Version 2.0\n…", "Quellenangabe bei Verwendung der Daten: …"

`parse_export` reads one file into values (indicator, municipality, AGS, demographic type, year, value, unit); a
record or a value it cannot use is a Reject naming the file, the record (number and municipality) and the field, and
the valid records are kept. A file without the header line (or without its key columns) is a PayloadError."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

from cockpit.sources.base import PayloadError, Reject

NAME, AGS, TYPE = "Kommune", "GKZ", "Demografietyp"
REQUIRED = (NAME, AGS)
NO_DATA = {"", "k.A.", "k. A.", "-", "–"}
_YEAR_COLUMN = re.compile(r"^\s*(\d{4})\s*\n\s*(.+?)\s*$", re.S)
_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


@dataclass(frozen=True)
class PortalValue:
    indicator: str  # the export's indicator (its first line)
    municipality: str
    ags: str  # "Gemeindekennziffer" (AGS), 8 digits
    type: str  # the demographic type ("Typ 2"), "" where the export gives none
    year: int
    value: float
    unit: str


@dataclass(frozen=True)
class PortalExport:
    indicator: str
    selection: str
    values: list[PortalValue]
    rejects: list[Reject]
    source: str  # the export's "Quelle: …" note
    licence: str  # the export's licence note


def _number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    value = float(text.replace(".", "").replace(",", "."))
    return value if math.isfinite(value) else None


def parse_export(text: str, where: str) -> PortalExport:
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header_at = next((i for i, r in enumerate(records) if r and r[0].strip() == NAME), None)
    if header_at is None:
        raise PayloadError(f"{where}: no header line '{NAME};{AGS};…': not an SDG-Portal/Wegweiser Kommune export")
    header = [cell.strip() for cell in records[header_at]]
    missing = [column for column in REQUIRED if column not in header]
    years = {i: _YEAR_COLUMN.match(records[header_at][i]) for i in range(len(header))}
    years = {i: match for i, match in years.items() if match}
    if missing or not years:
        field = ", ".join(repr(c) for c in missing) if missing else "'<Jahr>\\n<Indikator> (<Einheit>)'"
        raise PayloadError(f"{where}: header line {header_at + 1}: column {field} is missing")
    lead = [r[0].strip() for r in records[:header_at] if r and r[0].strip()]
    first_name = years[min(years)][2]
    unit_match = _UNIT.search(first_name)
    indicator = lead[0] if lead else _UNIT.sub("", first_name).strip()
    selection = lead[1] if len(lead) > 1 else ""
    column = {name: header.index(name) for name in (*REQUIRED, TYPE) if name in header}
    values: list[PortalValue] = []
    rejects: list[Reject] = []
    end = len(records)
    for number, record in enumerate(records[header_at + 1:], start=1):
        if not any(cell.strip() for cell in record):
            end = header_at + number
            break
        raw = ";".join(record)
        name = record[column[NAME]].strip() if len(record) > column[NAME] else ""
        at = f"{where}, record {number} ({name or '?'})"
        if len(record) < len(header):
            absent = ", ".join(repr(" ".join(h.split())) for h in header[len(record):])
            rejects.append(Reject(raw, f"{at}: field {absent} is missing ({len(record)} of {len(header)} fields)"))
            continue
        ags = record[column[AGS]].strip()
        if not name or not re.fullmatch(r"\d{8}", ags):
            rejects.append(Reject(raw, f"{at}: field '{AGS}' {ags!r} is not a municipality key (8 digits) of a "
                                       f"named municipality"))
            continue
        kind = record[column[TYPE]].strip() if TYPE in column else ""
        for index, match in years.items():
            cell = record[index].strip()
            if cell in NO_DATA:
                continue
            value = _number(cell)
            if value is None:
                rejects.append(Reject(raw, f"{at}: field '{match[1]} {match[2]}': {cell!r} is not a number"))
                continue
            unit = _UNIT.search(match[2])
            values.append(PortalValue(indicator, name, ags, kind, int(match[1]), value,
                                      unit[1] if unit else (unit_match[1] if unit_match else "")))
    notes = [" ".join(cell.split()) for r in records[end:] for cell in r if cell.strip()]
    source = next((n for n in notes if n.startswith("Quelle:")), "")
    licence = next((n for n in notes if "lizenz" in n.lower()), "")
    return PortalExport(indicator, selection, values, rejects, source, licence)
