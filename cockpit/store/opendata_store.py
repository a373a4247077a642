"""The store's reads and counters for the open-data API and embeds: raw observation pages, the time of the last
change, the request counter of the rate limit."""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from cockpit.roles import Role, visible_levels
from cockpit.store import opendata
from cockpit.store.base import StoreBase

log = logging.getLogger(__name__)


class OpenDataStore(StoreBase):
    def observation_page(self, role: Role | str, indicator_id: str, district: str = "",
                         since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                         limit: int = 100) -> tuple[pd.DataFrame, int]:
        """One page (oldest first) of an indicator's raw observations the viewer may see, and the total count:
        columns indicator, district, period_start, period_end (UTC), value. For the open-data API only."""
        with self._read() as conn:
            return opendata.read_observation_page(conn, visible_levels(role), indicator_id, district, since,
                                                  until, offset, limit)

    def data_changed_at(self) -> datetime | None:
        """When observations last changed (the end of the latest run that stored rows), UTC; for Last-Modified."""
        with self._read() as conn:
            return opendata.read_data_changed_at(conn)

    def count_hit(self, client: str, window: int) -> int | None:
        """Count one request of `client` in the fixed time window `window`; the window's hits so far, or None when
        the database could not count it now. Shared by every worker (a small own transaction: never waits for the
        ingest writer lock on PostgreSQL, at most HIT_WAIT_MS for it on SQLite)."""
        try:
            return self._count_hit(client, window)
        except SQLAlchemyError as exc:  # the limit is a protection, not a gate: never fail a request over it
            log.warning("rate limit not counted: %s", exc)
            return None

    def _count_hit(self, client: str, window: int) -> int:
        with self.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # wait briefly for a running ingest write, then give up (callers let the request pass)
                conn.exec_driver_sql(f"PRAGMA busy_timeout={opendata.HIT_WAIT_MS}")
                conn.commit()
            try:
                with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
                    return opendata.count_hit(conn, client, window)
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")
                    conn.commit()
