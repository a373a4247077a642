"""The demo measures (data/measures.yaml, labelled as demo content) with their demo progress reports."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from pydantic import ValidationError

from cockpit import PROJECT_ROOT
from cockpit.catalog import Catalog
from cockpit.measures.io import MeasureFileError, load_measures
from cockpit.measures.model import Report
from cockpit.roles import Role

DEMO_MEASURES = PROJECT_ROOT / "data" / "measures.yaml"
log = logging.getLogger(__name__)


def load_reports(path: Path) -> list[Report]:
    """The optional top-level `reports:` list of a measures YAML file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    reports = []
    for index, raw in enumerate(document.get("reports") or [], start=1):
        try:
            reports.append(Report.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise MeasureFileError(str(path), err["msg"], f"reports {index}",
                                   ".".join(str(p) for p in err["loc"])) from None
    return reports


def load_demo_measures(store, catalog: Catalog, path: Path = DEMO_MEASURES) -> int:
    """With no measures stored yet, import the demo measures and their reports; the number imported."""
    if store.measures(Role.ADMIN):
        return 0
    measures = load_measures(path, catalog)
    store.import_measures(measures)
    for report in sorted(load_reports(path), key=lambda r: r.reported_at):
        store.record_report(report)
    log.info("loaded %d demo measures from %s", len(measures), path)
    return len(measures)
