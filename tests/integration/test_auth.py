"""Who sees what, over every route: a table of viewers x routes x indicators, plus crafted requests.

Viewers: anonymous, staff of the department that owns the department-visible indicator, staff of another
department, admin. Indicators: one public, one internal, one visible to its owner department only. Every row of
ROUTES is a request (page, Dash callback, login, ...) that a viewer can send; adding a route = adding a row.
Rows marked `lists` must show every indicator the viewer may see (they are the screens listing indicators);
every row must show nothing the viewer may not see. The app runs with the real catalog, one indicator switched to
`visibility: department`, and real accounts logged in through /login.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from cockpit import PROJECT_ROOT
from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.reports import parse_period
from cockpit.reports.archive import generate_archived
from cockpit.reports.review import Plan
from cockpit.runtime import open_cockpit
from cockpit.sources.base import make_frame
from cockpit.views import clear_cache
from layouts import ids
from tests.fixtures.callbacks import dash_call, refresh_request, router_request
from tests.fixtures.forms import login_token, post_login

PUBLIC, INTERNAL, DEPARTMENT = "recycling-rate", "municipal-buildings-electricity", "smart-bin-fill-level"
OWNER, OTHER = "abfallwirtschaft", "verkehr"
INTERNAL_GOAL, DEPARTMENT_GOAL = "internal-electricity-goal", "department-bins-goal"
PASSWORD = "Ein langes Passwort für Tests 2026"

SEES = {
    "anonymous": {PUBLIC},
    "staff-owner": {PUBLIC, INTERNAL, DEPARTMENT},
    "staff-other": {PUBLIC, INTERNAL},
    "admin": {PUBLIC, INTERNAL, DEPARTMENT},
}
ACCOUNTS = {"staff-owner": ("staff", OWNER), "staff-other": ("staff", OTHER), "admin": ("admin", None)}


def department_catalog(tmp_path: Path) -> Path:
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    for ind in raw["indicators"]:
        if ind["id"] == DEPARTMENT:
            ind["visibility"] = "department"
            assert ind["owner"] == OWNER
    # goals on the internal and the department-only indicator: their names must stay as hidden as the indicator
    for goal_id, indicator, name in ((INTERNAL_GOAL, INTERNAL, "Strom kommunaler Gebäude senken"),
                                     (DEPARTMENT_GOAL, DEPARTMENT, "Behälter rechtzeitig leeren")):
        raw["goals"].append({
            "id": goal_id, "indicator": indicator, "direction": "decrease", "field": "circular-economy",
            "baseline": {"year": 2020, "value": 80.0}, "target": {"year": 2030, "value": 40.0},
            "name": {"de": f"{name} (Zielname intern)", "en": f"{name} (goal name internal)"},
            "source": {"de": "Interner Beschluss", "en": "Internal decision"}})
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def make_cockpit(tmp_path: Path, **overrides):
    clear_cache()
    overrides.setdefault("database_url", f"sqlite:///{tmp_path / 'cockpit.db'}")
    settings = load_settings(load_demo=False,
                             catalog=department_catalog(tmp_path), secret_key="s" * 8 + "ecret-for-the-auth-tests",
                             **overrides)
    cockpit = open_cockpit(settings)
    frame = make_frame([
        dict(indicator=PUBLIC, district="", period_start="2026-10-01T00:00:00+02:00", period_end=None, value=57.3,
             raw=""),
        dict(indicator=INTERNAL, district="", period_start="2026-11-20T00:00:00+01:00", period_end=None, value=47.4,
             raw=""),
        dict(indicator=DEPARTMENT, district="", period_start="2026-11-20T00:00:00+01:00", period_end=None,
             value=61.0, raw=""),
    ])
    run_id = cockpit.store.start_run("waste-balance")
    cockpit.store.write_batch("waste-balance", run_id, frame, [], len(frame))
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    for who, (role, department) in ACCOUNTS.items():
        accounts.add_user(who, PASSWORD, role, department)
    return cockpit


def login(client, who: str, password: str = PASSWORD, **kwargs):
    return post_login(client, {"username": who, "password": password}, **kwargs)


@pytest.fixture(scope="module")
def cockpit(tmp_path_factory):
    cockpit = make_cockpit(tmp_path_factory.mktemp("auth"))
    archive_reports(cockpit)
    return cockpit


def archive_reports(cockpit) -> None:
    """Report 1 public, report 2 internal (its bytes name the internal indicator, so serving it to a viewer who
    may not see that indicator fails the marker check)."""
    internal_name = cockpit.catalog.indicator(INTERNAL).name.de.encode()
    common = dict(lang="de", data_version=1, rules_version="2", inputs_sha256="0" * 64, state="{}")
    assert cockpit.store.archive_report(period="2026-H2", audience="public", pdf=b"%PDF-1.7 public",
                                        xlsx=b"PK public", **common) == 1
    assert cockpit.store.archive_report(period="2026-H2", audience="internal", pdf=b"%PDF-1.7 " + internal_name,
                                        xlsx=b"PK " + internal_name, **common) == 2
    # report 3: an internal report awaiting the offices' comments (its page lists the goals of the viewer's office)
    pending = generate_archived(cockpit, parse_period("2026-H2"), "internal", "de", plan=Plan(14, 3))
    assert pending.id == 3 and pending.created


@pytest.fixture(scope="module")
def app(cockpit):
    from layouts.app import create_app

    return create_app(cockpit)


@pytest.fixture(scope="module")
def clients(app):
    result = {}
    for who in SEES:
        client = app.server.test_client()
        if who != "anonymous":
            assert login(client, who).status_code == 303
        result[who] = client
    return result


# ------------------------------------------------------------------------------------------------ requests


def router(pathname: str, search: str = "?lang=de"):
    return lambda client: router_request(client, pathname, search)


def refresh(content_id: str, search: str = "?lang=de"):
    """A page's refresh callback, built from the public dependency list (what an attacker sees)."""
    return lambda client: refresh_request(client, content_id, search)


