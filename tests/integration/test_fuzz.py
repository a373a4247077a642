"""Malformed requests, as a scanner or an attacker sends them, get 4xx, never 500, on both backends.

Seeded and bounded: CALLBACK_BODIES mutated Dash callback bodies (built from the public dependency list, then
broken: keys dropped, outputs wrong, values of every type, page paths without '/', deep nesting, NUL, lone
surrogates, invalid UTF-8, not JSON) and HTTP_REQUESTS requests to every route of the app (junk query strings,
methods, form bodies, asset paths), sent anonymously and as logged-in staff. Asserts: no response >= 500 and no
traceback logged at ERROR (a client fault is logged as one warning line, not as a crash).
"""

from __future__ import annotations

import collections
import copy
import json
import logging
import random

from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.measures.demo import load_demo_measures
from cockpit.roles import Role
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import clear_cache
from tests.fixtures.forms import post_login
from tests.integration.test_auth import DEPARTMENT, INTERNAL, OWNER, PASSWORD, PUBLIC, department_catalog

SEED = 20261206
CALLBACK_BODIES = 520
HTTP_REQUESTS = 320
CALLBACK_PATH = "/_dash-update-component"

JUNK_STRINGS = ["", "x", "/", "status", "\x00", "a\x00b", "\ud800", "?token=\ud800", "\u202e", "\x1b[31m",
                "%00", "../../etc/passwd", "{}", "[]", "null", "-1", "1e309", "😀" * 50, "a" * 5000,
                "?lang=xx", "?lang=en&goal=\x00", "//evil.example", "\\\\evil", "javascript:alert(1)"]
JUNK_QUERY = ["%00", "%ED%A0%80", "%ff%fe", "%C0%AF", "\u202e", "a" * 3000, "-1", "1e309", "NaN", "[]", "{}",
              "%25", "%", "%%", "%2", "x%00y", "../..", "<script>", "' OR 1=1 --", "😀"]


def junk(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(JUNK_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 1, 2**63, -(2**70), 3.5, 1e308])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return "".join(chr(rng.randrange(0, 0x11000)) for _ in range(rng.randrange(1, 20)))
    if kind == 4:
        return rng.choice(["/", "/goals", "/status", "/measures", "/explore", "/indicator/" + PUBLIC])
    if kind == 5:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if kind == 6:
        return {rng.choice(["id", "property", "value", "x", ""]): junk(rng, depth + 1) for _ in range(rng.randrange(4))}
    if kind == 7:
        nested = rng.choice([[], {}])
        for _ in range(rng.choice([50, 150, 400])):
            nested = [nested]
        return nested
    return {"id": rng.choice(["url", "_pages_location", {"type": "x", "index": 1}]),
            "property": rng.choice(["search", "pathname", "children", "n_intervals"]), "value": junk(rng, depth + 1)}


def valid_body(dep: dict, rng: random.Random) -> dict:
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[-1]} for o in dep["output"].strip(".").split("...")]
    outputs = [o for o in outputs if not o["id"].startswith("{")] or outputs
    pages = ["/", "/goals", "/measures", "/status", "/explore", "/wall", f"/indicator/{DEPARTMENT}", "/measure/x"]

    def value(prop):
        return {"pathname": rng.choice(pages), "search": rng.choice(["?lang=de", "?lang=en", ""]),
                "n_intervals": 1, "n_clicks": 1}.get(prop)

    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{"id": i["id"], "property": i["property"], "value": value(i["property"])} for i in dep["inputs"]],
            "state": [{"id": s["id"], "property": s["property"], "value": value(s["property"])} for s in dep["state"]],
            "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"] if dep["inputs"] else []}


