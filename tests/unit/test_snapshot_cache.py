"""Snapshots are stale-while-revalidate: after new data one viewer recomputes while the others keep getting the
previous snapshot; viewers arriving together compute one snapshot, not one each."""

from __future__ import annotations

import importlib
import threading
from datetime import date

import pytest

from cockpit.sources.base import make_frame
from cockpit.views import snapshot

snapshot_module = importlib.import_module("cockpit.readmodel.snapshot")  # the module, not the function
DAY = date(2026, 11, 22)


@pytest.fixture
def cockpit(empty_cockpit):
    return empty_cockpit


def write(cockpit, start: str, value: float) -> None:
    frame = make_frame([dict(indicator="recycling-rate", district="", period_start=start, period_end=None,
                             value=value, raw="")])
    cockpit.store.write_batch("src", cockpit.store.start_run("src"), frame, [], 1)


class GatedReads:
    """Wraps read_snapshot: counts the calls and holds each one until `release` is set."""

    def __init__(self, real):
        self.real, self.calls, self.entered, self.release = real, 0, threading.Event(), threading.Event()
        self.count_lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self.count_lock:
            self.calls += 1
        self.entered.set()
        assert self.release.wait(30)
        return self.real(*args, **kwargs)


def in_thread(func, results, index):
    def target():
        results[index] = func()
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_viewers_get_the_previous_snapshot_while_one_recomputes(cockpit, monkeypatch):
    write(cockpit, "2026-09-01T00:00:00+02:00", 55.0)
    old = snapshot(cockpit, "public", DAY)
    write(cockpit, "2026-10-01T00:00:00+02:00", 57.0)
    gate = GatedReads(snapshot_module.read_snapshot)
    monkeypatch.setattr(snapshot_module, "read_snapshot", gate)
    results = [None]
    recomputing = in_thread(lambda: snapshot(cockpit, "public", DAY), results, 0)
    assert gate.entered.wait(30)
    # while the recomputation is held, everyone else is served the previous snapshot at once
    assert all(snapshot(cockpit, "public", DAY) is old for _ in range(5))
    gate.release.set()
    recomputing.join(30)
    fresh = results[0]
    assert fresh is not old and fresh.version > old.version
    assert fresh.latest.set_index("indicator").loc["recycling-rate", "value"].tolist()[0] == 57.0
    assert snapshot(cockpit, "public", DAY) is fresh
    assert gate.calls == 1


def test_viewers_arriving_together_without_a_snapshot_compute_it_once(cockpit, monkeypatch):
    write(cockpit, "2026-09-01T00:00:00+02:00", 55.0)
    gate = GatedReads(snapshot_module.read_snapshot)
    monkeypatch.setattr(snapshot_module, "read_snapshot", gate)
    results = [None] * 6
    threads = [in_thread(lambda: snapshot(cockpit, "public", DAY), results, i) for i in range(6)]
    assert gate.entered.wait(30)
    gate.release.set()
    for thread in threads:
        thread.join(30)
    assert gate.calls == 1
    assert all(r is results[0] for r in results) and results[0] is not None


def test_a_recomputation_of_one_role_does_not_hold_up_another(cockpit, monkeypatch):
    write(cockpit, "2026-09-01T00:00:00+02:00", 55.0)
    internal = snapshot(cockpit, "internal", DAY)
    gate = GatedReads(snapshot_module.read_snapshot)
    monkeypatch.setattr(snapshot_module, "read_snapshot", gate)
    results = [None]
    public = in_thread(lambda: snapshot(cockpit, "public", DAY), results, 0)
    assert gate.entered.wait(30)
    assert snapshot(cockpit, "internal", DAY) is internal  # served while the public one is being computed
    gate.release.set()
    public.join(30)
    assert results[0].role.value == "public"