def get(path: str):
    return lambda client: client.get(path)


def spark_table(indicator_id: str):
    """A tile's "Daten als Tabelle" opened: the table of its values (callbacks/overview.py)."""
    def send(client):
        dep = next(d for d in client.get("/_dash-dependencies").get_json() if ids.SPARK_ROWS in d["output"])
        rows, details = ids.spark_rows(indicator_id), ids.spark_table(indicator_id)
        return dash_call(client, dep["output"], {"id": rows, "property": "children"},
                         [{"id": details, "property": "n_clicks", "value": 1}],
                         [{"id": ids.URL, "property": "search", "value": "?lang=de"},
                          {"id": rows, "property": "children", "value": None}],
                         json.dumps(details, separators=(",", ":"), sort_keys=True) + ".n_clicks")
    return send


@dataclass(frozen=True)
class Route:
    name: str
    send: object  # client -> response
    status: int = 200
    lists: bool = False  # shows every indicator the viewer may see
    public_status: int | None = None  # a different status for anonymous visitors
    statuses: dict = field(default_factory=dict)  # a different status for some viewers


ROUTES = [
    Route("page /", get("/?lang=de")),
    Route("page /goals", get("/goals?lang=de")),
    Route("page unknown", get("/does-not-exist"), status=404),
    Route("dash layout", get("/_dash-layout")),
    Route("dash dependencies", get("/_dash-dependencies")),
    Route("router /", router("/"), lists=True),
    Route("router /goals", router("/goals")),
    Route("router /goals en", router("/goals", "?lang=en")),
    Route("router unknown", router("/does-not-exist")),
    Route("page /klimapfad", get("/klimapfad?lang=de")),
    Route("router /klimapfad what-if", router("/klimapfad", "?lang=de&off=innovation-centre")),
    Route("api pathway (no balance stored)", get("/api/v1/pathway"), status=404),
    Route("refresh overview", refresh(ids.OVERVIEW_CONTENT), lists=True),
    Route("tile table, public indicator", spark_table(PUBLIC)),
    Route("tile table, department indicator", spark_table(DEPARTMENT), status=204,
          statuses={w: 200 for w, seen in SEES.items() if DEPARTMENT in seen}),
    Route("refresh goals", refresh(ids.GOALS_CONTENT)),
    Route("crafted: role in the query", router("/", "?lang=de&role=admin&department=abfallwirtschaft"), lists=True),
    Route("crafted: refresh with role", refresh(ids.OVERVIEW_CONTENT, "?role=internal&user=admin"), lists=True),
    # the measures filter prints its goal's name: only for goals of indicators the viewer may see
    Route("page /measures?goal= internal goal", get(f"/measures?lang=de&goal={INTERNAL_GOAL}")),
    Route("page /measures?goal= department goal", get(f"/measures?lang=en&goal={DEPARTMENT_GOAL}")),
    Route("router /measures?goal= internal goal", router("/measures", f"?lang=de&goal={INTERNAL_GOAL}")),
    Route("router /measures?goal= department goal", router("/measures", f"?lang=en&goal={DEPARTMENT_GOAL}")),
    Route("router /measures?goal= public goal", router("/measures", "?lang=de&goal=recycling-rate-eu")),
    Route("router /status", router("/status")),
    Route("login page", get("/login?lang=de")),
    Route("logout page", get("/logout?lang=de"), public_status=303),
    Route("sensorthings datastreams", get("/sta/v1.1/Datastreams?$top=1000&$expand=Sensor,ObservedProperty")),
    Route("sensorthings observations", get("/sta/v1.1/Observations?$top=1000&$expand=Datastream")),
    Route("sensorthings internal datastream", get(f"/sta/v1.1/Datastreams('{INTERNAL}:city')"), status=404),
    Route("ngsi-ld kpi entities", get("/ngsi-ld/v1/entities?type=KeyPerformanceIndicator&limit=1000")),
    Route("ngsi-ld kpi entities keyValues", get("/ngsi-ld/v1/entities?type=KeyPerformanceIndicator&limit=1000"
                                                "&options=keyValues")),
    Route("district geojson", get("/api/v1/indicators/charge-points-per-1000/districts.geojson")),
    Route("district geojson of an internal indicator",
          get(f"/api/v1/indicators/{INTERNAL}/districts.geojson"), status=404),
    Route("peer comparison api", get("/api/v1/indicators/charge-points-per-1000/peers")),
    Route("peer comparison api, internal indicator", get(f"/api/v1/indicators/{INTERNAL}/peers"), status=404),
    Route("router indicator page with peers", router("/indicator/charge-points-per-1000")),
    Route("router explorer with the peer comparison", router("/explore", f"?ind={INTERNAL}&ind=charge-points-per-1000"
                                                                  "&peer=type&peer=jena&lang=de")),
    Route("explorer export with the peer comparison", get(f"/export/explore.csv?ind={INTERNAL}"
                                                          "&ind=charge-points-per-1000&peer=type&lang=de")),
    Route("admin accounts page", get("/admin/accounts?lang=de"), status=404, statuses={"admin": 200}),
    Route("admin action", lambda c: c.post("/admin/accounts", data={"action": "disable", "login": "staff-other"}),
          status=404, statuses={"admin": 403}),  # without the CSRF token
    Route("page /berichte", get("/berichte?lang=de")),
    Route("router /berichte", router("/berichte")),
    Route("public report pdf", get("/berichte/1.pdf")),
    Route("internal report pdf", get("/berichte/2.pdf"), public_status=404),
    Route("internal report xlsx", get("/berichte/2.xlsx"), public_status=404),
    Route("unknown report", get("/berichte/99.pdf"), status=404),
    Route("reports api", get("/api/v1/reports")),
    Route("health (load balancer)", get("/health")),
    Route("report generation", lambda c: c.post("/berichte/erstellen", data={"period": "2026-H2"}),
          status=404, statuses={"admin": 403}),  # without the CSRF token
    Route("page report comments", get("/berichte/3/kommentare?lang=de")),
    Route("router report comments", router("/berichte/3/kommentare")),
    Route("router report comments en", router("/berichte/3/kommentare", "?lang=en")),
    Route("router comments of an unknown report", router("/berichte/99/kommentare")),
    Route("report comments post", lambda c: c.post("/berichte/3/kommentare",
                                                   data={"goal:recycling-rate-eu": "x", "action": "submit"}),
          status=403, public_status=404),  # without the CSRF token
    Route("report publishing", lambda c: c.post("/berichte/3/veroeffentlichen"), status=404,
          statuses={"admin": 403}),  # without the CSRF token
]


