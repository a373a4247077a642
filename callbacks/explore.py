"""Explorer: a filter change, a range preset, a sort header or back/forward renders the view again in place.

The controls (or, after back/forward, the URL; `assets/explorer.js` reports it) give the parameters; the view is
built on the server for the request's viewer (never from a callback input) and replaces the results, not the page:
the scroll position and the focused control stay. The canonical query goes back to the browser, which pushes it as
a history entry (not after back/forward, whose URL is already in the address bar)."""

from __future__ import annotations

import time

import dash
from dash import ALL, ClientsideFunction, Input, Output, State
from dash.exceptions import PreventUpdate

from cockpit.readmodel.snapshot import now_local
from cockpit.views.explore import build_explore
from cockpit.views.explore_state import filter_params, params_from_search, preset_range
from layouts import ids
from layouts.auth import current_viewer
from layouts.components.explore import explore_update
from layouts.context import current_cockpit, resolve_lang
from layouts.hardening import expect

CONTROLS = (ids.EXPLORE_DOMAIN, ids.EXPLORE_DEPARTMENT, ids.EXPLORE_IND, ids.EXPLORE_DISTRICT, ids.EXPLORE_RES,
            ids.EXPLORE_NORM, ids.EXPLORE_FROM, ids.EXPLORE_TO, ids.EXPLORE_PEERS)


def _strings(value, name: str) -> list[str]:
    expect(value, list, type(None), name=name)
    return [expect(item, str, name=name) for item in value or []][:200]


def _event(value, name: str) -> dict:
    """A report from assets/explorer.js: {"search": "?..."} or {"sort": "-3"} with a time stamp."""
    expect(value, dict, name=name)
    for key in ("search", "sort"):
        expect(value.get(key), str, type(None), name=f"{name}.{key}")
    return value


def _control_outputs() -> list[Output]:
    """Every control as the view understood it, in the order of `explore_update`: its value, and for the indicator
    list first its options (the indicators the chosen domain and department offer)."""
    outputs = []
    for control in CONTROLS:
        if control == ids.EXPLORE_IND:
            outputs.append(Output(control, "options"))
        outputs.append(Output(control, "value"))
    return outputs


@dash.callback(
    Output(ids.EXPLORE_RESULTS, "children"),
    Output(ids.EXPLORE_QUERY, "data"),
    Output(ids.EXPLORE_STATUS, "children"),
    *_control_outputs(),
    *(Input(control, "value") for control in CONTROLS),
    Input({"type": ids.EXPLORE_PRESET, "preset": ALL}, "n_clicks"),
    Input(ids.EXPLORE_POPPED, "data"),
    Input(ids.EXPLORE_SORT, "data"),
    State(ids.EXPLORE_QUERY, "data"),
    State(ids.EXPLORE_LANG, "data"),
    prevent_initial_call=True,
)
def update_explorer(domain, department, indicators, districts, res, norm, range_from, range_to, peers, _presets,
                    popped, sort, shown, lang):
    for name, value in (("domain", domain), ("department", department), ("res", res), ("from", range_from),
                        ("to", range_to)):
        expect(value, str, type(None), name=name)
    expect(shown, dict, str, type(None), name="shown")
    lang = resolve_lang(expect(lang, str, type(None), name="lang"))
    trigger = dash.ctx.triggered_id
    push = True
    if trigger == ids.EXPLORE_POPPED:  # back/forward: the URL's state, already in the address bar
        params, push = params_from_search(_event(popped, "popped").get("search")), False
        lang = resolve_lang(params.get("lang"))
    elif trigger == ids.EXPLORE_SORT:  # a sort header: the view shown, sorted
        query = shown.get("query") if isinstance(shown, dict) else shown
        params = {**params_from_search(query), "sort": _event(sort, "sort").get("sort") or ""}
    else:
        if isinstance(trigger, dict) and trigger.get("type") == ids.EXPLORE_PRESET:
            range_from, range_to = preset_range(str(trigger.get("preset")), now_local())
        params = filter_params(domain, department, _strings(indicators, "ind"), _strings(districts, "district"),
                               res, bool(_strings(norm, "norm")), range_from, range_to, lang,
                               peers=_strings(peers, "peer"))
    view = build_explore(current_cockpit(), current_viewer(), params, lang)
    previous = shown.get("query") if isinstance(shown, dict) else shown
    if push and view.query == previous and trigger != ids.EXPLORE_SORT:
        raise PreventUpdate  # e.g. a range input left without a change
    results, query, status, *controls = explore_update(view)
    return (results, {"query": query, "push": push, "at": time.time()}, status, *controls)


dash.clientside_callback(
    ClientsideFunction(namespace="explorer", function_name="push"),
    Output(ids.EXPLORE_PUSHED, "data"),
    Input(ids.EXPLORE_QUERY, "data"),
    prevent_initial_call=True,
)
