"""A small cockpit for the embed and open-data tests: the shipped catalog plus a goal on an internal indicator
and one public indicator opted out of embedding, with a few observations written through the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cockpit import PROJECT_ROOT
from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import clear_cache
from tests.fixtures.forms import post_login

PASSWORD = "correct horse battery staple"
INTERNAL = ("municipal-buildings-electricity", "bike-sharing-empty-stations", "smart-bin-fill-level")
INTERNAL_GOAL = "buildings-electricity-down"
NOT_EMBEDDABLE = "final-energy-use"
ORIGIN = "https://www.gera.de"

# (indicator, district, period start, value): recycling rate over three years, a district value of the charge
# points, the non-embeddable indicator, and internal rows that must never appear on the public side.
ROWS = [
    ("recycling-rate", "", "2023-10-01T00:00:00+02:00", 50.5),
    ("recycling-rate", "", "2024-10-01T00:00:00+02:00", 53.25),
    ("recycling-rate", "", "2025-03-01T00:00:00+01:00", 54.0),
    ("recycling-rate", "", "2025-10-01T00:00:00+02:00", 1234.5),
    ("recycling-rate", "", "2026-10-01T00:00:00+02:00", 57.3),
    ("charge-points-per-1000", "", "2026-09-01T00:00:00+02:00", 1.6),
    ("charge-points-per-1000", "lusan", "2026-09-01T00:00:00+02:00", 0.9),
    ("final-energy-use", "", "2024-01-01T00:00:00+01:00", 1650.0),
    ("municipal-buildings-electricity", "", "2026-11-20T00:00:00+01:00", 47.4),
    ("municipal-buildings-electricity", "", "2025-11-20T00:00:00+01:00", 51.0),
    ("bike-sharing-empty-stations", "", "2026-11-20T10:00:00+01:00", 3.0),
]


def catalog_file(tmp_path: Path) -> Path:
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    for indicator in raw["indicators"]:
        if indicator["id"] == NOT_EMBEDDABLE:
            indicator["embeddable"] = False
    raw["goals"].append({
        "id": INTERNAL_GOAL, "name": {"de": "Gebäudestrom senken", "en": "Cut building electricity"},
        "indicator": "municipal-buildings-electricity", "direction": "decrease",
        "baseline": {"year": 2020, "value": 60.0}, "target": {"year": 2030, "value": 30.0},
        "source": "Interner Beschluss", "field": "climate-energy",
    })
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def seeded_cockpit(tmp_path: Path, rows=ROWS, **overrides):
    clear_cache()
    values = dict(database_url=f"sqlite:///{tmp_path / 'cockpit.db'}", load_demo=False,
                  catalog=catalog_file(tmp_path), internal_password=PASSWORD, secret_key="test-secret",
                  embed_origins=[ORIGIN], imprint_url="https://www.gera.de/impressum",
                  privacy_url="https://www.gera.de/datenschutz", feedback_email="smartcity@gera.de")
    values.update(overrides)
    cockpit = open_cockpit(load_settings(**values))
    write(cockpit, rows)
    return cockpit


def measures_cockpit(tmp_path: Path, monkeypatch, **overrides):
    """The small cockpit with the demo measures on the demo day 25.11.2026 (the reports' tests); `overrides` go to
    the settings."""
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", "2026-11-25")
    cockpit = seeded_cockpit(tmp_path, **overrides)
    load_demo_measures(cockpit.store, cockpit.catalog)
    return cockpit


def write(cockpit, rows, source: str = "waste-balance") -> None:
    frame = make_frame([dict(indicator=i, district=d, period_start=s, period_end=None, value=v, raw="")
                        for i, d, s, v in rows])
    run_id = cockpit.store.start_run(source)
    cockpit.store.write_batch(source, run_id, frame, [], len(frame))


def login(client):
    """A staff session cookie in `client` (the regular login form)."""
    response = post_login(client, {"password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response


def app_fixtures():
    """The fixtures `app` (the Dash app of the module's `cockpit` fixture, built once per module) and `client` (a
    fresh test client of its server per test). Assign them as `app, client = app_fixtures()` in a test module."""

    @pytest.fixture(scope="module")
    def app(cockpit):
        from layouts.app import create_app

        return create_app(cockpit)

    @pytest.fixture
    def client(app):
        return app.server.test_client()

    return app, client
