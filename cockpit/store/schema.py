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


# Columns are declared by kind: `_key`, `_required` (NOT NULL) and `_optional` take plain name=type pairs in
# table order; a column with more to it (a default, an index, a reference, a comment) is spelled out as `Column`.
# The groups after them stand for columns several tables share.


def _table(name: str, *columns_and_constraints) -> Table:
    """A table of the store's `metadata`."""
    return Table(name, metadata, *columns_and_constraints)


def _key(**types) -> list[Column]:
    """Primary-key columns, in the order given."""
    return [Column(name, type_, primary_key=True) for name, type_ in types.items()]


def _required(**types) -> list[Column]:
    """NOT NULL columns without a default, in the order given."""
    return [Column(name, type_, nullable=False) for name, type_ in types.items()]


def _optional(**types) -> list[Column]:
    """Nullable columns without a default, in the order given."""
    return [Column(name, type_) for name, type_ in types.items()]


def _serial_id() -> Column:
    """The surrogate key of a table whose rows have no natural one."""
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _produced_by_run() -> list[Column]:
    """The source and the job run a row came from (quarantined records, archived payloads)."""
    return [
        Column("source_id", String(64), nullable=False, index=True),
        Column("run_id", Integer, ForeignKey("job_runs.id"), nullable=False),
    ]


def _measure_id(*, key: bool = False) -> Column:
    """The measure a row belongs to (deleted with it); `key`: part of the primary key, else indexed."""
    options = {"primary_key": True} if key else {"nullable": False, "index": True}
    return Column("measure_id", String(64), ForeignKey("measures.id", ondelete="CASCADE"), **options)


def _measure_list_entry() -> list[Column]:
    """An entry of one of a measure's ordered lists (links, milestones, effects): own id, measure, position."""
    return [_serial_id(), _measure_id(), Column("position", Integer, nullable=False)]


def _bilingual(*names: str) -> list[Column]:
    """A required German and English text column per name: `<name>_de`, `<name>_en`."""
    return [Column(f"{name}_{lang}", Text, nullable=False) for name in names for lang in ("de", "en")]


def _recorded() -> list[Column]:
    """Who entered a value by hand and when (the pathway inputs and the measures' effects and costs)."""
    return [Column("author", String(120), nullable=False), Column("recorded_at", UTCDateTime, nullable=False)]


def _report_id() -> Column:
    """The archived report a row belongs to, as part of the row's primary key."""
    return Column("report_id", Integer, ForeignKey("archived_reports.id"), primary_key=True)


indicators = _table(
    "indicators",
    *_key(id=String(64)),
    *_required(domain=String(16), visibility=String(16), unit=String(64), aggregation=String(8)),
    *_required(rhythm=String(32), spatial=String(16)),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow),
)

job_runs = _table(
    "job_runs",
    _serial_id(),
    *_required(source_id=String(64), started_at=UTCDateTime),
    *_optional(finished_at=UTCDateTime),
    *_required(status=String(16)),  # running | ok | partial | failed
    *(
        Column(name, Integer, nullable=False, default=0)
        for name in ("rows_read", "rows_stored", "rows_rejected")
    ),
    *_optional(error=Text),
    Index("ix_job_runs_source_started", "source_id", "started_at"),
)

# On PostgreSQL partitioned by UTC year since migration 0013 (cockpit/store/partitions.py): there the primary key is
# (id, period_start), since every unique key of a partitioned table contains the partition key.
observations = _table(
    "observations",
    _serial_id(),
    *_required(indicator_id=String(64)),
    Column("district", String(64), nullable=False, default=""),  # "" = city-wide
    *_required(period_start=UTCDateTime),
    *_optional(period_end=UTCDateTime),
    *_required(value=Float, source_id=String(64)),
    *_optional(run_id=Integer),
    *_required(ingested_at=UTCDateTime),
    UniqueConstraint("indicator_id", "district", "period_start", name="uq_observations_key"),
    # Enforced by SQLite (one index seek per row); on PostgreSQL a per-row trigger each, so migration 0010_ingest
    # dropped them there and the store checks both once per batch (cockpit.store.observations.upsert).
    ForeignKeyConstraint(["indicator_id"], ["indicators.id"]).ddl_if(dialect="sqlite"),
    ForeignKeyConstraint(["run_id"], ["job_runs.id"]).ddl_if(dialect="sqlite"),
)

observation_revisions = _table(
    "observation_revisions",
    _serial_id(),
    Column("observation_id", Integer, nullable=False, index=True),
    *_required(value=Float, source_id=String(64)),
    Column("run_id", Integer, ForeignKey("job_runs.id")),
    *_required(valid_from=UTCDateTime, replaced_at=UTCDateTime),
    Column("replaced_by_run", Integer, ForeignKey("job_runs.id")),
    # SQLite only: a partitioned table's id alone is no key on PostgreSQL (migration 0013); written together there
    ForeignKeyConstraint(["observation_id"], ["observations.id"]).ddl_if(dialect="sqlite"),
)