def markers(cockpit, indicator_id: str) -> list[str]:
    """What would give an indicator away: its tile, its goals' cards, its name in both languages."""
    ind = cockpit.catalog.indicator(indicator_id)
    goals = cockpit.catalog.goals_for(indicator_id)
    return [ids.tile(indicator_id), ind.name.de, ind.name.en, *[ids.goal(g.id) for g in goals],
            *[name for g in goals if g.name for name in (g.name.de, g.name.en)]]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("who", list(SEES))
def test_nobody_sees_more_than_allowed(cockpit, clients, who, route):
    response = route.send(clients[who])
    expected = route.statuses.get(who, route.public_status if who == "anonymous" and route.public_status
                                  else route.status)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    shown = json.dumps(response.get_json(), ensure_ascii=False) if response.is_json else response.get_data(
        as_text=True)
    for indicator in {PUBLIC, INTERNAL, DEPARTMENT} - SEES[who]:
        for marker in markers(cockpit, indicator):
            assert marker not in shown, f"{who} got {indicator} ({marker}) from {route.name}"
    if route.lists:
        for indicator in SEES[who]:
            assert ids.tile(indicator) in shown, f"{who} misses {indicator} on {route.name}"


def test_the_store_filters_department_indicators_in_sql(cockpit):
    from cockpit.roles import Role, Viewer

    def seen(viewer):
        return set(cockpit.store.latest(viewer, 1)["indicator"])

    assert seen(Role.PUBLIC) == {PUBLIC}
    assert seen(Role.INTERNAL) == {PUBLIC, INTERNAL}  # a bare role has no department
    assert seen(Viewer(Role.INTERNAL, "x", OWNER)) == {PUBLIC, INTERNAL, DEPARTMENT}
    assert seen(Viewer(Role.INTERNAL, "x", OTHER)) == {PUBLIC, INTERNAL}
    assert seen(Viewer(Role.PUBLIC, "x", OWNER)) == {PUBLIC}
    assert seen(Role.ADMIN) == {PUBLIC, INTERNAL, DEPARTMENT}
    assert set(cockpit.store.aggregates(Viewer(Role.INTERNAL, "x", OTHER), "year")["indicator"]) == {PUBLIC, INTERNAL}


