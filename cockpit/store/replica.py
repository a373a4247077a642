"""Reads from a streaming replica (COCKPIT_DATABASE_READ_URL) that never show data older than the primary's.

The primary's data version (`runs.read_data_version`) grows in every write transaction that changes what the
pages show, and streaming replication carries that row to the replica with the data it counts. A read may go to
the replica only when the replica's data version has reached the newest version this process has seen on the
primary (read at most `recheck` seconds ago, and again after each of its own writes). A replica that is behind
gets `wait` seconds to catch up, then the read goes to the primary; an unreachable replica is left alone for
`retry` seconds. So a page rendered for data version V reads data of version >= V, whichever database answers.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from cockpit.store import runs

log = logging.getLogger(__name__)

# 0 when the replica has replayed everything it received (an idle primary is not "lag"), else the age of the
# last transaction it replayed
_LAG_SQL = text(
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0 "
    "ELSE EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp())) END")


def replay_lag(conn: Connection) -> tuple[bool, float | None]:
    """(in recovery, seconds the replica's replay is behind what it received; None when it cannot tell)."""
    in_recovery, lag = conn.execute(_LAG_SQL).one()
    return bool(in_recovery), None if lag is None else max(0.0, float(lag))


class ReplicaGuard:
    """Decides per read whether the replica is fresh enough (thread-safe; one per store)."""

    def __init__(self, primary: Engine, replica: Engine, wait: float = 0.2, recheck: float = 1.0,
                 retry: float = 5.0):
        self.primary, self.replica = primary, replica
        self.wait, self.recheck, self.retry = wait, recheck, retry
        self._lock = threading.Lock()
        self._primary_version = 0
        self._primary_read_at = float("-inf")
        self._replica_version = -1
        self._down_until = float("-inf")
        self.replica_reads = 0
        self.fallbacks = 0  # reads sent to the primary because the replica was behind or down

    def saw_primary(self, version: int) -> None:
        """The primary's data version as just read (by `Store.data_version` or here)."""
        with self._lock:
            self._primary_version = max(self._primary_version, version)
            self._primary_read_at = time.monotonic()

    def primary_changed(self) -> None:
        """This process wrote to the primary: read its version again before the next replica read."""
        with self._lock:
            self._primary_read_at = float("-inf")

    def _required(self) -> int:
        with self._lock:
            stale = time.monotonic() - self._primary_read_at > self.recheck
        if stale:
            with self.primary.connect() as conn:
                self.saw_primary(runs.read_data_version(conn))
        return self._primary_version

    def _replica_data_version(self) -> int | None:
        try:
            with self.replica.connect() as conn:
                version = runs.read_data_version(conn)
        except SQLAlchemyError as exc:
            log.warning("read replica unreachable, reading from the primary for %.0f s: %s", self.retry,
                        str(exc).splitlines()[0][:200])
            self._down_until = time.monotonic() + self.retry
            return None
        self._replica_version = version  # not max(): a replica rebuilt from an older base backup counts as behind
        return version

    def use_replica(self) -> bool:
        """True when a read may go to the replica now (it has caught up with the primary's data version)."""
        if time.monotonic() < self._down_until:
            return self._fallback()
        required = self._required()
        if self._replica_version >= required:
            self.replica_reads += 1
            return True
        deadline = time.monotonic() + self.wait
        while True:
            version = self._replica_data_version()
            if version is None:
                return self._fallback()
            if version >= required:
                self.replica_reads += 1
                return True
            if time.monotonic() >= deadline:
                return self._fallback()
            time.sleep(0.02)

    def _fallback(self) -> bool:
        self.fallbacks += 1
        return False

    def status(self, primary_version: int) -> dict:
        """For the health endpoint: the replica's state, its data version, how far behind and how late."""
        self.saw_primary(primary_version)
        found = {"configured": True, "primary_version": primary_version, "replica_reads": self.replica_reads,
                 "fallbacks": self.fallbacks}
        try:
            with self.replica.connect() as conn:
                version = runs.read_data_version(conn)
                in_recovery, lag = replay_lag(conn)
        except SQLAlchemyError as exc:
            return {**found, "state": "unreachable", "error": str(exc).splitlines()[0][:200]}
        self._replica_version = version
        behind = max(0, primary_version - version)
        state = "ok" if behind == 0 else "behind"
        if not in_recovery:
            state = "not-a-replica"  # promoted, or the URL names a primary: still readable, but say so
        return {**found, "state": state, "replica_version": version, "versions_behind": behind,
                "replay_lag_seconds": None if lag is None else round(lag, 3)}