quarantine = _table(
    "quarantine",
    _serial_id(),
    *_produced_by_run(),
    *_required(raw=Text, reason=Text, created_at=UTCDateTime),
)

watermarks = _table(
    "watermarks",
    *_key(source_id=String(64)),
    *_required(value=Text, updated_at=UTCDateTime),
)

payload_archive = _table(
    "payload_archive",
    _serial_id(),
    *_produced_by_run(),
    *_required(fetched_at=UTCDateTime),
    Column("size", Integer, nullable=False),  # uncompressed bytes
    *_required(compressed=LargeBinary),
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
measures = _table(
    "measures",
    *_key(id=String(64)),
    *_bilingual("name", "description"),
    *_required(field=String(64)),
    Column("department", String(64), nullable=False, index=True),
    *_optional(contact=Text),
    *_required(status=String(16)),
    *_optional(start_date=Date, end_date=Date, budget_eur=Float),
    *_required(visibility=String(16), reporting=String(32)),
    Column("demo", Boolean, nullable=False, default=False),
    *_required(created_at=UTCDateTime, updated_at=UTCDateTime),
)

measure_links = _table(
    "measure_links",
    *_measure_list_entry(),
    Column("kind", String(16), nullable=False),  # goal | indicator
    *_required(target_id=String(64)),
    Column("direction", String(16), nullable=False),  # decrease | increase
    *_optional(effect_value=Float, effect_from_year=Integer),
)

measure_milestones = _table(
    "measure_milestones",
    *_measure_list_entry(),
    *_required(milestone_id=String(64)),
    *_bilingual("name"),
    *_required(due=Date),
    *_optional(reached=Date),
)

measure_checks = _table(
    "measure_checks",
    _measure_id(key=True),
    Column("dimension", String(16), primary_key=True),  # ecological | social | economic
    Column("assessment", String(16), nullable=False),  # positive | neutral | negative
    *_bilingual("justification"),
)

measure_reports = _table(
    "measure_reports",
    _serial_id(),
    _measure_id(),
    *_required(reported_at=UTCDateTime, author=String(120), status=String(16)),
    *_optional(percent=Integer, milestone_id=String(64)),
    *_required(text=Text),
)

alert_states = _table(
    "alert_states",
    Column("key", String(200), primary_key=True),  # '<rule id>:<subject>'
    *_required(rule_id=String(64), subject=String(128), firing=Boolean),
    Column("value", String(64)),  # last seen value (goal status)
    Column("baseline", String(64)),  # the value before it got worse (goal status)
    *_required(changed_at=UTCDateTime),
)

alert_log = _table(
    "alert_log",
    _serial_id(),
    *_required(rule_id=String(64), subject=String(128)),
    Column("event", String(16), nullable=False),  # fired | recovered
    *_required(message=Text),
    Column("channels", Text, nullable=False),  # JSON: {channel id: "ok" | error text}
    Column("created_at", UTCDateTime, nullable=False, index=True),
)


# --- accounts
indicators.append_column(Column("owner", String(64)))  # owning department (catalog `owner`), for department visibility

users = _table(
    "users",
    _serial_id(),
    Column("login", String(64), nullable=False, unique=True),
    *_required(display_name=String(128)),
    Column("department", String(64)),  # a catalog department id
    Column("role", String(16), nullable=False),  # staff | admin
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", Text),  # argon2id; NULL for single-sign-on accounts
    Column("oidc_subject", String(255), unique=True),  # "<issuer> <sub>" of a single-sign-on account
    *_required(created_at=UTCDateTime, updated_at=UTCDateTime),
)

user_sessions = _table(
    "user_sessions",
    Column("id_hash", String(64), primary_key=True),  # sha256 of the random id in the cookie
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    *_required(created_at=UTCDateTime, last_seen_at=UTCDateTime),
    Column("expires_at", UTCDateTime, nullable=False),  # absolute end
    *_optional(revoked_at=UTCDateTime, address=String(64)),
)

login_attempts = _table(
    "login_attempts",
    _serial_id(),
    *_required(at=UTCDateTime, login=String(64), address=String(64), success=Boolean),
    Index("ix_login_attempts_login_at", "login", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),
)

audit_log = _table(
    "audit_log",
    _serial_id(),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(64)),  # login name, or "cli" for the command line
    *_required(action=String(32)),
    *_optional(target=String(128), address=String(64), detail=Text),
)

scheduler_leases = _table(
    "scheduler_leases",
    *_key(name=String(64)),
    *_required(holder=String(128), expires_at=UTCDateTime),
)


# --- embed
rate_limits = _table(
    "rate_limits",
    Column("client", String(128), primary_key=True),  # e.g. "api:203.0.113.9"
    Column("window", Integer, primary_key=True),  # window number: epoch seconds // window length
    Column("hits", Integer, nullable=False, default=0),
    Index("ix_rate_limits_window", "window"),
)


# --- wall
wall_tokens = _table(
    "wall_tokens",
    _serial_id(),
    *_required(name=String(100)),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token; never the token
    Column("slides", Text, nullable=False, default=""),  # comma-separated slide specs; "" = the URL decides
    Column("internal", Boolean, nullable=False, default=False),
    *_required(created_at=UTCDateTime),
    *_optional(revoked_at=UTCDateTime),
)


