"""Auto-refresh of the goal tree (role resolved on the server, language from the URL)."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from callbacks._refresh import refreshed
from cockpit.views import build_goals
from layouts import ids
from layouts.components.goal import goals_content
from layouts.hardening import expect


@dash.callback(
    Output(ids.GOALS_CONTENT, "children"),
    Output(ids.GOALS_STAMP, "data"),
    Input(ids.GOALS_REFRESH, "n_intervals"),
    State(ids.URL, "search"),
    State(ids.GOALS_STAMP, "data"),
    prevent_initial_call=True,
)
def refresh_goals(n_intervals, search, shown):
    expect(n_intervals, int, type(None), name="n_intervals")
    expect(search, str, type(None), name="search")
    expect(shown, str, type(None), name="shown")
    return refreshed(build_goals, goals_content, search, shown)
