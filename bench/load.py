"""The cockpit under gunicorn (2 workers, 4 threads each) beside a trivial route of the same server, measured with
the same keep-alive client (which accepts and unpacks gzip, as browsers do): page opens of `/` (the routing callback) and the overview's refresh callback under 64
connections, the first fresh page open after a real ingest over HTTP, and the resident set of the worker processes
only (the bench process that generates and ingests is not part of it)."""

from __future__ import annotations

import gzip
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench import pg
from bench.figures import Figure, RssSampler, child_pids, peak_rss_mb, timed
from cockpit import PROJECT_ROOT

CALLBACK = "/_dash-update-component"
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what every browser sends
VERSION_HEADER = "X-Cockpit-Data-Version"  # layouts.page_cache: the data version a page open shows


def create_app_with_ping(create_app, cockpit):
    """The cockpit's app plus a trivial route `/_bench/ping` (added before the app serves its first request)."""
    import layouts.app as app_module

    original = app_module.create_server

    def with_ping(*args, **kwargs):
        server = original(*args, **kwargs)
        server.add_url_rule("/_bench/ping", "bench_ping", lambda: "ok")
        return server

    app_module.create_server = with_ping
    try:
        return create_app(cockpit)
    finally:
        app_module.create_server = original


def throughput(port: int, path: str, body: bytes | None, connections: int, seconds: float) -> float:
    """Requests per second that `connections` keep-alive clients get from the server in `seconds`."""
    done, errors, stop = [0] * connections, [], threading.Event()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            try:
                if body is None:
                    conn.request("GET", path, headers=BROWSER)
                else:
                    conn.request("POST", path, body=body, headers={**BROWSER, "Content-Type": "application/json"})
                response = conn.getresponse()
                content = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    gzip.decompress(content)  # as a browser does
                if response.status not in (200, 204):
                    errors.append(response.status)
                done[index] += 1
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(60)
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests under load, e.g. {errors[0]}")
    return sum(done) / seconds


def post(port: int, body: bytes, conn: http.client.HTTPConnection | None = None) -> http.client.HTTPResponse:
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", CALLBACK, body=body, headers={**BROWSER, "Content-Type": "application/json"})
    response = conn.getresponse()
    content = response.read()
    if response.getheader("Content-Encoding") == "gzip":
        gzip.decompress(content)
    if response.status != 200:
        raise RuntimeError(f"page open answered {response.status}")
    return response


def until_fresh(send, version: int, limit: float = 60.0) -> float:
    """Seconds from now until `send()` answers a response that shows data version `version` (asked again and
    again: an answer of an older version does not count)."""
    started = time.perf_counter()
    while True:
        response = send()
        if response.headers.get(VERSION_HEADER) == str(version):
            return time.perf_counter() - started
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"no page of data version {version} after {limit:.0f} s")


def _start(url: str, catalog_path: Path) -> tuple[subprocess.Popen, int]:
    port = pg.free_port()
    env = {**os.environ, "COCKPIT_DATABASE_URL": url, "COCKPIT_CATALOG": str(catalog_path),
           "COCKPIT_LOAD_DEMO": "false", "COCKPIT_SECRET_KEY": "bench", "COCKPIT_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
                             "--threads", "4", "--bind", f"127.0.0.1:{port}", "bench.wsgi:server"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/ping", timeout=5):
                return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.5)


def gunicorn_figures(backend: str, url: str, catalog_path: Path, page_open: bytes, refresh: bytes, seconds: float,
                     new_data, data_version) -> list[Figure]:
    """`page_open`: the routing callback of `/`; `refresh`: the overview's refresh callback; `new_data()`: one
    real ingest (a 9-row run) by the bench process; `data_version()`: the store's version after it."""
    proc, port = _start(url, catalog_path)
    workers = lambda: child_pids(proc.pid)  # noqa: E731 - gunicorn's workers, not its master, not the bench
    try:
        throughput(port, CALLBACK, page_open, 8, 1.0)  # every worker has rendered and kept the page once
        throughput(port, CALLBACK, refresh, 8, 1.0)
        trivial = throughput(port, "/_bench/ping", None, 64, seconds)
        with RssSampler(workers) as under_load:
            opens = throughput(port, CALLBACK, page_open, 64, seconds)
            refreshes = throughput(port, CALLBACK, refresh, 64, seconds)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def ping() -> None:
            conn.request("GET", "/_bench/ping", headers=BROWSER)
            conn.getresponse().read()

        for _ in range(20):
            ping()
        ping_ms = statistics.median(timed(ping) for _ in range(200)) * 1000
        fresh = []
        with RssSampler(workers) as after_new_data:
            for _ in range(5):
                new_data()
                fresh.append(until_fresh(lambda: post(port, page_open, conn), data_version()) * 1000)
        conn.close()
        peak = max((peak_rss_mb(pid) for pid in workers()), default=float("nan"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    same = "trivial route, same server and client"
    return [
        Figure(backend, "page opens of / (routing callback) under 64 connections (gunicorn, 2 workers)", opens,
               "req/s", trivial, same, ">= 25 %"),
        Figure(backend, "overview refresh callback under 64 connections (gunicorn, 2 workers)", refreshes, "req/s",
               trivial, same, ">= 25 %"),
        Figure(backend, "page open of / after a real ingest, until the answer shows the new data version (HTTP, "
               "one client), median of 5", statistics.median(fresh), "ms", ping_ms,
               "trivial route over HTTP, same client, p50", "<= 150 ms"),
        Figure(backend, "worker RSS under 64 connections: largest gunicorn worker (sampled; bench process excluded)",
               under_load.largest, "MB", target="<= 300 MB"),
        Figure(backend, "worker RSS under 64 connections: both gunicorn workers together (sampled)",
               under_load.total, "MB"),
        Figure(backend, "worker RSS over 5 real ingests + fresh page opens: largest gunicorn worker (sampled)",
               after_new_data.largest, "MB", target="<= 300 MB"),
        Figure(backend, "worker peak RSS (VmHWM) of the largest gunicorn worker, whole run", peak, "MB",
               target="<= 300 MB"),
    ]

