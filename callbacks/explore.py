"""Explorer filters: every change rewrites the URL (the single source of the explorer's state); the page is then
rendered again from the URL on the server. The role is resolved on the server, never taken from an input."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State

from cockpit.views.explore import filters_query
from layouts import ids
from layouts.auth import current_role
from layouts.context import current_cockpit, lang_from_search, query_from_search


@dash.callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(ids.EXPLORE_IND, "value"),
    Input(ids.EXPLORE_DISTRICT, "value"),
    Input(ids.EXPLORE_DOMAIN, "value"),
    Input(ids.EXPLORE_DEPARTMENT, "value"),
    Input(ids.EXPLORE_FROM, "value"),
    Input(ids.EXPLORE_TO, "value"),
    Input(ids.EXPLORE_RES, "value"),
    Input(ids.EXPLORE_NORM, "value"),
    Input({"type": ids.EXPLORE_PRESET, "preset": ALL}, "n_clicks"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def filters_changed(indicators, districts, domain, department, range_from, range_to, res, norm, _presets, search):
    trigger = dash.ctx.triggered_id
    preset = trigger.get("preset") if isinstance(trigger, dict) else None
    query = filters_query(current_cockpit().catalog, current_role(), lang_from_search(search),
                          query_from_search(search), indicators, districts, domain, department, range_from,
                          range_to, res, norm, preset)
    return f"?{query}"
