"""PostgreSQL: observations partitioned by UTC calendar year (cockpit/store/partitions.py, docs/partitioning.md).

A new or empty store gets the partitioned table in the migration's transaction. A store with observations is
converted online and resumably (`partitions.convert`): the rows are copied in committed batches with a progress
marker while writers go on, and a short locked transaction swaps the tables at the end; a migration killed on the
way continues where it stopped when it runs again. SQLite keeps its plain table.

Revision ID: 0013_partition_observations
Revises: 0012_reports
Create Date: 2026-12-06
"""

from alembic import op
from sqlalchemy import text

from cockpit.store import partitions

revision = "0013_partition_observations"
down_revision = "0012_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or partitions.is_partitioned(bind):
        return
    empty = bind.execute(text("SELECT NOT EXISTS (SELECT 1 FROM observations)")).scalar()
    started = bind.execute(text("SELECT to_regclass('observations_partition_progress') IS NOT NULL")).scalar()
    if empty and not started:
        partitions.create_in_place(bind)
        return
    with op.get_context().autocommit_block():  # commits what came before; each batch then commits on its own
        partitions.convert(bind.engine)


def downgrade() -> None:
    raise NotImplementedError("observations stay partitioned on PostgreSQL (restore a backup to go back)")
