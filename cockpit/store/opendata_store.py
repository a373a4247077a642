"""The store's reads and counters for the open-data API and embeds: raw observation pages, the time of the last
change, the request counter of the rate limit."""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cockpit.roles import Role, visible_levels
from cockpit.store import opendata
from cockpit.store.base import StoreBase
from cockpit.store.engine import make_engine
from cockpit.store.schema import rate_limits as rate_limits_table

log = logging.getLogger(__name__)
_HITS_LOCK = threading.Lock()  # OpenDataStore.rate_limit_engine: one counters engine per store


class OpenDataStore(StoreBase):
    def observation_page(self, role: Role | str, indicator_id: str, district: str = "",
                         since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                         limit: int = 100) -> tuple[pd.DataFrame, int]:
        """One page (oldest first) of an indicator's raw observations the viewer may see, and the total count:
        columns indicator, district, period_start, period_end (UTC), value. For the open-data API only."""
        with self._replica_read() as conn:
            return opendata.read_observation_page(conn, visible_levels(role), indicator_id, district, since,
                                                  until, offset, limit)

    def data_changed_at(self) -> datetime | None:
        """When observations last changed (the end of the latest run that stored rows), UTC; for Last-Modified."""
        with self._replica_read() as conn:
            return opendata.read_data_changed_at(conn)

    def count_hit(self, client: str, window: int) -> tuple[int, int] | None:
        """Count one request of `client` in the fixed time window `window`: (hits in this window, hits in the
        previous one) for a sliding-window estimate, or None when the database could not count it now (the
        caller refuses the request: the limit fails closed). Shared by every worker (a small own transaction,
        apart from the ingest writer lock: see rate_limit_engine; at most HIT_WAIT_MS of waiting on SQLite)."""
        try:
            return self._count_hit(client, window)
        except SQLAlchemyError as exc:
            log.warning("rate limit not counted (request refused with 503): %s", str(exc).splitlines()[0][:200])
            return None

    def rate_limit_engine(self) -> Engine:
        """Where the API's rate-limit counters live. PostgreSQL: the store's database (row locks only). SQLite: a
        small database file next to the store's (`<file>-ratelimit`, created on first use; counters only, nothing
        to back up), so that counting a request never waits for an ingest write holding the main file's lock."""
        if self.engine.dialect.name != "sqlite":
            return self.engine
        with _HITS_LOCK:
            found = getattr(self, "_hits_engine", None)
            if found is None:
                database = self.engine.url.database
                if not database or database == ":memory:":
                    found = self.engine
                else:
                    found = make_engine(f"sqlite:///{database}-ratelimit")
                    with suppress(SQLAlchemyError):  # created by another worker at the same moment
                        rate_limits_table.create(found, checkfirst=True)
                self._hits_engine = found
            return found

    def _count_hit(self, client: str, window: int) -> tuple[int, int]:
        with self.rate_limit_engine().connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # wait briefly for another worker's count, then give up (callers refuse the request)
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
