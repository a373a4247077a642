"""Explorer and indicator page: the server time of the page render through the Dash Pages routing callback (the
request a browser sends when it opens or changes a URL), and the JSON size of each figure in the response."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pandas as pd

from bench import generate
from bench.figures import Figure, percentile, timed
from cockpit.views.timeseries import PRESETS

INDICATOR = "bike-sharing-bikes-available"  # a public city-wide 15-minute series (the densest public one)
EXPLORE_INDICATORS = ("charge-points-per-1000", "public-transport-passengers", "household-waste-per-inhabitant",
                      INDICATOR)
HOUR_FROM = (generate.END - pd.Timedelta(days=14)).strftime("%Y-%m-%d")  # hour buckets need a short range


def explore_search(res: str) -> str:
    """A typical filtered explorer URL: several indicators, two districts, a range, a resolution, per 1,000."""
    pairs = [("ind", i) for i in EXPLORE_INDICATORS] + [("district", d) for d in generate.DISTRICTS[:2]]
    pairs += [("from", "2022-01"), ("to", "now")]
    if res != "auto":
        pairs.append(("res", res))
    pairs += [("norm", "per1000"), ("lang", "de")]
    return "?" + urlencode(pairs)


def cases() -> list[tuple[str, str, str]]:
    """(label, pathname, search) of the measured page renders."""
    explore = "explorer page render (4 indicators, 2 districts, from 2022-01, {}, per 1,000)"
    return [
        (explore.format("month"), "/explore", explore_search("month")),
        (explore.format("auto"), "/explore", explore_search("auto")),
        (f"indicator page render ({INDICATOR}, auto)", f"/indicator/{INDICATOR}", "?lang=de"),
        (f"indicator page render ({INDICATOR}, hour, last 14 days)", f"/indicator/{INDICATOR}",
         f"?res=hour&from={HOUR_FROM}&lang=de"),
        ("climate pathway page render (/klimapfad)", "/klimapfad", "?lang=de"),
        ("climate pathway what-if (two measures off)", "/klimapfad",
         "?lang=de&off=charging-points-city-centre,hydrogen-buses"),
    ]


def router_body(pathname: str, search: str) -> bytes:
    """The Dash Pages routing callback for a URL, as the browser sends it on load (see tests/unit/test_app.py)."""
    return json.dumps({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }).encode()


def json_objects(node: object) -> Iterator[dict]:
    """Every object (dict) in a decoded JSON document, each before the objects inside it."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from json_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_objects(value)


def figure_sizes(payload: object) -> list[int]:
    """Bytes of each plotly figure (a `figure` prop with `data`) in a callback response, as compact JSON."""
    return [len(json.dumps(node["figure"], separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
            for node in json_objects(payload) if isinstance(node.get("figure"), dict) and "data" in node["figure"]]


def explore_change_cases() -> list[tuple[str, str, str]]:
    """(label, resolution, changed control) of the measured explorer filter changes (the in-place update callback,
    callbacks/explore.py): a district ticked in the typical filtered view."""
    label = "explorer filter change (district ticked; 4 indicators, 2 districts, from 2022-01, {}, per 1,000)"
    return [(label.format(res), res, "explore-district.value") for res in ("month", "auto")]


def explore_change_body(dependencies: list[dict], res: str, changed: str) -> bytes:
    """The explorer's update callback as the browser sends it after a filter change, built from the app's
    `/_dash-dependencies` (so the inputs are those the page registers)."""
    spec = next(d for d in dependencies if "explore-results.children" in d["output"])
    values = {"explore-domain": "", "explore-department": "", "explore-ind": list(EXPLORE_INDICATORS),
              "explore-district": list(generate.DISTRICTS[:2]), "explore-res": res, "explore-norm": ["per1000"],
              "explore-from": "2022-01", "explore-to": "now"}
    inputs: list = []
    for dependency in spec["inputs"]:
        if dependency["id"].startswith("{"):  # the preset buttons (pattern-matching id): none clicked
            inputs.append([{"id": {"type": "explore-preset", "preset": p}, "property": "n_clicks", "value": 0}
                           for p in PRESETS])
        else:
            inputs.append({"id": dependency["id"], "property": dependency["property"],
                           "value": values.get(dependency["id"])})
    state = [{"id": s["id"], "property": s["property"],
              "value": {"query": "", "push": False} if s["id"] == "explore-query" else "de"} for s in spec["state"]]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in spec["output"].strip(".").split("...")]
    return json.dumps({"output": spec["output"], "outputs": outputs, "inputs": inputs, "state": state,
                       "changedPropIds": [changed]}).encode()


def component_count(payload: object) -> int:
    """Dash components in a callback response (each is a dict with `type` and `namespace`)."""
    if isinstance(payload, dict):
        own = 1 if "type" in payload and "namespace" in payload else 0
        return own + sum(component_count(v) for v in payload.values())
    if isinstance(payload, list):
        return sum(component_count(v) for v in payload)
    return 0


def page_figures(backend: str, client, trivial_p50: float, repeat: int, forget=lambda: None) -> list[Figure]:
    """Explorer and indicator page renders (Dash Pages routing callback): p50/p95 server time, largest figure.
    `forget` is called before each timed request (the bench empties the response and page caches: a render, not a
    kept page, is timed; the view snapshot stays, it is per data version)."""
    figures = []
    for label, pathname, search in cases():
        body = router_body(pathname, search)
        first = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert first.status_code == 200, (label, first.status_code, first.get_data(as_text=True)[:500])
        sizes = figure_sizes(first.get_json())
        if not sizes:
            raise RuntimeError(f"{label}: no figure in the response")
        times = []
        for _ in range(repeat):
            forget()
            started = time.perf_counter()
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            response.get_data()
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        for name, q in (("p50", 0.5), ("p95", 0.95)):
            figures.append(Figure(backend, f"{label}, routing callback, rendered (page cache emptied before each), {name}",
                                  percentile(times, q) * 1000, "ms", trivial_p50, "trivial route",
                                  "<= 150 ms" if name == "p95" else ""))
        figures.append(Figure(backend, f"{label}: largest of {len(sizes)} figures (JSON)", max(sizes) / 1000, "KB",
                              target="<= 100 KB"))
        figures.append(Figure(backend, f"{label}: whole response", len(first.get_data()) / 1000, "KB"))
    dependencies = client.get("/_dash-dependencies").get_json()
    for label, res, changed in explore_change_cases():
        body = explore_change_body(dependencies, res, changed)

        def change(body=body, label=label) -> None:
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            response.get_data()
            assert response.status_code == 200, (label, response.status_code, response.get_data(as_text=True)[:500])

        change()
        times = []
        for _ in range(repeat):
            forget()
            times.append(timed(change))
        for name, q in (("p50", 0.5), ("p95", 0.95)):
            figures.append(Figure(backend, f"{label}, server time, {name}", percentile(times, q) * 1000, "ms",
                                  trivial_p50, "trivial route", "<= 300 ms" if name == "p95" else ""))
    return figures


def callback_body(client, content_id: str, search: str = "?lang=de") -> bytes:
    """A refresh callback's request body, built from the public dependency list (what the browser sends when
    the page's interval fires)."""
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if f"{content_id}.children" in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    inputs = [{"id": i["id"], "property": i["property"], "value": 1} for i in dep["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": search if s["property"] == "search" else None}
             for s in dep["state"]]
    return json.dumps({"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
                       "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}).encode()
