"""NGSI-LD entities of type KeyPerformanceIndicator (Smart Data Models, dataModel.KeyPerformanceIndicator): one
per goal of a public indicator, with the goal's latest complete year as `kpiValue`, the calendar year as
`calculationPeriod`, the goal status as `currentStanding`, `calculationFrequency` yearly (goals are judged on calendar years)
and the day the next year's value is due as `dateNextCalculation`. Built from the public snapshot only.

Two representations, as the NGSI-LD API defines them: normalized (each attribute a `Property` with its
`value`; the default) and keyValues (`options=keyValues`: attribute -> value)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from cockpit.catalog import Catalog, Goal, Indicator
from cockpit.i18n import format_number, t
from cockpit.kpi.evaluate import GoalEvaluation
from cockpit.readmodel.snapshot import snapshot
from cockpit.roles import Role
from cockpit.views.opendata import public_indicators

if TYPE_CHECKING:
    from cockpit.runtime import Cockpit

ENTITY_TYPE = "KeyPerformanceIndicator"
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
KPI_CONTEXT = ("https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/"
               "context.jsonld")
CONTEXT = [CORE_CONTEXT, KPI_CONTEXT]
# goal status -> currentStanding (veryGood, good, fair, bad, veryBad)
STANDING = {"achieved": "veryGood", "on_track": "good", "at_risk": "fair", "off_track": "bad"}


def entity_id(catalog: Catalog, goal: Goal) -> str:
    city = catalog.city.en.lower().replace(" ", "-")
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{city}:{goal.id}"


def standing(evaluation: GoalEvaluation) -> str | None:
    """The goal status as currentStanding; off track and moving away from the goal is veryBad."""
    found = STANDING.get(evaluation.status)
    if found == "bad" and evaluation.progress is not None and evaluation.progress < 0:
        return "veryBad"
    return found


def next_calculation(indicator: Indicator, year: int) -> date:
    """The day the value of the year after `year` is due: that year's end plus the publication lag."""
    return indicator.lag.after(datetime(year + 2, 1, 1, tzinfo=UTC)).date()


def key_values(cockpit: Cockpit) -> list[dict]:
    """Every KeyPerformanceIndicator entity in keyValues form, ordered by goal as in the catalog."""
    catalog, settings = cockpit.catalog, cockpit.settings
    lang = settings.default_lang
    snap = snapshot(cockpit, Role.PUBLIC)
    evaluations = {e.goal.id: e for e in snap.evaluation.goals}
    public = {i.id: i for i in public_indicators(catalog)}
    organization = settings.opendata_publisher or f"Stadt {catalog.city.de}"
    base = (settings.public_url or "").rstrip("/")
    fields = {f.id: f for f in catalog.fields}
    modified = cockpit.store.data_changed_at()
    entities = []
    for goal in catalog.goals:
        indicator = public.get(goal.indicator)
        if indicator is None:
            continue
        name = (goal.name or indicator.name).get(lang)
        unit = indicator.unit.get(lang)
        entity = {
            "id": entity_id(catalog, goal),
            "type": ENTITY_TYPE,
            "name": name,
            "description": indicator.description.get(lang),
            "category": ["quantitative", "lagging"],
            "organization": organization,
            "calculatedBy": indicator.department.get(lang),
            "calculationMethod": "automatic",
            # goals are judged on calendar years: the KPI's value is a year's, whatever the indicator's rhythm
            "calculationFrequency": "yearly",
            "businessTarget": t("standards.ngsi.target", lang, target=_number(goal.target.value, lang), unit=unit,
                                year=goal.target.year, baseline=_number(goal.baseline.value, lang),
                                baseline_year=goal.baseline.year),
            "dataProvider": indicator.source.name,
            "area": catalog.city.get(lang),
            "address": {"addressLocality": catalog.city.de, "addressCountry": "DE"},
        }
        if goal.field in fields:
            entity["process"] = fields[goal.field].name.get(lang)
        if indicator.source.url:
            entity["source"] = indicator.source.url
        if base:
            entity["seeAlso"] = [f"{base}/api/v1/indicators/{indicator.id}", f"{base}/goals?lang={lang}"]
        evaluation = evaluations.get(goal.id)
        if evaluation is not None and evaluation.year is not None and evaluation.value is not None:
            entity["kpiValue"] = round(float(evaluation.value), max(indicator.decimals, 2))
            entity["calculationPeriod"] = {"from": f"{evaluation.year}-01-01", "to": f"{evaluation.year}-12-31"}
            entity["dateNextCalculation"] = next_calculation(indicator, evaluation.year).isoformat()
            found = standing(evaluation)
            if found is not None:
                entity["currentStanding"] = found
        if modified is not None:
            entity["dateModified"] = modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        entities.append(entity)
    return entities


def _number(value: float, lang: str) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1, lang)


def normalized(entity: dict) -> dict:
    """keyValues -> normalized NGSI-LD: each attribute a Property (dates as typed values)."""
    result = {"id": entity["id"], "type": entity["type"]}
    for key, value in entity.items():
        if key in ("id", "type", "@context"):
            continue
        if key == "dateModified":
            result[key] = {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
        elif key == "dateNextCalculation":
            result[key] = {"type": "Property", "value": {"@type": "Date", "@value": value}}
        else:
            result[key] = {"type": "Property", "value": value}
    return result


def entities(cockpit: Cockpit, key_values_only: bool, with_context: bool) -> list[dict]:
    found = key_values(cockpit)
    result = found if key_values_only else [normalized(e) for e in found]
    if with_context:
        result = [{**e, "@context": CONTEXT} for e in result]
    return result
