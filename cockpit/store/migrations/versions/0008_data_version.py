"""A data-version counter bumped in the write transaction of every change the pages show.

The version used to be the highest run id that stored rows; runs get their id when they start, so a run that
started first and committed last did not move it, and cached pages kept showing the data before its commit.

Revision ID: 0008_data_version
Revises: 0007_rate_limits
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_data_version"
down_revision = "0007_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_version"),
    )
    # continue above the old version, so that no cached page built before the upgrade looks current
    old = op.get_bind().execute(sa.text(
        "SELECT COALESCE((SELECT MAX(id) FROM job_runs WHERE rows_stored > 0), 0)"
        " + COALESCE((SELECT MAX(id) FROM measure_reports), 0)")).scalar_one()
    op.bulk_insert(table, [{"id": 1, "version": int(old) + 1}])


def downgrade() -> None:
    op.drop_table("data_version")
