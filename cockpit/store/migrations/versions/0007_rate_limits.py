"""Rate limits of the open-data API shared by every worker: hits per client and fixed time window.

Revision ID: 0007_rate_limits
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_rate_limits"
down_revision = "0006_measures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("client", sa.String(128), nullable=False),
        sa.Column("window", sa.Integer, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("client", "window", name="pk_rate_limits"),
    )
    op.create_index("ix_rate_limits_window", "rate_limits", ["window"])


def downgrade() -> None:
    op.drop_index("ix_rate_limits_window", table_name="rate_limits")
    op.drop_table("rate_limits")
