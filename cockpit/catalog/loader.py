"""Load data/catalog.yaml and report every problem with its file, entry and field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from cockpit.catalog.models import Catalog


class CatalogError(ValueError):
    """The catalog is invalid; each problem names the file, the entry and the field."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _entry_label(raw: dict, loc: tuple) -> tuple[str, str]:
    """Turn a pydantic error location into ('indicators[3] (id co2-per-inhabitant)', 'field name')."""
    if not loc:
        return "catalog", "?"
    section = loc[0]
    if len(loc) >= 2 and isinstance(loc[1], int):
        index = loc[1]
        items = raw.get(section) if isinstance(raw, dict) else None
        ident = None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            ident = items[index].get("id")
        entry = f"{section}[{index}]" + (f" (id '{ident}')" if ident else "")
        field = ".".join(str(p) for p in loc[2:]) or "(entry)"
        return entry, field
    return "catalog", ".".join(str(p) for p in loc)


def _cross_check(catalog: Catalog) -> list[str]:
    problems: list[str] = []
    for section in ("visions", "fields", "districts", "departments", "indicators", "goals"):
        seen: set[str] = set()
        for item in getattr(catalog, section):
            if item.id in seen:
                problems.append(f"{section} (id '{item.id}'): field 'id': duplicate id")
            seen.add(item.id)
    visions = {v.id for v in catalog.visions}
    for f in catalog.fields:
        if f.vision not in visions:
            problems.append(f"fields (id '{f.id}'): field 'vision': unknown vision '{f.vision}'")
    indicators = catalog.indicator_map
    fields = {f.id for f in catalog.fields}
    for g in catalog.goals:
        where = f"goals (id '{g.id}')"
        if g.indicator not in indicators:
            problems.append(f"{where}: field 'indicator': unknown indicator '{g.indicator}'")
        if g.field not in fields:
            problems.append(f"{where}: field 'field': unknown field '{g.field}'")
        years = [p.year for p in g.path_points]
        if any(b <= a for a, b in zip(years, years[1:], strict=False)):
            problems.append(
                f"{where}: field 'milestones': years must increase from baseline over milestones to target, got {years}"
            )
        delta = g.target.value - g.baseline.value
        if delta == 0 or (g.direction == "decrease") != (delta < 0):
            problems.append(
                f"{where}: field 'direction': '{g.direction}' contradicts baseline {g.baseline.value} "
                f"and target {g.target.value}"
            )
    departments = {d.id for d in catalog.departments}
    for ind in catalog.indicators:
        if ind.grace is not None and ind.publication_lag is not None and ind.grace != ind.publication_lag:
            problems.append(f"indicators (id '{ind.id}'): field 'grace': deprecated alias of 'publication_lag' "
                            f"with a different value ({ind.grace} vs {ind.publication_lag}); keep only "
                            "'publication_lag'")
        if ind.owner is not None and ind.owner not in departments:
            problems.append(f"indicators (id '{ind.id}'): field 'owner': unknown department '{ind.owner}'")
        if ind.visibility == "department" and ind.owner is None:
            problems.append(f"indicators (id '{ind.id}'): field 'owner': required for visibility 'department'")
        if ind.retention_raw_years is not None and ind.rhythm.approx_seconds() >= 86400:
            problems.append(f"indicators (id '{ind.id}'): field 'retention_raw_years': only for sub-daily "
                            f"indicators (rhythm {ind.rhythm} is daily or longer; such rows are kept forever "
                            "like the rollups)")
        if ind.plausible and ind.plausible.min >= ind.plausible.max:
            problems.append(f"indicators (id '{ind.id}'): field 'plausible': min must be below max")
    return problems


def parse_catalog(raw: object, path: Path | str = "<catalog>") -> Catalog:
    """Validate an already parsed YAML document."""
    if not isinstance(raw, dict):
        raise CatalogError(path, ["catalog: the file must hold a mapping with 'indicators' and 'goals'"])
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            entry, field = _entry_label(raw, tuple(err["loc"]))
            problems.append(f"{entry}: field '{field}': {err['msg']}")
        raise CatalogError(path, problems) from None
    problems = _cross_check(catalog)
    if problems:
        raise CatalogError(path, problems)
    return catalog


def load_catalog(path: Path | str) -> Catalog:
    """Read and validate a catalog file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(path, ["file not found"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise CatalogError(path, [f"not valid YAML at {where}: {getattr(exc, 'problem', exc)}"]) from None
    return parse_catalog(raw, path)
