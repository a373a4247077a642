"""The base of the store's façade (`cockpit.store.Store`): the engine and its read and write transactions.

The façade is put together from one class per area (`accounts_store`, `opendata_store`, `wall_store`, and the
rest in `cockpit/store/__init__.py`); the SQL of each area is in its own module (`accounts`, `opendata`, ...).

Reads: `_read()` is the primary (accounts, sessions, runs, the ingest path: whatever must see its own writes);
`_replica_read()` is for what pages and the API show, and goes to the read replica when one is configured and
has caught up with the primary's data version (`cockpit.store.replica`), else to the primary too.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, func, select

from cockpit.store.replica import ReplicaGuard

WRITE_LOCK_KEY = 0x636F636B  # "cock": the advisory lock id that serializes writers on PostgreSQL

# set (per thread / request) by `StoreBase.primary()`: every read of this context goes to the primary
_PRIMARY_ONLY: ContextVar[bool] = ContextVar("cockpit_primary_only", default=False)


def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else engine


class StoreBase:
    """The engine (SQLite file in WAL mode, or PostgreSQL) and its transactions, shared by every part of the
    façade; with `read_engine` (a streaming replica of the PostgreSQL primary) the page and API reads go there
    while it is not behind (`read_wait`: seconds a read waits for a replica that is behind)."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None, read_wait: float = 0.2):
        self.engine = engine
        self.read_engine = read_engine
        # the data version is read on every cached page request: on PostgreSQL in autocommit, which saves the
        # BEGIN and ROLLBACK round trips of a transaction around a one-row read (about half of its time)
        self._version_engine = _autocommit(engine)
        # page and API reads on PostgreSQL in autocommit too: under READ COMMITTED every statement takes its own
        # snapshot anyway, so a transaction around reads only adds its BEGIN and ROLLBACK round trips (two of
        # the three a one-statement read had; a page render made up to a dozen of them)
        self._read_replica_engine = _autocommit(read_engine) if read_engine is not None else None
        self.replica = (ReplicaGuard(self._version_engine, self._read_replica_engine, wait=read_wait)
                        if read_engine is not None else None)

    @contextmanager
    def _write(self):
        """One write transaction; writers are serialized so that concurrent runs of sources sharing keys
        neither fail nor double a row: BEGIN IMMEDIATE on SQLite, a transaction-scoped advisory lock on PostgreSQL."""
        with self.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield conn
        if self.replica is not None:
            self.replica.primary_changed()

    def _read(self) -> Connection:
        """A connection to the primary."""
        return self.engine.connect()

    def _replica_read(self) -> Connection:
        """A connection for what pages and the API show: the replica when it has caught up, else the primary."""
        return self._reads_engine().connect()

    def _reads_engine(self) -> Engine:
        """The engine of page and API reads (autocommit on PostgreSQL: reads only, see __init__)."""
        if self.replica is None or _PRIMARY_ONLY.get() or not self.replica.use_replica():
            return self._version_engine
        return self._read_replica_engine

    @contextmanager
    def primary(self):
        """Every read inside goes to the primary (e.g. a signed-in member of staff's request: they see their own
        writes at once, whatever the replica's lag)."""
        token = _PRIMARY_ONLY.set(True)
        try:
            yield self
        finally:
            _PRIMARY_ONLY.reset(token)
