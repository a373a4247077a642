"""The progress report form on `/measure/<id>`: the viewer is resolved on the server and must be allowed to
report (`can_report`); the report is kept with who and when, and the page is re-rendered with it at once (status, milestones, overdue note)."""

from __future__ import annotations

import dash
from dash import Input, Output, State

from cockpit.measures.reporting import ReportRejected, submit_report
from cockpit.views.measures import build_measure
from layouts import ids
from layouts.components.measures import measure_detail
from layouts.context import current_cockpit, lang_from_search
from layouts.measures_auth import measures_viewer


@dash.callback(
    Output(ids.MEASURE_FORM_MESSAGE, "children"),
    Output(ids.MEASURE_CONTENT, "children"),
    Input(ids.MEASURE_FORM_SUBMIT, "n_clicks"),
    State(ids.MEASURE_ID, "data"),
    State(ids.MEASURE_FORM_STATUS, "value"),
    State(ids.MEASURE_FORM_PERCENT, "value"),
    State(ids.MEASURE_FORM_MILESTONE, "value"),
    State(ids.MEASURE_FORM_TEXT, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def save_report(_clicks, measure_id, status, percent, milestone, text, search):
    lang = lang_from_search(search)
    cockpit = current_cockpit()
    viewer = measures_viewer()
    try:
        message = submit_report(cockpit.store, viewer, str(measure_id or ""), status, percent, milestone, text, lang)
    except ReportRejected as exc:
        return str(exc), dash.no_update
    view = build_measure(cockpit, viewer, measure_id, lang)
    return dash.no_update, measure_detail(view, message=message)