def mutate(body: dict, rng: random.Random):
    """One to three mutations; returns a dict (sent as JSON) or bytes (sent as they are)."""
    body = copy.deepcopy(body)
    for _ in range(rng.randrange(1, 4)):
        kind = rng.randrange(12)
        if kind == 0:
            body.pop(rng.choice(["output", "outputs", "inputs", "state", "changedPropIds"]), None)
        elif kind == 1:
            body[rng.choice(["output", "outputs", "inputs", "state", "changedPropIds"])] = junk(rng)
        elif kind == 2:
            body["outputs"] = rng.choice([[], {}, [{"id": "x", "property": "children"}],
                                          [body.get("outputs")] * 3, {"id": "_pages_content"}])
        elif kind in (3, 4, 5) and body.get("inputs") and isinstance(body["inputs"], list):
            item = rng.choice(body["inputs"])
            if isinstance(item, dict):
                item["value"] = junk(rng)
        elif kind == 6 and body.get("state") and isinstance(body["state"], list):
            item = rng.choice(body["state"])
            if isinstance(item, dict):
                item["value"] = rng.choice([junk(rng), "?" + rng.choice(JUNK_STRINGS), "?lang=de&x=" + junk_str(rng)])
        elif kind == 7 and isinstance(body.get("inputs"), list):
            for item in body["inputs"]:
                if isinstance(item, dict) and item.get("property") == "pathname":
                    item["value"] = rng.choice(["", "status", "goals", "x/../", "/" + junk_str(rng),
                                                "/measure/" + junk_str(rng), "/indicator/" + junk_str(rng)])
        elif kind == 8 and isinstance(body.get("inputs"), list) and body["inputs"]:
            item = rng.choice(body["inputs"])
            if isinstance(item, dict):
                item[rng.choice(["id", "property"])] = junk(rng)
        elif kind == 9:
            return rng.choice([b"{", b"not json", b"\xff\xfe{}", json.dumps(body).encode()[:-3],
                               b'{"output":' + b"[" * 3000 + b"]" * 3000 + b"}", b"[]", b"null", b'"x"',
                               json.dumps(body).encode().replace(b"\"", b"'", 2)])
        elif kind == 10:
            inputs = body.get("inputs")
            body["inputs"] = (inputs if isinstance(inputs, list) else []) + [junk(rng)]
        else:
            body["changedPropIds"] = rng.choice([["x"], [None], "x", [junk_str(rng)], {}])
    return body


def junk_str(rng: random.Random) -> str:
    return rng.choice(JUNK_STRINGS)


def fuzz_cockpit(tmp_path, database_url: str):
    clear_cache()
    settings = load_settings(database_url=database_url, load_demo=False, catalog=department_catalog(tmp_path),
                             secret_key="fuzz-secret-for-the-tests-0123456789")
    cockpit = open_cockpit(settings)
    frame = make_frame([dict(indicator=ind, district="", period_start="2026-10-01T00:00:00+02:00", period_end=None,
                             value=50.0, raw="") for ind in (PUBLIC, INTERNAL, DEPARTMENT)])
    run_id = cockpit.store.start_run("waste-balance")
    cockpit.store.write_batch("waste-balance", run_id, frame, [], len(frame))
    load_demo_measures(cockpit.store, cockpit.catalog)
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    accounts.add_user("fuzz", PASSWORD, "staff", OWNER)
    accounts.add_user("fuzz-admin", PASSWORD, "admin", None)
    return cockpit


