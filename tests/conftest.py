"""Shared fixtures: settings on a temp database, and the rule that under CI=true nothing skips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cockpit import PROJECT_ROOT
from cockpit.catalog import load_catalog
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.mqtt"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The tests run on a fixed demo day, so that what they expect does not depend on the day they run; tests that
# need other days set COCKPIT_DEMO_TODAY themselves (monkeypatch.setenv).
TEST_TODAY = "2026-11-28"
os.environ.setdefault("COCKPIT_DEMO_TODAY", TEST_TODAY)
SAMPLES = PROJECT_ROOT / "data" / "samples"


def require(condition: bool, what: str) -> None:
    """Skip when a service or browser is missing locally; under CI=true that is a failure, never a skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {what} is missing (.ci/run installs it)")
    pytest.skip(f"{what} is missing; run the README test command, which installs it")


def require_executable(name: str, *candidates: str) -> str:
    for path in (*candidates, shutil.which(name)):
        if path and Path(path).exists():
            return str(path)
    require(False, f"executable '{name}'")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(PROJECT_ROOT / "data" / "catalog.yaml")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cockpit.db'}"


def migrated_store(url: str, catalog):
    """A store on `url` with the schema migrated and the catalog synced; dispose its engine when done."""
    from cockpit.store import Store

    store = Store.from_url(url)
    store.migrate()
    store.sync_catalog(catalog)
    return store


@pytest.fixture
def empty_cockpit(sqlite_url):
    """A cockpit on an empty SQLite file (no demo data), with the view cache cleared before and after."""
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=sqlite_url, load_demo=False))
    yield cockpit
    clear_cache()
    cockpit.store.engine.dispose()


@pytest.fixture
def sqlite_store(sqlite_url, catalog):
    """A migrated store on a temp SQLite file (for tests that need one backend only)."""
    store = migrated_store(sqlite_url, catalog)
    yield store
    store.engine.dispose()
