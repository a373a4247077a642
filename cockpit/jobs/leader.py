"""Exactly one scheduler across worker processes and hosts: a lease in the database.

Every `serve` (and the separate `scheduler` command) competes for the lease `scheduler`; only its holder runs
the APScheduler jobs. The holder renews the lease every TTL/4 seconds; a holder that dies stops renewing, and
after TTL seconds another process takes over. Taking and renewing are serialized with every other writer of
the store (BEGIN IMMEDIATE on SQLite, the advisory write lock on PostgreSQL), so two processes never hold it at
once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from cockpit.store import Store

log = logging.getLogger(__name__)

LEASE = "scheduler"
TTL = timedelta(seconds=30)


def holder_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderScheduler:
    """Runs the scheduler made by `factory` while this process holds the lease."""

    def __init__(self, store: Store, factory: Callable[[], BaseScheduler], ttl: timedelta = TTL):
        self.store, self.factory, self.ttl = store, factory, ttl
        self.holder = holder_id()
        self.scheduler: BaseScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def tick(self) -> bool:
        """Take or renew the lease; start or stop the scheduler to match. True while leading."""
        try:
            held = self.store.take_lease(LEASE, self.holder, self.ttl)
        except Exception as exc:  # noqa: BLE001 - a database hiccup: stop scheduling rather than risk doubles
            log.warning("scheduler lease: %s", exc)
            held = False
        if held and self.scheduler is None:
            self.scheduler = self.factory()
            self.scheduler.start()
            log.info("scheduler started with %d jobs (lease holder %s)", len(self.scheduler.get_jobs()), self.holder)
        elif not held and self.scheduler is not None:
            log.warning("scheduler lease lost: stopping this process's scheduler")
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        return held

    def _loop(self) -> None:
        interval = self.ttl.total_seconds() / 4
        while True:
            self.tick()
            if self._stop.wait(interval):
                return

    def start(self) -> None:
        """Compete for the lease in a background thread."""
        self._thread = threading.Thread(target=self._loop, name="scheduler-lease", daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        """Compete for the lease in this thread until interrupted (the `scheduler` command)."""
        try:
            self._loop()
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self._stop.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            try:
                self.store.drop_lease(LEASE, self.holder)
            except Exception as exc:  # noqa: BLE001 - the lease then simply expires
                log.warning("scheduler lease not released: %s", exc)
