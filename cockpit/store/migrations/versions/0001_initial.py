"""Initial schema: indicators, observations with revisions, job runs, quarantine, watermarks, payload archive.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("domain", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("aggregation", sa.String(8), nullable=False),
        sa.Column("rhythm", sa.String(32), nullable=False),
        sa.Column("spatial", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_stored", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_job_runs_source_started", "job_runs", ["source_id", "started_at"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(64), sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("period_start", UTCDateTime, nullable=False),
        sa.Column("period_end", UTCDateTime),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("job_runs.id")),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("indicator_id", "district", "period_start", name="uq_observations_key"),
    )
    op.create_table(
        "observation_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("observation_id", sa.Integer, sa.ForeignKey("observations.id"), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("job_runs.id")),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("replaced_at", UTCDateTime, nullable=False),
        sa.Column("replaced_by_run", sa.Integer, sa.ForeignKey("job_runs.id")),
    )
    op.create_index(
        "ix_observation_revisions_observation_id", "observation_revisions", ["observation_id"]
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("job_runs.id"), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_quarantine_source_id", "quarantine", ["source_id"])
    op.create_table(
        "watermarks",
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "payload_archive",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("job_runs.id"), nullable=False),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("compressed", sa.LargeBinary, nullable=False),
        sa.Column("reprocessed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_payload_archive_source_id", "payload_archive", ["source_id"])


def downgrade() -> None:
    for table in ("payload_archive", "watermarks", "quarantine", "observation_revisions", "observations", "job_runs",
                  "indicators"):
        op.drop_table(table)
