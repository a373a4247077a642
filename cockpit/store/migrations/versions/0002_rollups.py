"""Rollups per indicator, district and local day/month/year, and the per-source observation counts; built from
the observations already stored.

Revision ID: 0002_rollups
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from cockpit.store import rollups
from cockpit.store.schema import UTCDateTime

revision = "0002_rollups"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("grain", sa.String(5), nullable=False),
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(10), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("sum", sa.Float, nullable=False),
        sa.Column("min", sa.Float, nullable=False),
        sa.Column("max", sa.Float, nullable=False),
        sa.Column("last_value", sa.Float, nullable=False),
        sa.Column("last_start", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("grain", "indicator_id", "district", "bucket", name="pk_rollups"),
    )
    op.create_table(
        "indicator_sources",
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("indicator_id", "source_id", name="pk_indicator_sources"),
    )
    rollups.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("indicator_sources")
    op.drop_table("rollups")
