"""Quarantine deduplication: fingerprint (raw + reason), times seen, last run and time seen.

Revision ID: 0003_quarantine_dedup
Revises: 0001
Create Date: 2026-11-28
"""

import hashlib

import sqlalchemy as sa
from alembic import op

from cockpit.store.schema import UTCDateTime

revision = "0003_quarantine_dedup"
down_revision = "0002_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("times_seen", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_run_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("last_seen_at", UTCDateTime, nullable=True))
    conn = op.get_bind()
    table = sa.table("quarantine", sa.column("id", sa.Integer), sa.column("raw", sa.Text),
                     sa.column("reason", sa.Text), sa.column("fingerprint", sa.String),
                     sa.column("run_id", sa.Integer), sa.column("last_run_id", sa.Integer))
    for row in conn.execute(sa.select(table.c.id, table.c.raw, table.c.reason)).all():
        digest = hashlib.sha256(f"{row.raw}\x00{row.reason}".encode()).hexdigest()
        conn.execute(sa.update(table).where(table.c.id == row.id).values(fingerprint=digest))
    conn.execute(sa.update(table).values(last_run_id=table.c.run_id))
    op.create_index("ix_quarantine_source_fingerprint", "quarantine", ["source_id", "fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_source_fingerprint", table_name="quarantine")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("last_seen_at")
        batch.drop_column("last_run_id")
        batch.drop_column("times_seen")
        batch.drop_column("fingerprint")
