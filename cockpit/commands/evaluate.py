"""`evaluate`: judge the catalog's goals against observations from a CSV file and print the result."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from cockpit.catalog import Catalog, CatalogError, load_catalog
from cockpit.commands._common import iso_date
from cockpit.i18n import format_date, format_number, format_percent, t
from cockpit.kpi import LOCAL_TZ, Evaluation, GoalEvaluation, TreeNode, evaluate_catalog
from cockpit.views.formatting import reason_sentence

NAME = "evaluate"
HELP = "Evaluate every goal of the catalog against observations from a CSV file."

REQUIRED_COLUMNS = ("indicator", "period_start", "value")
OPTIONAL_COLUMNS = ("district",)


class ObservationFileError(Exception):
    """The observation file cannot be used at all (missing, unreadable, no header, missing column)."""


@dataclass
class Observations:
    """The valid rows of an observation file and one message per rejected field."""

    frame: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", required=True, type=Path, metavar="FILE", help="catalog YAML file")
    parser.add_argument(
        "--observations",
        required=True,
        type=Path,
        metavar="FILE.csv",
        help="CSV with columns indicator,period_start,value and optional district (empty = city-wide)",
    )
    parser.add_argument(
        "--at",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="evaluation day (default: today in Europe/Berlin)",
    )
    parser.add_argument(
        "--format", choices=("json", "table"), default="json", help="output format (default json)"
    )
    parser.add_argument(
        "--lang", choices=("de", "en"), default="de", help="language of the table (default de)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.catalog)
        observations = read_observations(args.observations, catalog)
    except (CatalogError, ObservationFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in observations.problems:
        print(problem, file=sys.stderr)
    at = args.at or datetime.now(LOCAL_TZ).date()
    evaluation = evaluate_catalog(catalog, observations.frame, at)
    if args.format == "table":
        print(render_table(evaluation, catalog, args.lang))
    else:
        print(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    return 1 if observations.problems else 0


# ---------------------------------------------------------------- reading the CSV


def parse_period_start(text: str) -> datetime:
    """An ISO date or datetime as aware UTC; dates and naive datetimes are Europe/Berlin local time."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def parse_value(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _check_row(row: dict[str, str], catalog: Catalog) -> tuple[tuple | None, list[tuple[str, str]]]:
    """The parsed row (indicator, district, period_start, value) or None, and (field, problem) pairs."""
    problems: list[tuple[str, str]] = []
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    problems += [(c, "missing (the line has fewer fields than the header)") for c in missing]
    indicator, district = (row.get("indicator") or "").strip(), (row.get("district") or "").strip()
    if "indicator" not in missing and indicator not in catalog.indicator_map:
        problems.append(("indicator", f"unknown indicator {indicator!r}"))
    if district and district not in catalog.district_ids:
        problems.append(("district", f"unknown district {district!r}"))
    start = value = None
    if "period_start" not in missing:
        try:
            start = parse_period_start(row["period_start"].strip())
        except ValueError:
            problems.append(("period_start", f"not an ISO date or datetime: {row['period_start']!r}"))
    if "value" not in missing:
        try:
            value = parse_value(row["value"].strip())
        except ValueError:
            problems.append(("value", f"not a number: {row['value']!r}"))
    return (None if problems else (indicator, district, start, value)), problems


