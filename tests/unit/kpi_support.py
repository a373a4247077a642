"""A one-indicator, one-goal catalog for the goal-engine tests."""

from cockpit.catalog.loader import parse_catalog

INDICATOR = {
    "id": "x",
    "name": {"de": "X", "en": "X"},
    "description": {"de": "X", "en": "X"},
    "domain": "energy",
    "unit": "t",
    "aggregation": "last",
    "rhythm": "P1Y",
    "visibility": "public",
    "department": "A",
    "source": {"name": "S", "licence": "L", "attribution": "A"},
}


def indicator(ident: str, aggregation: str = "last", rhythm: str = "P1Y", grace: str | None = None,
              **extra) -> dict:
    """A public indicator `ident` of the test catalogs (unit t unless `extra` says otherwise)."""
    return INDICATOR | {"id": ident, "name": {"de": ident, "en": ident}, "aggregation": aggregation,
                        "rhythm": rhythm, "grace": grace} | extra


def make_goal(**overrides):
    """Goal 'g' on indicator 'x' in field 'f'; `overrides` set direction, baseline, milestones, target, ..."""
    raw = {"id": "g", "indicator": "x", "source": "test", "field": "f"} | overrides
    catalog = parse_catalog(
        {
            "city": "Test",
            "population": 1000,
            "visions": [{"id": "v", "name": {"de": "V", "en": "V"}}],
            "fields": [{"id": "f", "name": {"de": "F", "en": "F"}, "vision": "v", "dimension": "social"}],
            "indicators": [INDICATOR],
            "goals": [raw],
        }
    )
    return catalog.goals[0]