def http_request(rng: random.Random, measure_id: str) -> tuple[str, str, dict]:
    paths = ["/", "/goals", "/explore", "/measures", f"/measure/{measure_id}", "/status", "/einbetten", "/wall",
             f"/indicator/{PUBLIC}", "/login", "/logout", "/login/sso", "/login/sso/callback", "/admin/accounts",
             "/api/v1/indicators", f"/api/v1/indicators/{PUBLIC}/observations", "/api/v1/goals",
             f"/embed/tile/{PUBLIC}", "/embed/goals", "/export/explore.csv", f"/export/indicator/{PUBLIC}.xlsx",
             f"/measure/{measure_id}/report", "/wall/status", "/_dash-component-suites/dash/" + "x" * 10 + ".js",
             "/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/../../../etc/passwd",
             "/assets/../cockpit/config.py", "/assets/nope.css", "/_dash-layout", "/_dash-dependencies",
             "/measures/" + "x%00", "/%ED%A0%80", "/indicator/%00", "/measure/%00/report", "/x" * 300]
    path = rng.choice(paths)
    keys = ["lang", "goal", "token", "next", "source", "from", "to", "indicator", "district", "kiosk", "theme",
            "page", "action", "q", "x"]
    query = "&".join(f"{rng.choice(keys)}={rng.choice(JUNK_QUERY + ['de', 'en', PUBLIC, '1'])}"
                     for _ in range(rng.randrange(0, 4)))
    method = rng.choice(["GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])
    kwargs: dict = {}
    if method == "POST":
        fields = ["username", "password", "csrf_token", "status", "progress", "text", "milestone", "login", "action"]
        encodable = [v for v in JUNK_STRINGS if "\ud800" not in v]  # lone surrogates go as %ED%A0%80 below
        form = {rng.choice(fields): rng.choice(encodable + ["admin", "fuzz", "started", "50"])
                for _ in range(rng.randrange(0, 5))}
        kwargs = rng.choice([{"data": form}, {"data": b"\xff\xfe\x00", "content_type": "application/x-www-form-urlencoded"},
                             {"data": "a=%ED%A0%80&b=%00", "content_type": "application/x-www-form-urlencoded"},
                             {"data": json.dumps(form), "content_type": "application/json"},
                             {"data": b"--x\r\nbroken", "content_type": "multipart/form-data; boundary=x"}])
        if rng.random() < 0.3:
            kwargs["headers"] = {"Origin": rng.choice(["http://localhost", "null", "http://evil.example", "\x00"])}
    return method, path + ("?" + query if query else ""), kwargs


def test_malformed_requests_never_get_a_500(database_url, tmp_path, caplog):
    from layouts.app import create_app

    cockpit = fuzz_cockpit(tmp_path, database_url)
    app = create_app(cockpit)
    anonymous, staff, admin = app.server.test_client(), app.server.test_client(), app.server.test_client()
    assert post_login(staff, {"username": "fuzz", "password": PASSWORD}).status_code == 303
    assert post_login(admin, {"username": "fuzz-admin", "password": PASSWORD}).status_code == 303
    dependencies = anonymous.get("/_dash-dependencies").get_json()
    measure_id = cockpit.store.measures(Role.ADMIN)[0].id
    rng = random.Random(SEED)
    failures, statuses = [], collections.Counter()
    caplog.set_level(logging.WARNING)
    for n in range(CALLBACK_BODIES):
        client = rng.choice([anonymous, staff, admin])
        body = mutate(valid_body(rng.choice(dependencies), rng), rng)
        data = body if isinstance(body, bytes) else json.dumps(body)
        response = client.post(CALLBACK_PATH, data=data,
                               content_type=rng.choice(["application/json"] * 5 + ["text/plain"]))
        statuses["callback", response.status_code] += 1
        if response.status_code >= 500:
            failures.append(("callback", n, data[:300], response.status_code))
    for n in range(HTTP_REQUESTS):
        client = rng.choice([anonymous, staff, admin])
        method, url, kwargs = http_request(rng, measure_id)
        response = client.open(url, method=method, **kwargs)
        statuses["http", response.status_code] += 1
        if response.status_code >= 500:
            failures.append(("http", n, method, url[:200], kwargs, response.status_code))
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, failures[:10]
    # the mutations reach the callbacks and pages too, not only the validation in front of them
    assert statuses["callback", 200] > 20 and statuses["callback", 400] > 200, statuses
    assert statuses["http", 200] > 20 and statuses["http", 404] > 10, statuses
    assert not crashes, [(r.name, r.getMessage()[:300]) for r in crashes[:10]]