def _header(reader, path: Path) -> list[str]:
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise ObservationFileError(f"{path}: no header line (expected {','.join(REQUIRED_COLUMNS)})")
    columns = [name.strip() for name in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ObservationFileError(
            f"{path}: missing required column(s) {', '.join(missing)} in header {','.join(columns)}"
        )
    return columns


def _frame(records: list[tuple]) -> pd.DataFrame:
    indicators, districts, starts, values = (
        (list(c) for c in zip(*records, strict=True)) if records else [[]] * 4
    )
    return pd.DataFrame(
        {
            "indicator": pd.Series(indicators, dtype="str"),
            "district": pd.Series(districts, dtype="str"),
            "period_start": pd.Series(pd.to_datetime(starts, utc=True)),
            "value": pd.Series(values, dtype="float64"),
        }
    )


def _parse_lines(reader, columns: list[str], catalog: Catalog, path: Path) -> Observations:
    records, problems = [], []
    line = reader.line_num
    for fields in reader:
        start_line, line = line + 1, reader.line_num
        if not fields or not any(f.strip() for f in fields):
            continue
        if len(fields) > len(columns):
            problems.append(
                f"{path}, line {start_line}: {len(fields)} fields, but the header has {len(columns)}"
            )
            continue
        record, errors = _check_row(dict(zip(columns, fields, strict=False)), catalog)
        problems += [f"{path}, line {start_line}, field '{name}': {problem}" for name, problem in errors]
        if record:
            records.append(record)
    return Observations(_frame(records), problems)


def read_observations(path: Path, catalog: Catalog) -> Observations:
    """Parse the CSV; rejected lines are reported by line number (1 = header) and field, valid ones kept."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            columns = _header(reader, path)
            return _parse_lines(reader, columns, catalog, path)
    except OSError as exc:
        raise ObservationFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ObservationFileError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise ObservationFileError(f"{path}: not a readable CSV file: {exc}") from None


# ---------------------------------------------------------------- the table


def _grid(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _forecast_cells(ev: GoalEvaluation, lang: str) -> list[str]:
    fc, decimals = ev.forecast, ev.indicator.decimals
    if fc is None:
        return ["–", "–", "–", "–"]
    interval = f"{format_number(fc.low, decimals, lang)} – {format_number(fc.high, decimals, lang)}"
    reached = str(fc.reached_year) if fc.reached_year else t("kpi.table.not_reached", lang)
    return [
        format_number(fc.value, decimals, lang),
        interval,
        reached,
        t("kpi.yes" if fc.on_course else "kpi.no", lang),
    ]


def _goal_row(ev: GoalEvaluation, lang: str) -> list[str]:
    decimals = ev.indicator.decimals
    return [
        ev.goal.name.get(lang) if ev.goal.name else ev.goal.id,
        str(ev.year) if ev.year is not None else "–",
        format_number(ev.value, decimals, lang),
        format_number(ev.expected, decimals, lang),
        ev.indicator.unit.get(lang),
        format_percent(ev.progress, 0, lang),
        t(f"status.{ev.position or ev.status}", lang),
        t(f"status.{ev.status}", lang),
        t("kpi.yes" if ev.stale else "kpi.no", lang),
        *_forecast_cells(ev, lang),
        reason_sentence(ev, lang),
    ]


def _node_row(node: TreeNode, names: dict[str, str], lang: str) -> list[str]:
    counts = ", ".join(f"{t(f'status.{s}', lang)}: {n}" for s, n in node.counts.items()) or t(
        "kpi.none", lang
    )
    return [t(f"kpi.level.{node.level}", lang), names.get(node.node, node.node), counts]


def render_table(evaluation: Evaluation, catalog: Catalog, lang: str) -> str:
    """The evaluation for a person: localized words, numbers and dates, goals first, then the tree."""
    goal_headers = ["goal", "year", "value", "expected", "unit", "progress", "position", "status", "stale"]
    goal_headers += ["forecast", "interval", "reached_year", "on_course", "reason"]
    goals = _grid(
        [t("kpi.progress", lang) if h == "progress" else t(f"kpi.table.{h}", lang) for h in goal_headers],
        [_goal_row(ev, lang) for ev in evaluation.goals],
        right={1, 2, 3, 5, 9, 10, 11},
    )
    names = {v.id: v.name.get(lang) for v in catalog.visions} | {
        f.id: f.name.get(lang) for f in catalog.fields
    }
    tree = _grid(
        [t(f"kpi.table.{h}", lang) for h in ("level", "node", "counts")],
        [_node_row(n, names, lang) for n in evaluation.tree],
        right=set(),
    )
    title = t("kpi.table.title", lang, date=format_date(evaluation.at, lang))
    return f"{title}\n\n{goals}\n\n{tree}"