# ------------------------------------------------------------------------------------------------ forged identities


def test_forged_cookies_give_the_public_view(app, cockpit):
    client = app.server.test_client()
    client.set_cookie("cockpit_session", "x" * 43)
    with client.session_transaction() as session:  # a validly signed Flask session claiming a role
        session.update(role="admin", user="admin", auth="x")
    response = router("/")(client)
    shown = json.dumps(response.get_json(), ensure_ascii=False)
    assert ids.tile(PUBLIC) in shown and ids.tile(INTERNAL) not in shown
    assert "cockpit_session=;" in response.headers.get("Set-Cookie", "")  # the stale cookie is removed


def test_anonymous_visitors_get_no_cookie(app):
    client = app.server.test_client()
    for send in (get("/"), get("/goals"), get("/does-not-exist"), router("/"), refresh(ids.OVERVIEW_CONTENT)):
        assert "Set-Cookie" not in send(client).headers
    # only who opens the login form gets a cookie: the form's pre-session token (signed, HttpOnly, browser session)
    flow = client.get("/login?lang=de").headers.getlist("Set-Cookie")
    assert len(flow) == 1 and flow[0].startswith("cockpit_flow=") and "HttpOnly" in flow[0]
    assert "SameSite=Lax" in flow[0] and "Max-Age" not in flow[0] and "Expires" not in flow[0]
    assert "Set-Cookie" not in login(client, "admin", "wrong password").headers


