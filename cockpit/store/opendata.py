"""Reads for the open-data API (paged raw observations of visible indicators, the time of the latest data
change) and the API's rate-limit counters shared by every worker process."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from cockpit.store.observations import _frame, _visible
from cockpit.store.schema import indicators, job_runs, observations, rate_limits

HIT_WAIT_MS = 1000  # SQLite: how long a rate-limit count waits for a running write (then: 503, Retry-After)
PAGE_COLUMNS = ["indicator", "district", "period_start", "period_end", "value"]


def read_observation_page(conn: Connection, levels: tuple[str, ...], indicator_id: str, district: str = "",
                          start: datetime | None = None, end: datetime | None = None, offset: int = 0,
                          limit: int = 100) -> tuple[pd.DataFrame, int]:
    """One page of an indicator's observations (oldest first) if its visibility is in `levels`, and the total
    count; since <= period_start < until. An indicator the viewer may not see has no rows at all."""
    conditions = [observations.c.indicator_id == indicator_id, observations.c.district == district]
    if start is not None:
        conditions.append(observations.c.period_start >= start)
    if end is not None:
        conditions.append(observations.c.period_start < end)
    joined = observations.join(indicators, _visible(levels))
    total = conn.execute(select(func.count()).select_from(joined).where(*conditions)).scalar_one()
    query = select(
        observations.c.indicator_id.label("indicator"), observations.c.district, observations.c.period_start,
        observations.c.period_end, observations.c.value,
    ).select_from(joined).where(*conditions).order_by(observations.c.period_start).offset(offset).limit(limit)
    return _frame(conn.execute(query).mappings().all(), PAGE_COLUMNS), int(total)


def read_data_changed_at(conn: Connection) -> datetime | None:
    """When the latest run that stored rows finished (UTC), or None before the first data."""
    return conn.execute(select(func.max(job_runs.c.finished_at)).where(job_runs.c.rows_stored > 0)).scalar_one()


def count_hit(conn: Connection, client: str, window: int) -> tuple[int, int]:
    """Add one hit for `client` in `window`; (the window's hits, the previous window's hits), in one transaction
    (an atomic upsert on both backends). A client's first hit in a window also drops the counters of windows
    before the previous one."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(rate_limits).values(client=client, window=window, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[rate_limits.c.client, rate_limits.c.window],
        set_={"hits": rate_limits.c.hits + 1},
    ).returning(rate_limits.c.hits)
    hits = int(conn.execute(statement).scalar_one())
    if hits == 1:
        conn.execute(delete(rate_limits).where(rate_limits.c.window < window - 1))
    previous = conn.execute(select(rate_limits.c.hits).where(rate_limits.c.client == client,
                                                             rate_limits.c.window == window - 1)).scalar()
    return hits, int(previous or 0)
