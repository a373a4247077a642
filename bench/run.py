"""Run the benchmarks and print each figure beside its baseline measured in the same run.

    python -m bench --size 1000000                 # SQLite and PostgreSQL (a throwaway server is started)
    python -m bench --size 20000 --backend sqlite  # the CI smoke size

Baselines: a trivial Flask route served by the same WSGI app in the same process (for page and callback
times), a raw `executemany` (SQLite) / `COPY` (PostgreSQL) of the same rows into a bare table with the same key
(for ingest), and the same 9-row run on an empty store (for small runs).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from bench import browser, generate, pages, pg
from cockpit import PROJECT_ROOT

SAMPLE_ROWS = 200_000  # rows of the ingest comparison (the first rows of the generated store)


@dataclass
class Figure:
    backend: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def bench_catalog(folder: Path, size: int = generate.FULL_SIZE) -> Path:
    """The project's catalog with the generator's 40 districts (and district-level series allowed)."""
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    raw["districts"] = raw.get("districts", []) + [
        {"id": d, "name": d, "population": 5000} for d in generate.districts(size)]
    for indicator in raw["indicators"]:
        indicator["spatial"] = "district"
    path = folder / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def open_bench_cockpit(url: str, catalog_path: Path):
    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit

    return open_cockpit(load_settings(database_url=url, catalog=catalog_path, load_demo=False, scheduler=False))


def ingest(cockpit, frame: pd.DataFrame, source: str = "bench") -> float:
    """Validate and store one parsed frame as one run, as the ingestor does; seconds taken."""
    from cockpit.jobs.validate import validate

    started = time.perf_counter()
    valid, rejects = validate(frame, cockpit.catalog)
    store = cockpit.store
    run_id = store.start_run(source)
    store.write_batch(source, run_id, valid, rejects, len(frame))
    if rejects:
        raise RuntimeError(f"bench data rejected: {rejects[0].reason}")
    return time.perf_counter() - started


def raw_insert_seconds(store, frame: pd.DataFrame) -> float:
    """The same rows into a bare table with the observation key: executemany on SQLite, COPY on PostgreSQL."""
    engine = store.engine
    is_pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_raw")
        conn.exec_driver_sql(
            "CREATE TABLE bench_raw (id " + ("BIGSERIAL" if is_pg else "INTEGER") + " PRIMARY KEY, "
            "indicator_id VARCHAR(64) NOT NULL, district VARCHAR(64) NOT NULL, period_start "
            + ("TIMESTAMPTZ" if is_pg else "DATETIME") + " NOT NULL, period_end " + ("TIMESTAMPTZ" if is_pg else
                                                                                       "DATETIME")
            + ", value FLOAT NOT NULL, source_id VARCHAR(64) NOT NULL, run_id INTEGER, ingested_at "
            + ("TIMESTAMPTZ" if is_pg else "DATETIME") + " NOT NULL, UNIQUE (indicator_id, district, period_start))")
    now = pd.Timestamp.now(tz="UTC")
    if is_pg:
        rows = list(zip(frame["indicator"], frame["district"], frame["period_start"].dt.to_pydatetime(),
                        [None] * len(frame), frame["value"].tolist(), ["bench"] * len(frame), [None] * len(frame),
                        [now.to_pydatetime()] * len(frame), strict=True))
    else:
        stamps = frame["period_start"].dt.tz_localize(None).astype(str).tolist()
        rows = list(zip(frame["indicator"], frame["district"], stamps, [None] * len(frame), frame["value"].tolist(),
                        ["bench"] * len(frame), [None] * len(frame), [str(now.tz_localize(None))] * len(frame),
                        strict=True))
    columns = "indicator_id, district, period_start, period_end, value, source_id, run_id, ingested_at"
    started = time.perf_counter()
    with engine.begin() as conn:
        if is_pg:
            cursor = conn.connection.dbapi_connection.cursor()
            with cursor.copy(f"COPY bench_raw ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            conn.exec_driver_sql(f"INSERT INTO bench_raw ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_raw")
    return seconds


_tick = [0]


def small_run(cockpit) -> float:
    """9 new quarter-hours of 9 city-wide/district sensor series, as one run; seconds."""
    _tick[0] += 1
    start = generate.END + pd.Timedelta(minutes=15 * _tick[0])
    records = [dict(indicator="smart-bin-fill-level", district=d, period_start=start, period_end=pd.NaT,
                    value=50.0 + _tick[0] % 7, raw="") for d in ["", *generate.DISTRICTS[:8]]]
    frame = pd.DataFrame(records)
    frame["period_start"] = pd.to_datetime(frame["period_start"], utc=True)
    frame["period_end"] = pd.to_datetime(frame["period_end"], utc=True)
    return ingest(cockpit, frame, source="bench-small")


def median_seconds(func, repeat: int) -> float:
    return statistics.median(func() for _ in range(repeat))


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident set (VmHWM) of a process since it started or since `reset_peak_rss`, MB."""
    return _status_mb(pid, "VmHWM")