def test_login_posts_need_the_forms_pre_session_token(app):
    """Login CSRF: a site that makes a visitor's browser post the attacker's name and password (no Origin header
    sent, e.g. by privacy tools) gets 403, and so does a token taken from another browser's login page."""
    attacker, victim = app.server.test_client(), app.server.test_client()
    stolen = login_token(attacker)
    login_token(victim)
    form = {"username": "staff-other", "password": PASSWORD}
    for token in (None, "", "forged", stolen):
        response = victim.post("/login?lang=de", data=form if token is None else {**form, "csrf_token": token})
        assert response.status_code == 403
        assert "abgelaufen" in response.get_data(as_text=True)
        assert not any(c.startswith("cockpit_session=") for c in response.headers.getlist("Set-Cookie"))
    fresh = app.server.test_client()  # no login page opened: no token in its session either
    assert fresh.post("/login?lang=de", data={**form, "csrf_token": stolen}).status_code == 403
    response = login(victim, "staff-other")
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("cockpit_session=") for c in cookies)
    assert any(c.startswith("cockpit_flow=;") for c in cookies)  # the token ends with the login


def test_session_cookie_attributes(app):
    client = app.server.test_client()
    cookie = login(client, "staff-other").headers["Set-Cookie"]
    assert cookie.startswith("cockpit_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP without COCKPIT_COOKIE_SECURE
    assert "Max-Age=43200" in cookie  # 12 h
    secure = login(app.server.test_client(), "staff-other", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in secure
    other = login(app.server.test_client(), "staff-other").headers["Set-Cookie"]
    assert other.split(";")[0] != cookie.split(";")[0]  # a new random id at every login


# ------------------------------------------------------------------------------------------------ robustness


def test_unknown_paths_answer_404_with_the_404_page(app):
    client = app.server.test_client()
    response = client.get("/no/such/page?lang=en")
    assert response.status_code == 404
    assert "<title>" in response.get_data(as_text=True) and '<html lang="en">' in response.get_data(as_text=True)
    assert client.get("/goals").status_code == 200 and client.get("/goals/").status_code == 200


def test_long_query_strings_are_cut_off(app):
    client = app.server.test_client()
    assert client.get("/?lang=de&x=" + "a" * 5000).status_code == 414
    assert client.get("/?lang=de&x=" + "a" * 100).status_code == 200


MALFORMED = [
    "not json",
    json.dumps([1, 2]),
    json.dumps({"output": ["a"], "inputs": []}),
    json.dumps({"output": "..nothing.children..", "inputs": []}),
    json.dumps({"output": ".._pages_content.children..._pages_store.data..", "inputs": "x"}),
    json.dumps({"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [], "inputs": [{"id": "_pages_location", "property": "pathname", "value": ["/"]},
                                          {"id": "_pages_location", "property": "search", "value": ""}]}),
    json.dumps({"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [], "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                                          {"id": "_pages_location", "property": "search", "value": {"a": 1}}]}),
    json.dumps({"output": ".._pages_content.children..._pages_store.data..", "outputs": [],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"}]}),
    json.dumps({"output": ".._pages_content.children..._pages_store.data..", "outputs": [],
                "inputs": [{"id": "x", "property": "pathname", "value": "/"},
                           {"id": "_pages_location", "property": "search", "value": ""}],
                "changedPropIds": [1]}),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_callback_bodies_get_400_and_one_log_line(app, caplog, body):
    caplog.set_level(logging.INFO)
    response = app.server.test_client().post("/_dash-update-component", data=body,
                                             content_type="application/json")
    assert response.status_code == 400
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "400" in lines[0].getMessage() and lines[0].exc_info is None


def test_callback_inputs_of_the_wrong_type_get_400(app, caplog):
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if f"{ids.OVERVIEW_CONTENT}.children" in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    inputs = [{"id": i["id"], "property": i["property"], "value": 1} for i in dep["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": "?lang=de" if s["property"] == "search" else
              ["a", "list"]} for s in dep["state"]]  # the shown fingerprint as a list instead of a string
    caplog.set_level(logging.INFO)
    response = dash_call(client, dep["output"], outputs, inputs, state, f"{inputs[0]['id']}.{inputs[0]['property']}")
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.exc_info]


def test_page_config_names_no_python_version_and_hsts_is_optional(tmp_path):
    from layouts.app import create_app

    page = create_app(make_cockpit(tmp_path, hsts_seconds=31536000)).server.test_client().get("/")
    assert "python_version" not in page.get_data(as_text=True)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# ------------------------------------------------------------------------------------------------ sessions


def logout(app, client):
    import re

    token = re.search(r'"value": "(\w+)", "type": "hidden", "name": "csrf_token"',
                      json.dumps(router("/")(client).get_json()))
    return client.post("/logout?lang=de", data={"csrf_token": token.group(1)})


def copy_of(app, client):
    other = app.server.test_client()
    other.set_cookie("cockpit_session", client.get_cookie("cockpit_session").value)
    return other


def internal_shown(client) -> bool:
    return ids.tile(INTERNAL) in json.dumps(router("/")(client).get_json())


def test_a_copied_cookie_stops_working_after_logout(tmp_path):
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path))
    client = app.server.test_client()
    login(client, "staff-other")
    thief = copy_of(app, client)
    assert internal_shown(thief)
    response = logout(app, client)
    assert response.status_code == 303 and "cockpit_session=;" in response.headers["Set-Cookie"]
    assert not internal_shown(thief)


