"""A PostgreSQL primary with a streaming replica (started by the test, tests/fixtures/replica.py) behind
COCKPIT_DATABASE_READ_URL: public page and API reads go to the replica, staff requests and everything that must
see its own writes to the primary, and no page shows data older than the primary's data version: a replica that is
behind (replay paused) is not read, whoever asks. /health says how far behind it is."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy import create_engine, text

from cockpit import PROJECT_ROOT
from cockpit.accounts import Accounts
from cockpit.catalog import load_catalog
from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from layouts import cache as responses
from tests.conftest import migrated_store
from tests.fixtures.forms import post_login, session_csrf
from tests.fixtures.replica import (  # noqa: F401 - fixtures
    caught_up,
    replica_sessions,
    replicated_server,
    replicated_urls,
    set_replay,
)
from tests.fixtures.services import free_port
from tests.unit.test_app import router_request

pytestmark = pytest.mark.postgres

PASSWORD = "Ein langes Passwort für Repliken 2026"
MEASURE = "hydrogen-buses"  # public, owned by the gvb
PRIMARY_ONLY_NAME = "Nur auf dem Primärserver geändert"
REPORT = {"status": "in_progress", "percent": "40", "milestone": "", "text": "Zweiter Bus ausgeliefert"}


def open_replicated(primary: str, replica: str, reachable: bool = True):
    """The cockpit with its read pool on `replica`, opened once the replica has the schema (a replica without
    the tables counts as unreachable for a few seconds, which would send the first reads to the primary)."""
    clear_cache()
    if reachable:
        migrated_store(primary, load_catalog(PROJECT_ROOT / "data" / "catalog.yaml")).engine.dispose()
        caught_up(primary, replica)
    settings = load_settings(database_url=primary, database_read_url=replica, database_read_wait=0.05,
                             load_demo=False, internal_password=PASSWORD, secret_key="replica-test-secret")
    return open_cockpit(settings)


@pytest.fixture
def replicated(replicated_urls):  # noqa: F811
    primary, replica = replicated_urls
    cockpit = open_replicated(primary, replica)
    load_demo_measures(cockpit.store, cockpit.catalog)
    Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments}).add_user("staff-gvb", PASSWORD, "staff",
                                                                                   "gvb")
    caught_up(primary, replica)
    yield cockpit, primary, replica
    set_replay(replica, paused=False)
    cockpit.store.engine.dispose()
    cockpit.store.read_engine.dispose()


@pytest.fixture
def app(replicated):
    from layouts.app import create_app

    return create_app(replicated[0]).server


def page(client, path: str) -> str:
    response = router_request(client, path, "?lang=de")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def change_on_primary_only(primary: str) -> None:
    """A change the data version does not count (the test's own SQL): while replay is paused, the primary and
    the replica disagree only in this name, so the page shows which database it read."""
    engine = create_engine(primary)
    with engine.begin() as conn:
        conn.execute(text("UPDATE measures SET name_de = :name WHERE id = :id"),
                     {"name": PRIMARY_ONLY_NAME, "id": MEASURE})
    engine.dispose()


def login(client) -> None:
    assert post_login(client, {"username": "staff-gvb", "password": PASSWORD}).status_code == 303


def test_public_reads_go_to_the_replica_staff_reads_to_the_primary(replicated, app):
    cockpit, primary, replica = replicated
    set_replay(replica, paused=True)
    change_on_primary_only(primary)
    public, staff = app.test_client(), app.test_client()
    login(staff)

    before = cockpit.store.replica.replica_reads
    shown = page(public, f"/measure/{MEASURE}")
    assert "Wasserstoff" in shown and PRIMARY_ONLY_NAME not in shown  # the replica's row
    assert cockpit.store.replica.replica_reads > before
    assert "cockpit-read" in replica_sessions(replica)  # the web worker's read pool is on the replica
    api = public.get("/api/v1/indicators").get_json()
    assert api and cockpit.store.replica.fallbacks == 0  # the data version is the same: no read fell back

    assert PRIMARY_ONLY_NAME in page(staff, f"/measure/{MEASURE}")  # a staff session reads the primary
    assert cockpit.store.measure(Role.PUBLIC, MEASURE).name.de != PRIMARY_ONLY_NAME  # the store: the replica
    with cockpit.store.primary():
        assert cockpit.store.measure(Role.PUBLIC, MEASURE).name.de == PRIMARY_ONLY_NAME


def test_a_progress_report_shows_at_once_although_the_replica_lags(replicated, app):
    cockpit, primary, replica = replicated
    set_replay(replica, paused=True)  # the replica receives the report but does not apply it
    staff, public = app.test_client(), app.test_client()
    login(staff)
    response = staff.post(f"/measure/{MEASURE}/report?lang=de", data={**REPORT, "csrf_token": session_csrf(staff)})
    assert response.status_code == 303
    assert REPORT["text"] in page(staff, f"/measure/{MEASURE}")  # read your own write

    health = public.get("/health").get_json()
    assert health["status"] == "degraded" and health["replica"]["state"] == "behind"
    assert health["replica"]["versions_behind"] >= 1 and health["replica"]["replica_version"] < health["data_version"]

    fallbacks = cockpit.store.replica.fallbacks
    assert REPORT["text"] in page(public, f"/measure/{MEASURE}")  # anonymous too: never older than the version
    assert cockpit.store.replica.fallbacks > fallbacks  # ... because the read went to the primary
    change_on_primary_only(primary)
    clear_cache()
    responses.clear()  # the kept page of this data version (the test's SQL does not count as new data)
    assert PRIMARY_ONLY_NAME in page(public, f"/measure/{MEASURE}")  # (the primary's row: the proof)

    set_replay(replica, paused=False)
    caught_up(primary, replica)
    clear_cache()
    responses.clear()  # the data version did not change: without this the kept page would answer
    reads = cockpit.store.replica.replica_reads
    shown = page(public, f"/measure/{MEASURE}")
    assert REPORT["text"] in shown and cockpit.store.replica.replica_reads > reads  # back on the replica
    health = public.get("/health").get_json()
    assert health["status"] == "ok" and health["replica"]["versions_behind"] == 0
    assert health["replica"]["replay_lag_seconds"] == 0


def test_an_unreachable_replica_sends_reads_to_the_primary(replicated_urls):  # noqa: F811
    from layouts.app import create_app

    primary, _replica = replicated_urls
    cockpit = open_replicated(primary, f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere",
                              reachable=False)
    load_demo_measures(cockpit.store, cockpit.catalog)
    client = create_app(cockpit).server.test_client()
    assert "Wasserstoff" in page(client, f"/measure/{MEASURE}")
    assert cockpit.store.replica.fallbacks >= 1 and cockpit.store.replica.replica_reads == 0
    response = client.get("/health")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "degraded" and body["replica"]["state"] == "unreachable"
    assert "Set-Cookie" not in response.headers
    cockpit.store.engine.dispose()


def test_health_fails_when_the_primary_is_gone(postgres_url):
    from layouts.app import create_app

    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=postgres_url, load_demo=False))
    client = create_app(cockpit).server.test_client()
    ok = client.get("/health")
    assert ok.status_code == 200 and ok.get_json() == {"status": "ok", "database": "ok",
                                                        "data_version": cockpit.store.data_version(),
                                                        "replica": {"configured": False}}
    cockpit.store.engine.dispose()
    base, name = postgres_url.rsplit("/", 1)
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    gone = client.get("/health")
    assert gone.status_code == 503 and gone.get_json() == {"status": "error", "database": "unreachable"}
