"""Measures (Maßnahmen): model, import/export (YAML and CSV) and the permission to report progress."""

from cockpit.measures.io import MeasureFileError, dump_measures, load_measures, validate_against_catalog
from cockpit.measures.model import (
    ASSESSMENTS,
    DIMENSIONS,
    STATUSES,
    Check,
    Effect,
    Link,
    Measure,
    Milestone,
    Report,
    can_report,
)

__all__ = [
    "ASSESSMENTS",
    "DIMENSIONS",
    "STATUSES",
    "Check",
    "Effect",
    "Link",
    "Measure",
    "MeasureFileError",
    "Milestone",
    "Report",
    "can_report",
    "dump_measures",
    "load_measures",
    "validate_against_catalog",
]
