"""Per indicator, the data version of the latest write that stored its rows (set in the write transaction).

A snapshot built at data version V holds current data of every indicator whose version is <= V, so after a
small run the next snapshot re-reads only the indicators that run touched. Empty after the upgrade: every
process starts without cached snapshots, and a first snapshot reads every indicator.

Revision ID: 0009_indicator_versions
Revises: 0008_data_version
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_indicator_versions"
down_revision = "0008_data_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_versions",
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("indicator_id", name="pk_indicator_versions"),
    )


def downgrade() -> None:
    op.drop_table("indicator_versions")
