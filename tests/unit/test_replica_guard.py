"""The read-routing rule of `cockpit.store.replica` without a PostgreSQL server: two SQLite files stand for the
primary and a copy of it (made with `run.py backup`'s backup API). A page read goes to the copy only when its data
version has reached the primary's; a write of this process or a copy that is behind sends reads to the primary; an
unreachable copy is left alone for a while. (The real streaming replica: tests/integration/test_read_replica.py.)"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from cockpit.measures.demo import load_demo_measures
from cockpit.measures.model import Report
from cockpit.roles import Role
from cockpit.store import Store
from cockpit.store.backup import backup
from tests.conftest import migrated_store

MEASURE = "hydrogen-buses"
COPY_ONLY = "Nur in der Kopie"


@pytest.fixture
def primary_and_copy(tmp_path, catalog):
    primary_url, copy_path = f"sqlite:///{tmp_path / 'primary.db'}", tmp_path / "copy.db"
    primary = migrated_store(primary_url, catalog)
    load_demo_measures(primary, catalog)
    primary.engine.dispose()
    backup(primary_url, copy_path)
    store = Store.from_url(primary_url, f"sqlite:///{copy_path}", read_wait=0)
    yield store
    store.engine.dispose()
    store.read_engine.dispose()


def mark_copy(store: Store) -> None:
    """A change only in the copy (the test's own SQL), so that a read shows which database answered."""
    with store.read_engine.begin() as conn:
        conn.execute(text("UPDATE measures SET name_de = :name WHERE id = :id"), {"name": COPY_ONLY, "id": MEASURE})


def name(store: Store) -> str:
    return store.measure(Role.PUBLIC, MEASURE).name.de


def test_reads_go_to_a_copy_that_has_caught_up(primary_and_copy):
    store = primary_and_copy
    mark_copy(store)
    assert name(store) == COPY_ONLY and store.replica.replica_reads == 1 and store.replica.fallbacks == 0
    with store.primary():  # e.g. a staff request
        assert name(store) != COPY_ONLY
    assert name(store) == COPY_ONLY


def test_after_a_write_reads_go_to_the_primary_until_the_copy_has_it(primary_and_copy):
    store = primary_and_copy
    mark_copy(store)
    assert name(store) == COPY_ONLY
    store.record_report(Report(measure_id=MEASURE, reported_at=datetime(2026, 12, 1, tzinfo=UTC), author="gvb",
                               status="in_progress", percent=30, text="Ausschreibung läuft"))
    assert name(store) != COPY_ONLY  # the copy is one data version behind: the primary answers
    assert store.measure_reports(Role.PUBLIC, MEASURE)[0].text == "Ausschreibung läuft"
    assert store.replica.fallbacks == 2
    with store.read_engine.begin() as conn:  # the copy receives the write (as replication would bring it)
        conn.execute(text("UPDATE data_version SET version = :v"), {"v": store.data_version()})
    assert name(store) == COPY_ONLY


def test_an_unreachable_copy_is_left_alone_for_a_while(tmp_path, catalog):
    primary_url = f"sqlite:///{tmp_path / 'primary.db'}"
    primary = migrated_store(primary_url, catalog)
    load_demo_measures(primary, catalog)
    (tmp_path / "copy.db").mkdir()  # a directory: SQLite cannot open it
    store = Store.from_url(primary_url, f"sqlite:///{tmp_path / 'copy.db'}", read_wait=0)
    store.replica.retry = 0.5  # seconds before the copy is tried again (5 in production)
    try:
        assert name(store) == "Wasserstoffbusse im Stadtverkehr"
        assert store.replica.fallbacks == 1 and store.replica.replica_reads == 0
        (tmp_path / "copy.db").rmdir()
        backup(primary_url, tmp_path / "copy.db")  # back, but the store does not try again at once
        assert name(store) == "Wasserstoffbusse im Stadtverkehr" and store.replica.replica_reads == 0
        time.sleep(0.6)
        assert name(store) == "Wasserstoffbusse im Stadtverkehr" and store.replica.replica_reads == 1
    finally:
        store.engine.dispose()
        store.read_engine.dispose()
        primary.engine.dispose()
