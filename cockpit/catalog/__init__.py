"""Indicator and goal catalog: models, loading and validation."""

from cockpit.catalog.loader import CatalogError, load_catalog, parse_catalog
from cockpit.catalog.models import (
    ActionField,
    Catalog,
    Department,
    District,
    Goal,
    Indicator,
    Text,
    Vision,
    YearValue,
)

__all__ = [
    "ActionField",
    "Catalog",
    "CatalogError",
    "Department",
    "District",
    "Goal",
    "Indicator",
    "Text",
    "Vision",
    "YearValue",
    "load_catalog",
    "parse_catalog",
]
