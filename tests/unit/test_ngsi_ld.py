"""NGSI-LD KeyPerformanceIndicator output: every entity valid against the published Smart Data Models JSON Schema
(tests/fixtures/third_party/ngsi-kpi/, with its $ref resolved from a local copy of common-schema.json), in both
representations; public goals only; the NGSI-LD query rules, paging and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from tests.unit.opendata_support import INTERNAL_GOAL, seeded_cockpit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "third_party" / "ngsi-kpi"
PATH = "/ngsi-ld/v1/entities"


def validator() -> Draft202012Validator:
    schema = json.loads((FIXTURES / "schema.json").read_text(encoding="utf-8"))
    common = json.loads((FIXTURES / "common-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(common["$id"], Resource.from_contents(common))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


VALIDATOR = validator()


def as_key_values(entity: dict) -> dict:
    """Normalized NGSI-LD -> keyValues: each Property's value (typed values by their @value)."""
    result = {}
    for key, attribute in entity.items():
        if key in ("id", "type", "@context"):
            result[key] = attribute
            continue
        assert attribute["type"] == "Property", (key, attribute)
        value = attribute["value"]
        result[key] = value["@value"] if isinstance(value, dict) and "@value" in value else value
    return result


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    return seeded_cockpit(tmp_path_factory.mktemp("ngsi"), public_url="https://cockpit.gera.de", api_rate_limit=0)


@pytest.fixture(scope="module")
def client(cockpit):
    from layouts.app import create_app

    return create_app(cockpit).server.test_client()


def listing(client, **query):
    response = client.get(PATH, query_string={"type": "KeyPerformanceIndicator", "limit": "1000", **query})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_the_validator_accepts_the_models_own_example_and_rejects_a_broken_one():
    example = json.loads((FIXTURES / "example.json").read_text(encoding="utf-8"))
    VALIDATOR.validate(example)
    assert list(VALIDATOR.iter_errors({**example, "currentStanding": "splendid"}))
    assert list(VALIDATOR.iter_errors({**example, "category": []}))
    assert list(VALIDATOR.iter_errors({**example, "dateNextCalculation": "next week"}))


def test_every_entity_is_valid_in_both_representations(client, cockpit):
    key_values = listing(client, options="keyValues").get_json()
    normalized = listing(client).get_json()
    public = {i.id for i in cockpit.catalog.indicators if i.visibility == "public"}
    goals = [g for g in cockpit.catalog.goals if g.indicator in public]
    assert len(key_values) == len(normalized) == len(goals) > 0
    for entity in key_values:
        errors = [e.message for e in VALIDATOR.iter_errors(entity)]
        assert not errors, (entity["id"], errors)
    for entity in normalized:
        errors = [e.message for e in VALIDATOR.iter_errors(as_key_values(entity))]
        assert not errors, (entity["id"], errors)
    assert [as_key_values(e) for e in normalized] == key_values


def test_a_goal_with_data_carries_value_period_standing_and_next_date(client, cockpit):
    entities = {e["id"]: e for e in listing(client, options="keyValues").get_json()}
    recycling = [e for e in entities.values() if e["seeAlso"][0].endswith("/recycling-rate")]
    assert recycling
    entity = recycling[0]
    assert entity["@context"][0].startswith("https://uri.etsi.org/ngsi-ld/")
    # the latest complete year (the tests run in 2026): the mean of the two 2025 values of the seeded rows
    assert entity["kpiValue"] == pytest.approx((54.0 + 1234.5) / 2)
    assert entity["calculationPeriod"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert entity["currentStanding"] in ("veryGood", "good", "fair", "bad", "veryBad")
    assert entity["calculationFrequency"] == "yearly" and entity["organization"] == "Stadt Gera"
    assert entity["dateNextCalculation"] > entity["calculationPeriod"]["to"]
    single = client.get(f"{PATH}/{entity['id']}", query_string={"options": "keyValues"})
    assert single.status_code == 200 and single.get_json() == entity


def test_internal_goals_appear_nowhere(client, cockpit):
    text = listing(client).get_data(as_text=True)
    goal = next(g for g in cockpit.catalog.goals if g.id == INTERNAL_GOAL)
    assert INTERNAL_GOAL not in text and goal.name.de not in text
    assert client.get(f"{PATH}/urn:ngsi-ld:KeyPerformanceIndicator:gera:{INTERNAL_GOAL}").status_code == 404


def test_json_accept_moves_the_context_to_a_link_header_and_paging_counts(client):
    response = listing(client, limit="2", offset="1", count="true")
    assert response.headers["Content-Type"].startswith("application/ld+json")
    total = int(response.headers["NGSILD-Results-Count"])
    assert len(response.get_json()) == min(2, total - 1)
    plain = client.get(PATH, query_string={"type": "KeyPerformanceIndicator"},
                       headers={"Accept": "application/json"})
    assert plain.headers["Content-Type"].startswith("application/json")
    assert "@context" not in plain.get_json()[0] and 'rel="http://www.w3.org/ns/json-ld#context"' in plain.headers[
        "Link"]
    assert client.get(PATH, query_string={"type": "WasteContainer"}).get_json() == []


@pytest.mark.parametrize("query", [{}, {"type": "KeyPerformanceIndicator", "limit": "-1"},
                                   {"type": "KeyPerformanceIndicator", "limit": "many"},
                                   {"type": "KeyPerformanceIndicator", "options": "sysAttrs"},
                                   {"type": "KeyPerformanceIndicator", "q": "kpiValue>3"},
                                   {"type": "KeyPerformanceIndicator", "count": "maybe"}])
def test_malformed_queries_are_400_problem_details(client, query):
    response = client.get(PATH, query_string=query)
    assert response.status_code == 400
    assert response.get_json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


def test_caching_and_unknown_paths(client):
    first = listing(client)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(PATH, query_string={"type": "KeyPerformanceIndicator", "limit": "1000"},
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/ngsi-ld/v1/types").status_code == 404
    assert client.get(f"{PATH}/urn:ngsi-ld:KeyPerformanceIndicator:gera:nothing").get_json()["title"] == \
        "ResourceNotFound"
