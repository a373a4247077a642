"""SQLite under a concurrent reader and writers (separate processes, like web and scheduler): never 'locked'."""

from __future__ import annotations

import multiprocessing as mp

from cockpit.sources.base import make_frame
from cockpit.store import Store

ROUNDS = 40


def _writer(url: str, source: str, offset: int, errors) -> None:
    try:
        store = Store.from_url(url)
        for i in range(ROUNDS):
            rows = [dict(indicator="renewable-share-electricity", district="",
                         period_start=f"20{10 + offset}-01-01T00:00:00Z", period_end=None, value=40.0 + i + day,
                         raw="") for day in range(50)]
            frame = make_frame(rows)
            frame["period_start"] = frame["period_start"] + frame.index.to_series().map(
                lambda d: __import__("pandas").Timedelta(days=d))
            run = store.start_run(source)
            store.write_batch(source, run, frame, [], len(frame))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"{source}: {type(exc).__name__}: {exc}")


def _reader(url: str, errors) -> None:
    try:
        store = Store.from_url(url)
        for _ in range(ROUNDS * 3):
            store.observations("public")
            store.latest("public")
            store.monthly("public")
            store.runs()
    except Exception as exc:  # noqa: BLE001
        errors.put(f"reader: {type(exc).__name__}: {exc}")


def test_concurrent_reader_and_writers_do_not_fail_with_database_is_locked(tmp_path, catalog):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store.from_url(url)
    store.migrate()
    store.sync_catalog(catalog)
    ctx = mp.get_context("spawn")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, "writer-a", 0, errors)),
             ctx.Process(target=_writer, args=(url, "writer-b", 1, errors)),
             ctx.Process(target=_reader, args=(url, errors)),
             ctx.Process(target=_reader, args=(url, errors))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert all(p.exitcode == 0 for p in procs)
    runs = store.runs(limit=1000)
    assert len(runs) == 2 * ROUNDS and set(runs["status"]) == {"ok"}
    assert len(store.observations("public")) == 100