def test_logout_needs_the_csrf_token(tmp_path):
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path))
    client = app.server.test_client()
    login(client, "staff-other")
    assert client.post("/logout", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert client.get("/logout").status_code == 200  # a form, not a logout
    assert internal_shown(client)


def test_password_change_disable_and_admin_revoke_end_sessions(tmp_path):
    from layouts.app import create_app
    from layouts.auth import accounts

    app = create_app(make_cockpit(tmp_path))
    sessions = []
    for _ in range(3):
        client = app.server.test_client()
        login(client, "staff-owner")
        sessions.append(client)
    with app.server.app_context():
        accounts().set_password("staff-owner", "Ganz neues Passwort 2026!", actor="staff-owner")
        assert not internal_shown(sessions[0])
        fresh = app.server.test_client()
        assert login(fresh, "staff-owner").status_code == 401  # the old password is gone
        assert login(fresh, "staff-owner", "Ganz neues Passwort 2026!").status_code == 303
        assert internal_shown(fresh)
        accounts().revoke("staff-owner", actor="admin")
        assert not internal_shown(fresh)
        login(fresh, "staff-owner", "Ganz neues Passwort 2026!")
        accounts().set_active("staff-owner", False, actor="admin")
        assert not internal_shown(fresh)
        assert login(fresh, "staff-owner", "Ganz neues Passwort 2026!").status_code == 401


def test_idle_timeout_and_absolute_lifetime(tmp_path):
    from datetime import timedelta

    from sqlalchemy import select, update

    from cockpit.store.schema import user_sessions
    from layouts.app import create_app

    cockpit = make_cockpit(tmp_path)
    app = create_app(cockpit)
    client = app.server.test_client()
    login(client, "admin")

    def shift(**columns):  # move the session's clock back, as if time had passed
        with cockpit.store.engine.begin() as conn:
            for row in conn.execute(select(user_sessions)).mappings().all():
                conn.execute(update(user_sessions).where(user_sessions.c.id_hash == row["id_hash"]).values(
                    **{name: row[name] - delta for name, delta in columns.items()}))

    shift(last_seen_at=timedelta(minutes=110))  # idle 1 h 50 min: still in
    assert internal_shown(client)
    shift(last_seen_at=timedelta(minutes=20))  # the request just now renewed it: idle 20 min
    assert internal_shown(client)
    shift(last_seen_at=timedelta(hours=2, minutes=1))  # idle past 2 h: out
    assert not internal_shown(client)

    login(client, "admin")
    for _ in range(6):  # active all day, one request every 1 h 50 min (11 h) ...
        shift(last_seen_at=timedelta(minutes=110), expires_at=timedelta(minutes=110))
        assert internal_shown(client)
    shift(last_seen_at=timedelta(minutes=110), expires_at=timedelta(minutes=110))  # ... 12 h 50 min after login
    assert not internal_shown(client)


# ------------------------------------------------------------------------------------------------ throttling


def test_throttling_per_account_and_address_behind_a_proxy(tmp_path):
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path, trusted_proxies=1))
    client = app.server.test_client()

    def attempt(who, password, address):
        return login(client, who, password, headers={"X-Forwarded-For": address}).status_code

    for _ in range(5):
        assert attempt("staff-other", "wrong guess", "198.51.100.7") == 401
    assert attempt("staff-other", PASSWORD, "198.51.100.7") == 429  # the guesser is stopped ...
    assert attempt("staff-other", PASSWORD, "198.51.100.8") == 303  # ... the colleague behind the proxy is not
    assert attempt("admin", PASSWORD, "198.51.100.7") == 303  # nor another account from that address
    entries = [e["action"] for e in app.server.extensions["cockpit.accounts"].store.audit_entries(50)]
    assert entries.count("login.failed") == 5 and "login.throttled" in entries and entries.count("login") == 2


