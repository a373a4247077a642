"""The deployment shape "N web workers + one scheduler + PostgreSQL + Redis": two gunicorn workers serve 32 readers
while a separate scheduler process ingests every demo source; no request fails, every job runs exactly once, both
workers serve the same page, and the shared cache moves to the new data. Run twice: on one PostgreSQL server, and
with the workers' page reads on a streaming replica (COCKPIT_DATABASE_READ_URL, tests/fixtures/replica.py)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, or_, select

from cockpit import PROJECT_ROOT
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from cockpit.sources.config import load_sources
from cockpit.store.schema import job_runs
from cockpit.views import build_overview
from layouts import ids
from tests.conftest import migrated_store
from tests.fixtures.redis import redis_url  # noqa: F401 - fixture
from tests.fixtures.replica import replica_sessions, replicated_server, replicated_urls  # noqa: F401 - fixtures
from tests.fixtures.services import free_port

CLIENTS = 32
MAX_REQUESTS_PER_CLIENT = 300  # bounded loops
pytestmark = pytest.mark.postgres


def overview_body(port: int) -> bytes:
    """The overview's refresh callback as the browser sends it, built from the public dependency list."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/_dash-dependencies")
    deps = json.loads(conn.getresponse().read())
    conn.close()
    dep = next(d for d in deps if f"{ids.OVERVIEW_CONTENT}.children" in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    inputs = [{"id": i["id"], "property": i["property"], "value": 1} for i in dep["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": "?lang=de" if s["property"] == "search" else None}
             for s in dep["state"]]
    return json.dumps({"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
                       "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}).encode()


class Reader(threading.Thread):
    """One client: alternately the index page and the overview refresh, over one keep-alive connection."""

    def __init__(self, port: int, body: bytes, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.body, self.stop = port, body, stop
        self.errors: list[str] = []
        self.requests = 0

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while not self.stop.is_set() and self.requests < MAX_REQUESTS_PER_CLIENT:
            try:
                if self.requests % 2:
                    conn.request("GET", "/?lang=de")
                else:
                    conn.request("POST", "/_dash-update-component", body=self.body,
                                 headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 204):
                    self.errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.requests += 1
            time.sleep(0.1)
        conn.close()


def content(port: int, body: bytes) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/_dash-update-component", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    text = response.read().decode("utf-8")
    conn.close()
    assert response.status == 200, text[:300]
    return text


def stamp(response: str) -> str:
    """The fingerprint of the overview a callback response carries."""
    return json.loads(response)["response"][ids.OVERVIEW_STAMP]["data"]


def wait_for_http(port: int, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gunicorn exited"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn did not answer")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.mark.parametrize("replica", [False, True], ids=["primary-only", "read-replica"])
def test_two_web_workers_and_one_scheduler_on_postgresql_and_redis(request, tmp_path, redis_url,  # noqa: F811
                                                                   catalog, replica):
    import redis

    if replica:
        postgres_url, read_url = request.getfixturevalue("replicated_urls")
    else:
        postgres_url, read_url = request.getfixturevalue("postgres_url"), None
    migrated_store(postgres_url, catalog).engine.dispose()
    redis.Redis.from_url(redis_url).flushdb()
    env = {**os.environ, "COCKPIT_DATABASE_URL": postgres_url, "COCKPIT_CACHE_URL": redis_url,
           "COCKPIT_LOAD_DEMO": "false", "COCKPIT_SECRET_KEY": "scale-out-test", "COCKPIT_LOG_LEVEL": "WARNING"}
    if read_url:
        env["COCKPIT_DATABASE_READ_URL"] = read_url
    port = free_port()
    access_log = tmp_path / "access.log"
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(r)s",
         "--timeout", "120", "run:server"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "web.log", "w"),  # noqa: SIM115
        start_new_session=True)
    scheduler = None
    engine = create_engine(postgres_url)
    try:
        wait_for_http(port, web)
        body = overview_body(port)
        before = content(port, body)
        assert "Demodaten" not in before  # nothing ingested yet

        halt = threading.Event()
        readers = [Reader(port, body, halt) for _ in range(CLIENTS)]
        for reader in readers:
            reader.start()
        scheduler = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "run.py"), "scheduler"], cwd=PROJECT_ROOT,
                                     env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(tmp_path / "scheduler.log", "w"),  # noqa: SIM115
                                     start_new_session=True)
        enabled = {s.id for s in load_sources(PROJECT_ROOT / "data" / "sources.yaml") if s.enabled}
        # a snapshot demo source stores its past once, in a run of its own before its first scheduled run: that run is
        # not the scheduled one (waiting for it alone could stop the scheduler before bike-sharing's job had run)
        scheduled = or_(job_runs.c.error.is_(None), job_runs.c.error.not_like("demo history:%"))
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                finished = dict(conn.execute(select(job_runs.c.source_id, func.count()).where(
                    job_runs.c.status != "running", scheduled).group_by(job_runs.c.source_id)).all())
            if set(finished) >= enabled:
                break
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()[-2000:]
            time.sleep(1)
        else:
            raise AssertionError(f"the scheduler did not run every source: {finished}")
        stop(scheduler)

        # the readers go on while the workers move to the new data: the page the store now gives
        reference = open_cockpit(load_settings(database_url=postgres_url, load_demo=False), migrate=False)
        settled = time.monotonic() + 180
        while True:
            after = content(port, body)
            expected = build_overview(reference, "public", "de").fingerprint
            if stamp(after) == expected or time.monotonic() > settled:
                break
            time.sleep(1)
        reference.store.engine.dispose()
        assert stamp(after) == expected and "Demodaten" in after  # the shared cache moved to the new data
        halt.set()
        for reader in readers:
            reader.join(120)
        errors = [e for r in readers for e in r.errors]
        assert errors == [], Counter(errors).most_common(5)
        assert sum(r.requests for r in readers) >= CLIENTS * 4

        with ThreadPoolExecutor(8) as pool:  # parallel connections: both workers answer
            final = list(pool.map(lambda _i: content(port, body), range(24)))
        assert len(set(final)) == 1 and final[0] == after  # every worker serves the same page
        time.sleep(1)  # the access log is written after the response
        pids = {line.split()[0] for line in access_log.read_text().splitlines() if "_dash-update-component" in line}
        assert len(pids) == 2, f"both workers answered: {pids}"

        with engine.connect() as conn:
            per_source = Counter(dict(conn.execute(select(job_runs.c.source_id, func.count()).where(scheduled)
                                                   .group_by(job_runs.c.source_id)).all()))
        assert set(per_source) == enabled and set(per_source.values()) == {1}  # each job ran exactly once
        assert redis.Redis.from_url(redis_url).keys("cockpit:resp:*")  # the workers share the Redis cache
        if read_url:  # the workers' page reads have a pool on the replica (the scheduler has none)
            assert "cockpit-read" in replica_sessions(read_url)
        assert re.search(r"tile-co2-per-inhabitant", after)
    finally:
        if scheduler is not None:
            stop(scheduler)
        stop(web)
        engine.dispose()
