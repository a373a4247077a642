"""COCKPIT_DEMO_TODAY moves the pages' clock and the generated demo to a chosen day (demo and tests only)."""

from __future__ import annotations

from datetime import date

import pytest

from cockpit import clock
from cockpit.config import ConfigError, load_settings
from cockpit.runtime import open_cockpit
from cockpit.views import build_overview, clear_cache


def test_unset_is_the_real_day(monkeypatch):
    monkeypatch.delenv("COCKPIT_DEMO_TODAY", raising=False)
    assert clock.fixed_today() is None
    assert clock.now().tzinfo is not None


def test_the_pages_evaluate_on_the_chosen_day(monkeypatch, tmp_path):
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", "2027-03-15")
    assert clock.today() == date(2027, 3, 15)
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", load_demo=False))
    view = build_overview(cockpit, "public", "de")
    assert (view.at, view.at_text) == (date(2027, 3, 15), "15.03.2027")


def test_a_bad_day_stops_the_start_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("COCKPIT_DEMO_TODAY", "tomorrow")
    with pytest.raises(ConfigError, match="COCKPIT_DEMO_TODAY: not a date in the form YYYY-MM-DD: 'tomorrow'"):
        open_cockpit(load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", load_demo=False))