def test_without_trusted_proxies_the_forwarded_header_is_ignored(tmp_path):
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path))
    client = app.server.test_client()
    for i in range(5):
        login(client, "staff-other", "wrong guess", headers={"X-Forwarded-For": f"203.0.113.{i}"})
    assert login(client, "staff-other", headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_failures_from_many_addresses_do_not_lock_the_owner_out(tmp_path, database_url):
    """Failures for one name from several client addresses (real source addresses, no proxy): each address is
    refused for that name after 5, the owner with the right password gets in from a fresh address; admins see
    the attack aggregated on the accounts page."""
    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path, database_url=database_url))
    client = app.server.test_client()

    def attempt(who, password, address):
        return login(client, who, password, environ_base={"REMOTE_ADDR": address}).status_code

    for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        for _ in range(5):
            assert attempt("staff-other", "wrong guess", address) == 401
        response = login(client, "staff-other", PASSWORD, environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert attempt("staff-other", PASSWORD, "127.0.0.5") == 303  # 15 failures: delayed, never locked
    admin = app.server.test_client()
    assert login(admin, "admin", environ_base={"REMOTE_ADDR": "127.0.0.9"}).status_code == 303
    page = admin.get("/admin/accounts?lang=en").get_data(as_text=True)
    summary = page.split('class="accounts-admin__failures"', 1)[1].split("</section>", 1)[0]
    assert "15 failed logins in the last 7 days" in summary
    for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        assert (f'<td class="accounts-admin__tried">staff-other</td><td>{address}</td><td class="num">5</td>'
                in summary)


def test_pattern_matching_callbacks_pass_the_body_check():
    """Callbacks of other pages may use pattern-matching ids (dicts, lists for ALL): their shape is accepted."""
    from dash import Output
    from werkzeug.exceptions import BadRequest

    from layouts.hardening import check_callback_body

    callback_map = {"..x.children..": {"inputs": [{"id": '{"index":["ALL"],"type":"row"}', "property": "n_clicks"}],
                                       "state": [{"id": "y", "property": "data"}], "output": Output("x", "children"),
                                       "callback": print}}
    body = {"output": "..x.children..", "outputs": {"id": "x", "property": "children"},
            "inputs": [[{"id": {"index": 1, "type": "row"}, "property": "n_clicks", "value": 2},
                        {"id": {"index": 2, "type": "row"}, "property": "n_clicks", "value": None}]],
            "state": [{"id": "y", "property": "data", "value": {"any": ["json"]}}], "changedPropIds": []}
    check_callback_body(body, callback_map)
    body["inputs"][0][1]["value"] = "2"  # n_clicks must be a whole number
    with pytest.raises(BadRequest):
        check_callback_body(body, callback_map)


SKIP_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_reload-hash", "/_favicon", "/login/sso")


def app_get_urls(app, cockpit) -> list[str]:
    """Every GET route of the app (whatever blueprints exist), with each indicator id put into its arguments:
    new HTTP surfaces (APIs, exports, embeds) are covered without a new row."""
    urls = []
    for rule in app.server.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PREFIXES):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            continue
        for indicator in (PUBLIC, INTERNAL, DEPARTMENT):
            try:
                urls.append(rule.build({name: indicator for name in rule.arguments}, append_unknown=False)[1])
            except Exception:  # noqa: BLE001 - an argument that cannot hold an indicator id
                continue
    return sorted(set(urls))