# Archived council reports: the PDF and XLSX bytes with their SHA-256, never regenerated (cockpit/reports).
archived_reports = _table(
    "archived_reports",
    _serial_id(),
    Column("period", String(10), nullable=False),  # '2026-H2'
    Column("audience", String(10), nullable=False),  # public | internal
    *_required(lang=String(2), created_at=UTCDateTime),
    Column("created_by", String(100), nullable=False, default=""),
    *_required(data_version=Integer, rules_version=String(20), inputs_sha256=String(64)),
    Column("state", Text, nullable=False),  # JSON: what the next report compares with
    Column("published", Boolean, nullable=False, default=True),
    *_required(pdf=LargeBinary, pdf_sha256=String(64), xlsx=LargeBinary, xlsx_sha256=String(64)),
    Index("ix_archived_reports_audience", "audience", "lang", "id"),
)

# A pending report's review (migration 0013): the content (JSON, to render it again with the comments), the
# departments asked to comment, the channels it is mailed to when published, the deadline and reminder point.
report_reviews = _table(
    "report_reviews",
    _report_id(),
    *_required(content=Text),
    Column("departments", Text, nullable=False),  # JSON list of department ids
    Column("channels", Text, nullable=False),  # JSON list of channel ids (mailed on publishing)
    *_required(deadline=UTCDateTime),
    *_optional(remind_at=UTCDateTime),
    Column("reminded_at", UTCDateTime, nullable=True),  # set once, when the reminder went out
    *_optional(published_at=UTCDateTime, published_by=String(100)),
)

report_comments = _table(
    "report_comments",
    _report_id(),
    Column("kind", String(10), primary_key=True),  # goal | measure
    *_key(item_id=String(100)),
    *_required(department=String(100), text=Text, updated_at=UTCDateTime, updated_by=String(100)),
)

report_submissions = _table(
    "report_submissions",
    _report_id(),
    *_key(department=String(100)),
    *_required(submitted_at=UTCDateTime, submitted_by=String(100)),
)


# --- perf
# Aggregates per indicator, district and Europe/Berlin calendar bucket (grain 'day', 'month' or 'year'), kept
# exact in the same transaction as every observation write (cockpit/store/rollups.py). `bucket` is the local
# start date of the bucket as 'YYYY-MM-DD' (so string order is time order on every backend).
rollups = _table(
    "rollups",
    *_key(grain=String(5), indicator_id=String(64), district=String(64), bucket=String(10)),
    *_required(n=Integer, sum=Float, min=Float, max=Float, last_value=Float, last_start=UTCDateTime),
)

# How many observations of each indicator each source currently holds (n > 0: the source delivered it).
indicator_sources = _table(
    "indicator_sources",
    *_key(indicator_id=String(64), source_id=String(64)),
    *_required(n=Integer),
)

# One row: a counter that grows in the write transaction of every change the pages show (new or revised
# observations, measure definitions and reports). Writers are serialized, so the counter grows in commit order;
# a run id would not: runs start in one order and commit in another.
data_version = _table(
    "data_version",
    Column("id", Integer, primary_key=True, autoincrement=False),
    *_required(version=Integer),
)

# The data version of the latest write that stored rows of each indicator (bumped in the same transaction as
# `data_version`): a snapshot recomputes only the indicators whose version is above its own.
indicator_versions = _table(
    "indicator_versions",
    *_key(indicator_id=String(64)),
    *_required(version=Integer),
)

# --- climate pathway (migration 0011_pathway): the BISKO balance inputs, the population per year, the city's
# overrides of the shipped emission factors (each with its reason), the measures' expected effects and costs.
pathway_balance = _table(
    "pathway_balance",
    *_key(year=Integer, sector=String(16), carrier=String(32)),
    *_required(mwh=Float, grade=String(1), source=Text, imported_at=UTCDateTime),
)

pathway_population = _table(
    "pathway_population",
    *_key(year=Integer),
    *_required(inhabitants=Float, imported_at=UTCDateTime),
)

pathway_factor_overrides = _table(
    "pathway_factor_overrides",
    *_key(year=Integer, carrier=String(32)),
    *_required(t_per_mwh=Float, reason=Text),
    *_recorded(),
)

measure_effects = _table(
    "measure_effects",
    *_measure_list_entry(),
    *_required(sector=String(16), reduction_t=Float, start_year=Integer, full_year=Integer),
    *_optional(end_year=Integer),
    *_recorded(),
)

measure_costs = _table(
    "measure_costs",
    _measure_id(key=True),
    *_required(one_off_eur=Float, per_year_eur=Float),
    *_recorded(),
)

# every change of a measure's effects or cost (kind 'effects' | 'cost'): the new value as JSON ([] / null: removed),
# who and when; shown in the measure's history beside its progress reports
measure_effect_changes = _table(
    "measure_effect_changes",
    _serial_id(),
    _measure_id(),
    *_required(kind=String(8), value=Text),
    *_recorded(),
)
