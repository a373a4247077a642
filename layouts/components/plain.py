"""Dash components as the JSON structure Dash sends: plain dicts and lists, built once and kept (a kept tree is
never changed, so one may go into several responses; Dash encodes plain dicts without walking components)."""

from __future__ import annotations

import json

from plotly.io.json import to_json_plotly


def component_json(component) -> object:
    """`component` (a Dash component, a list of them, or plain data) as Dash would send it."""
    return json.loads(to_json_plotly(component))