@pytest.mark.parametrize("who", list(SEES))
def test_every_get_route_of_the_app_shows_nothing_forbidden(app, cockpit, clients, who):
    urls = app_get_urls(app, cockpit)
    assert "/" in urls and "/login" in urls
    for url in urls:
        for query in ("", "?lang=en", f"?indicator={DEPARTMENT}&role=admin&format=json"):
            response = clients[who].get(url + query)
            assert response.status_code < 500, f"{url}{query}: {response.status_code}"
            shown = response.get_data(as_text=True)
            for indicator in {PUBLIC, INTERNAL, DEPARTMENT} - SEES[who]:
                found = [m for m in markers(cockpit, indicator) if m in shown]
                if indicator not in url + query:
                    found += [indicator] if indicator in shown else []
                assert not found, f"{who} got {indicator} ({found}) from GET {url}{query}"


def test_admins_disable_enable_and_revoke_on_the_admin_page(tmp_path):
    import re

    from layouts.app import create_app

    app = create_app(make_cockpit(tmp_path))
    admin, staff = app.server.test_client(), app.server.test_client()
    login(admin, "admin")
    login(staff, "staff-other")
    page = admin.get("/admin/accounts?lang=en").get_data(as_text=True)
    assert "<caption>Accounts</caption>" in page and "staff-owner" in page and "<td>login.failed</td>" not in page
    csrf = re.search(r'name="csrf_token" value="(\w+)"', page).group(1)

    def act(action, who, token=csrf):
        return admin.post("/admin/accounts?lang=en", data={"csrf_token": token, "action": action, "login": who})

    assert staff.post("/admin/accounts", data={"csrf_token": csrf, "action": "disable",
                                                "login": "admin"}).status_code == 404  # not for staff
    assert act("disable", "staff-other", "0" * 64).status_code == 403
    assert internal_shown(staff)
    assert act("revoke", "staff-other").status_code == 200
    assert not internal_shown(staff)
    response = act("disable", "staff-other")
    assert "The account staff-other is disabled" in response.get_data(as_text=True)
    assert login(staff, "staff-other").status_code == 401
    act("enable", "staff-other")
    assert login(staff, "staff-other").status_code == 303
    assert act("disable", "admin").status_code == 400  # not oneself
    actions = [(e["action"], e["actor"]) for e in app.server.extensions["cockpit.accounts"].store.audit_entries()]
    assert ("user.disable", "admin") in actions and ("session.revoke", "admin") in actions
    assert "Konten" in text_of_router(admin)


def text_of_router(client) -> str:
    return json.dumps(router("/")(client).get_json(), ensure_ascii=False)


def test_staff_explore_and_chart_their_departments_indicator_and_nobody_else_does(cockpit):
    """The indicator page and the explorer read with the whole viewer (department included), not the bare role."""
    from cockpit.roles import Role, Viewer
    from cockpit.views.explore import build_explore
    from cockpit.views.indicator import build_indicator

    owner, other = Viewer(Role.INTERNAL, "x", OWNER), Viewer(Role.INTERNAL, "y", OTHER)
    page = build_indicator(cockpit, owner, DEPARTMENT, "de", res="day", range_from="2026-01")
    assert page is not None and page.series and not page.problems
    explored = build_explore(cockpit, owner, {"ind": [DEPARTMENT], "from": "2026-01"}, "de")
    assert [p.indicator_id for p in explored.panels] == [DEPARTMENT]
    assert any(trace.points for trace in explored.panels[0].traces)
    assert build_indicator(cockpit, other, DEPARTMENT, "de") is None
    assert DEPARTMENT not in [p.indicator_id for p in build_explore(cockpit, other, {"ind": [DEPARTMENT]}, "de").panels]


def test_the_measures_filter_names_a_goal_only_to_who_may_see_it(clients):
    def shown(who: str, goal: str) -> str:
        return json.dumps(router("/measures", f"?lang=de&goal={goal}")(clients[who]).get_json(), ensure_ascii=False)

    assert "Behälter rechtzeitig leeren (Zielname intern)" in shown("staff-owner", DEPARTMENT_GOAL)
    assert "Behälter rechtzeitig leeren (Zielname intern)" not in shown("staff-other", DEPARTMENT_GOAL)
    assert "Strom kommunaler Gebäude senken (Zielname intern)" in shown("staff-other", INTERNAL_GOAL)
    assert "Strom kommunaler Gebäude senken (Zielname intern)" not in shown("anonymous", INTERNAL_GOAL)
    assert "Recyclingquote" in shown("anonymous", "recycling-rate-eu")
