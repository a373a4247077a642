"""Auto-refresh of the overview's tile grid (role resolved on the server, language from the URL)."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from callbacks._refresh import refreshed
from cockpit.views import build_overview
from layouts import ids
from layouts.components.tile import overview_content
from layouts.hardening import expect


@dash.callback(
    Output(ids.OVERVIEW_CONTENT, "children"),
    Output(ids.OVERVIEW_STAMP, "data"),
    Input(ids.OVERVIEW_REFRESH, "n_intervals"),
    State(ids.URL, "search"),
    State(ids.OVERVIEW_STAMP, "data"),
    prevent_initial_call=True,
)
def refresh_overview(n_intervals, search, shown):
    expect(n_intervals, int, type(None), name="n_intervals")
    expect(search, str, type(None), name="search")
    expect(shown, str, type(None), name="shown")
    return refreshed(build_overview, overview_content, search, shown)
