"""`python run.py serve` as in production: gunicorn with several workers sharing one secret, sessions and
throttling that hold across workers and behind a proxy, no version banners, and exactly one scheduler for all
`serve` processes on one PostgreSQL database."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from cockpit import PROJECT_ROOT
from tests.conftest import migrated_store
from tests.fixtures.services import free_port

RUN = [sys.executable, str(PROJECT_ROOT / "run.py")]
SECRET = "5b0c2e9f7a1d4c3e8b6a0f2d9c7e5a1b3d5f7a9c0e2b4d6f"
PASSWORD = "Stadtwerke liefern Fernwärme"


def base_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    return {**env, "COCKPIT_DATABASE_URL": database_url, "COCKPIT_LOAD_DEMO": "false",
            "COCKPIT_LOG_LEVEL": "INFO", **extra}


@contextmanager
def serving(env: dict, *args: str, log: Path):
    """A `serve` process on a free port; yields the port once / answers; stops the whole process group."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([*RUN, "serve", "--port", str(port), *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True, cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if request(port, "GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not answer within 120 s:\n" + log.read_text()
            time.sleep(0.5)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            source: str | None = None):
    """One request on a new connection (so that successive requests land on different workers), from the
    loopback address `source` if given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def login(port: int, username: str, password: str, address: str = "192.0.2.10"):
    """Open the login form (its pre-session token and flow cookie), then post it; headers carry the session cookie."""
    _, form_headers, page = request(port, "GET", "/login?lang=de", None, {"X-Forwarded-For": address})
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
    flow = form_headers["Set-Cookie"].split(";")[0]
    body = urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/login?lang=de", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address, "Cookie": flow})
        response = conn.getresponse()
        headers = dict(response.getheaders())
        session = [v for k, v in response.getheaders() if k == "Set-Cookie" and v.startswith("cockpit_session=")]
        if session:
            headers["Set-Cookie"] = session[0]
        return response.status, headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def overview(port: int, cookie: str | None) -> str:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                       {"id": "_pages_location", "property": "search", "value": "?lang=de"}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    status, _, text = request(port, "POST", "/_dash-update-component", json.dumps(body).encode(), headers)
    assert status == 200, text[:300]
    return json.dumps(json.loads(text))


def test_the_development_server_shows_no_versions_either(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_SCHEDULER="false")
    with serving(env, "--dev", log=tmp_path / "dev.log") as port:
        status, headers, page = request(port, "GET", "/goals")
        assert status == 200 and headers["Server"] == "cockpit"
        assert "Werkzeug" not in page and "python_version" not in page


def test_serve_refuses_several_workers_without_a_shared_secret(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'c.db'}", COCKPIT_WORKERS="2")
    result = subprocess.run([*RUN, "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "COCKPIT_SECRET_KEY: required when COCKPIT_WORKERS > 1" in result.stderr


def test_serve_to_the_network_needs_the_public_url(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'c.db'}")
    result = subprocess.run([*RUN, "serve", "--host", "0.0.0.0"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "COCKPIT_PUBLIC_URL: required when serving beyond this machine" in result.stderr


def test_two_workers_share_sessions_throttling_and_show_no_versions(tmp_path, catalog):
    from cockpit.accounts import Accounts

    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = migrated_store(url, catalog)
    Accounts(store).add_user("anna", PASSWORD, "staff", "verkehr")
    store.engine.dispose()
    env = base_env(url, COCKPIT_SECRET_KEY=SECRET, COCKPIT_TRUSTED_PROXIES="1", COCKPIT_SCHEDULER="false")
    with serving(env, "--workers", "2", "--threads", "2", log=tmp_path / "serve.log") as port:
        status, headers, page = request(port, "GET", "/")
        assert "Werkzeug" not in headers.get("Server", "") and "Python" not in headers.get("Server", "")
        assert not re.search(r"\d", headers.get("Server", ""))  # no version number
        assert "python_version" not in page
        assert request(port, "GET", "/nowhere")[0] == 404
        assert request(port, "GET", "/?x=" + "a" * 3000)[0] == 414

        status, headers, _ = login(port, "anna", PASSWORD)
        assert status == 303
        cookie = headers["Set-Cookie"].split(";")[0]
        # every request, on whichever worker, sees the staff role (internal tile) with the cookie
        for _ in range(12):
            assert "tile-municipal-buildings-electricity" in overview(port, cookie)
        assert "tile-municipal-buildings-electricity" not in overview(port, None)

        # logout on one worker ends the session on all of them
        csrf = re.search(r'"value": "(\w+)", "type": "hidden", "name": "csrf_token"', overview(port, cookie))
        status, _, _ = request(port, "POST", "/logout", urlencode({"csrf_token": csrf.group(1)}).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        assert status == 303
        for _ in range(6):
            assert "tile-municipal-buildings-electricity" not in overview(port, cookie)

        # failures are counted in the database, whichever worker took them; the proxy's clients stay apart
        for _ in range(5):
            assert login(port, "anna", "not the password", "198.51.100.7")[0] == 401
        for _ in range(3):
            assert login(port, "anna", PASSWORD, "198.51.100.7")[0] == 429
        assert login(port, "anna", PASSWORD, "198.51.100.8")[0] == 303


def test_login_failures_from_real_addresses_never_lock_the_owner_out(tmp_path, database_url, catalog):
    """No proxy of the city in front: nginx (started by serve) hands the real source address to the app, a
    forged X-Forwarded-For changes nothing; failures from several addresses refuse only those addresses (for
    that name), the owner gets in from a fresh one."""
    from cockpit.accounts import Accounts

    store = migrated_store(database_url, catalog)
    Accounts(store).add_user("anna", PASSWORD, "staff", "verkehr")
    store.engine.dispose()
    env = base_env(database_url, COCKPIT_SECRET_KEY=SECRET, COCKPIT_SCHEDULER="false")
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def attempt(password, source, forged=None):
        forged_header = {"X-Forwarded-For": forged} if forged else {}
        _, form_headers, page = request(port, "GET", "/login?lang=de", None, forged_header, source=source)
        token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
        body = urlencode({"username": "anna", "password": password, "csrf_token": token}).encode()
        headers = {**form, **forged_header, "Cookie": form_headers["Set-Cookie"].split(";")[0]}
        return request(port, "POST", "/login?lang=de", body, headers, source=source)[0]

    with serving(env, log=tmp_path / "serve.log") as port:
        for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
            for n in range(5):  # a different forged address each time: ignored
                assert attempt("not the password", source, forged=f"203.0.113.{n}") == 401
            assert attempt(PASSWORD, source, forged="203.0.113.99") == 429
        assert attempt(PASSWORD, "127.0.0.5") == 303


@pytest.mark.postgres
def test_two_serve_processes_on_one_postgres_database_run_each_job_once(tmp_path, postgres_url, catalog):
    from sqlalchemy import select

    from cockpit.store.schema import job_runs

    raw = yaml.safe_load((PROJECT_ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))
    (source,) = [s for s in raw["sources"] if s["id"] == "waste-balance"]
    source["location"] = str(PROJECT_ROOT / "data" / source["location"])
    source["schedule"] = {"interval": "PT3S"}
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({**raw, "sources": [source]}, allow_unicode=True), encoding="utf-8")
    env = base_env(postgres_url, COCKPIT_SOURCES=str(sources), COCKPIT_SECRET_KEY=SECRET)
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    with serving(env, log=logs[0]), serving(env, log=logs[1]):  # each migrates at start (no separate step)
        store = migrated_store(postgres_url, catalog)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with store.engine.connect() as conn:
                if len(conn.execute(select(job_runs.c.id)).all()) >= 4:
                    break
            time.sleep(1)
    with store.engine.connect() as conn:
        starts = sorted(conn.execute(select(job_runs.c.started_at)).scalars())
    store.engine.dispose()
    texts = [log.read_text() for log in logs]
    assert sum(text.count("scheduler started") for text in texts) == 1, texts
    assert len(starts) >= 4
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    # one run per 3-second tick: two schedulers would double the runs (mean gap ~1.5 s) or start pairs together
    assert min(gaps) > 1.0 and sum(gaps) / len(gaps) > 2.0, gaps
