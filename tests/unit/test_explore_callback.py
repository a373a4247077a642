"""The explorer's in-place update (callbacks/explore.py) as the browser calls it: the filter controls, a range
preset, back/forward and a sort header each give the view of the URL they stand for, for the request's viewer
(never more than its role allows, whatever the controls say), and inputs of the wrong type are refused with 400."""

from __future__ import annotations

import json

import pytest

from tests.unit.explorer_support import demo_cockpit
from tests.unit.test_app import text

INTERNAL = "municipal-buildings-electricity"
CONTROLS = ("explore-domain", "explore-department", "explore-ind", "explore-district", "explore-res", "explore-norm",
            "explore-from", "explore-to", "explore-peers")
PRESETS = ("1y", "3y", "5y", "10y", "all")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from layouts.app import create_app

    return create_app(demo_cockpit(tmp_path_factory.mktemp("explore-callback")))


@pytest.fixture
def client(app):
    return app.server.test_client()


def call(client, app, values: dict, changed: str, presets=(0, 0, 0, 0, 0), popped=None, sort=None,
         shown=None, lang="de"):
    key = next(k for k in app.callback_map if "explore-results.children" in k)
    inputs = [{"id": c, "property": "value", "value": values.get(c)} for c in CONTROLS]
    inputs.append([{"id": {"type": "explore-preset", "preset": p}, "property": "n_clicks", "value": n}
                   for p, n in zip(PRESETS, presets, strict=True)])
    inputs += [{"id": "explore-popped", "property": "data", "value": popped},
               {"id": "explore-sort", "property": "data", "value": sort}]
    body = {"output": key, "outputs": _outputs(key), "inputs": inputs,
            "state": [{"id": "explore-query", "property": "data", "value": shown},
                      {"id": "explore-lang", "property": "data", "value": lang}],
            "changedPropIds": [changed]}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def _outputs(key: str) -> list[dict]:
    parts = key.strip(".").split("...")
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]


def response_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


BASE = {"explore-domain": "", "explore-department": "", "explore-ind": ["charge-points-per-1000"],
        "explore-district": ["lusan"], "explore-res": "month", "explore-norm": [], "explore-from": "2025-01",
        "explore-to": "2025-06"}


def test_a_filter_change_renders_the_view_of_its_url_and_asks_for_a_history_entry(client, app):
    out = response_of(call(client, app, BASE, "explore-district.value"))
    query = out["explore-query"]["data"]
    assert query["push"] is True
    assert query["query"] == ("ind=charge-points-per-1000&district=lusan&from=2025-01&to=2025-06&res=month"
                              "&lang=de")
    assert out["explore-district"]["value"] == ["lusan"] and out["explore-res"]["value"] == "month"
    rendered = json.dumps(out["explore-results"], ensure_ascii=False)
    assert "Lusan" in rendered and "Juni 2025" in rendered and "/export/explore.csv?" + query["query"] in rendered
    assert out["explore-status"]["children"].startswith("Ansicht aktualisiert.")


def test_back_and_forward_render_the_url_without_a_new_history_entry(client, app):
    search = "?ind=recycling-rate&res=year&lang=en"
    out = response_of(call(client, app, BASE, "explore-popped.data", popped={"search": search, "at": 1}))
    assert out["explore-query"]["data"]["push"] is False
    assert out["explore-ind"]["value"] == ["recycling-rate"]  # the controls follow the URL
    assert out["explore-district"]["value"] == [] and out["explore-res"]["value"] == "year"
    assert out["explore-from"]["value"] == "" and "View updated" in out["explore-status"]["children"]


def test_a_preset_and_a_sort_header(client, app):
    out = response_of(call(client, app, BASE, '{"preset":"3y","type":"explore-preset"}.n_clicks',
                           presets=(0, 1, 0, 0, 0)))
    assert "from=20" in out["explore-query"]["data"]["query"] and "to=" not in out["explore-query"]["data"]["query"]
    shown = out["explore-query"]["data"]
    sorted_out = response_of(call(client, app, BASE, "explore-sort.data", sort={"sort": "-3", "at": 2}, shown=shown))
    assert sorted_out["explore-query"]["data"]["query"].endswith("&sort=-3&lang=de")


def test_the_public_never_gets_an_internal_indicator_whatever_the_controls_say(client, app):
    values = {**BASE, "explore-ind": [INTERNAL, "recycling-rate"]}
    response = call(client, app, values, "explore-ind.value")
    out = response_of(response)
    assert out["explore-ind"]["value"] == ["recycling-rate"]
    assert INTERNAL not in text(response).replace(f"„{INTERNAL}“", "")  # named only in the problem message
    assert "Stromverbrauch kommunaler" not in text(response)
    assert all(o["value"] != INTERNAL for o in out["explore-ind"]["options"])


@pytest.mark.parametrize(("control", "value"), [("explore-ind", "not-a-list"), ("explore-ind", [1, 2]),
                                                 ("explore-res", ["month"]), ("explore-from", 2020)])
def test_inputs_of_the_wrong_type_are_refused(client, app, control, value):
    assert call(client, app, {**BASE, control: value}, f"{control}.value").status_code == 400
    bad = call(client, app, BASE, "explore-popped.data", popped={"search": 5})
    assert bad.status_code == 400
