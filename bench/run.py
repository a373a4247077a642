"""Run the benchmarks and print each figure beside its baseline measured in the same run.

    python -m bench --size 1000000                 # SQLite and PostgreSQL (a throwaway server is started)
    python -m bench --size 20000 --backend sqlite  # the CI smoke size
    python -m bench --backend postgresql --pg-url URL --reuse bench_100m --workdir DIR   # a kept store (reuse.py)

Baselines: a trivial Flask route served by the same WSGI app in the same process (for page and callback
times) or by the same gunicorn server to the same HTTP client (for load and HTTP times), a raw `executemany`
(SQLite) / `COPY` (PostgreSQL) of the same rows into a bare table with the same key (for ingest), and the same
9-row run on an empty store (for small runs). Page opens (the Dash Pages routing callback, what a browser sends when
it opens a URL) and refreshes (a page's interval callback) are separate rows; "after a real ingest" rows wait for
the answer that shows the new data version, not the previous page; RSS rows are the gunicorn workers' only.
Modules: figures (rows, timing, RSS), store (ingest), pages (page renders), load (gunicorn), report, browser.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import browser, generate, pg
from bench.figures import Figure, median_seconds, percentile, table, timed
from bench.load import create_app_with_ping, gunicorn_figures, until_fresh
from bench.pages import callback_body, component_count, page_figures, router_body
from bench.report import bench_report
from bench.reuse import Kept, kept_store, read_record, write_record
from bench.store import (
    bench_catalog,
    generate_store,
    ingest_comparison,
    ingest_figures,
    open_bench_cockpit,
    small_run,
)

DEFAULT_SIZE = 1_000_000
HOME = ("/", "")  # what a browser sends when it opens / (no query: the default language)




def page_open_figures(backend: str, client, cockpit, trivial_p50: float, repeat: int) -> list[Figure]:
    """The page open of `/` in-process: rendered (page cache emptied before each), kept (from the page cache) and
    the first fresh one after a real ingest (asked until the answer shows the new data version)."""
    from layouts import cache

    body = router_body(*HOME)

    def open_home():
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert response.status_code == 200, response.status_code
        return response

    first = open_home()
    payload = first.get_data()
    rendered = []
    for _ in range(max(20, repeat * 4)):
        cache.clear()  # no kept page, no kept refresh: the view snapshot stays (it is per data version)
        rendered.append(timed(open_home))
    kept = [timed(open_home) for _ in range(max(50, repeat * 20))]
    fresh = []
    for _ in range(repeat):
        small_run(cockpit)
        fresh.append(until_fresh(open_home, cockpit.store.data_version()))
    what = "page open of / (routing callback)"
    return [
        Figure(backend, f"{what}: rendered (page cache emptied before each), p50", statistics.median(rendered) * 1000,
               "ms", trivial_p50, "trivial route", "<= 5 ms"),
        Figure(backend, f"{what}: response size", len(payload) / 1000, "KB"),
        Figure(backend, f"{what}: Dash components in the response", component_count(json.loads(payload)),
               "components"),
        Figure(backend, f"{what}: kept page (page cache), p50", statistics.median(kept) * 1000, "ms", trivial_p50,
               "trivial route"),
        Figure(backend, f"{what}: first fresh answer after a real ingest (9-row run), until it shows the new data "
               "version, p50", statistics.median(fresh) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"),
    ]


def refresh_figures(backend: str, client, cockpit, trivial_p50: float, repeat: int) -> list[Figure]:
    """The refresh callbacks of the overview and the goals after a real ingest: the first answer (the previous
    page, stale-while-revalidate) and the first fresh one (that answer, the background render, the next answer);
    then warm (cached) and the staff renders (never cached)."""
    from cockpit.views import build_goals, build_overview
    from layouts import cache, ids
    from layouts.components.goal import goals_content
    from layouts.components.tile import overview_content

    rows = []
    for name, content_id in (("overview", ids.OVERVIEW_CONTENT), ("goals", ids.GOALS_CONTENT)):
        body = callback_body(client, content_id)

        def refresh(body=body):
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            assert response.status_code in (200, 204), response.status_code

        refresh()
        stale, fresh = [], []
        for _ in range(repeat):
            small_run(cockpit)
            started = time.perf_counter()
            refresh()  # the previous page; a background thread renders the new one
            stale.append(time.perf_counter() - started)
            cache.wait_for_refreshes()
            refresh()  # the new page
            fresh.append(time.perf_counter() - started)
        warm = [timed(refresh) for _ in range(max(50, repeat * 20))]
        what = f"{name} refresh callback"
        rows += [Figure(backend, f"{what}: first answer after a real ingest (the previous page, stale-while-"
                        "revalidate), p50", statistics.median(stale) * 1000, "ms", trivial_p50, "trivial route"),
                 Figure(backend, f"{what}: first fresh answer after a real ingest (previous page + background "
                        "render + next answer), p50", statistics.median(fresh) * 1000, "ms", trivial_p50,
                        "trivial route", "<= 150 ms"),
                 Figure(backend, f"{what}: warm (public, cached), p50", statistics.median(warm) * 1000, "ms",
                        trivial_p50, "trivial route", f"<= 2x + 20 ms = {2 * trivial_p50 + 20:.1f} ms")]
    staff, staff_goals = [], []
    for _ in range(repeat):
        small_run(cockpit)
        staff.append(timed(lambda: overview_content(build_overview(cockpit, "internal", "de"))))
        small_run(cockpit)
        staff_goals.append(timed(lambda: goals_content(build_goals(cockpit, "internal", "de"))))
    warm_staff = [timed(lambda: goals_content(build_goals(cockpit, "internal", "de"))) for _ in range(repeat * 4)]
    return rows + [
        Figure(backend, "staff overview (snapshot + view + render), first after a real ingest, p50",
               statistics.median(staff) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"),
        Figure(backend, "staff goals (snapshot + view + render), first after a real ingest, p50",
               statistics.median(staff_goals) * 1000, "ms", trivial_p50, "trivial route", "<= 150 ms"),
        Figure(backend, "staff goals (view + render), warm, p50", statistics.median(warm_staff) * 1000, "ms",
               trivial_p50, "trivial route")]


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


def bench_backend(backend: str, url: str, empty_url: str, size: int | None, folder: Path, repeat: int,
                  load_seconds: float = 0, browser_loads: int = 0, kept: Kept | None = None) -> list[Figure]:
    """Generate the store (or, `kept` and existing, reuse it and the generating run's ingest figures) and measure."""
    from cockpit.views import clear_cache
    from layouts import ids

    figures: list[Figure] = []
    record = read_record(kept.record_path) if kept and kept.exists else None
    if record is not None and size is not None and record["size"] != size:
        print(f"  {backend}: kept store {kept.url.rsplit('/', 1)[-1]} was generated with --size {record['size']:,}"
              f" (not {size:,}): measuring it as it is", file=sys.stderr)
    size = record["size"] if record else (size or DEFAULT_SIZE)
    catalog_path = bench_catalog(folder, size)
    cockpit = open_bench_cockpit(url, catalog_path)
    empty = open_bench_cockpit(empty_url, catalog_path)

    # ---------------------------------------------------------------- bulk ingest (or the generating run's)
    if record is None:
        record = generate_store(backend, cockpit, empty, size, folder)
        if kept:
            write_record(kept.record_path, record)
    elif backend == "sqlite":
        record = {**record, **ingest_comparison(f"sqlite:///{folder / 'sample.db'}", catalog_path, size)}
    else:  # a scratch database on the kept store's server, dropped afterwards
        base = url.rsplit("/", 1)[0]
        scratch = pg.create_database(base, prefix="bench_sample")
        try:
            record = {**record, **ingest_comparison(scratch, catalog_path, size)}
        finally:
            pg.drop_database(scratch)
    figures += ingest_figures(backend, record, kept is not None and kept.exists,
                              generate.store_bytes(cockpit.store))
    rows = record["rows"]

    # ---------------------------------------------------------------- 9-row run
    small_run(empty)
    small_run(cockpit)
    figures.append(Figure(backend, f"9-row run at {rows:,} rows", median_seconds(lambda: small_run(cockpit), repeat)
                          * 1000, "ms", median_seconds(lambda: small_run(empty), repeat) * 1000,
                          "same run, empty store", "<= 2x"))

    # ---------------------------------------------------------------- pages
    from layouts import cache
    from layouts.app import create_app, freeze_startup_objects

    clear_cache()
    app = create_app_with_ping(create_app, cockpit)
    freeze_startup_objects()  # as every worker does after startup (run.py)
    client = app.server.test_client()
    overview = callback_body(client, ids.OVERVIEW_CONTENT)

    def get_ping():
        assert client.get("/_bench/ping").status_code == 200

    for _ in range(20):
        get_ping()
    trivial = [timed(get_ping) for _ in range(max(50, repeat * 20))]
    trivial_p50 = statistics.median(trivial) * 1000
    figures.append(Figure(backend, "trivial Flask route (same WSGI app), p50", trivial_p50, "ms"))
    figures += page_open_figures(backend, client, cockpit, trivial_p50, repeat)
    figures += refresh_figures(backend, client, cockpit, trivial_p50, repeat)
    figures += page_figures(backend, client, trivial_p50, max(20, repeat * 4), cache.clear)

    figures += sta_figures(backend, client, trivial_p50, max(20, repeat * 4))
    if browser_loads:
        first_ms, warm_ms, fresh_ms, tiles = browser.measure(app.server, browser_loads, lambda: small_run(cockpit))
        cache.wait_for_refreshes()
        figures.append(Figure(backend, f"browser: / fully drawn at 1920x1080 ({tiles} tiles), first visit (empty "
                              "browser cache), 1 load", first_ms, "ms", target="<= 1000 ms"))
        for when, value in (("warm", warm_ms), ("right after new data", fresh_ms)):
            figures.append(Figure(backend, f"browser: / fully drawn at 1920x1080 ({tiles} tiles), {when}, median of "
                                  f"{browser_loads} loads", value, "ms", target="<= 1000 ms"))
    if load_seconds:
        figures += gunicorn_figures(backend, url, catalog_path, router_body(*HOME), overview, load_seconds,
                                    lambda: small_run(cockpit), cockpit.store.data_version)
    cockpit.store.engine.dispose()
    empty.store.engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, help=f"rows of the generated store (default {DEFAULT_SIZE:,}; full: "
                        "10000000; a kept store of --reuse has its own)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", help="a PostgreSQL server URL without database (default: start a throwaway one)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each timed step (median reported)")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files go (default: a temp folder)")
    parser.add_argument("--load-seconds", type=float, default=5.0,
                        help="seconds of each 64-connection load test under gunicorn (0: skip)")
    parser.add_argument("--browser-loads", type=int, default=5,
                        help="loads of / in Chromium per condition (warm, after new data); 0: skip the browser")
    parser.add_argument("--reuse", metavar="NAME",
                        help="keep the generated store as NAME (SQLite: NAME.db in --workdir; PostgreSQL: database NAME "
                        "on --pg-url) with its generation record (--workdir/bench-record-NAME-BACKEND.json); a later "
                        "run with the same NAME measures it without generating it again (ingest rows: the generating "
                        "run's, with its time)")
    parser.add_argument("--record", type=Path, metavar="JSON",
                        help="with --reuse: the generation record of an existing store (default: the one --reuse "
                        "writes), e.g. the JSON of a generation script with the same keys (bench/reuse.py)")
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

    if args.reuse and args.workdir is None:
        parser.error("--reuse needs --workdir (where the record and SQLite files are kept)")
    if args.record and (not args.reuse or args.backend == "both"):
        parser.error("--record needs --reuse and one --backend")

    import logging

    logging.disable(logging.INFO)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-", dir=args.workdir) as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            kept = kept_store("sqlite", args.reuse, args.workdir, record=args.record) if args.reuse else None
            url, empty_url = ((kept.url, kept.empty_url) if kept else
                              (f"sqlite:///{folder / 'bench.db'}", f"sqlite:///{folder / 'empty.db'}"))
            figures += bench_backend("sqlite", url, empty_url, args.size, folder, args.repeat, args.load_seconds,
                                     args.browser_loads, kept)
        if args.backend in ("postgresql", "both"):
            with contextlib.ExitStack() as stack:
                if args.reuse:
                    kept = kept_store("postgresql", args.reuse, args.workdir, args.pg_url, args.record)
                    url, empty_url = kept.url, kept.empty_url
                else:
                    kept, base = None, args.pg_url or stack.enter_context(pg.server())
                    url, empty_url = pg.create_database(base), pg.create_database(base)
                figures += bench_backend("postgresql", url, empty_url, args.size, folder, args.repeat,
                                         args.load_seconds, args.browser_loads, kept)
        figures += bench_report(folder, min(args.repeat, 3))
    print(table(figures))
    return 0
