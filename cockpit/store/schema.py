"""Tables of the store (SQLAlchemy Core); the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store takes timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("domain", String(16), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("aggregation", String(8), nullable=False),
    Column("rhythm", String(32), nullable=False),
    Column("spatial", String(16), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_stored", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("error", Text),
    Index("ix_job_runs_source_started", "source_id", "started_at"),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(64), ForeignKey("indicators.id"), nullable=False),
    Column("district", String(64), nullable=False, default=""),  # "" = city-wide
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime),
    Column("value", Float, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("run_id", Integer, ForeignKey("job_runs.id")),
    Column("ingested_at", UTCDateTime, nullable=False),
    UniqueConstraint("indicator_id", "district", "period_start", name="uq_observations_key"),
)

observation_revisions = Table(
    "observation_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", Integer, ForeignKey("observations.id"), nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("run_id", Integer, ForeignKey("job_runs.id")),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("replaced_at", UTCDateTime, nullable=False),
    Column("replaced_by_run", Integer, ForeignKey("job_runs.id")),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("job_runs.id"), nullable=False),
    Column("raw", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

payload_archive = Table(
    "payload_archive",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("job_runs.id"), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),  # uncompressed bytes
    Column("compressed", LargeBinary, nullable=False),
    Column("reprocessed", Boolean, nullable=False, default=False),
)

# --- perf
# Aggregates per indicator, district and Europe/Berlin calendar bucket (grain 'day', 'month' or 'year'), kept
# exact in the same transaction as every observation write (cockpit/store/rollups.py). `bucket` is the local
# start date of the bucket as 'YYYY-MM-DD' (so string order is time order on every backend).
rollups = Table(
    "rollups",
    metadata,
    Column("grain", String(5), primary_key=True),
    Column("indicator_id", String(64), primary_key=True),
    Column("district", String(64), primary_key=True),
    Column("bucket", String(10), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("sum", Float, nullable=False),
    Column("min", Float, nullable=False),
    Column("max", Float, nullable=False),
    Column("last_value", Float, nullable=False),
    Column("last_start", UTCDateTime, nullable=False),
)

# How many observations of each indicator each source currently holds (n > 0: the source delivered it).
indicator_sources = Table(
    "indicator_sources",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("source_id", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)
