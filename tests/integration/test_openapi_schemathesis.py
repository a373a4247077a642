"""Property-based run of the OpenAPI document against the app in-process (schemathesis over WSGI): for every
operation, generated valid and invalid requests never get a server error, and every response conforms to the
document (status codes, content types, headers, JSON schemas).

Hypothesis drives schemathesis' strategies directly (`operation.as_strategy`), which keeps the run independent
of the schemathesis pytest plugin."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.unit.opendata_support import seeded_cockpit
from tests.unit.test_pathway_api import seed_balance

OPERATIONS = ("listIndicators", "getIndicator", "listObservations", "listGoals", "getDcatCatalog",
              "getDistrictGeoJson", "getPeerComparison", "getPathway")
EXAMPLES = {"listObservations": 60}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from layouts.app import create_app

    # the rate limit and the query length limit (414) are tested on their own (test_api.py, test_auth.py); here
    # they would answer 429 / 414 to generated requests instead of checking their parameters
    cockpit = seeded_cockpit(tmp_path_factory.mktemp("schemathesis"), api_rate_limit=0, max_query_length=65536)
    seed_balance(cockpit)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(cockpit).server)


def test_the_document_is_openapi_3_1_and_lists_every_operation(api_schema):
    assert api_schema.raw_schema["openapi"] == "3.1.0"
    documented = {op["operationId"] for path in api_schema.raw_schema["paths"].values() for op in path.values()}
    assert documented == {*OPERATIONS, "getOpenApi"}  # schemathesis leaves out the document itself
    found = {result.ok().definition.raw.get("operationId") for result in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (op, GenerationMode.NEGATIVE) for op in OPERATIONS if op != "getDcatCatalog"]  # it takes no parameters


@pytest.mark.parametrize(("operation_id", "mode"), CASES, ids=[f"{op}-{mode.value}" for op, mode in CASES])
def test_api_conforms_to_its_openapi_document(api_schema, operation_id, mode):
    operation = api_schema.find_operation_by_id(operation_id)
    statuses = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES.get(operation_id, 25), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate()
        assert response.status_code < 500
        statuses.append(response.status_code)

    run()
    assert statuses
    if mode == GenerationMode.POSITIVE:
        assert 200 in statuses
