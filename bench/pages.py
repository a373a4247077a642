"""Explorer and indicator page: the server time of the page render through the Dash Pages routing callback (the
request a browser sends when it opens or changes a URL), and the JSON size of each figure in the response."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pandas as pd

from bench import generate
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


def figure_sizes(payload: object) -> list[int]:
    """Bytes of each plotly figure (a `figure` prop with `data`) in a callback response, as compact JSON."""
    sizes: list[int] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            figure = node.get("figure")
            if isinstance(figure, dict) and "data" in figure:
                sizes.append(len(json.dumps(figure, separators=(",", ":"), ensure_ascii=False).encode("utf-8")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return sizes


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