def rss_mb(pid: int | str = "self") -> float:
    """The resident set (VmRSS) of a process now, MB."""
    return _status_mb(pid, "VmRSS")


def _status_mb(pid: int | str, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers of its master), from /proc."""
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


class RssSampler:
    """Samples the summed and the largest VmRSS of some processes every `interval` seconds, in a thread."""

    def __init__(self, pids, interval: float = 0.1):
        import threading

        self.pids, self.interval, self.largest, self.total = pids, interval, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [rss_mb(pid) for pid in self.pids()]
            sizes = [size for size in sizes if size == size]  # gone processes: nan
            if sizes:
                self.largest = max(self.largest, max(sizes))
                self.total = max(self.total, sum(sizes))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def callback_body(client, content_id: str, search: str = "?lang=de") -> bytes:
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if f"{content_id}.children" in d["output"])
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in dep["output"].strip(".").split("...")]
    inputs = [{"id": i["id"], "property": i["property"], "value": 1} for i in dep["inputs"]]
    state = [{"id": s["id"], "property": s["property"], "value": search if s["property"] == "search" else None}
             for s in dep["state"]]
    return json.dumps({"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
                       "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}).encode()


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
    import http.client
    import threading

    done, errors, stop = [0] * connections, [], threading.Event()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            try:
                if body is None:
                    conn.request("GET", path)
                else:
                    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
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


def gunicorn_figures(backend: str, url: str, catalog_path: Path, body: bytes, seconds: float,
                     new_data=None) -> list[Figure]:
    """The overview's refresh callback under 64 connections, against the trivial route, both served by gunicorn
    (2 workers, 4 threads each) in the same run; the workers' RSS (the server's memory, without the bench's
    generator and ingest) under that load and over first views after new data (`new_data()`: one small run)."""
    import os
    import signal
    import subprocess
    import urllib.request

    port = pg.free_port()
    env = {**os.environ, "COCKPIT_DATABASE_URL": url, "COCKPIT_CATALOG": str(catalog_path),
           "COCKPIT_LOAD_DEMO": "false", "COCKPIT_SECRET_KEY": "bench", "COCKPIT_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
                             "--threads", "4", "--bind", f"127.0.0.1:{port}", "bench.wsgi:server"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/ping", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)
        throughput(port, "/_dash-update-component", body, 8, 1.0)  # warm both workers' caches
        trivial = throughput(port, "/_bench/ping", None, 64, seconds)
        with RssSampler(lambda: child_pids(proc.pid)) as under_load:
            overview = throughput(port, "/_dash-update-component", body, 64, seconds)
        with RssSampler(lambda: child_pids(proc.pid)) as after_new_data:
            for _ in range(5 if new_data else 0):
                new_data()  # each worker's first views after it: the previous page, then the new one
                throughput(port, "/_dash-update-component", body, 8, 1.0)
        peak = max((peak_rss_mb(pid) for pid in child_pids(proc.pid)), default=float("nan"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    figures = [Figure(backend, "overview callback under 64 connections (gunicorn, 2 workers)", overview, "req/s",
                      trivial, "trivial route, same server", ">= 25 %"),
               Figure(backend, "server RSS under 64 connections: largest gunicorn worker (sampled)",
                      under_load.largest, "MB", target="<= 300 MB"),
               Figure(backend, "server RSS under 64 connections: both workers together (sampled)", under_load.total,
                      "MB")]
    if new_data:
        figures.append(Figure(backend, "server RSS over 5 runs of new data + first views: largest worker (sampled)",
                              after_new_data.largest, "MB", target="<= 300 MB"))
    figures.append(Figure(backend, "server peak RSS (VmHWM) of a gunicorn worker, whole run incl. new data", peak,
                          "MB", target="<= 300 MB"))
    return figures


def seed_pathway(cockpit, folder: Path) -> None:
    """The demo balance (2010 up to the last published year) and the demo measures with their effects."""
    from cockpit.demo.pathway import load_demo_pathway
    from cockpit.measures.demo import load_demo_measures

    load_demo_measures(cockpit.store, cockpit.catalog)
    load_demo_pathway(cockpit.store, cockpit.catalog, generate.END.date(), folder / "demo")


def page_figures(backend: str, client, trivial_p50: float, repeat: int) -> list[Figure]:
    """Explorer and indicator page renders (Dash Pages routing callback): p50/p95 server time, largest figure."""
    figures = []
    for label, pathname, search in pages.cases():
        body = pages.router_body(pathname, search)
        first = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert first.status_code == 200, (label, first.status_code, first.get_data(as_text=True)[:500])
        sizes = pages.figure_sizes(first.get_json())
        if not sizes:
            raise RuntimeError(f"{label}: no figure in the response")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            response.get_data()
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        for name, q in (("p50", 0.5), ("p95", 0.95)):
            figures.append(Figure(backend, f"{label}, routing callback, {name}",
                                  percentile(times, q) * 1000, "ms", trivial_p50, "trivial route",
                                  "<= 150 ms" if name == "p95" else ""))
        figures.append(Figure(backend, f"{label}: largest of {len(sizes)} figures (JSON)", max(sizes) / 1000, "KB",
                              target="<= 100 KB"))
        figures.append(Figure(backend, f"{label}: whole response", len(first.get_data()) / 1000, "KB"))
    dependencies = client.get("/_dash-dependencies").get_json()
    for label, res, changed in pages.explore_change_cases():
        body = pages.explore_change_body(dependencies, res, changed)

        def change(body=body, label=label) -> None:
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            response.get_data()
            assert response.status_code == 200, (label, response.status_code, response.get_data(as_text=True)[:500])

        change()
        times = [timed(change) for _ in range(repeat)]
        for name, q in (("p50", 0.5), ("p95", 0.95)):
            figures.append(Figure(backend, f"{label}, server time, {name}", percentile(times, q) * 1000, "ms",
                                  trivial_p50, "trivial route", "<= 300 ms" if name == "p95" else ""))
    return figures


STA_PAGE = "/sta/v1.1/Observations?$top=1000"


def sta_figures(backend: str, client, trivial_p50: float, repeat: int) -> list[Figure]:
    """`GET /sta/v1.1/Observations?$top=1000`: the first page of every public Datastream's observations in id
    order (1,000 entities with their quality and links, no $count), the whole request through the WSGI app (rate
    limit, ETag, SQL, JSON body of about 0.4 MB), no If-None-Match: built every time, never a 304."""
    def page() -> None:
        response = client.get(STA_PAGE)
        assert response.status_code == 200 and len(response.get_json()["value"]) == 1000, response.status

    page()
    times = [timed(page) for _ in range(repeat)]
    label = (f"SensorThings {STA_PAGE} (first page of every public Datastream, 1,000 observations in id order, "
             "no $count; public, built each time)")
    return [Figure(backend, f"{label}, {name}", percentile(times, q) * 1000, "ms", trivial_p50, "trivial route",
                   "<= 150 ms") for name, q in (("p50", 0.5), ("p95", 0.95))]


def bench_backend(backend: str, url: str, empty_url: str, size: int, folder: Path, repeat: int,
                  load_seconds: float = 0, browser_loads: int = 0) -> list[Figure]:
    from cockpit.views import build_goals, build_overview, clear_cache
    from layouts import ids

    figures: list[Figure] = []
    catalog_path = bench_catalog(folder, size)
    cockpit = open_bench_cockpit(url, catalog_path)
    empty = open_bench_cockpit(empty_url, catalog_path)

    # ---------------------------------------------------------------- bulk ingest
    rows, seconds, sample, sample_seconds = 0, 0.0, [], 0.0
    loader = generate.bulk_loader(cockpit.store)  # PostgreSQL: the rows after the sample by COPY (generate.py)
    for frame in generate.frames(size):
        if loader and rows >= min(SAMPLE_ROWS, size // 2):
            seconds += loader.add(frame)
            rows += len(frame)
            print(f"  {backend}: {rows:,} rows stored ({rows / seconds:,.0f} rows/s)", file=sys.stderr, end="\r")
            continue
        took = ingest(cockpit, frame)
        if rows < SAMPLE_ROWS:
            sample.append(frame)
            sample_seconds += took
        rows += len(frame)
        seconds += took
        print(f"  {backend}: {rows:,} rows stored ({rows / seconds:,.0f} rows/s)", file=sys.stderr, end="\r")
    if loader:
        seconds += loader.finish()
    print(file=sys.stderr)
    sample_frame = pd.concat(sample, ignore_index=True)
    raw_seconds = raw_insert_seconds(empty.store, sample_frame)
    figures.append(Figure(backend, f"bulk ingest, first {len(sample_frame):,} rows (validate + store + rollups)",
                          len(sample_frame) / sample_seconds, "rows/s", len(sample_frame) / raw_seconds,
                          "raw executemany" if backend == "sqlite" else "raw COPY", ">= 50 %"))
    figures.append(Figure(backend, f"bulk ingest, whole store ({rows:,} rows" + (
        f"; {loader.rows:,} of them by COPY + rollups, no validation" if loader else "") + ")", rows / seconds,
        "rows/s"))
    del sample, sample_frame, frame  # the generator's frames are no part of what is served
    figures.append(Figure(backend, "store size", rows, "rows"))
    figures.append(Figure(backend, "store size on disk (database incl. indexes and rollups)",
                          (generate.store_bytes(cockpit.store) or 0) / 2**30, "GiB"))

    seed_pathway(cockpit, folder)  # the climate balance and the demo measures for /klimapfad

    # ---------------------------------------------------------------- 9-row run
    small_run(empty)
    small_run(cockpit)
    figures.append(Figure(backend, f"9-row run at {rows:,} rows", median_seconds(lambda: small_run(cockpit), repeat)
                          * 1000, "ms", median_seconds(lambda: small_run(empty), repeat) * 1000,
                          "same run, empty store", "<= 2x"))

    # ---------------------------------------------------------------- pages
    from layouts import cache
    from layouts.app import create_app, freeze_startup_objects
    from layouts.components.goal import goals_content
    from layouts.components.tile import overview_content

    clear_cache()
    app = create_app_with_ping(create_app, cockpit)
    freeze_startup_objects()  # as every worker does after startup (run.py)
    client = app.server.test_client()
    overview = callback_body(client, ids.OVERVIEW_CONTENT)
    goals = callback_body(client, ids.GOALS_CONTENT)

    def get_ping():
        assert client.get("/_bench/ping").status_code == 200

    def post(body):
        def call():
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            assert response.status_code in (200, 204), response.status_code
        return call

    for _ in range(20):
        get_ping()
    trivial = [timed(get_ping) for _ in range(max(50, repeat * 20))]
    trivial_p50 = statistics.median(trivial) * 1000
    figures.append(Figure(backend, "trivial Flask route (same WSGI app), p50", trivial_p50, "ms"))

    gc.collect()
    figures.append(Figure(backend, "RSS when serving starts (bench process: generator and ingest before)", rss_mb(),
                          "MB"))
    reset_peak_rss()
    first_overview, first_goals, staff, staff_goals, fresh = [], [], [], [], []
    post(overview)()
    post(goals)()
    for _ in range(repeat):
        small_run(cockpit)  # new data: the viewer gets the previous page, a background thread renders the new one
        first_overview.append(timed(post(overview)))
        fresh.append(timed(cache.wait_for_refreshes))
        small_run(cockpit)
        first_goals.append(timed(post(goals)))
        cache.wait_for_refreshes()
        small_run(cockpit)
        staff.append(timed(lambda: overview_content(build_overview(cockpit, "internal", "de"))))
        small_run(cockpit)
        staff_goals.append(timed(lambda: goals_content(build_goals(cockpit, "internal", "de"))))
    figures.append(Figure(backend, "overview callback, first view after new data, p50",
                          statistics.median(first_overview) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"))
    figures.append(Figure(backend, "goals callback, first view after new data, p50",
                          statistics.median(first_goals) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"))
    figures.append(Figure(backend, "overview: new data on the page (background snapshot + render), p50",
                          statistics.median(fresh) * 1000, "ms", trivial_p50, "trivial route"))
    figures.append(Figure(backend, "staff overview (snapshot + view + render), first after new data, p50",
                          statistics.median(staff) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"))
    figures.append(Figure(backend, "staff goals (snapshot + view + render), first after new data, p50",
                          statistics.median(staff_goals) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"))
    warm_overview = [timed(post(overview)) for _ in range(max(50, repeat * 20))]
    warm_goals = [timed(post(goals)) for _ in range(max(50, repeat * 20))]
    limit = 2 * trivial_p50 + 20
    figures.append(Figure(backend, "overview callback, warm (public, cached), p50",
                          statistics.median(warm_overview) * 1000, "ms", trivial_p50, "trivial route",
                          f"<= 2x + 20 ms = {limit:.1f} ms"))
    figures.append(Figure(backend, "goals callback, warm (public, cached), p50", statistics.median(warm_goals) * 1000,
                          "ms", trivial_p50, "trivial route", f"<= 2x + 20 ms = {limit:.1f} ms"))
    warm_staff = [timed(lambda: goals_content(build_goals(cockpit, "internal", "de"))) for _ in range(repeat * 4)]
    figures.append(Figure(backend, "staff goals (view + render), warm, p50", statistics.median(warm_staff) * 1000,
                          "ms", trivial_p50, "trivial route"))
    figures += page_figures(backend, client, trivial_p50, max(20, repeat * 4))

    figures += sta_figures(backend, client, trivial_p50, max(20, repeat * 4))
    figures.append(Figure(backend, "peak RSS while serving (bench process)", peak_rss_mb(), "MB", target="<= 300 MB"))
    if browser_loads:
        first_ms, warm_ms, fresh_ms, tiles = browser.measure(app.server, browser_loads, lambda: small_run(cockpit))
        cache.wait_for_refreshes()
        figures.append(Figure(backend, f"browser: / fully drawn at 1920x1080 ({tiles} tiles), first visit (empty "
                              "browser cache), 1 load", first_ms, "ms", target="<= 1000 ms"))
        for when, value in (("warm", warm_ms), ("right after new data", fresh_ms)):
            figures.append(Figure(backend, f"browser: / fully drawn at 1920x1080 ({tiles} tiles), {when}, median of "
                                  f"{browser_loads} loads", value, "ms", target="<= 1000 ms"))
    if load_seconds:
        figures += gunicorn_figures(backend, url, catalog_path, overview, load_seconds, lambda: small_run(cockpit))
    cockpit.store.engine.dispose()
    empty.store.engine.dispose()
    return figures


def bench_report(folder: Path, repeat: int) -> list[Figure]:
    """The demo council report (PDF/UA + XLSX) as `python run.py report` makes it, in a fresh process each time on
    a database filled with the demo data: wall time and the process's peak RSS (the issue's targets: <= 10 s,
    <= 400 MB)."""
    import os
    import subprocess

    from cockpit.config import load_settings
    from cockpit.runtime import open_cockpit

    url = f"sqlite:///{folder / 'report.db'}"
    cockpit = open_cockpit(load_settings(database_url=url, load_demo=True))
    cockpit.load_demo_if_empty()
    cockpit.store.engine.dispose()
    env = {**os.environ, "COCKPIT_DATABASE_URL": url}
    times, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _REPORT_CHILD, str(folder / "report.pdf")], env=env,
                             cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - started)
        peaks.append(float(out.stdout.strip().splitlines()[-1]))
    return [Figure("sqlite", "demo council report (PDF/UA + XLSX, de, public), fresh process", statistics.median(times),
                   "s", target="<= 10 s"),
            Figure("sqlite", "demo council report: peak RSS of that process (VmHWM)", max(peaks), "MB",
                   target="<= 400 MB")]


# the child: `run.py report` in-process, then its own peak RSS (VmHWM) in MB on the last line
_REPORT_CHILD = """
import sys
from cockpit.cli import main
from bench.run import peak_rss_mb
code = main(["report", "--period", "2026-H2", "--out", sys.argv[1]])
print(peak_rss_mb())
sys.exit(code)
"""


def table(figures: list[Figure]) -> str:
    lines = ["| backend | measure | value | baseline (same run) | ratio | target |",
             "| --- | --- | ---: | --- | ---: | --- |"]
    for f in figures:
        value = f"{f.value:,.0f} {f.unit}" if f.value >= 100 else f"{f.value:,.2f} {f.unit}"
        base = "" if f.baseline is None else (
            f"{f.baseline:,.0f} {f.unit} ({f.baseline_name})" if f.baseline >= 100
            else f"{f.baseline:,.2f} {f.unit} ({f.baseline_name})")
        ratio = "" if f.ratio is None else (f"{f.ratio:.0%}" if f.unit in ("rows/s", "req/s") else f"{f.ratio:.1f}x")
        lines.append(f"| {f.backend} | {f.name} | {value} | {base} | {ratio} | {f.target} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="rows of the generated store (full: 10000000)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="a PostgreSQL server URL without database (default: start a throwaway one)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each timed step (median reported)")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files go (default: a temp folder)")
    parser.add_argument("--load-seconds", type=float, default=5.0,
                        help="seconds of each 64-connection load test under gunicorn (0: skip)")
    parser.add_argument("--browser-loads", type=int, default=5,
                        help="loads of / in Chromium per condition (warm, after new data); 0: skip the browser")
    parser.add_argument("--report-only", action="store_true",
                        help="only the council report figures (demo data, a few seconds)")
    args = parser.parse_args(argv)
    if args.report_only:
        with tempfile.TemporaryDirectory(prefix="cockpit-bench-", dir=args.workdir) as tmp:
            print(table(bench_report(Path(tmp), min(args.repeat, 3))))
        return 0
    if args.browser_loads and (missing := browser.available()):
        print(f"browser bench skipped: {missing}", file=sys.stderr)
        args.browser_loads = 0

    import logging

    logging.disable(logging.INFO)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-", dir=args.workdir) as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            figures += bench_backend("sqlite", f"sqlite:///{folder / 'bench.db'}", f"sqlite:///{folder / 'empty.db'}",
                                     args.size, folder, args.repeat, args.load_seconds, args.browser_loads)
        if args.backend in ("postgresql", "both"):
            with contextlib.ExitStack() as stack:
                base = args.pg_url or stack.enter_context(pg.server())
                figures += bench_backend("postgresql", pg.create_database(base), pg.create_database(base), args.size,
                                         folder, args.repeat, args.load_seconds, args.browser_loads)
        figures += bench_report(folder, min(args.repeat, 3))
    print(table(figures))
    return 0
