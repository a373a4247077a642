"""Refresh of the wall: assets/wall.js sets the trigger when the server reports new data (a new stamp).

The role comes from the wall token in the URL, looked up on the server (layouts.components.wall.wall_access);
the callback takes no input that could claim a role.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State

from layouts import ids
from layouts.components.wall import build_for, wall_body
from layouts.context import query_from_search


@dash.callback(
    Output(ids.WALL_BODY, "children"),
    Input(ids.WALL_TRIGGER, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def refresh_wall(_stamp, search):
    return wall_body(build_for(query_from_search(search)))
