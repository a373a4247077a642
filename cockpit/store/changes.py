"""Which indicators changed since a data version: the write path records, per indicator, the data version of
the latest write that stored its rows (in the same transaction that bumps `data_version`), so a cached view can
re-read only what changed since it was built."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from cockpit.store.schema import indicator_versions, indicators
from cockpit.store.visibility import joined_on


def record(conn: Connection, indicator_ids: Iterable[str], version: int) -> None:
    """Mark `indicator_ids` as changed at data `version` (the one just bumped, in the same serialized write
    transaction)."""
    ids = sorted({str(i) for i in indicator_ids})
    if not ids:
        return
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(indicator_versions)
    stmt = stmt.on_conflict_do_update(index_elements=["indicator_id"], set_={"version": stmt.excluded.version})
    conn.execute(stmt, [dict(indicator_id=i, version=version) for i in ids])


def record_all(conn: Connection, version: int) -> None:
    """Mark every indicator of the catalog as changed at data `version` (after a rebuild of the rollups)."""
    record(conn, conn.execute(select(indicators.c.id)).scalars(), version)


def read_versions(conn: Connection, levels: tuple[str, ...]) -> dict[str, int]:
    """Indicator id -> data version of its latest stored change, for the visible indicators with a record
    (an indicator without one has not changed since the store was upgraded: version 0)."""
    query = select(indicator_versions.c.indicator_id, indicator_versions.c.version).select_from(
        indicator_versions.join(indicators, joined_on(indicator_versions.c.indicator_id, levels)))
    return {str(i): int(v) for i, v in conn.execute(query).all()}
