"""Bulk ingest on PostgreSQL without per-row foreign-key triggers on observations.

PostgreSQL checks a foreign key with one trigger call per inserted row; for the two keys of `observations`
(indicator_id -> indicators, run_id -> job_runs) that was about two thirds of a bulk COPY's time. The store
checks both once per batch instead (`cockpit.store.observations.upsert`: every indicator id of the batch must be
in `indicators`, the run must exist), inside the same write transaction. SQLite checks a foreign key with one
index seek, so its constraints stay (`schema.py` declares them for SQLite only).

Revision ID: 0010_ingest
Revises: 0009_indicator_versions
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_ingest"
down_revision = "0009_indicator_versions"
branch_labels = None
depends_on = None

_REFERRED = {"indicators": ["indicator_id"], "job_runs": ["run_id"]}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for fk in sa.inspect(bind).get_foreign_keys("observations"):
        if _REFERRED.get(fk["referred_table"]) == fk["constrained_columns"] and fk.get("name"):
            op.drop_constraint(fk["name"], "observations", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_foreign_key("fk_observations_indicator_id_indicators", "observations", "indicators", ["indicator_id"], ["id"])
    op.create_foreign_key("fk_observations_run_id_job_runs", "observations", "job_runs", ["run_id"], ["id"])
