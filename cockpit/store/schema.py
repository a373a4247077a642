"""Tables of the store (SQLAlchemy Core); the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
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

# One row: a counter that grows in the write transaction of every change the pages show (new or revised
# observations, measure definitions and reports). Writers are serialized, so the counter grows in commit order;
# a run id would not: runs start in one order and commit in another.
data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)

# On PostgreSQL partitioned by UTC year since migration 0013 (cockpit/store/partitions.py): there the primary key is
# (id, period_start), since every unique key of a partitioned table contains the partition key.
observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(64), nullable=False),
    Column("district", String(64), nullable=False, default=""),  # "" = city-wide
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime),
    Column("value", Float, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("run_id", Integer),
    Column("ingested_at", UTCDateTime, nullable=False),
    UniqueConstraint("indicator_id", "district", "period_start", name="uq_observations_key"),
    # Enforced by SQLite (one index seek per row); on PostgreSQL a per-row trigger each, so migration 0010_ingest
    # dropped them there and the store checks both once per batch (cockpit.store.observations.upsert).
    ForeignKeyConstraint(["indicator_id"], ["indicators.id"]).ddl_if(dialect="sqlite"),
    ForeignKeyConstraint(["run_id"], ["job_runs.id"]).ddl_if(dialect="sqlite"),
)

observation_revisions = Table(
    "observation_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("observation_id", Integer, nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("run_id", Integer, ForeignKey("job_runs.id")),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("replaced_at", UTCDateTime, nullable=False),
    Column("replaced_by_run", Integer, ForeignKey("job_runs.id")),
    # SQLite only: a partitioned table's id alone is no key on PostgreSQL (migration 0013); written together there
    ForeignKeyConstraint(["observation_id"], ["observations.id"]).ddl_if(dialect="sqlite"),
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


# --- formats
# Quarantine deduplication: the same raw record with the same reason is kept once per source; a repetition
# counts up `times_seen` and moves `last_run_id` / `last_seen_at` (migration 0003_quarantine_dedup).
quarantine.append_column(Column("fingerprint", String(64), nullable=True))
quarantine.append_column(Column("times_seen", Integer, nullable=False, default=1, server_default="1"))
quarantine.append_column(Column("last_run_id", Integer, nullable=True))
quarantine.append_column(Column("last_seen_at", UTCDateTime, nullable=True))
Index("ix_quarantine_source_fingerprint", quarantine.c.source_id, quarantine.c.fingerprint)

# --- measures
measures = Table(
    "measures",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name_de", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("description_de", Text, nullable=False),
    Column("description_en", Text, nullable=False),
    Column("field", String(64), nullable=False),
    Column("department", String(64), nullable=False, index=True),
    Column("contact", Text),
    Column("status", String(16), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("budget_eur", Float),
    Column("visibility", String(16), nullable=False),
    Column("reporting", String(32), nullable=False),
    Column("demo", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

measure_links = Table(
    "measure_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # goal | indicator
    Column("target_id", String(64), nullable=False),
    Column("direction", String(16), nullable=False),  # decrease | increase
    Column("effect_value", Float),
    Column("effect_from_year", Integer),
)

measure_milestones = Table(
    "measure_milestones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("milestone_id", String(64), nullable=False),
    Column("name_de", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("reached", Date),
)

measure_checks = Table(
    "measure_checks",
    metadata,
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("dimension", String(16), primary_key=True),  # ecological | social | economic
    Column("assessment", String(16), nullable=False),  # positive | neutral | negative
    Column("justification_de", Text, nullable=False),
    Column("justification_en", Text, nullable=False),
)

measure_reports = Table(
    "measure_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("author", String(120), nullable=False),
    Column("status", String(16), nullable=False),
    Column("percent", Integer),
    Column("milestone_id", String(64)),
    Column("text", Text, nullable=False),
)

alert_states = Table(
    "alert_states",
    metadata,
    Column("key", String(200), primary_key=True),  # '<rule id>:<subject>'
    Column("rule_id", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("firing", Boolean, nullable=False),
    Column("value", String(64)),  # last seen value (goal status)
    Column("baseline", String(64)),  # the value before it got worse (goal status)
    Column("changed_at", UTCDateTime, nullable=False),
)

alert_log = Table(
    "alert_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("event", String(16), nullable=False),  # fired | recovered
    Column("message", Text, nullable=False),
    Column("channels", Text, nullable=False),  # JSON: {channel id: "ok" | error text}
    Column("created_at", UTCDateTime, nullable=False, index=True),
)


# --- accounts
indicators.append_column(Column("owner", String(64)))  # owning department (catalog `owner`), for department visibility

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("department", String(64)),  # a catalog department id
    Column("role", String(16), nullable=False),  # staff | admin
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", Text),  # argon2id; NULL for single-sign-on accounts
    Column("oidc_subject", String(255), unique=True),  # "<issuer> <sub>" of a single-sign-on account
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the random id in the cookie
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # absolute end
    Column("revoked_at", UTCDateTime),
    Column("address", String(64)),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("login", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_login_at", "login", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(64)),  # login name, or "cli" for the command line
    Column("action", String(32), nullable=False),
    Column("target", String(128)),
    Column("address", String(64)),
    Column("detail", Text),
)

scheduler_leases = Table(
    "scheduler_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)


# --- embed
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("client", String(128), primary_key=True),  # e.g. "api:203.0.113.9"
    Column("window", Integer, primary_key=True),  # window number: epoch seconds // window length
    Column("hits", Integer, nullable=False, default=0),
    Index("ix_rate_limits_window", "window"),
)


# --- wall
wall_tokens = Table(
    "wall_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token; never the token
    Column("slides", Text, nullable=False, default=""),  # comma-separated slide specs; "" = the URL decides
    Column("internal", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)


# Archived council reports: the PDF and XLSX bytes with their SHA-256, never regenerated (cockpit/reports).
archived_reports = Table(
    "archived_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(10), nullable=False),  # '2026-H2'
    Column("audience", String(10), nullable=False),  # public | internal
    Column("lang", String(2), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False, default=""),
    Column("data_version", Integer, nullable=False),
    Column("rules_version", String(20), nullable=False),
    Column("inputs_sha256", String(64), nullable=False),
    Column("state", Text, nullable=False),  # JSON: what the next report compares with
    Column("published", Boolean, nullable=False, default=True),
    Column("pdf", LargeBinary, nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("xlsx", LargeBinary, nullable=False),
    Column("xlsx_sha256", String(64), nullable=False),
    Index("ix_archived_reports_audience", "audience", "lang", "id"),
)

# A pending report's review (migration 0013): the content (JSON, to render it again with the comments), the
# departments asked to comment, the channels it is mailed to when published, the deadline and reminder point.
report_reviews = Table(
    "report_reviews",
    metadata,
    Column("report_id", Integer, ForeignKey("archived_reports.id"), primary_key=True),
    Column("content", Text, nullable=False),
    Column("departments", Text, nullable=False),  # JSON list of department ids
    Column("channels", Text, nullable=False),  # JSON list of channel ids (mailed on publishing)
    Column("deadline", UTCDateTime, nullable=False),
    Column("remind_at", UTCDateTime, nullable=True),
    Column("reminded_at", UTCDateTime, nullable=True),  # set once, when the reminder went out
    Column("published_at", UTCDateTime, nullable=True),
    Column("published_by", String(100), nullable=True),
)

report_comments = Table(
    "report_comments",
    metadata,
    Column("report_id", Integer, ForeignKey("archived_reports.id"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # goal | measure
    Column("item_id", String(100), primary_key=True),
    Column("department", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

report_submissions = Table(
    "report_submissions",
    metadata,
    Column("report_id", Integer, ForeignKey("archived_reports.id"), primary_key=True),
    Column("department", String(100), primary_key=True),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("submitted_by", String(100), nullable=False),
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

# The data version of the latest write that stored rows of each indicator (bumped in the same transaction as
# `data_version`): a snapshot recomputes only the indicators whose version is above its own.
indicator_versions = Table(
    "indicator_versions",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)

# --- climate pathway (migration 0011_pathway): the BISKO balance inputs, the population per year, the city's
# overrides of the shipped emission factors (each with its reason), the measures' expected effects and costs.
pathway_balance = Table(
    "pathway_balance",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("sector", String(16), primary_key=True),
    Column("carrier", String(32), primary_key=True),
    Column("mwh", Float, nullable=False),
    Column("grade", String(1), nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

pathway_population = Table(
    "pathway_population",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("inhabitants", Float, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

pathway_factor_overrides = Table(
    "pathway_factor_overrides",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("carrier", String(32), primary_key=True),
    Column("t_per_mwh", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", String(120), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

measure_effects = Table(
    "measure_effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sector", String(16), nullable=False),
    Column("reduction_t", Float, nullable=False),
    Column("start_year", Integer, nullable=False),
    Column("full_year", Integer, nullable=False),
    Column("end_year", Integer),
    Column("author", String(120), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

measure_costs = Table(
    "measure_costs",
    metadata,
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("one_off_eur", Float, nullable=False),
    Column("per_year_eur", Float, nullable=False),
    Column("author", String(120), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

# every change of a measure's effects or cost (kind 'effects' | 'cost'): the new value as JSON ([] / null: removed),
# who and when; shown in the measure's history beside its progress reports
measure_effect_changes = Table(
    "measure_effect_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("value", Text, nullable=False),
    Column("author", String(120), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)
