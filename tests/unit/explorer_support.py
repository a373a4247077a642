"""A demo cockpit (every shipped demo source ingested through the real pipeline) for the explorer's tests."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs

from cockpit.config import load_settings
from cockpit.kpi import LOCAL_TZ
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from cockpit.views.explore import build_explore

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=LOCAL_TZ)  # a few days after the demo data's fixed end


def demo_cockpit(path, **overrides):
    clear_cache()
    settings = load_settings(database_url=f"sqlite:///{path / 'cockpit.db'}", load_demo=True, **overrides)
    cockpit = open_cockpit(settings)
    cockpit.load_demo_if_empty()
    return cockpit


def explore(cockpit, query: str, role=Role.PUBLIC, lang="de"):
    """The explorer's view of a URL query at NOW."""
    return build_explore(cockpit, role, parse_qs(query, keep_blank_values=True), lang, now=NOW)
