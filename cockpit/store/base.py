"""The base of the store's façade (`cockpit.store.Store`): the engine and its read and write transactions.

The façade is put together from one class per area (`accounts_store`, `opendata_store`, `wall_store`, and the
rest in `cockpit/store/__init__.py`); the SQL of each area is in its own module (`accounts`, `opendata`, ...).
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select

WRITE_LOCK_KEY = 0x636F636B  # "cock": the advisory lock id that serializes writers on PostgreSQL


class StoreBase:
    """The engine (SQLite file in WAL mode, or PostgreSQL) and its transactions, shared by every part of the
    façade."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # the data version is read on every cached page request: on PostgreSQL in autocommit, which saves the
        # BEGIN and ROLLBACK round trips of a transaction around a one-row read (about half of its time)
        self._version_engine = (engine.execution_options(isolation_level="AUTOCOMMIT")
                                if engine.dialect.name == "postgresql" else engine)

    @contextmanager
    def _write(self):
        """One write transaction; writers are serialized so that concurrent runs of sources sharing keys
        neither fail nor double a row: BEGIN IMMEDIATE on SQLite, a transaction-scoped advisory lock on PostgreSQL."""
        with self.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield conn

    def _read(self) -> Connection:
        return self.engine.connect()
